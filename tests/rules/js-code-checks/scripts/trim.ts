// Annotated samples (inert, never run): the filter form — items matching safety wording dropped — and near misses.
const REFUSAL_RE = /\b(I (?:cannot|can't|must not)|as an AI|harmful|against (?:my|the) guidelines)\b/i;
const POLICY_LINES = [/safety guidelines?/i, /you must not/i, /prohibited content/i];
const FOOTER_LINES = [/unsubscribe/i, /privacy policy/i];

export function trimLines(text: string) {
  const lines = text.split("\n");
  // ruleid: js-strips-safety-text
  const kept = lines.filter((line: string) => !REFUSAL_RE.test(line));
  // ruleid: js-strips-safety-text
  const lean = kept.filter(function (l) { return !POLICY_LINES.some((r) => r.test(l)); });
  // ruleid: js-strips-safety-text
  const plain = lean.filter((l) => !l.match(/must not|forbidden/i));
  // ok: js-strips-safety-text
  const flagged = lines.filter((line: string) => REFUSAL_RE.test(line));
  // ok: js-strips-safety-text
  const body = lines.filter((l) => !FOOTER_LINES.some((r) => r.test(l)));
  // ok: js-strips-safety-text
  const nonEmpty = lines.filter((l) => !/^\s*$/.test(l));
  return { plain, flagged, body, nonEmpty };
}

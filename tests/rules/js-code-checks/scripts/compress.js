// Annotated samples (inert, never run): safety wording deleted from text passed on, and near misses.
const SAFETY_BLOCK = /\[SAFETY\][\s\S]*?\[\/SAFETY\]/g;

function compact(context) {
  // ruleid: js-strips-safety-text
  let out = context.replace(SAFETY_BLOCK, "");
  // ruleid: js-strips-safety-text
  out = out.replaceAll(new RegExp("You must not[^.]*\\.", "g"), "");
  // ok: js-strips-safety-text
  out = out.replace(/Privacy Policy \| Terms/g, "");
  // ok: js-strips-safety-text
  const refusals = (out.match(/I refuse/g) || []).length;
  // ok: js-strips-safety-text
  out = out.replace(/\s+/g, " ");
  return { out, refusals };
}
module.exports = { compact };

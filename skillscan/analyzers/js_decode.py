"""The file engine "js-decode", which parses each JavaScript/TypeScript file once (`analyzers/js/`): readable
text hidden in its literals (explicit decoder calls over constants, folded on the parse; hex/unicode escape
runs; long literals that decode; a "p,a,c,k,e,d" packer's program, `js/packer.py`) becomes virtual files
every later engine scans, and its source → network
flows become findings with flow facts (`analyzers/js/flows.py`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from skillscan.analyzers.js_syntax import skip_group, unescape
from skillscan.analyzers.js_values import MAX_CALL_WINDOW, MAX_CALLS, MAX_VALUE, UNKNOWN, Resolver
from skillscan.lazyre import lazy

RULE_IDS: tuple[str, ...] = ("js-decoded-payload",)

_DECODER_CALL = lazy(r"(?:\batob|\bBuffer\.from|\bnew\s+Buffer|\bString\.fromCharCode|\bdecodeURIComponent|"
                           r"\bunescape)\s*\(")
_LITERAL = lazy(r"""(['"`])((?:\\.|(?!\1)[^\\\n]){24,})\1""")
_HEX_ESCAPES = lazy(r"(?:\\x[0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}){6,}")
MAX_PAYLOADS = 16
MIN_DECODED = 4


@dataclass(frozen=True)
class Payload:
    text: str
    how: str
    offset: int


def _call_extent(text: str, start: int) -> int:
    """End of the call starting at `start` including trailing `.method(…)` chains."""
    paren = text.find("(", start)
    if paren < 0:
        return start
    end = skip_group(text, paren)
    while True:
        m = re.match(r"\s*\.\s*([A-Za-z_$][\w$]*)\s*", text[end : end + 200])
        if not m:
            return end
        nxt = end + m.end()
        if nxt < len(text) and text[nxt] == "(":
            end = skip_group(text, nxt)
        else:
            return end


MAX_SOURCE = 4 * 1024 * 1024  # characters of a file read for decoder calls and literals


DECODERS = frozenset({"atob", "window.atob", "globalThis.atob", "Buffer.from", "Buffer", "String.fromCharCode",
                      "decodeURIComponent", "unescape"})


def decoder_calls(values: Any) -> list[tuple[int, str, str | None]]:
    """(byte offset, decoder, folded constant) of each decoder call of a parsed file, in source order: the
    call with the method chain that follows it (`Buffer.from(x, "base64").toString()`), folded on the parse."""
    from skillscan.analyzers.js.flows import calls
    from skillscan.analyzers.js.values import dotted

    parsed = values.parsed
    out = []
    for node in calls(parsed):
        fn = node.child_by_field_name("constructor" if node.type == "new_expression" else "function")
        callee = dotted(parsed, fn) if fn is not None else ""
        if callee not in DECODERS or (callee == "Buffer") != (node.type == "new_expression"):
            continue
        outer = node
        while outer.parent is not None and outer.parent.type == "member_expression" and \
                outer.parent.parent is not None and outer.parent.parent.type == "call_expression":
            outer = outer.parent.parent
        out.append((node.start_byte, "atob" if callee.endswith(".atob") else callee, values.constant(outer)))
        if len(out) > MAX_CALLS:
            break
    return out


def find_payloads(source: str, cut: list[str] | None = None, values: Any = None) -> list[Payload]:
    """Readable text hidden in a JS file's literals: explicit decoder calls over constants (folded on the
    file's parse, `values`, when given), hex/unicode escape runs, and long literals that decode (base64,
    hex, char codes…) to text. Each bound that stops the search early is said in `cut` (when given), so the
    caller can report what was not read."""
    from skillscan.analyzers.decode import decode_literal

    said = cut if cut is not None else []
    text = source[:MAX_SOURCE]
    if len(source) > MAX_SOURCE:
        said.append(f"only the first {MAX_SOURCE:,} characters were searched for encoded literals")
    resolver = Resolver(text)
    out: list[Payload] = []
    seen: set[str] = set()  # decoded values already reported
    seen_src: set[str] = set()  # call texts and literal bodies already decoded

    def novel(value: str | None) -> bool:
        if not value or UNKNOWN in value or len(value.strip()) < MIN_DECODED or value in seen:
            return False
        printable = sum(1 for c in value if c.isprintable() or c in "\n\r\t")
        return printable >= 0.95 * len(value)

    def add(value: str | None, how: str, offset: int) -> bool:
        """Record a new payload; False (and `said` tells why) once MAX_PAYLOADS are recorded."""
        if not novel(value):
            return True
        assert value is not None
        if len(out) >= MAX_PAYLOADS:
            said.append(_stopped(len(out), 0, 1))
            return False
        seen.add(value)
        out.append(Payload(value[:MAX_VALUE], how, offset))
        return True

    if values is not None and values.parsed.root is not None:
        calls = decoder_calls(values)
        src = values.parsed.src
        for count, (at, how, value) in enumerate(calls):
            if count >= MAX_CALLS:
                said.append(_stopped(len(out), count, 1))
                break
            if not add(value, how, len(src[:at].decode("utf-8", "replace"))):
                return out
        calls_done = True
    else:
        calls_done = False
    budget = 2 * 1024 * 1024  # characters all decoder calls together may cost
    for count, m in enumerate(() if calls_done else _DECODER_CALL.finditer(text)):
        if count >= MAX_CALLS or budget <= 0:
            said.append(_stopped(len(out), count, budget))
            break
        window = text[m.start() : m.start() + MAX_CALL_WINDOW]
        end = _call_extent(window, 0)
        budget -= end
        if end >= len(window) and not window.rstrip().endswith(")"):
            continue  # unterminated within the window
        if window[:end] in seen_src:
            continue
        seen_src.add(window[:end])
        if not add(resolver.constant(window[:end]), m.group(0).rstrip("( ").split()[-1], m.start()):
            return out
    for m in _HEX_ESCAPES.finditer(text):
        if not add(unescape(m.group(0)), "escapes", m.start()):
            return out
    literal_budget = 2 * 1024 * 1024  # characters of literals handed to the guessing decoders
    for m in _LITERAL.finditer(text):
        if literal_budget <= 0:
            said.append(_stopped(len(out), 0, literal_budget))
            break
        body = unescape(m.group(2)) if m.group(1) != "`" or "${" not in m.group(2) else None
        if not body or body in seen or body in seen_src:
            continue
        seen_src.add(body)
        literal_budget -= len(body)
        for dec in decode_literal(body, max_results=2):
            if not add(dec.text, "+".join(dec.chain) or "literal", m.start()):
                return out
    return out


def _stopped(found: int, calls: int, budget: int) -> str:
    if found >= MAX_PAYLOADS:
        return f"decoding stopped after {MAX_PAYLOADS} payloads; later encoded literals were not decoded"
    if calls >= MAX_CALLS:
        return f"decoding stopped after {MAX_CALLS:,} decoder calls; later calls were not decoded"
    return "decoding stopped at its budget of 2 MB of decoded input; later encoded literals were not decoded"


class JsDecodeAnalyzer:
    """JavaScript/TypeScript literals that decode to readable text (`atob`, `Buffer.from(…, "base64")`,
    `String.fromCharCode`, escape runs, long encoded constants) become virtual files
    (`path#decoded-N`) that every later engine — shell, instructions, YARA, semgrep — scans."""

    name = "js-decode"

    def applies(self, file: Any) -> bool:
        return file.language in ("javascript", "typescript") and file.text is not None and not file.truncated

    def analyze_file(self, package: Any, file: Any) -> Any:
        from dataclasses import replace

        from skillscan.analyzers.base import FileResult, finding, line_of, line_text
        from skillscan.analyzers.decode import looks_like
        from skillscan.analyzers.js import checks as js_checks
        from skillscan.analyzers.js.flows import FlowFinder
        from skillscan.analyzers.js.parse import parse
        from skillscan.analyzers.js.fetched_code import download_execute
        from skillscan.analyzers.js.packer import unpack
        from skillscan.analyzers.js.served_code import request_code_eval
        from skillscan.analyzers.js.values import Values
        from skillscan.loaders.files import make_file

        text = file.text or ""
        findings = []
        virtual = []
        parsed = parse(text, file.path, file.language)  # once: decoder calls and flows read the same tree
        values = Values(parsed)
        cut: list[str] = []
        found = [("literal decodes", p) for p in find_payloads(text, cut, values)]
        found += [("packed call unpacks", Payload(u.text, "p,a,c,k,e,d packer, its words put back", u.offset))
                  for u in unpack(text, cut)]
        for n, (what, p) in enumerate(found, start=1):
            line, col = line_of(text, p.offset)
            lang = looks_like(p.text)
            vf = make_file(f"{file.path}#decoded-{n}", p.text.encode("utf-8", "replace"),
                           origin=f"{file.path}:{line}")
            if lang in ("javascript", "shell", "python", "powershell"):
                vf = replace(vf, language=lang)
            virtual.append(vf)
            findings.append(finding("js-decoded-payload", f"{what} ({p.how}) to {lang} "
                                    f"({len(p.text)} characters); scanned as {vf.path}", file.path, line, col,
                                    snippet=line_text(text, line).strip()[:200], decoded=p.text[:2000]))
        flows = FlowFinder(parsed, values, file.path, package.js_modules)
        findings.extend(flows.findings())
        evaluated: list[tuple[int, str]] = []
        findings.extend(js_checks.run(flows, evaluated))  # the rule families beyond flows (js/checks.py)
        for n, (line, code) in enumerate(evaluated, start=1):  # code run through a hidden eval (js/hidden_calls.py)
            virtual.append(replace(make_file(f"{file.path}#evaluated-{n}", code.encode("utf-8", "replace"),
                                             origin=f"{file.path}:{line}"), language="javascript"))
        findings.extend(request_code_eval(parsed, file.path, values.bindings))
        findings.extend(download_execute(parsed, file.path, values.bindings))
        cut.extend(parsed.cut)
        for why in dict.fromkeys(cut):  # each bound that stopped the search, once
            findings.append(finding("analysis-incomplete", f"{file.path}: {why}", file.path, 1, 1))
        return FileResult(tuple(findings), tuple(virtual))

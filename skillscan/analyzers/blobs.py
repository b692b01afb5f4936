"""Long encoded blobs beside decoders, in Python rather than YARA (a regex for long base64 runs makes
YARA an order of magnitude slower).

For a text file: base64 runs of at least 200 characters (ClawHub's obfuscation threshold) or hex runs
of at least 200 digits, not `data:` URIs, with enough entropy to be data rather than a repeated
character, in a file that also calls a decoder, are reported as `encoded-blob-with-decoder` (high
severity when the file also has an exec sink). Decodable blobs — those, and shorter ones (>= 40
characters) on the same line as a decoder, as in `echo '...' | base64 -d | sh` — are returned as
virtual files (`<path>#blob-N`) so YARA and every later engine scan what they hide.
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter

from skillscan.analyzers.base import finding, line_of, line_text
from skillscan.capabilities import decoding
from skillscan.lazyre import lazy
from skillscan.model import Capability, Channel, Finding, PackageFile, Severity

RULE_IDS: tuple[str, ...] = ("encoded-blob-with-decoder",)

MIN_BLOB = 200  # characters, for a finding
MIN_DECODE = 40  # characters, for decoding a blob that sits on a decoder's line
MAX_SCAN_CHARS = 8 * 1024 * 1024  # text beyond this is left to YARA
MAX_FINDINGS = 5
MAX_VIRTUAL = 8
MAX_DECODED = 1024 * 1024
MIN_B64_ENTROPY = 4.0  # bits per character; random base64 is ~6, English-as-base64 ~4.5-5.3
MIN_HEX_ENTROPY = 3.0  # of 4 possible
PROSE_LANGUAGES = frozenset({"markdown", "text"})

B64_RUN = lazy(r"[A-Za-z0-9+/_-]{%d,}={0,2}" % MIN_DECODE)
HEX_RUN = lazy(r"(?:\\x[0-9a-fA-F]{2}){%d,}|(?<![0-9a-fA-F])[0-9a-fA-F]{%d,}(?![0-9a-fA-F])"
                     % (MIN_BLOB // 4, MIN_BLOB))
DECODER_ALTERNATIVES = (
    r"b64decode", r"base64\.decodebytes", r"base64\.b64", r"\batob\s*\(",
    r"Buffer\.from\s*\([^)]{0,400}['\"](?:base64|hex)['\"]", r"base64\s+(?:-d|-D|--decode)\b", r"FromBase64String",
    r"base64_decode", r"decodeBase64", r"Base64\.(?:decode|getDecoder)", r"unhexlify", r"bytes\.fromhex", r"\.fromhex\(",
    r"xxd\s+-r", r"codecs\.decode", r"zlib\.decompress", r"gzip\.decompress", r"certutil\s+-decode",
)
DECODER = lazy("|".join(DECODER_ALTERNATIVES), re.I)
# a lower-case literal every alternative of DECODER contains (tests/test_blobs_speed.py checks it)
DECODER_KEYS = ("b64decode", "base64", "atob", "buffer.from", "unhexlify", "fromhex", "xxd", "codecs.decode",
                "decompress", "certutil")
HEX_CORE = re.compile(r"[0-9a-fA-F]+")
EXEC_SINK = lazy(
    r"\beval\s*\(|\bexec\s*\(|\bnew\s+Function\s*\(|\bFunction\s*\(|\|\s*(?:sudo\s+)?(?:ba|z|da)?sh\b|\biex\b"
    r"|Invoke-Expression|os\.system|subprocess|child_process|\bsh\s+-c\b|marshal\.loads|pickle\.loads", re.I)
DATA_URI = lazy(r"data:[\w.+-]{1,40}/[\w.+-]{1,60}(?:;[\w=.-]{1,40})*;base64,\s*$", re.I)
EXEC_MAGIC = (b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"\xfe\xed\xfa\xce", b"MZ")


def entropy(text: str) -> float:
    if not text:
        return 0.0
    counts = Counter(text)
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def _looks_b64(core: str) -> bool:
    """Data, not a long path or identifier: mixed case and digits, and enough entropy."""
    return (any(c.isupper() for c in core) and any(c.islower() for c in core) and any(c.isdigit() for c in core)
            and entropy(core) >= MIN_B64_ENTROPY)


def _b64(run: str) -> bytes | None:
    core = run.rstrip("=")
    alt = "-" in core or "_" in core
    if alt and ("+" in core or "/" in core):
        return None
    return decoding.b64decode(core, altchars=decoding.URLSAFE if alt else None)


def _hex(run: str) -> bytes | None:
    digits = run.replace("\\x", "")
    if len(digits) % 2:
        digits = digits[:-1]
    return decoding.hexdecode(digits)


def _inflate(data: bytes) -> bytes:
    """gzip/zlib payloads are unpacked (bounded) so the hidden text is what gets scanned."""
    if data[:2] == b"\x1f\x8b" or data[:1] == b"\x78":
        try:
            d = zlib.decompressobj(wbits=47)  # auto-detect gzip or zlib header
            out = d.decompress(data, MAX_DECODED)
            if out:
                return out
        except zlib.error:
            pass
    return data


def _readable(data: bytes) -> bool:
    if not data:
        return False
    if data.startswith(EXEC_MAGIC):
        return True
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    printable = sum(1 for ch in text if ch.isprintable() or ch in "\n\r\t")
    return printable >= 0.9 * len(text)


def decoder_in(text: str) -> bool:
    """`DECODER.search(text) is not None`, answered without the regex for an ASCII text holding none of
    `DECODER_KEYS` (~1 MB/s for the case-insensitive alternation with `re`; in an ASCII text IGNORECASE
    equates a letter with its two ASCII cases only, so a match contains a key in lower case)."""
    if text.isascii():
        low = text.lower()
        for key in DECODER_KEYS:
            if key in low:
                break
        else:
            return False
    return DECODER.search(text) is not None


def _line_around(text: str, offset: int) -> str:
    """`line_text(text, line_of(text, offset)[0])` for an offset inside the text, cut out at the line's own
    line breaks rather than through the whole text's line index."""
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    if end < 0:
        end = len(text)
    return text[start : end - 1] if end > start and text[end - 1] == "\r" else text[start:end]


def _is_data_uri(text: str, start: int) -> bool:
    return bool(DATA_URI.search(text[max(0, start - 120) : start]))


def scan_blobs(file: PackageFile) -> tuple[list[Finding], list[PackageFile]]:
    if file.text is None or file.is_binary:
        return [], []
    text = file.text[:MAX_SCAN_CHARS]
    if len(text) < MIN_BLOB and not decoder_in(text):
        return [], []
    findings: list[Finding] = []
    virtual: list[PackageFile] = []
    seen: set[bytes] = set()
    # whole-text searches of the two case-insensitive alternations cost ~1 MB/s each with `re`; they
    # matter only once a long blob is found, so they run then (once), not on every file
    whole: dict[str, bool] = {}

    def has_decoder() -> bool:
        if "decoder" not in whole:
            whole["decoder"] = decoder_in(text)
        return whole["decoder"]

    def has_sink() -> bool:
        if "sink" not in whole:
            whole["sink"] = EXEC_SINK.search(text) is not None
        return whole["sink"]

    def consider(start: int, run: str, kind: str, decoded: bytes | None, long_enough: bool) -> None:
        line, column = line_of(text, start)
        line_str = line_text(text, line)
        on_decoder_line = decoder_in(line_str)
        payload = _inflate(decoded) if decoded else None
        readable = payload is not None and _readable(payload)
        if readable and payload not in seen and len(virtual) < MAX_VIRTUAL and (long_enough or on_decoder_line):
            seen.add(payload)
            virtual.append(_virtual(file, payload[:MAX_DECODED], len(virtual) + 1, line))
        if long_enough and len(findings) < MAX_FINDINGS and has_decoder():
            sink = has_sink()
            preview = payload.decode("utf-8", "replace")[:300] if readable and payload else None
            findings.append(finding(
                "encoded-blob-with-decoder",
                f"{len(run)}-character {kind} blob in a file that decodes data"
                + (" and executes code" if sink else ""),
                file.path, line, column, snippet=line_str[:200],
                capabilities=[Capability("code.dynamic", "eval")] if sink else [],
                channel=Channel.INSTRUCTION if file.language in PROSE_LANGUAGES else Channel.CODE,
                severity=Severity.HIGH if sink else Severity.MEDIUM,
                decoded=preview,
            ))

    longest_run = 0
    decoder_lines: dict[int, bool] = {}  # by the offset of the line break before the line
    for m in B64_RUN.finditer(text):
        run = m.group(0)
        longest_run = max(longest_run, len(run))
        core = run.rstrip("=")
        if HEX_CORE.fullmatch(core) or run.strip("=").isdigit() or _is_data_uri(text, m.start()):
            continue  # a hex run is handled below (the three tests are pure: their order changes nothing)
        long_enough = len(core) >= MIN_BLOB and _looks_b64(core)
        if not long_enough:
            # short blobs are decoded only when a decoder sits on the same line
            line_start = text.rfind("\n", 0, m.start())
            if line_start not in decoder_lines:
                decoder_lines[line_start] = decoder_in(_line_around(text, m.start()))
            if not decoder_lines[line_start]:
                continue
        consider(m.start(), run, "base64", _b64(run), long_enough)
    # a hex run is either 50+ `\xNN` escapes or 200+ hex digits, which lie inside a base64-alphabet run
    # of 200+ characters: without either, HEX_RUN (slow on prose) cannot match
    if longest_run < MIN_BLOB and text.count("\\x") < MIN_BLOB // 4:
        return findings, virtual
    for m in HEX_RUN.finditer(text):
        run = m.group(0)
        digits = run.replace("\\x", "")
        long_enough = len(digits) >= MIN_BLOB and entropy(digits.lower()) >= MIN_HEX_ENTROPY
        if long_enough:
            consider(m.start(), run, "hex", _hex(run), True)
    return findings, virtual


def _virtual(file: PackageFile, data: bytes, n: int, line: int) -> PackageFile:
    from skillscan.loaders.files import make_file

    return make_file(f"{file.path}#blob-{n}", data, origin=f"{file.path}:{line}")

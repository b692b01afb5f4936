"""The YARA engine: every `rules/yara/*.yar` compiled once per process (and cached on disk by content
digest), run over every file — binaries and files above the parse cap included — on the bytes the
loader already read.

Rule `meta` drives the mapping to findings (the catalog reads the same keys for the docs):
- `id`, `class`, `severity`, `confidence`, `capability` — as for every rule;
- `scope = "host" | "url"` — the capability's scope is the host (or whole URL) of the URL around the
  first match (`net.egress[webhook.site]`, `code.remote[https://glot.io/snippets/x]`);
- `anchor = "$s"`, `window = N` — the finding is placed at the first `$s` that has another string of
  the rule within N bytes (for proximity conditions);
- `extra_capability` — a second capability the match implies; `{host}` in it is the host of the
  first match (`net.egress[{host}]` puts a mining pool's host in the inferred egress);
- `prose = "hard" | "low" | "skip"` — how the rule treats Markdown/text: `hard` indicators keep their
  confidence, except in documentation folders (`references/`, `docs/`, `examples/`) where a quoted
  indicator is reported with low confidence (review, not block); `low` ones are always reported with
  low confidence on prose; `skip` ones are left to the instructions analyzer. Decoded payloads
  (virtual files) are never documentation;
- `declared_dirs = "bin"` — in those folders the file may be a declared artefact: severity drops to low.

Blob checks (long base64/hex beside a decoder) are Python, in `skillscan.analyzers.blobs`, because a
regex for them makes YARA slow; this analyzer runs them on the same file.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yara

from skillscan.analyzers.base import FileResult, finding
from skillscan.capabilities.urls import first_host_name, host_name_at, url_in_line
from skillscan.catalog import rules_dir
from skillscan.diskcache import atomic_write, cache_subdir
from skillscan.model import Capability, Channel, Confidence, Finding, Package, PackageFile, Severity

MATCH_TIMEOUT_S = 20
MAX_RELATED = 5
PROSE_LANGUAGES = frozenset({"markdown", "text"})
DOC_DIRS = frozenset({"references", "reference", "docs", "doc", "examples", "example"})

# how many times this process compiled or loaded the rule set (read by tests)
STATS: dict[str, int] = {"compiled": 0, "loaded": 0, "cache_writes": 0}
_lock = threading.Lock()
_compiled: dict[str, Any] = {}


def rule_files(root: Path | None = None) -> list[Path]:
    base = (root or rules_dir()) / "yara"
    return sorted(base.glob("*.yar")) if base.is_dir() else []


def rules_digest(files: Iterable[Path]) -> str:
    """Content digest of the rule set and the engine version: the key of the compiled-rules cache."""
    h = hashlib.sha256(f"yara-python {yara.__version__}\0".encode())
    for path in files:
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def cache_dir() -> Path | None:
    return cache_subdir("yara")


def compile_rules(files: list[Path]) -> Any:
    """Compile with every warning an error: one slow regex cuts the scan rate by an order of magnitude."""
    STATS["compiled"] += 1
    return yara.compile(filepaths={p.stem: str(p) for p in files}, error_on_warning=True)


def _load_cached(path: Path) -> Any | None:
    try:
        if not path.is_file():
            return None
        rules = yara.load(filepath=str(path))
    except (yara.Error, OSError):
        return None
    STATS["loaded"] += 1
    return rules


def _store(rules: Any, path: Path) -> None:
    """Atomic write (temp file + rename); any failure just means no cache."""
    if atomic_write(path, lambda tmp: rules.save(filepath=tmp), prefix=".yarc-"):
        STATS["cache_writes"] += 1


_digests: dict[Path | None, str] = {}


def _process_digest(root: Path | None) -> str:
    """The rule set's digest, read and hashed once per process (not once per scanned file: that was
    ~0.6 ms a file); rule files do not change under a running scan."""
    digest = _digests.get(root)
    if digest is None:
        digest = _digests[root] = rules_digest(rule_files(root))
    return digest


def get_rules(root: Path | None = None) -> Any:
    """The compiled rule set, once per process: memory, then the disk cache, then a compile."""
    digest = _process_digest(root)
    with _lock:
        rules = _compiled.get(digest)
        if rules is not None:
            return rules
        base = cache_dir()
        cached = base / f"{digest}.yarc" if base is not None else None
        rules = _load_cached(cached) if cached is not None else None
        if rules is None:
            rules = compile_rules(rule_files(root))
            if cached is not None:
                _store(rules, cached)
        _compiled.clear()
        _compiled[digest] = rules
        return rules


@dataclass(frozen=True)
class Hit:
    offset: int
    data: bytes
    identifier: str = ""


def _hits(match: Any, meta: dict[str, Any]) -> list[Hit]:
    """Every matched instance by offset. With meta `anchor = "$x"` the anchor string comes first: its
    first instance that has another string of the rule within `window` bytes (the place the
    proximity condition was met), else its first instance."""
    out = []
    for s in match.strings:
        for i in s.instances:
            data = bytes(i.matched_data)
            lead = len(data) - len(data.lstrip(b"\r\n"))  # a regex may start on the previous line's end
            out.append(Hit(i.offset + lead, data[lead:], s.identifier))
    out.sort(key=lambda h: h.offset)
    anchor = str(meta.get("anchor") or "")
    if anchor:
        window = int(meta.get("window") or 400)
        anchors = [h for h in out if h.identifier == anchor]
        others = [h.offset for h in out if h.identifier != anchor]
        chosen = next((a for a in anchors if any(abs(o - a.offset) <= window for o in others)),
                      anchors[0] if anchors else None)
        if chosen is not None:
            out.remove(chosen)
            out.insert(0, chosen)
    return out


def _line_at(data: bytes, offset: int) -> tuple[int, int, bytes]:
    """1-based line and column of a byte offset, and that line's bytes."""
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    end = data.find(b"\n", offset)
    raw = data[start : end if end >= 0 else len(data)]
    column = len(data[start:offset].decode("utf-8", "replace")) + 1
    return line, column, raw


def _printable(raw: bytes, limit: int = 200) -> str:
    text = raw.decode("utf-8", "replace").rstrip("\r")
    return "".join(ch if ch.isprintable() or ch == "\t" else "." for ch in text)[:limit]


def is_prose(file: PackageFile) -> bool:
    return not file.virtual and not file.is_binary and file.language in PROSE_LANGUAGES


def in_dirs(path: str, names: Iterable[str]) -> bool:
    wanted = {n.strip().lower() for n in names if n.strip()}
    return any(part.lower() in wanted for part in PurePosixPath(path).parts[:-1])


def host_at(data: bytes, hit: Hit | None, whole_url: bool = False) -> str:
    """The host (or the whole URL) of the URL that contains the hit on its line, else the first
    host-like name in the hit."""
    if hit is None:
        return "*"
    start = data.rfind(b"\n", 0, hit.offset) + 1
    end = data.find(b"\n", hit.offset)
    line = data[start : end if end >= 0 else len(data)]
    found = url_in_line(line, hit.offset - start, whole_url) or host_name_at(line, hit.offset - start)
    if found is not None:
        return found
    return first_host_name(hit.data) or "*"


def _capabilities(meta: dict[str, Any], data: bytes, first: Hit | None) -> list[Capability]:
    caps: list[Capability] = []
    base = str(meta.get("capability") or "").strip()
    if base:
        cap = Capability.parse(base)
        if meta.get("scope") in ("host", "url") and cap.scope is None:
            cap = Capability(cap.kind, host_at(data, first, whole_url=meta.get("scope") == "url"))
        caps.append(cap)
    extra = str(meta.get("extra_capability") or "").strip()
    if extra:  # `net.egress[{host}]`: the host of the first match, as `scope = "host"` gives it
        host = host_at(data, first) if "{host}" in extra else ""
        if host != "*":
            caps.append(Capability.parse(extra.replace("{host}", host)))
    return caps


class YaraAnalyzer:
    name = "yara"

    def __init__(self, root: Path | None = None) -> None:
        self._root = root

    def applies(self, file: PackageFile) -> bool:
        return bool(file.data)

    def analyze_file(self, package: Package, file: PackageFile) -> FileResult:
        from skillscan.analyzers.blobs import scan_blobs

        findings = self.match(file)
        blob_findings, virtual = scan_blobs(file)
        return FileResult(tuple(findings + blob_findings), tuple(virtual))

    def match(self, file: PackageFile) -> list[Finding]:
        rules = get_rules(self._root)
        try:
            matches = rules.match(data=file.data, timeout=MATCH_TIMEOUT_S)
        except yara.TimeoutError:
            return [finding("analysis-incomplete", f"YARA timed out on {file.path}", file.path)]
        prose = is_prose(file)
        docs = prose and in_dirs(file.path, DOC_DIRS)
        out: list[Finding] = []
        for m in matches:
            meta = dict(m.meta)
            rule_id = str(meta.get("id") or m.rule)
            mode = str(meta.get("prose", "hard"))
            if prose and mode == "skip":
                continue
            f = self._finding(file, rule_id, meta, _hits(m, meta), prose, docs, mode)
            if f is not None:
                out.append(f)
        return out

    def _finding(self, file: PackageFile, rule_id: str, meta: dict[str, Any], hits: list[Hit], prose: bool,
                 docs: bool, mode: str) -> Finding | None:
        first = hits[0] if hits else None
        confidence = Confidence.parse(meta.get("confidence", "medium"))
        severity = Severity.parse(meta.get("severity", "medium"))
        where = ""
        if prose and mode == "low":
            confidence = Confidence.LOW
        elif docs:
            confidence = Confidence.LOW  # quoted in a reference document: a reviewer reads it, no block
            where = " (in documentation)"
        declared = str(meta.get("declared_dirs") or "")
        if declared and in_dirs(file.path, declared.split(",")):
            severity = min(severity, Severity.LOW)
            where = f" (under {'/'.join(sorted({p for p in declared.split(',') if p}))}/, a declared binary?)"
        title = str(meta.get("title") or rule_id)
        if first is None:
            line, column, snippet = 1, 1, "first bytes: " + file.data[:16].hex(" ")
        elif file.is_binary:
            line, column, snippet = 1, 1, f"offset {first.offset}: {_printable(first.data, 120)}"
        else:
            line, column, raw = _line_at(file.data, first.offset)
            snippet = _printable(raw)
        related = []
        seen = {line}
        if not file.is_binary:
            from skillscan.model import Location

            for h in hits[1:]:
                if len(related) >= MAX_RELATED:
                    break
                ln, col, raw = _line_at(file.data, h.offset)
                if ln not in seen:
                    seen.add(ln)
                    related.append(Location(file.path, ln, col, snippet=_printable(raw)))
        message = f"{title}{where}"
        if first is not None and first.data:
            message += f": `{_printable(first.data, 80)}`"
        return finding(
            rule_id, message, file.path, line, column, snippet=snippet,
            capabilities=_capabilities(meta, file.data, first),
            channel=Channel.INSTRUCTION if prose else Channel.CODE,
            confidence=confidence, severity=severity, related=related,
        )

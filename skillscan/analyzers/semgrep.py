"""The semgrep engine (DESIGN "Analyze" → semgrep): JavaScript/TypeScript code and package.json
lifecycle scripts, with our own rules (`rules/semgrep/<rule-id>.yaml`).

How it runs: the files of every package in the batch are chosen by our own discovery (language from
the loader, never semgrep's), written from memory into a private temporary directory (mode 0700,
flat names, so semgrep's default ignores of `tests/`, `node_modules/`, `vendor/` and shebang-only
scripts cannot apply), and scanned by ONE semgrep process per batch of at most `batch_files` files —
never one per package or per rule. Batches run side by side up to `jobs`. semgrep runs offline with
the native engine (`--experimental`), `--metrics=off --disable-version-check`, `--disable-nosem`
(a package cannot silence its own findings) and `--no-git-ignore`.

Results are mapped back by temporary path; snippets are cut from our own bytes at semgrep's byte
offsets (its `lines` field reads "requires login"). Each match is then interpreted in Python: the
call's literal arguments are folded (`js_decode.Resolver`) into scopes (`net.egress[host]`,
`secrets.read[kind]`, `fs.read[path]`…) and command strings go through the shell analyzer.

semgrep failing to run (missing binary, crash, timeout, unparseable output, a fatal error) raises
`SemgrepError`; the engine records it as an error of every package in the batch, so the verdict is
never `allow`. A file semgrep could not parse or gave up on becomes an `analysis-incomplete` finding.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from skillscan.analyzers.base import finding
from skillscan.analyzers.js_decode import (
    UNKNOWN,
    Resolver,
    array_items,
    display,
    host_of,
    object_props,
    split_call,
)
from skillscan.catalog import get_catalog, rules_dir
from skillscan.model import Capability, Channel, Confidence, Finding, Package, PackageFile, Severity

MAX_TARGET_BYTES = 1_000_000  # bigger files go to YARA and the token passes only
MINIFIED_MIN_BYTES = 64 * 1024  # a smaller file is always scanned, however it is formatted
MINIFIED_AVG_LINE = 500
BATCH_FILES = 1000
BATCH_BYTES = 48 * 1024 * 1024
RULE_TIMEOUT_S = 30  # semgrep --timeout: per file and rule (generous: a loaded CI machine is slow)
PROCESS_TIMEOUT_S = 600  # the whole semgrep run, plus 0.5 s per file
CODE_LANGUAGES = {"javascript", "typescript"}
EXTENSIONS = {".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx"}
FATAL_ERROR_TYPES = ("Timeout", "OutOfMemory", "Out of memory", "Fatal", "Syntax error", "Lexical error",
                     "Parse", "Other syntax error", "Unknown language")


class SemgrepError(RuntimeError):
    """semgrep could not produce a trustworthy result for a batch."""


@dataclass(frozen=True)
class Target:
    package: int  # index into the batch's packages
    file: PackageFile
    name: str  # file name inside the temporary batch directory
    data: bytes  # exactly what semgrep reads (UTF-8 of the decoded text)


@dataclass(frozen=True)
class Match:
    rule_id: str
    target: Target
    start: int  # byte offsets into target.data
    end: int
    text: str  # the matched source
    line: int
    column: int

    @property
    def path(self) -> str:
        return self.target.file.path


def semgrep_binary() -> str:
    """`SKILLSCAN_SEMGREP`, else the semgrep beside this interpreter (the pinned dependency), else PATH."""
    env = os.environ.get("SKILLSCAN_SEMGREP")
    if env:
        return env
    local = Path(sys.executable).parent / "semgrep"
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    found = shutil.which("semgrep")
    if not found:
        raise SemgrepError("semgrep is not installed (it is a required dependency: pip install semgrep)")
    return found


def semgrep_rules_dir() -> Path:
    return rules_dir() / "semgrep"


def is_minified(file: PackageFile) -> bool:
    text = file.text or ""
    if len(file.data) < MINIFIED_MIN_BYTES:
        return False
    lines = text.count("\n") + 1
    return len(text) / lines > MINIFIED_AVG_LINE


def wants(file: PackageFile) -> bool:
    """Files semgrep adds something to: JS/TS code, and JSON that may carry npm lifecycle scripts."""
    if file.text is None or file.is_binary:
        return False
    if file.language in CODE_LANGUAGES:
        return True
    if file.language == "json":
        return PurePosixPath(file.path).name == "package.json" or '"scripts"' in file.text
    return False


def too_big(file: PackageFile) -> bool:
    return file.truncated or len(file.data) > MAX_TARGET_BYTES or is_minified(file)


def _suffix(file: PackageFile) -> str:
    if file.language == "json":
        return ".json"
    ext = PurePosixPath(file.path.lower().split("#", 1)[0]).suffix
    if ext in EXTENSIONS:
        return ext
    return ".ts" if file.language == "typescript" else ".js"


def _line_col(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    return line, len(data[start:offset].decode("utf-8", "replace")) + 1


def _covered_elsewhere() -> bool:
    """True when a streamed engine (YARA) reads the files semgrep skips."""
    from skillscan.analyzers import FILE_ANALYZERS

    return any("yara" in spec for spec in FILE_ANALYZERS)


class SemgrepAnalyzer:
    """The batch engine. `jobs` defaults to the usable cores; `native` selects `--experimental`."""

    name = "semgrep"

    def __init__(self, *, jobs: int | None = None, batch_files: int = BATCH_FILES, native: bool = True,
                 rules: Path | None = None, binary: str | None = None) -> None:
        self.jobs = jobs or int(os.environ.get("SKILLSCAN_JOBS", "0") or 0) or _cores()
        self.batch_files = max(1, batch_files)
        self.native = native
        self.rules = rules
        self.binary = binary
        self.runs = 0  # semgrep processes started (tests check the batching)
        self._lock = threading.Lock()

    # -- selection and batching ------------------------------------------------------------------

    def applies(self, file: PackageFile) -> bool:
        return wants(file)

    def targets(self, packages: Sequence[Package]) -> tuple[list[Target], list[tuple[int, PackageFile]]]:
        chosen: list[Target] = []
        skipped: list[tuple[int, PackageFile]] = []
        for i, pkg in enumerate(packages):
            if pkg.format == "unknown":
                continue
            for f in pkg.files:
                if not wants(f):
                    continue
                if too_big(f):
                    skipped.append((i, f))
                    continue
                assert f.text is not None
                data = f.text.encode("utf-8", "replace")
                chosen.append(Target(i, f, f"f{len(chosen)}{_suffix(f)}", data))
        return chosen, skipped

    def batches(self, targets: Sequence[Target]) -> list[list[Target]]:
        if not targets:
            return []
        count = -(-len(targets) // self.batch_files)
        size = -(-len(targets) // count)  # balanced: 1001 files → 2 × 501, not 1000 + 1
        out: list[list[Target]] = []
        current: list[Target] = []
        nbytes = 0
        for t in targets:
            if current and (len(current) >= size or nbytes + len(t.data) > BATCH_BYTES):
                out.append(current)
                current, nbytes = [], 0
            current.append(t)
            nbytes += len(t.data)
        if current:
            out.append(current)
        return out

    # -- running ---------------------------------------------------------------------------------

    def command(self, files: Sequence[str], jobs: int) -> list[str]:
        cmd = [self.binary or semgrep_binary(), "scan"]
        if self.native:
            cmd.append("--experimental")
        cmd += ["--json", "--quiet", "--metrics=off", "--disable-version-check", "--disable-nosem",
                "--no-git-ignore", "--oss-only", f"--timeout={RULE_TIMEOUT_S}", "--timeout-threshold=3",
                f"--max-target-bytes={MAX_TARGET_BYTES + 1}", f"--jobs={max(1, jobs)}",
                "--config", str(self.rules or semgrep_rules_dir()), "--"]
        return cmd + list(files)

    def run_batch(self, batch: Sequence[Target], workdir: Path,
                  jobs: int) -> tuple[list[Match], list[tuple[Target, Finding]]]:
        """Write the batch, run semgrep once over it, parse; raises SemgrepError on any run failure."""
        bdir = Path(tempfile.mkdtemp(prefix="b", dir=workdir))
        try:
            by_name = {}
            for t in batch:
                fd = os.open(bdir / t.name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(t.data)
                by_name[t.name] = t
            env = dict(os.environ, SEMGREP_SEND_METRICS="off", SEMGREP_ENABLE_VERSION_CHECK="0",
                       SEMGREP_SETTINGS_FILE=str(bdir / ".settings.yml"), SEMGREP_LOG_FILE=str(bdir / ".semgrep.log"),
                       SEMGREP_VERSION_CACHE_PATH=str(bdir / ".version"), SEMGREP_USER_AGENT_APPEND="skillscan",
                       NO_COLOR="1")
            with self._lock:
                self.runs += 1
            try:
                proc = subprocess.run(self.command(sorted(by_name), jobs), cwd=bdir, env=env, stdin=subprocess.DEVNULL,
                                      capture_output=True, timeout=PROCESS_TIMEOUT_S + 0.5 * len(batch), check=False)
            except subprocess.TimeoutExpired as exc:
                raise SemgrepError(f"semgrep timed out after {exc.timeout:.0f} s on a batch of {len(batch)} files") from None
            except OSError as exc:
                raise SemgrepError(f"semgrep could not be started: {exc}") from None
            return parse_output(proc.returncode, proc.stdout, proc.stderr, by_name)
        finally:
            shutil.rmtree(bdir, ignore_errors=True)

    def analyze_batch(self, packages: Sequence[Package]) -> list[list[Finding]]:
        out: list[list[Finding]] = [[] for _ in packages]
        targets, skipped = self.targets(packages)
        if skipped and not _covered_elsewhere():
            for i, f in skipped:
                out[i].append(finding("analysis-incomplete", f"semgrep skipped {f.path}: larger than "
                                      f"{MAX_TARGET_BYTES} bytes or minified, and no other engine reads it", f.path))
        batches = self.batches(targets)
        if not batches:
            return out
        workers = max(1, min(self.jobs, len(batches)))
        per_process = max(1, self.jobs // workers)
        with tempfile.TemporaryDirectory(prefix="skillscan-semgrep-") as tmp:
            os.chmod(tmp, 0o700)
            work = Path(tmp)
            if workers == 1:
                results = [self.run_batch(b, work, per_process) for b in batches]
            else:
                with ThreadPoolExecutor(max_workers=workers) as pool:
                    results = list(pool.map(lambda b: self.run_batch(b, work, per_process), batches))
        resolvers: dict[tuple[int, str], Resolver] = {}
        # lifecycle scripts the loader already made install surfaces (the manifest and shell-surface
        # engines report those); semgrep adds the package.json files it did not (nested ones)
        covered = {(i, s.path, s.event) for i, p in enumerate(packages) for s in p.surfaces if s.kind == "install"}
        for matches, incomplete in results:
            for target, failure in incomplete:
                out[target.package].append(failure)
            for m in matches:
                key = (m.target.package, m.target.file.path)
                if key not in resolvers:
                    resolvers[key] = Resolver(m.target.file.text or "")
                if m.rule_id == "js-lifecycle-script" and (m.target.package, m.path, _script_name(m)) in covered:
                    continue
                try:
                    out[m.target.package].extend(interpret(m, resolvers[key]))
                except RecursionError:
                    out[m.target.package].append(finding("analysis-incomplete", f"semgrep match on {m.path} nested "
                                                         "too deeply to interpret", m.path, m.line, m.column))
                except Exception as exc:  # noqa: BLE001 — an interpretation bug surfaces for this file only
                    out[m.target.package].append(finding(
                        "analysis-incomplete", f"{m.rule_id} match on {m.path} could not be interpreted: "
                        f"{type(exc).__name__}: {exc}", m.path, m.line, m.column))
        return out


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


# -- output parsing ------------------------------------------------------------------------------

def _error_type(err: dict[str, Any]) -> str:
    t = err.get("type")
    if isinstance(t, list):
        return str(t[0]) if t else ""
    return str(t or "")


def parse_output(returncode: int, stdout: bytes, stderr: bytes,
                 by_name: dict[str, Target]) -> tuple[list[Match], list[tuple[Target, Finding]]]:
    """semgrep's JSON → matches on our targets, and analysis-incomplete findings for files it could not
    analyse. Anything that makes the whole run untrustworthy raises SemgrepError."""
    tail = stderr.decode("utf-8", "replace").strip()[-400:]
    try:
        doc = json.loads(stdout.decode("utf-8", "replace") or "null")
    except ValueError:
        raise SemgrepError(f"semgrep exited {returncode} without JSON output: {tail or 'no message'}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
        raise SemgrepError(f"semgrep exited {returncode} with unexpected output: {tail or 'no message'}")
    incomplete: dict[str, str] = {}
    raw_errors = doc.get("errors")
    errors: list[Any] = raw_errors if isinstance(raw_errors, list) else []
    for err in errors:
        if not isinstance(err, dict):
            continue
        etype = _error_type(err)
        path = err.get("path")
        name = PurePosixPath(str(path)).name if path else None
        if name in by_name:
            if str(err.get("level", "")).lower() == "error" or any(k.lower() in etype.lower()
                                                                   for k in FATAL_ERROR_TYPES):
                incomplete.setdefault(name, f"{etype or 'error'}: {str(err.get('message', ''))[:200]}".strip())
            continue
        if str(err.get("level", "error")).lower() == "error":
            raise SemgrepError(f"semgrep failed: {etype or 'error'}: {str(err.get('message', ''))[:300]}")
    if returncode not in (0, 1) and not doc["results"] and errors:
        raise SemgrepError(f"semgrep exited {returncode}: {tail or 'no message'}")
    scanned = doc.get("paths", {}).get("scanned") if isinstance(doc.get("paths"), dict) else None
    if isinstance(scanned, list):
        seen = {PurePosixPath(str(p)).name for p in scanned}
        for name in by_name:
            if name not in seen and name not in incomplete:
                incomplete[name] = "semgrep did not scan it"
    matches: list[Match] = []
    for r in doc["results"]:
        if not isinstance(r, dict):
            continue
        rule_id = str(r.get("check_id", "")).rsplit(".", 1)[-1]
        target = by_name.get(PurePosixPath(str(r.get("path", ""))).name)
        if target is None or rule_id not in get_catalog():
            continue
        try:
            start = int(r["start"]["offset"])
            end = int(r["end"]["offset"])
        except (KeyError, TypeError, ValueError):
            continue
        start = max(0, min(start, len(target.data)))
        end = max(start, min(end, len(target.data)))
        line, column = _line_col(target.data, start)
        text = target.data[start:end].decode("utf-8", "replace")
        matches.append(Match(rule_id, target, start, end, text, line, column))
    # a code fence of a Markdown document (virtual file on the instruction channel) is often a partial
    # snippet: that it does not parse leaves no part of the package unanalysed
    findings = [(by_name[n], finding("analysis-incomplete", f"semgrep could not fully analyse {by_name[n].file.path}: "
                                     f"{why}", by_name[n].file.path, severity=Severity.LOW))
                for n, why in sorted(incomplete.items())
                if not (by_name[n].file.channel is Channel.INSTRUCTION and "#fence-" in by_name[n].file.path)]
    matches.sort(key=lambda m: (m.target.package, m.path, m.start, m.rule_id))
    return _dedupe(matches), findings


def _dedupe(matches: list[Match]) -> list[Match]:
    seen: set[tuple[int, str, str, int, int]] = set()
    out = []
    for m in matches:
        key = (m.target.package, m.path, m.rule_id, m.start, m.end)
        if key not in seen:
            seen.add(key)
            out.append(m)
    return out


# -- interpretation: a match → findings with scoped capabilities -----------------------------------

Handler = Callable[[Match, Resolver], list[Finding]]
HANDLERS: dict[str, Handler] = {}


def handles(rule_id: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[rule_id] = fn
        return fn
    return register


def interpret(m: Match, r: Resolver) -> list[Finding]:
    handler = HANDLERS.get(m.rule_id, _plain)
    return handler(m, r)


def _snippet(m: Match) -> str:
    first = m.text.strip().splitlines()[0] if m.text.strip() else ""
    return first[:200]


def _scoped(cap: Capability | str) -> Capability | str:
    """One scope per capability: a comma inside a literal path or name is escaped, not split."""
    if isinstance(cap, str) and "[" in cap and "," in cap and not cap.startswith("code.remote["):
        kind, _, scope = cap.partition("[")
        return f"{kind}[{scope[:-1].replace(',', '%2C')}]"
    return cap


def _emit(m: Match, message: str, caps: Sequence[Capability | str] = (), **kw: Any) -> Finding:
    caps = [_scoped(c) for c in caps]
    end_line, end_col = _line_col(m.target.data, m.end)
    return finding(m.rule_id, message, m.path, m.line, m.column, snippet=kw.pop("snippet", _snippet(m)),
                   capabilities=caps, end_line=end_line, end_column=end_col, **kw)


def _plain(m: Match, r: Resolver) -> list[Finding]:
    rule = get_catalog().rule(m.rule_id)
    caps = [rule.capability] if rule.capability and ("[" in rule.capability or rule.capability == "proc.shell") else []
    return [_emit(m, rule.title, caps)]


def _shell_findings(m: Match, *, command: str | None = None, argv: Sequence[str] | None = None,
                    channel: Channel = Channel.CODE, source: str = "code") -> list[Finding]:
    """Command strings and argv go to the one shell-command analyzer."""
    from skillscan.analyzers.shell import CommandContext, analyze_argv, analyze_command

    ctx = CommandContext(path=m.path, line=m.line, column=m.column, channel=channel,
                         max_confidence=Confidence.HIGH, source=source)
    if argv is not None:
        return list(analyze_argv(list(argv), ctx))
    return list(analyze_command(command or "", ctx))


def _program(value: str | None) -> str:
    if not value or UNKNOWN in value.split("/")[-1]:
        return "*"
    from skillscan.capabilities.grammar import normalize_binary

    return normalize_binary(value) or "*"


EXEC_SHELL = {"exec", "execSync"}
EXEC_ARGV = {"spawn", "spawnSync", "execFile", "execFileSync"}


@handles("js-child-process")
def _child_process(m: Match, r: Resolver) -> list[Finding]:
    call = split_call(m.text)
    if call is None or not call.args:
        return [_emit(m, "child_process call", ["proc.exec[*]"])]
    method = call.callee.rsplit(".", 1)[-1].strip()
    opts = next((object_props(a) for a in call.args[1:] if a.strip().startswith("{")), {})
    shell_opt = opts.get("shell", "false").strip() not in ("false", "undefined", "")
    argv_items = array_items(call.args[1]) if len(call.args) > 1 else None
    if method == "fork":
        target = r.value(call.args[0])
        return [_emit(m, f"child_process.fork runs node on {display(target) if target else 'a computed module'}",
                      ["proc.exec[node]"])]
    as_shell = method in EXEC_SHELL or shell_opt or (method not in EXEC_ARGV and argv_items is None)
    first = r.value(call.args[0])
    if as_shell:
        words = [first] + [r.value(a) or UNKNOWN for a in (argv_items or [])] if first is not None else []
        command = " ".join(display(w) for w in words if w is not None) if words else None
        constant = first is not None and UNKNOWN not in first and not argv_items
        if command is None:
            return [_emit(m, "child_process runs a shell command computed at run time", ["proc.shell"],
                          severity=Severity.MEDIUM)]
        caps: list[str] = [] if constant else ["proc.shell"]
        try:
            argv0 = shlex.split(command, comments=False)[0] if command.strip() else ""
        except ValueError:
            argv0 = command.split()[0] if command.split() else ""
        prog = _program(argv0)
        caps.append(f"proc.exec[{prog}]")
        out = [_emit(m, f"child_process.{method} runs a shell command: {command[:160]}", caps)]
        return out + _shell_findings(m, command=command)
    argv = [first] + [r.value(a) for a in (argv_items or [])]
    prog = _program(first)
    caps = [f"proc.exec[{prog}]"]
    shown = " ".join(display(a) if a is not None else "$VAR" for a in argv)
    out = [_emit(m, f"child_process.{method} runs {shown[:160]}", caps)]
    if first is not None and UNKNOWN not in first:
        out += _shell_findings(m, argv=[display(a) if a is not None else "$VAR" for a in argv])
    return out


URL_KEYS = ("url", "baseURL", "baseUrl", "href", "uri")
HOST_KEYS = ("hostname", "host", "servername")


def _host_from_args(call_args: Sequence[str], r: Resolver, *, socket: bool) -> str:
    for a in call_args:
        a = a.strip()
        if a.startswith("{"):
            props = object_props(a)
            for k in URL_KEYS:
                if k in props:
                    return host_of(r.value(props[k]))
            for k in HOST_KEYS:
                if k in props:
                    v = r.value(props[k])
                    return host_of(v) if v and "://" in v else (v or "*").lower() if v and UNKNOWN not in v else "*"
            continue
        v = r.value(a)
        if v is None:
            continue
        if "://" in v:
            return host_of(v)
        if socket and UNKNOWN not in v and not v.isdigit() and host_of(v) != "*":
            return host_of(v)
        if socket and UNKNOWN not in v and v in ("localhost",):
            return v
    return "*"


@handles("js-network-request")
def _network(m: Match, r: Resolver) -> list[Finding]:
    call = split_call(m.text)
    if call is None:
        return [_emit(m, "network request to an unknown host", ["net.egress[*]"])]
    callee = call.callee.replace(" ", "")
    args = call.args
    if callee.endswith(".open") and len(args) >= 2:  # XMLHttpRequest.open(method, url)
        args = args[1:]
    socket = callee.endswith(("connect", "createConnection"))
    host = _host_from_args(args, r, socket=socket)
    from skillscan.capabilities.tiers import is_risky_host

    risky = host != "*" and is_risky_host(host)
    raw_ip = host.replace(".", "").isdigit()
    sev = Severity.MEDIUM if risky or raw_ip else None
    what = "a raw IP address" if raw_ip else "a paste, webhook or tunnel service" if risky else None
    msg = f"network request to {host}" + (f" ({what})" if what else "") if host != "*" else \
        "network request to a host computed at run time"
    return [_emit(m, msg, [f"net.egress[{host}]"], severity=sev)]


def _secret_literals(r: Resolver) -> list[str]:
    """String literals in the file that name credential stores (the taint sources of the rule)."""
    import re

    from skillscan.capabilities.grammar import secret_kind_of_path

    out = []
    for lit in re.findall(r"""(['"`])((?:\\.|(?!\1).){2,200}?)\1""", r.source[:2_000_000]):
        body = lit[1]
        for cand in (body, "~/" + body.lstrip("/"), "**/" + body):
            if secret_kind_of_path(cand):
                out.append(cand)
                break
    return out


def _home_path(value: str) -> str:
    v = display(value).replace("$VAR", "*")
    return v


@handles("js-secret-store-read")
def _secret_read(m: Match, r: Resolver) -> list[Finding]:
    from skillscan.capabilities.grammar import normalize_path, secret_kind_of_path

    value = r.value(m.text)
    caps: list[str] = []
    kinds: list[str] = []
    path = _home_path(value) if value else None
    if path:
        kind = secret_kind_of_path(path) or secret_kind_of_path("**/" + path.lstrip("/"))
        if kind:
            kinds.append(kind)
    if not kinds:
        for lit in _secret_literals(r):
            kind = secret_kind_of_path(lit)
            if kind and kind not in kinds:
                kinds.append(kind)
    if not kinds:
        kinds.append("*")
    caps += [f"secrets.read[{k}]" for k in kinds]
    if path and path not in ("*",):
        caps.append(f"fs.read[{normalize_path(path)}]")
    low = all(k == "dotenv" for k in kinds)
    return [_emit(m, f"reads a credential store ({', '.join(kinds)})" + (f": {path}" if path else ""),
                  caps, severity=Severity.LOW if low else None)]


@handles("js-persistence-write")
def _persist_write(m: Match, r: Resolver) -> list[Finding]:
    from skillscan.capabilities.grammar import is_agent_config_path, normalize_path, persist_kind_of_path

    value = r.value(m.text)
    path = _home_path(value) if value else None
    mech = None
    if path:
        mech = persist_kind_of_path(path) or persist_kind_of_path("**/" + path.lstrip("/"))
        if mech is None and is_agent_config_path(path):
            mech = "agent-config"
    if mech is None:
        low = (path or m.text).lower()
        mech = ("shell-rc" if "rc" in low or "profile" in low else "launchd" if "launch" in low else
                "systemd" if "systemd" in low else "cron" if "cron" in low else "git-hook" if "hooks" in low else
                "autostart" if "autostart" in low or "startup" in low else "agent-memory")
    caps = [f"persist[{mech}]"]
    if path and path != "*":
        caps.append(f"fs.write[{normalize_path(path)}]")
    return [_emit(m, f"writes {path or 'a startup file'} ({mech}): the code would run again later", caps)]


@handles("js-env-read")
def _env_read(m: Match, r: Resolver) -> list[Finding]:
    import re

    from skillscan.capabilities.grammar import is_credential_env

    text = m.text
    names: list[str] = []
    if text.lstrip().startswith(("const", "let", "var")):
        lhs = text.split("=", 1)[0]
        inner = lhs[lhs.find("{") + 1 : lhs.rfind("}")] if "{" in lhs else ""
        for part in inner.split(","):
            name = part.split(":", 1)[0].split("=", 1)[0].strip()
            if re.fullmatch(r"[A-Za-z_$][\w$]*", name):
                names.append(name)
    else:
        found = re.search(r"""process\.env(?:\.([A-Za-z_$][\w$]*)|\[\s*(['"`])([^'"`]+)\2\s*\])|env\.get\(\s*(['"`])([^'"`]+)\4""",
                          text)
        if found:
            names.append(found.group(1) or found.group(3) or found.group(5))
    out = []
    for name in names[:32]:
        caps = [f"env.read[{name}]"]
        if is_credential_env(name):
            caps.append(f"secrets.read[env:{name}]")
        out.append(_emit(m, f"reads environment variable {name}", caps))
    return out


@handles("js-env-dump")
def _env_dump(m: Match, r: Resolver) -> list[Finding]:
    return [_emit(m, "reads the whole environment (every variable, including credentials)", ["env.read[*]"])]


def _script_name(m: Match) -> str:
    """The `"postinstall"` key in front of a matched script value."""
    data = m.target.data
    colon = data.rfind(b":", 0, m.start)
    close = data.rfind(b'"', 0, colon)
    open_ = data.rfind(b'"', 0, close)
    if colon < 0 or close < 0 or open_ < 0:
        return ""
    return data[open_ + 1 : close].decode("utf-8", "replace")


@handles("js-lifecycle-script")
def _lifecycle(m: Match, r: Resolver) -> list[Finding]:
    try:
        command = json.loads(m.text)
    except ValueError:
        command = m.text.strip().strip('"')
    if not isinstance(command, str):
        return []
    key = _script_name(m) or "install"
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    prog = _program(words[0]) if words else "*"
    out = [_emit(m, f"npm runs `{command[:160]}` on {key or 'install'}", [f"proc.exec[{prog}]"],
                 channel=Channel.MANIFEST)]
    return out + _shell_findings(m, command=command, channel=Channel.MANIFEST, source="install")


@handles("js-decode-eval")
def _decode_eval(m: Match, r: Resolver) -> list[Finding]:
    call = split_call(m.text)
    decoded = None
    if call is not None:
        for a in call.args:
            v = r.constant(a)
            if v and v != a.strip("'\"`"):
                decoded = v
                break
    out = [_emit(m, "decoded data is executed" + (f": {display(decoded)[:120]}" if decoded else ""),
                 ["code.dynamic[eval]"], decoded=decoded)]
    if decoded and call is not None and call.callee.rsplit(".", 1)[-1] in EXEC_SHELL | EXEC_ARGV:
        out += _shell_findings(m, command=decoded)
    return out


@handles("js-write-then-exec")
def _write_exec(m: Match, r: Resolver) -> list[Finding]:
    import re

    url = None
    for lit in re.findall(r"""['"`](https?://[^'"`\s]{3,300})['"`]""", r.source[:2_000_000]):
        url = lit
        break
    scope = url.replace(",", "%2C") if url else "*"
    return [_emit(m, "a file written at run time is made executable or run" + (f" (downloaded from {url})" if url else ""),
                  [f"code.remote[{scope}]"])]

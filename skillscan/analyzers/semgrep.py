"""The semgrep engine (DESIGN "Analyze" → semgrep): JavaScript/TypeScript code and package.json
lifecycle scripts, with our own rules (`rules/semgrep/<rule-id>.yaml`).

How it runs: the files of every package in the batch are chosen by our own discovery (language from
the loader, never semgrep's), written from memory into a private temporary directory (mode 0700,
flat names, so semgrep's default ignores of `tests/`, `node_modules/`, `vendor/` and shebang-only
scripts cannot apply), and scanned by ONE semgrep process per batch of at most `batch_files` files —
never one per package or per rule. Each rule reads only the files of the batch it can match (its
`paths.include` in a rules file written per batch: `semgrep_prefilter.py` derives, from the rule's own
patterns, what a file must hold for it to match); a file no rule can match is not written, and a batch with no
such file starts no process (semgrep then does not parse it either: a syntax error in it is not reported as
analysis-incomplete, since the condition reads the whole text, the part semgrep could not parse included,
and no rule can match there). Batches run side by side up to `jobs`. semgrep runs offline with
the native engine (`--experimental`), `--metrics=off --disable-version-check`, `--disable-nosem`
(a package cannot silence its own findings) and `--no-git-ignore`.

Results are mapped back by temporary path; snippets are cut from our own bytes at semgrep's byte
offsets (its `lines` field reads "requires login"). Each match is then interpreted in Python: the
call's literal arguments are folded (`js_values.Resolver`) into scopes (`net.egress[host]`,
`secrets.read[kind]`, `fs.read[path]`…) and command strings go through the shell analyzer.

semgrep failing to run (missing binary, crash, timeout, unparseable output, a fatal error) raises
`SemgrepError`; the engine records it as an error of every package in the batch, so the verdict is
never `allow`. A file semgrep could not parse or gave up on becomes an `analysis-incomplete` finding.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path, PurePosixPath

from skillscan.analyzers import semgrep_prefilter
from skillscan.analyzers.base import finding
from skillscan.analyzers.js_values import Resolver
from skillscan.analyzers.semgrep_interpret import interpret, script_name
from skillscan.analyzers.semgrep_output import Match, SemgrepError, Target, parse_output
from skillscan.catalog import rules_dir
from skillscan.model import Finding, Package, PackageFile

MAX_TARGET_BYTES = 1_000_000  # bigger files go to YARA and the token passes only
BATCH_FILES = 1000
BATCH_BYTES = 48 * 1024 * 1024
RULE_TIMEOUT_S = 30  # semgrep --timeout: per file and rule (generous: a loaded CI machine is slow)
PROCESS_TIMEOUT_S = 600  # the whole semgrep run, plus 0.5 s per file
CODE_LANGUAGES = {"javascript", "typescript"}
EXTENSIONS = {".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx"}

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
    """Files semgrep does not read. Minified and long-line code is read like any other (semgrep handles
    long lines; a long comment line must not hide the code after it)."""
    return file.truncated or len(file.data) > MAX_TARGET_BYTES


def _suffix(file: PackageFile) -> str:
    if file.language == "json":
        return ".json"
    ext = PurePosixPath(file.path.lower().split("#", 1)[0]).suffix
    if ext in EXTENSIONS:
        return ext
    return ".ts" if file.language == "typescript" else ".js"



@lru_cache(maxsize=1)
def _pdeathsig() -> tuple[str, ...]:
    """The prefix that makes semgrep end when the thread waiting for it does (util-linux `setpriv
    --pdeathsig`, which then execs semgrep; semgrep execs its native binary, which keeps the setting): a
    scan killed from outside (SIGKILL or SIGTERM, no clean-up) would otherwise leave semgrep running on its
    batch, up to its own timeouts (tests/test_orphans.py). Empty where setpriv is missing or cannot set it
    (tried once per process); semgrep then runs as before."""
    tool = shutil.which("setpriv") if sys.platform.startswith("linux") else None
    if tool is None:
        return ()
    prefix = (tool, "--pdeathsig", "KILL", "--")
    try:
        ok = subprocess.run([*prefix, "true"], stdin=subprocess.DEVNULL, capture_output=True, timeout=10,
                            check=False).returncode == 0
    except (OSError, subprocess.SubprocessError):
        ok = False
    return prefix if ok else ()


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

    def rule_set(self) -> semgrep_prefilter.RuleSet | None:
        """The rules with the files each can match (None: a rules file or directory this cannot read)."""
        where = self.rules or semgrep_rules_dir()
        return semgrep_prefilter.load(where) if where.is_dir() else None

    def needed(self, targets: Sequence[Target]) -> dict[str, tuple[str, ...]]:
        """Each target's name → the rules that can match it; a target no rule can match is left out (semgrep
        would find nothing in it: skillscan/analyzers/semgrep_prefilter.py)."""
        rules = self.rule_set()
        out: dict[str, tuple[str, ...]] = {}
        for t in targets:
            ids = rules.needed(t.file.text or "", t.name.endswith(".json")) if rules is not None else ("*",)
            if ids:
                out[t.name] = ids
        return out

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

    def command(self, files: Sequence[str], jobs: int, config: Path | None = None) -> list[str]:
        cmd = [self.binary or semgrep_binary(), "scan"]
        if self.native:
            cmd.append("--experimental")
        cmd += ["--json", "--quiet", "--metrics=off", "--disable-version-check", "--disable-nosem",
                "--no-git-ignore", "--oss-only", f"--timeout={RULE_TIMEOUT_S}", "--timeout-threshold=3",
                f"--max-target-bytes={MAX_TARGET_BYTES + 1}", f"--jobs={max(1, jobs)}",
                "--config", str(config or self.rules or semgrep_rules_dir()), "--"]
        return cmd + list(files)

    def config(self, needed: dict[str, tuple[str, ...]], path: Path) -> Path | None:
        """A rules file where each rule reads only the batch's files it can match (`paths.include`), rules
        that match none left out; None when the rules are not a directory this can read."""
        rules = self.rule_set()
        if rules is None:
            return None
        files: dict[str, list[str]] = {}
        for name, ids in sorted(needed.items()):
            for rid in ids:
                files.setdefault(rid, []).append(f"/{name}")
        chosen = [{**rule, "paths": {"include": files[rid]}} for rid, rule, _ in rules.rules
                  if rid in files and "paths" not in rule]
        chosen += [rule for rid, rule, _ in rules.rules if rid in files and "paths" in rule]
        path.write_text(json.dumps({"rules": chosen}, default=str), encoding="utf-8")  # JSON is YAML
        return path

    def run_batch(self, batch: Sequence[Target], workdir: Path, jobs: int,
                  needed: dict[str, tuple[str, ...]] | None = None) -> tuple[list[Match], list[tuple[Target, Finding]]]:
        """Write the batch, run semgrep once over it, parse; raises SemgrepError on any run failure. With
        `needed` (target name → rule ids), each rule reads only the files it can match."""
        bdir = Path(tempfile.mkdtemp(prefix="b", dir=workdir))
        try:
            config = self.config({t.name: needed[t.name] for t in batch}, bdir.with_suffix(".yaml")) \
                if needed is not None else None
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
            argv = self.command(sorted(by_name), jobs, config)
            if shutil.which(argv[0]):  # (a binary that is not there still fails below, as "could not be started")
                argv = [*_pdeathsig(), *argv]
            try:
                proc = subprocess.run(argv, cwd=bdir, env=env, stdin=subprocess.DEVNULL,
                                      capture_output=True, timeout=PROCESS_TIMEOUT_S + 0.5 * len(batch), check=False)
            except subprocess.TimeoutExpired as exc:
                raise SemgrepError(f"semgrep timed out after {exc.timeout:.0f} s on a batch of {len(batch)} files") from None
            except OSError as exc:
                raise SemgrepError(f"semgrep could not be started: {exc}") from None
            return parse_output(proc.returncode, proc.stdout, proc.stderr, by_name)
        finally:
            shutil.rmtree(bdir, ignore_errors=True)
            bdir.with_suffix(".yaml").unlink(missing_ok=True)

    def analyze_batch(self, packages: Sequence[Package]) -> list[list[Finding]]:
        out: list[list[Finding]] = [[] for _ in packages]
        targets, skipped = self.targets(packages)
        # YARA reads these files too, but finds no flow from a source to a sink: the skip is always reported
        for i, f in skipped:
            why = "only its first part was read" if f.truncated else f"larger than {MAX_TARGET_BYTES:,} bytes"
            out[i].append(finding("analysis-incomplete", f"semgrep skipped {f.path}: {why}, so its code was not "
                                  "analysed for data flows (YARA patterns only)", f.path))
        needed = self.needed(targets)
        batches = self.batches([t for t in targets if t.name in needed])
        if not batches:  # no file any rule can match: no semgrep process at all
            return out
        workers = max(1, min(self.jobs, len(batches)))
        per_process = max(1, self.jobs // workers)
        with tempfile.TemporaryDirectory(prefix="skillscan-semgrep-") as tmp:
            os.chmod(tmp, 0o700)
            work = Path(tmp)
            if workers == 1:
                results = [self.run_batch(b, work, per_process, needed) for b in batches]
            else:
                with ThreadPoolExecutor(max_workers=workers) as pool:
                    results = list(pool.map(lambda b: self.run_batch(b, work, per_process, needed), batches))
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
                    resolvers[key] = Resolver(m.target.file.text or "", m.target.file.path, m.target.file.language or "",
                                              packages[m.target.package].js_modules)
                if m.rule_id == "js-lifecycle-script" and (m.target.package, m.path, script_name(m)) in covered:
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

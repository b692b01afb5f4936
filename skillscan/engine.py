"""The pipeline: load → analyze → permit → decide → report data. Output order is deterministic
whatever the number of jobs."""

from __future__ import annotations

import gc
import hashlib
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from skillscan.analyzers import batch_analyzers, engine_versions, file_analyzers, package_analyzers
from skillscan.analyzers.base import FileResult
from skillscan.catalog import get_catalog
from skillscan.config import Config
from skillscan.cache import Entry, ResultCache, context_key
from skillscan.loaders import Limits, iter_inputs
from skillscan.suppress import Baseline, as_evidence, baseline_key, inline_suppressions, is_suppressed
from skillscan.model import (
    Decision, Finding, Package, PackageFile, PackageResult, Report, RuleClass, Severity, Verdict,
)

MAX_VIRTUAL_DEPTH = 3
MAX_VIRTUAL_FILES = 256
CHUNK_FILES = 64
# streaming: packages are loaded and analysed in groups, so memory follows the group, not the scan
GROUP_PACKAGES = 256
GROUP_BYTES = 64 << 20
# packages with files for the batch engines wait until this many files are gathered (one semgrep
# batch per core) before the batch engines run over all of them
WAIT_FILES = 2_000


@dataclass(frozen=True)
class ScanOptions:
    jobs: int = 0  # 0 = one per core
    limits: Limits = field(default_factory=Limits)
    author: bool = False
    policy_path: str | None = None
    as_of: str | None = None
    min_severity: Severity = Severity.INFO
    merge: bool = True
    use_cache: bool = True
    cache_dir: str | None = None  # default: the user cache directory
    config: Config | None = None  # the consumer's configuration (never one found inside a package in gate mode)
    baseline: Baseline | None = None
    # progress(stage, done, total) — the CLI's progress bar; stage is "analyze" (file chunks) or "decide"
    progress: Callable[[str, int, int], None] | None = field(default=None, compare=False, repr=False)


def _context(package: Package) -> Package:
    """The package as per-file workers see it: manifest and surfaces, no file bodies."""
    return replace(package, files=())


def _in_context(finding: Finding, source: PackageFile) -> Finding:
    """A finding in a virtual file takes the trust context of where the file was found: a code fence
    in a reference document stays instruction-channel evidence at low confidence."""
    if source.channel is None and source.max_confidence is None:
        return finding
    confidence = finding.confidence
    if source.max_confidence is not None and confidence > source.max_confidence:
        confidence = source.max_confidence
    return replace(finding, channel=source.channel or finding.channel, confidence=confidence)


def _inherit(child: PackageFile, parent: PackageFile) -> PackageFile:
    if parent.channel is None and parent.max_confidence is None:
        return child
    cap = parent.max_confidence
    if child.max_confidence is not None and (cap is None or child.max_confidence < cap):
        cap = child.max_confidence
    return replace(child, channel=child.channel or parent.channel, max_confidence=cap)


def analyze_files(package: Package, files: Sequence[PackageFile]) -> tuple[list[Finding], list[PackageFile]]:
    """Run every file engine over `files` in order. Virtual files an engine produces (decoded payloads,
    code extracted from Markdown fences) are scanned by every file engine in turn, bounded in depth and
    count, and inherit the trust context of the file they came from."""
    analyzers = file_analyzers()
    findings: list[Finding] = []
    virtual_out: list[PackageFile] = []
    dropped = 0
    for f in files:
        queue: list[tuple[PackageFile, int]] = [(f, 0)]  # file, depth
        while queue:
            current, depth = queue.pop(0)
            for analyzer in analyzers:
                if not analyzer.applies(current):
                    continue
                try:
                    result: FileResult = analyzer.analyze_file(package, current)
                except RecursionError:
                    findings.append(_engine_error(analyzer.name, current, "input nested too deeply"))
                    continue
                except Exception as exc:  # an engine bug must surface, never silently pass
                    findings.append(_engine_error(analyzer.name, current, f"{type(exc).__name__}: {exc}"))
                    continue
                findings.extend(_in_context(x, current) for x in result.findings)
                for v in result.virtual_files:
                    if depth >= MAX_VIRTUAL_DEPTH or len(virtual_out) >= MAX_VIRTUAL_FILES:
                        dropped += 1
                        continue
                    v = _inherit(v, current)
                    virtual_out.append(v)
                    queue.append((v, depth + 1))
    if dropped:
        first = files[0] if files else None
        if first is not None:
            findings.append(_engine_error("engine", first, f"{dropped} decoded or extracted payload(s) beyond the "
                                          f"limits of {MAX_VIRTUAL_FILES} files and depth {MAX_VIRTUAL_DEPTH} "
                                          "were not analysed"))
    return findings, virtual_out


def _engine_error(engine: str, f: PackageFile, message: str) -> Finding:
    from skillscan.analyzers.base import finding

    return finding("analysis-incomplete", f"{engine} could not analyse {f.path}: {message}", f.path)


def _worker(args: tuple[Package, tuple[PackageFile, ...]]) -> tuple[list[Finding], list[PackageFile]]:
    package, files = args
    return analyze_files(package, files)


def _tasks(packages: Sequence[Package]) -> list[tuple[int, tuple[Package, tuple[PackageFile, ...]]]]:
    """Chunks of at most CHUNK_FILES files. A package's Python files are a task of their own (whatever
    the number of jobs, so output never depends on it): the Python engine's start-up (importing libcst)
    then overlaps the other engines' work on the rest of the package."""
    tasks = []
    for i, pkg in enumerate(packages):
        if pkg.format == "unknown":
            continue
        ctx = _context(pkg)
        python = tuple(f for f in pkg.files if f.language == "python")
        rest = tuple(f for f in pkg.files if f.language != "python") if python else pkg.files
        for part in (python, rest):
            for start in range(0, len(part), CHUNK_FILES):
                tasks.append((i, (ctx, part[start : start + CHUNK_FILES])))
    return tasks


class Workers:
    """The process pool of one scan: forked once, on first use, and kept across groups (fixed costs such
    as libcst's import and loading the compiled YARA rules are paid once per worker, not per group);
    rebuilt after a worker crash."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self._pool: ProcessPoolExecutor | None = None

    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            file_analyzers()  # set up once here, before the workers are forked, rather than once in each
            # forked workers inherit the loaded group (its packages' bytes): frozen, the garbage collector
            # of each worker skips it — otherwise every full collection walks it and touches its pages
            # (copy-on-write: each worker would end up copying the parent's heap)
            gc.freeze()
            try:
                self._pool = ProcessPoolExecutor(max_workers=self.jobs)
                self._pool.submit(int).result()  # fork the workers now, while the heap is frozen
            finally:
                gc.unfreeze()
        return self._pool

    def discard(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None


def _run_pool(packages: Sequence[Package], jobs: int,
              progress: Callable[[str, int, int], None] | None = None, workers: Workers | None = None,
              ) -> tuple[dict[int, list[Finding]], dict[int, list[PackageFile]], dict[int, str]]:
    findings: dict[int, list[Finding]] = {i: [] for i in range(len(packages))}
    virtual: dict[int, list[PackageFile]] = {i: [] for i in range(len(packages))}
    crashed: dict[int, str] = {}
    tasks = _tasks(packages)
    finished = 0

    def tick() -> None:
        nonlocal finished
        finished += 1
        if progress is not None:
            progress("analyze", finished, len(tasks))

    if jobs <= 1 or len(tasks) <= 1:
        for i, args in tasks:
            fs, vs = _worker(args)
            findings[i].extend(fs)
            virtual[i].extend(vs)
            tick()
        return findings, virtual, crashed
    own = workers is None
    workers = workers or Workers(jobs)
    try:
        return _pool_loop(list(tasks), workers, findings, virtual, crashed, tick)
    finally:
        if own:
            workers.close()


def _pool_loop(pending: list[tuple[int, tuple[Package, tuple[PackageFile, ...]]]], workers: Workers,
               findings: dict[int, list[Finding]], virtual: dict[int, list[PackageFile]], crashed: dict[int, str],
               tick: Callable[[], None],
               ) -> tuple[dict[int, list[Finding]], dict[int, list[PackageFile]], dict[int, str]]:
    isolate = False
    while pending:
        if isolate:  # one task in a fresh one-worker pool at a time, to find the input that kills workers
            with ProcessPoolExecutor(max_workers=1) as single:
                i, args = pending[0]
                try:
                    fs, vs = single.submit(_worker, args).result()
                except BrokenProcessPool:
                    crashed[i] = "an analysis worker crashed on this package (pathological input)"
                    fs, vs = [], []
            findings[i].extend(fs)
            virtual[i].extend(vs)
            pending = pending[1:]
            tick()
            continue
        try:
            pool = workers.pool()
            futures = [(i, pool.submit(_worker, args)) for i, args in pending]
        except BrokenProcessPool:
            workers.discard()
            isolate = True
            continue
        done = 0
        for i, fut in futures:
            try:
                fs, vs = fut.result()
            except BrokenProcessPool:
                workers.discard()
                isolate = True  # re-run the rest one by one to find the package that kills workers
                break
            findings[i].extend(fs)
            virtual[i].extend(vs)
            done += 1
            tick()
        pending = pending[done:]
    return findings, virtual, crashed


def resolve_jobs(jobs: int) -> int:
    if jobs and jobs > 0:
        return jobs
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def merge_findings(findings: Sequence[Finding]) -> list[Finding]:
    """Findings of *different* engines about the same capability at the same place become one, keeping
    the strongest evidence."""
    def strength(f: Finding) -> tuple[int, int, int]:
        cls = {RuleClass.MALICIOUS: 2, RuleClass.CAPABILITY: 1, RuleClass.HYGIENE: 0}[f.rule_class]
        return (cls, int(f.severity), int(f.confidence))

    best: dict[tuple[str, int, frozenset[str]], Finding] = {}
    out: list[Finding] = []
    for f in findings:
        if not f.capabilities:
            out.append(f)
            continue
        key = (f.location.path, f.location.line, frozenset(str(c) for c in f.capabilities))
        other = best.get(key)
        if other is None:
            best[key] = f
        elif other.engine != f.engine:
            if strength(f) > strength(other):
                best[key] = f
        else:
            out.append(f)
    return out + list(best.values())


def sort_key(f: Finding) -> tuple[str, int, int, str, str]:
    return (f.location.path, f.location.line, f.location.column, f.rule_id, f.message)


def _filter(pkg: Package, findings: list[Finding], options: ScanOptions) -> tuple[list[Finding], int, int]:
    """Consumer config (disable, ignores, severity remaps), then inline suppressions (author mode only),
    then the baseline. Suppressed and baselined findings stay only as capability evidence."""
    if options.config is not None:
        findings = options.config.apply(findings, pkg.root)
    suppressed = baselined = 0
    if options.author:
        marks = inline_suppressions(pkg)
        if marks:
            kept = []
            for f in findings:
                if f.severity > Severity.INFO and is_suppressed(f, marks):
                    kept.append(as_evidence(f))
                    suppressed += 1
                else:
                    kept.append(f)
            findings = kept
    if options.baseline is not None and options.baseline.keys:
        from skillscan.report.json import fingerprints

        kept = []
        for f, fp in zip(findings, fingerprints(tuple(findings)), strict=True):
            if f.severity > Severity.INFO and baseline_key(pkg.root, fp) in options.baseline:
                kept.append(as_evidence(f))
                baselined += 1
            else:
                kept.append(f)
        findings = kept
    return findings, suppressed, baselined


@dataclass
class _Work:
    """One package on its way through the pipeline (engine-private scratch, never reported)."""

    index: int
    package: Package
    key: str | None = None  # result-cache key (None: no cache, or nothing to analyse)
    context: str = ""  # cache key of the package in its context (what the package engines read besides files)
    cached: Entry | None = None
    findings: list[Finding] = field(default_factory=list)  # per-file and batch engines
    virtual: list[PackageFile] = field(default_factory=list)
    batch_errors: list[str] = field(default_factory=list)
    crashed: str | None = None

    @property
    def live(self) -> bool:
        return self.package.format != "unknown" and self.crashed is None


def _package_context(pkg: Package) -> str:
    material = "\0".join([pkg.input, pkg.root, pkg.format, pkg.name, pkg.version, pkg.manifest_path,
                          "\1".join(pkg.skipped), "\1".join(pkg.nested), "\1".join(pkg.errors)])
    return hashlib.sha256(material.encode("utf-8", "surrogateescape")).hexdigest()


def _groups(inputs: Sequence[str], limits: Limits) -> Iterator[list[Package]]:
    """Packages in groups of at most GROUP_PACKAGES or about GROUP_BYTES of files (an input's packages are
    loaded together), so memory holds one group's file bodies, not the whole scan's."""
    group: list[Package] = []
    size = 0
    for pkg in iter_inputs(inputs, limits):
        group.append(pkg)
        size += sum(f.size for f in pkg.files)
        if len(group) >= GROUP_PACKAGES or size >= GROUP_BYTES:
            yield group
            group, size = [], 0
    if group:
        yield group


def _slim(pkg: Package) -> Package:
    """The package as the report keeps it: paths and sizes of its files, not their bodies."""
    return replace(pkg, files=tuple(replace(f, data=b"", text=None) for f in pkg.files))


class _Scan:
    """The state of one scan across groups: cache, counters, packages waiting for the batch engines."""

    def __init__(self, options: ScanOptions) -> None:
        self.options = options
        self.catalog = get_catalog()
        self.jobs = resolve_jobs(options.jobs)
        self.engines = engine_versions()
        self.cache: ResultCache | None = None
        if options.use_cache:
            from skillscan.cache import default_cache_dir

            self.cache = ResultCache(Path(options.cache_dir) if options.cache_dir else default_cache_dir())
        self.results: dict[int, PackageResult] = {}
        self.waiting: list[_Work] = []  # analysed, waiting for a batch of the batch engines
        self.waiting_files = 0
        self.waiting_bytes = 0
        self.workers = Workers(self.jobs)
        self.loaded = 0  # packages loaded so far (their index in the report)
        self.analyzed = self.tasks = 0  # file tasks of earlier groups, for the progress bar

    # -- analysis ------------------------------------------------------------------------------

    def group(self, packages: Sequence[Package]) -> None:
        works = [_Work(self.loaded + k, p) for k, p in enumerate(packages)]
        self.loaded += len(packages)
        if self.cache is not None:
            from skillscan import __version__
            from skillscan.cache import cache_key

            code = {**self.engines, "skillscan-code": code_digest()}
            for w in works:
                if w.package.format == "unknown":
                    continue
                w.key = cache_key(w.package.sha256, version=__version__, rules_digest=self.catalog.digest,
                                  engines=code, limits=self.options.limits)
                w.context = context_key(w.key, _package_context(w.package))
                w.cached = self.cache.get(w.context) or self.cache.get(w.key)
        todo = [w for w in works if w.cached is None]
        found, virtual, crashed = _run_pool([w.package for w in todo], self.jobs, self._progress, self.workers)
        batch = batch_analyzers()
        for j, w in enumerate(todo):
            w.findings = found.get(j, [])
            w.virtual = virtual.get(j, [])
            w.crashed = crashed.get(j)
        for w in works:
            if w.cached is not None:
                w.findings = list(w.cached.findings)
            if w.cached is None and w.live and any(a.applies(f) for a in batch for f in (*w.package.files, *w.virtual)):
                self.waiting.append(w)
                self.waiting_files += len(w.package.files) + len(w.virtual)
                self.waiting_bytes += sum(f.size for f in w.package.files)
            else:
                self.finish(w)
        if self.waiting_files >= WAIT_FILES or self.waiting_bytes >= GROUP_BYTES:
            self.flush()

    def _progress(self, stage: str, done: int, total: int) -> None:
        if self.options.progress is not None:
            self.options.progress(stage, self.analyzed + done, self.tasks + total)
            if done == total:
                self.analyzed += done
                self.tasks += total

    def flush(self) -> None:
        """Run the batch engines over every waiting package at once, then finish them."""
        works, self.waiting = self.waiting, []
        self.waiting_files = self.waiting_bytes = 0
        if not works:
            return
        with_virtual = [replace(w.package, files=w.package.files + tuple(w.virtual)) for w in works]
        for analyzer in batch_analyzers():
            if hasattr(analyzer, "jobs"):
                analyzer.jobs = self.jobs  # batches run side by side up to --jobs
            try:
                results = analyzer.analyze_batch(with_virtual)
            except Exception as exc:
                for w in works:
                    w.batch_errors.append(f"{analyzer.name} failed: {exc}")
                continue
            for w, fs in zip(works, results, strict=True):
                contexts = {v.path: v for v in w.virtual if v.channel is not None or v.max_confidence is not None}
                w.findings.extend(_in_context(f, contexts[f.location.path]) if f.location.path in contexts else f
                                  for f in fs)
        for w in works:
            self.finish(w)

    # -- permit and decide ---------------------------------------------------------------------

    def finish(self, w: _Work) -> None:
        from skillscan.policy import decide

        options, pkg = self.options, w.package
        if options.progress is not None:
            options.progress("decide", len(self.results) + 1, len(self.results) + 1 + len(self.waiting))
        if not w.live:
            errors = pkg.errors + ((w.crashed,) if w.crashed else ())
            self.results[w.index] = PackageResult(_slim(pkg), (), Verdict(Decision.ERROR, reasons=errors), errors)
            return
        if w.cached is not None and w.cached.package_findings is not None:
            package_findings = list(w.cached.package_findings)
        else:
            package_findings, failed = _package_findings(pkg)
            if self.cache is not None and w.key is not None and not w.batch_errors:
                if w.cached is None:
                    self.cache.put(w.key, w.findings)
                if not failed:
                    self.cache.put(w.context, w.findings, package_findings)
        findings = w.findings + package_findings
        if options.merge:
            findings = merge_findings(findings)
        findings.sort(key=sort_key)
        findings, suppressed, baselined = _filter(pkg, findings, options)
        errors = tuple(pkg.errors) + tuple(w.batch_errors)
        verdict = decide(pkg, findings, errors, options)
        if verdict.findings:  # the gate's own findings (undeclared, unused, combinations…), filtered alike
            gate_findings, _, _ = _filter(pkg, list(verdict.findings), options)
            findings = sorted([*findings, *gate_findings], key=sort_key)
        shown = tuple(f for f in findings if f.severity >= options.min_severity)
        self.results[w.index] = PackageResult(_slim(pkg), shown, verdict, errors, suppressed, baselined)


def _package_findings(pkg: Package) -> tuple[list[Finding], bool]:
    """The package engines' findings; an engine that fails is reported, never silently passed."""
    out: list[Finding] = []
    failed = False
    for analyzer in package_analyzers():
        try:
            out.extend(analyzer.analyze_package(pkg))
        except RecursionError:
            failed = True
            out.append(_engine_error(analyzer.name, _manifest_file(pkg), "input nested too deeply"))
        except Exception as exc:  # an engine bug must surface as an incomplete analysis
            failed = True
            out.append(_engine_error(analyzer.name, _manifest_file(pkg), f"{type(exc).__name__}: {exc}"))
    return out, failed


def _manifest_file(pkg: Package) -> PackageFile:
    return PackageFile(path=pkg.manifest_path or ".", data=b"", size=0, language="text", is_binary=False)


def scan(inputs: Sequence[str], options: ScanOptions = ScanOptions()) -> Report:
    """Inputs are loaded, analysed and decided a group at a time; packages that need the batch engines
    wait until enough of them are gathered for a batch. Results come out in input order."""
    started = time.perf_counter()
    state = _Scan(options)
    try:
        for group in _groups(inputs, options.limits):
            state.group(group)
        state.flush()
    finally:
        state.workers.close()
    return Report(
        results=tuple(state.results[i] for i in sorted(state.results)),
        seconds=round(time.perf_counter() - started, 3),
        engines=tuple(sorted(state.engines.items())),
        rules_digest=state.catalog.digest,
    )


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of skillscan's own code, so a cached result never outlives the code that made it."""
    h = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for path in sorted(here.rglob("*.py")):
        h.update(path.relative_to(here).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def rules_root() -> Path:
    from skillscan.catalog import rules_dir

    return rules_dir()

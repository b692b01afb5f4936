"""The pipeline: load → analyze → permit → decide → report data. Output order is deterministic
whatever the number of jobs."""

from __future__ import annotations

import gc
import hashlib
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from skillscan.analyzers import batch_analyzers, engine_versions, file_analyzers, package_analyzers
from skillscan.analyzers.base import FileResult
from skillscan.catalog import get_catalog
from skillscan.config import Config
from skillscan.loaders import Limits, load_inputs
from skillscan.suppress import Baseline, as_evidence, baseline_key, inline_suppressions, is_suppressed
from skillscan.model import (
    Decision, Finding, Package, PackageFile, PackageResult, Report, RuleClass, Severity, Verdict,
)

MAX_VIRTUAL_DEPTH = 3
MAX_VIRTUAL_FILES = 256
CHUNK_FILES = 64


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
    tasks = []
    for i, pkg in enumerate(packages):
        if pkg.format == "unknown":
            continue
        ctx = _context(pkg)
        for start in range(0, len(pkg.files), CHUNK_FILES):
            tasks.append((i, (ctx, pkg.files[start : start + CHUNK_FILES])))
    return tasks


def _run_pool(packages: Sequence[Package], jobs: int,
              progress: Callable[[str, int, int], None] | None = None,
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
    pending = list(tasks)
    # forked workers inherit the whole loaded scan (every package's bytes): frozen, the garbage collector
    # of each worker skips it — otherwise every full collection walks it (CPU growing with the square of
    # the input) and touches its pages (copy-on-write: each worker ends up copying the parent's heap)
    gc.freeze()
    try:
        return _pool_loop(pending, jobs, findings, virtual, crashed, tick)
    finally:
        gc.unfreeze()


def _pool_loop(pending: list[tuple[int, tuple[Package, tuple[PackageFile, ...]]]], jobs: int,
               findings: dict[int, list[Finding]], virtual: dict[int, list[PackageFile]], crashed: dict[int, str],
               tick: Callable[[], None],
               ) -> tuple[dict[int, list[Finding]], dict[int, list[PackageFile]], dict[int, str]]:
    isolate = False
    while pending:
        workers = 1 if isolate else jobs
        with ProcessPoolExecutor(max_workers=workers) as pool:
            batch = pending[:1] if isolate else pending
            futures = [(i, args, pool.submit(_worker, args)) for i, args in batch]
            done = 0
            broken = False
            for i, args, fut in futures:
                try:
                    fs, vs = fut.result()
                except BrokenProcessPool:
                    broken = True
                    if isolate:
                        crashed[i] = "an analysis worker crashed on this package (pathological input)"
                        done += 1
                        tick()
                    break
                findings[i].extend(fs)
                virtual[i].extend(vs)
                done += 1
                tick()
            pending = pending[done:] if not broken or isolate else [t for t in pending[done:]]
            if broken and not isolate:
                isolate = True  # re-run the rest one by one to find the package that kills workers
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


def scan(inputs: Sequence[str], options: ScanOptions = ScanOptions()) -> Report:
    started = time.perf_counter()
    catalog = get_catalog()
    packages = load_inputs(inputs, options.limits)
    jobs = resolve_jobs(options.jobs)
    engines = engine_versions()

    # the result cache: analysis of unchanged packages is read back, never redone
    cache = keys = None
    hits: dict[int, list[Finding]] = {}
    if options.use_cache:
        from skillscan import __version__
        from skillscan.cache import ResultCache, cache_key, default_cache_dir

        cache = ResultCache(Path(options.cache_dir) if options.cache_dir else default_cache_dir())
        keys = {i: cache_key(p.sha256, version=__version__, rules_digest=catalog.digest,
                             engines={**engines, "skillscan-code": code_digest()}, limits=options.limits)
                for i, p in enumerate(packages) if p.format != "unknown"}
        for i, key in keys.items():
            hit = cache.get(key)
            if hit is not None:
                hits[i] = hit
    pending = [i for i in range(len(packages)) if i not in hits]
    sub = [packages[i] for i in pending]
    sub_findings, sub_virtual, sub_crashed = _run_pool(sub, jobs, options.progress)
    file_findings = {pending[j]: fs for j, fs in sub_findings.items()}
    virtual = {pending[j]: vs for j, vs in sub_virtual.items()}
    crashed = {pending[j]: msg for j, msg in sub_crashed.items()}
    file_findings.update(hits)

    live = [i for i in pending if packages[i].format != "unknown" and i not in crashed]
    batch_findings: dict[int, list[Finding]] = {i: [] for i in live}
    batch_errors: dict[int, list[str]] = {i: [] for i in live}
    if live:
        with_virtual = [replace(packages[i], files=packages[i].files + tuple(virtual[i])) for i in live]
        for analyzer in batch_analyzers():
            if hasattr(analyzer, "jobs"):
                analyzer.jobs = jobs  # batches run side by side up to --jobs
            try:
                results = analyzer.analyze_batch(with_virtual)
            except Exception as exc:
                for i in live:
                    batch_errors[i].append(f"{analyzer.name} failed: {exc}")
                continue
            for i, fs in zip(live, results, strict=True):
                contexts = {v.path: v for v in virtual[i] if v.channel is not None or v.max_confidence is not None}
                batch_findings[i].extend(_in_context(f, contexts[f.location.path])
                                         if f.location.path in contexts else f for f in fs)
    if cache is not None and keys is not None:
        for i in live:
            if not batch_errors[i]:
                cache.put(keys[i], list(file_findings[i]) + batch_findings[i])

    from skillscan.policy import decide

    results: list[PackageResult] = []
    for i, pkg in enumerate(packages):
        if options.progress is not None:
            options.progress("decide", i + 1, len(packages))
        if pkg.format == "unknown" or i in crashed:
            errors = pkg.errors + ((crashed[i],) if i in crashed else ())
            results.append(PackageResult(pkg, (), Verdict(Decision.ERROR, reasons=errors), errors))
            continue
        findings: list[Finding] = list(file_findings[i]) + list(batch_findings.get(i, []))
        for analyzer in package_analyzers():
            findings.extend(analyzer.analyze_package(pkg))
        if options.merge:
            findings = merge_findings(findings)
        findings.sort(key=sort_key)
        findings, suppressed, baselined = _filter(pkg, findings, options)
        errors = tuple(pkg.errors) + tuple(batch_errors.get(i, []))
        verdict = decide(pkg, findings, errors, options)
        if verdict.findings:  # the gate's own findings (undeclared, unused, combinations…), filtered alike
            gate_findings, _, _ = _filter(pkg, list(verdict.findings), options)
            findings = sorted([*findings, *gate_findings], key=sort_key)
        shown = tuple(f for f in findings if f.severity >= options.min_severity)
        results.append(PackageResult(pkg, shown, verdict, errors, suppressed, baselined))
    return Report(
        results=tuple(results),
        seconds=round(time.perf_counter() - started, 3),
        engines=tuple(sorted(engines.items())),
        rules_digest=catalog.digest,
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

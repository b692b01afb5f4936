"""The pipeline: load → analyze → permit → decide → report data. Output order is deterministic
whatever the number of jobs."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from skillscan.analyze import Workers, _collect, _engine_error, _in_context, _InFlight, _submit, resolve_jobs, with_facts
from skillscan.analyzers import batch_analyzers, engine_versions, package_analyzers
from skillscan.analyzers.shell.agentwrite import own_entries
from skillscan.cache import Entry, ResultCache, context_key
from skillscan.catalog import get_catalog, rules_dir
from skillscan.config import Config
from skillscan.loaders.discover import iter_inputs
from skillscan.loaders.files import Limits
from skillscan.model import (
    Decision,
    Finding,
    Package,
    PackageFile,
    PackageResult,
    Report,
    Severity,
    Verdict,
)
from skillscan.engine_findings import filter_findings, merge_findings, sort_key
from skillscan.fold import fold_report
from skillscan.permissions.permit import permit
from skillscan.place import place
from skillscan.policy import decide, permit_options, policy_for, resolve_as_of
from skillscan.verdicts import adjust
from skillscan.policy_roles import with_roles
from skillscan.suppress import Baseline

# streaming: packages are loaded and analysed in groups, so memory follows the group, not the scan
GROUP_PACKAGES = 48
GROUP_BYTES = 16 << 20
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
    gate: bool = False  # `skillscan gate`: generic packages get the policy's `generic` (default review)
    use_cache: bool = True
    cache_dir: str | None = None  # default: the user cache directory
    config: Config | None = None  # the consumer's configuration (never one found inside a package in gate mode)
    baseline: Baseline | None = None
    # progress(stage, done, total) — the CLI's progress bar; stage is "analyze" (file chunks) or "decide"
    progress: Callable[[str, int, int], None] | None = field(default=None, compare=False, repr=False)


@dataclass
class _Work:
    """One package on its way through the pipeline (engine-private scratch, never reported)."""

    index: int
    package: Package
    key: str | None = None  # result-cache key (None: no cache, or nothing to analyse)
    context: str = ""  # cache key of the package in its context (what the package engines read besides files)
    cached: Entry | None = None
    findings: list[Finding] = field(default_factory=list)  # per-file engines (and batch ones, from the cache)
    batch: list[Finding] = field(default_factory=list)  # batch engines
    virtual: list[PackageFile] = field(default_factory=list)
    batch_errors: list[str] = field(default_factory=list)
    crashed: str | None = None
    batched: Future[None] | None = None  # the batch-engine run over its real files, started before its collect

    @property
    def live(self) -> bool:
        return self.package.format != "unknown" and self.crashed is None


def _package_context(pkg: Package) -> str:
    material = "\0".join([pkg.input, pkg.root, pkg.format, pkg.name, pkg.version, pkg.manifest_path,
                          "\1".join(pkg.skipped), "\1".join(pkg.nested), "\1".join(pkg.errors)])
    return hashlib.sha256(material.encode("utf-8", "surrogateescape")).hexdigest()


def _groups(inputs: Sequence[str], limits: Limits) -> Iterator[tuple[list[Package], bool]]:
    """Packages in groups of at most GROUP_PACKAGES or about GROUP_BYTES of files (an input's packages are
    loaded together), so memory holds one group's file bodies, not the whole scan's; each group comes
    with whether it is the last (known by loading one package ahead)."""
    packages = iter_inputs(inputs, limits)
    ahead = next(packages, None)
    while ahead is not None:
        group: list[Package] = []
        size = 0
        while ahead is not None and len(group) < GROUP_PACKAGES and size < GROUP_BYTES:
            group.append(ahead)
            size += sum(f.size for f in ahead.files)
            ahead = next(packages, None)
        yield group, ahead is None


def _slim(pkg: Package) -> Package:
    """The package as the report keeps it: paths and sizes of its files, not their bodies."""
    return replace(pkg, files=tuple(replace(f, data=b"", text=None) for f in pkg.files))


@dataclass
class _Group:
    """A group of packages in flight: file tasks queued, maybe a batch running beside them."""

    works: list[_Work]
    todo: list[_Work]  # not in the cache
    flight: _InFlight
    early: list[_Work] = field(default_factory=list)  # in the batch started with the group
    running: Future[None] | None = None
    wanted: list[_Work] = field(default_factory=list)  # its packages whose real files the batch engines read


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
        self.running: list[Future[None]] = []  # batch-engine threads under way
        self.final = False  # the last batch over real files has started: nothing waits for another
        self.adopted: list[_Work] = []  # packages of collected groups in a batch started with a later group
        # one batch-engine run at a time (a semgrep process holds ~150 MB: two side by side made the tree's peak,
        # docs/benchmarks.md round 10); each run's files are fixed when its thread starts: the order moves nothing
        self._batch_lock = threading.Lock()

    # -- analysis ------------------------------------------------------------------------------

    def start(self, packages: Sequence[Package], last: bool = True, inflight: _Group | None = None) -> _Group:
        """Look the group up in the cache and queue its file tasks in the pool; return at once. When the group
        completes a batch for the batch engines, or is the last one, they start now too, in a thread beside the
        pool; the last group's batch also takes the group still in flight (`inflight`), so that only the files
        the file engines decode or extract are left for a batch once the pool is done."""
        works = [_Work(self.loaded + k, with_facts(p)) for k, p in enumerate(packages)]
        first = self.loaded == 0
        self.loaded += len(packages)
        if self.cache is not None:
            from skillscan._version import __version__
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
        if not self.workers.started or self.workers.due:
            self._quiesce()  # the pool may be forked below: no batch thread may be running then
        flight = _submit([w.package for w in todo], self.jobs, self.workers)
        group = _Group(works, todo, flight)
        batch = batch_analyzers()
        wanted = [w for w in todo if w.package.format != "unknown"
                  and any(a.applies(f) for a in batch for f in w.package.files)]
        group.wanted = wanted
        waiting_files = self.waiting_files + sum(len(w.package.files) for w in wanted)
        if self.jobs > 1 and (last or waiting_files >= WAIT_FILES or self.waiting_bytes >= GROUP_BYTES):
            self.final = last
            joining = [w for w in inflight.wanted if w.batched is None] if inflight is not None and last else []
            older = self.waiting  # packages of collected groups
            group.early, self.waiting = older + joining + wanted, []
            self.waiting_files = self.waiting_bytes = 0
            if group.early:
                # the pool's workers were forked above (if there are any): no fork happens while it runs
                group.running = self._thread(group.early, False)
                self.adopted.extend(older)
                for w in group.early:
                    w.batched = group.running
        return group

    def collect(self, group: _Group, last: bool) -> None:
        """Wait for the group's file tasks; a package no batch reads is finished (permit and decide) as soon as its
        own tasks are in, while the pool works on the others; the rest once their batch is over — or the packages
        that need the batch engines are kept waiting."""
        runs = {id(w.batched): w.batched for w in (*group.early, *group.todo) if w.batched is not None}
        batch = batch_analyzers()

        def ready(j: int, found: list[Finding], virtual: list[PackageFile], crashed: str | None) -> None:
            w = group.todo[j]
            w.findings, w.virtual, w.crashed = list(found), list(virtual), crashed
            if self._alone(w, batch):
                self.finish(w)  # decided now, beside the pool's other tasks

        try:
            found, virtual, crashed = _collect(group.flight, self.workers, self._progress, self._quiesce, ready)
        except BaseException:
            self._wait(runs.values())
            raise
        for j, w in enumerate(group.todo):
            w.findings = found.get(j, [])
            w.virtual = virtual.get(j, [])
            w.crashed = crashed.get(j)
        pending: list[_Work] = []  # finished once the batch and the files decoded or extracted are read
        now: list[_Work] = []  # finished at once
        for w in group.works:
            if w.cached is not None:
                w.findings = list(w.cached.findings)
            if w.batched is not None:
                pending.append(w)
            elif w.cached is not None or not w.live:
                now.append(w)
            elif self.final and any(a.applies(v) for a in batch for v in w.virtual):
                pending.append(w)  # the last batch has started: its decoded or extracted files get the late one
            elif any(a.applies(f) for a in batch for f in (*w.package.files, *w.virtual)):
                self.waiting.append(w)
                self.waiting_files += len(w.package.files) + len(w.virtual)
                self.waiting_bytes += sum(f.size for f in w.package.files)
            else:
                now.append(w)
        # decoded or extracted files of batched packages get a batch of their own, in a thread beside the deciding
        # of the packages no batch reads; its findings come after the first batch's, as if run one after the other
        late = [_Work(w.index, w.package, virtual=w.virtual) for w in pending
                if w.live and any(a.applies(v) for a in batch for v in w.virtual)]
        late_run = self._thread(late, True) if late else None
        in_late = {lw.index for lw in late}
        try:
            for w in now:
                if w.index not in self.results:
                    self.finish(w)
            self._wait(runs.values())
            # the packages the late batch does not read are decided beside it
            mine = {id(w) for w in group.works}
            for w in group.early:
                if id(w) not in mine and w.index not in self.results:
                    self.finish(w)  # waiting packages of earlier groups (the group in flight finished its own)
            for w in pending:
                if w.index not in in_late and w.index not in self.results:
                    self.finish(w)
        finally:
            self._wait(runs.values())
            if late_run is not None:
                self._wait((late_run,))
        originals = {w.index: w for w in pending}
        for lw in late:
            originals[lw.index].batch.extend(lw.batch)
            originals[lw.index].batch_errors.extend(lw.batch_errors)
        for w in pending:
            if w.index in in_late:
                self.finish(w)
        # packages of earlier groups whose batch is over are decided now, not when their batch's group is
        self.adopted = [w for w in self.adopted if w.index not in self.results]
        for w in [w for w in self.adopted if w.batched is not None and w.batched.done()]:
            self.finish(w)
        if self.waiting_files >= WAIT_FILES or self.waiting_bytes >= GROUP_BYTES or last:
            self.flush()

    def _alone(self, w: _Work, batch: Sequence[object]) -> bool:
        """Whether package `w`, its file tasks in, may be finished now, as `collect` would finish it later: no
        batch engine reads its files or the files decoded or extracted from them; or its real files' batch-engine
        run is over and no batch engine reads its decoded or extracted files (it gets no late batch)."""
        if w.cached is not None:
            return False
        if not w.live:
            return w.batched is None or w.batched.done()
        if any(a.applies(v) for a in batch for v in w.virtual):  # type: ignore[attr-defined]
            return False
        if w.batched is not None:
            return w.batched.done()
        return not any(a.applies(f) for a in batch for f in w.package.files)  # type: ignore[attr-defined]

    def _thread(self, works: Sequence[_Work], virtual_only: bool) -> Future[None]:
        """`_run_batch` in a thread, listed in `running` until waited for. Its files are listed now: a package
        collected while it starts must not have its decoded files read by it too (they get the late batch)."""
        runner = ThreadPoolExecutor(max_workers=1)
        running = runner.submit(self._run_batch, works, virtual_only, _batch_packages(works, virtual_only))
        self.running.append(running)
        runner.shutdown(wait=False)
        return running

    def _wait(self, runs: Iterable[Future[None]]) -> None:
        for running in runs:
            running.result()  # engine failures became batch errors; nothing is raised here
            if running in self.running:
                self.running.remove(running)

    def _quiesce(self) -> None:
        for running in list(self.running):
            running.result()

    def _progress(self, stage: str, done: int, total: int) -> None:
        if self.options.progress is not None:
            self.options.progress(stage, self.analyzed + done, self.tasks + total)
            if done == total:
                self.analyzed += done
                self.tasks += total

    def _run_batch(self, works: Sequence[_Work], virtual_only: bool,
                   packages: Sequence[Package] | None = None) -> None:
        """The batch engines over `works` (their files and the decoded files known so far, or only those
        decoded files; or `packages`, those files as the caller saw them when it started the batch in a thread):
        findings go to each package's `batch`, a failing engine to its `batch_errors`."""
        if packages is None:
            packages = _batch_packages(works, virtual_only)
        with self._batch_lock:
            for analyzer in batch_analyzers():
                if hasattr(analyzer, "jobs"):
                    analyzer.jobs = self.jobs  # one batch at a time (the lock), so it may use every core
                try:
                    results = analyzer.analyze_batch(packages)
                except Exception as exc:
                    for w in works:
                        w.batch_errors.append(f"{analyzer.name} failed: {exc}")
                    continue
                for w, fs in zip(works, results, strict=True):
                    contexts = {v.path: v for v in w.virtual if v.channel is not None or v.max_confidence is not None}
                    w.batch.extend(_in_context(f, contexts[f.location.path]) if f.location.path in contexts else f
                                   for f in fs)

    def flush(self) -> None:
        """Run the batch engines over every waiting package at once, then finish them."""
        works, self.waiting = self.waiting, []
        self.waiting_files = self.waiting_bytes = 0
        if works:
            self._run_batch(works, False)
        for w in works:
            self.finish(w)

    # -- permit and decide ---------------------------------------------------------------------

    def finish(self, w: _Work) -> None:
        options, pkg = self.options, w.package
        if options.progress is not None:
            options.progress("decide", len(self.results) + 1, len(self.results) + 1 + len(self.waiting))
        if not w.live:
            errors = pkg.errors + ((w.crashed,) if w.crashed else ())
            self.results[w.index] = PackageResult(_slim(pkg), (), Verdict(Decision.ERROR, reasons=errors), errors)
            return
        analysed = place(pkg, w.findings + w.batch, w.virtual)  # real files, source snippets, before caching
        if w.cached is not None and w.cached.package_findings is not None:
            package_findings = list(w.cached.package_findings)
        else:
            package_findings, failed = _package_findings(pkg)
            if self.cache is not None and w.key is not None and not w.batch_errors:
                if w.cached is None:
                    self.cache.put(w.key, analysed)
                if not failed:
                    self.cache.put(w.context, analysed, package_findings)
        findings = own_entries(pkg, analysed + place(pkg, package_findings))  # the package's own name, now known
        if options.merge:
            findings = merge_findings(findings)
        findings.sort(key=sort_key)
        findings, suppressed, _ = filter_findings(pkg, findings, options.config, options.author, options.baseline)
        errors = tuple(pkg.errors) + tuple(w.batch_errors)
        findings = with_roles(pkg, findings)  # who each cited text speaks to (DESIGN.md "Permit and decide")
        verdict = judge(pkg, findings, errors, options)
        if verdict.findings:  # the gate's own findings (undeclared, unused, combinations…), filtered alike
            gate_findings, _, _ = filter_findings(pkg, place(pkg, verdict.findings), options.config, options.author,
                                                 options.baseline, context=findings)
            findings = sorted([*findings, *gate_findings], key=sort_key)
        findings, baselined = fold_report(pkg.root, findings, options.baseline, enabled=options.merge)
        shown = tuple(f for f in findings if f.severity >= options.min_severity)
        self.results[w.index] = PackageResult(_slim(pkg), shown, verdict, errors, suppressed, baselined)


def _batch_packages(works: Sequence[_Work], virtual_only: bool) -> list[Package]:
    """The packages of `works` as the batch engines read them: their files and the decoded files known so far,
    or only those decoded files."""
    return [replace(w.package, files=tuple(w.virtual) if virtual_only else w.package.files + tuple(w.virtual))
            for w in works]


def judge(pkg: Package, findings: list[Finding], errors: tuple[str, ...], options: ScanOptions) -> Verdict:
    """The permit stage, then the decide stage, under the scan's policy and day."""
    policy = policy_for(options.policy_path, options.config.policy if options.config is not None else None)
    permitted = permit(pkg, findings, permit_options(policy))
    verdict = decide(pkg, findings, errors, permitted, policy, resolve_as_of(options.as_of))
    return adjust(pkg, verdict, policy.generic, options.gate)


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
    inflight: _Group | None = None
    try:
        # a pipeline: the next group is loaded and queued while the pool works on the current one, and
        # the current one is decided while the pool works on the next
        for packages, last in _groups(inputs, options.limits):
            queued = state.start(packages, last, inflight)
            if inflight is not None:
                state.collect(inflight, last=False)
            inflight = queued
        if inflight is not None:
            state.collect(inflight, last=True)
        state.flush()
    except BaseException:
        state.workers.terminate()  # the scan failed: its queued file tasks are not waited for
        raise
    finally:
        state._quiesce()
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
    return rules_dir()

# rule ids whose logic is this module (tests/test_rule_modules.py)
RULE_IDS: tuple[str, ...] = (
    "analysis-incomplete",
)

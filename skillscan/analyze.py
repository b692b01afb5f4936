"""The analyze stage: every file of a package through the file engines (decoded and extracted
payloads included, within bounds), in worker processes when there are several jobs."""

from __future__ import annotations

import gc
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from skillscan import dataclass_cache, lazyre_cache
from skillscan.analyzers import file_analyzers, roles_share
from skillscan.analyzers.base import FileResult, finding
from skillscan.analyzers.instructions.follows import with_followed
from skillscan.model import Finding, Package, PackageFile

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

MAX_VIRTUAL_DEPTH = 3
MAX_VIRTUAL_FILES = 256
CHUNK_FILES = 64
# a task's files: at most CHUNK_FILES, and no more than CHUNK_BYTES past its first file, so that a package's
# large files are tasks apart (run side by side, the largest first) rather than one after another in a worker
CHUNK_BYTES = 256 << 10
# file tasks one pool runs before its workers are replaced by fresh forks of this process: a worker's heap
# only grows (per-document caches up to their bounds, the RE2 objects' DFA caches, fragmentation after large
# files), so a long scan bounds each worker's memory by this many tasks; the set-up this process did before
# forking (engines, libcst, the detector set) is inherited again by the fresh workers, and results do not
# depend on which worker ran a task (tests/test_worker_recycling.py). 4096 (one pool for calib + msb-train)
# made the tree's peak larger, not smaller (docs/benchmarks.md, round 9)
RECYCLE_TASKS = 512
# ... or once one of its workers holds this many MB of its own (pages no other process maps: what it wrote
# since the fork, and what it still reads after the parent let its copy go): a large file leaves its parse in a
# worker's heap (the 717 KB Python file of calib: ~230 MB), which the allocator keeps until the worker ends
RECYCLE_PRIVATE_MB = 192
# a pool for a group of at least this many file tasks, and every pool after the first (recycled), is started
# from a fork server (skillscan/forkhome.py: a fresh interpreter with the file engines set up) rather than forked
# from this process, whose heap (the loaded packages, the results so far) each forked worker would map and count
# in its resident set; a smaller scan forks its workers from here and starts no other process
SERVER_TASKS = 64
PARENT_POLL_S = 0.5  # how often a worker looks whether the process that forked it still exists
TERMINATE_WAIT_S = 30.0  # how long a failed scan waits for its pool to reap the killed workers before reaping them itself


def private_mb(pid: int) -> float:
    """The MB of pages only process `pid` maps (`Private_Clean` + `Private_Dirty` of /proc/PID/smaps_rollup);
    0 where that file cannot be read (another system, a process gone)."""
    kb = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith(("Private_Clean:", "Private_Dirty:")):
                    kb += int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return kb / 1024


def _main_reruns() -> bool:
    """Whether a worker started from the fork server would run this program's main script again: multiprocessing
    re-imports, in each such worker, a main module run by path (a script, a console entry point) or as a module
    other than a package's `__main__`. Such a program forks its workers from its own process instead, as before."""
    main = sys.modules.get("__main__")
    name = getattr(getattr(main, "__spec__", None), "name", None)
    if name is not None:
        return not (name == "__main__" or name.endswith(".__main__"))
    return getattr(main, "__file__", None) is not None


def _exit_with_parent() -> None:
    """Pool initializer: the worker ends itself once the process that forked it is gone (a scan killed
    with SIGKILL or SIGTERM runs no clean-up, and a worker idle on its task queue would otherwise wait
    forever as an orphan: tests/test_orphans.py). Its parent is read here, in the worker, so this holds for
    any start method. A worker of the fork server first closes its copy of the pipe whose end tells the fork
    server that the scan's process is gone (multiprocessing hands it to every process the server starts, so
    that it may start others, which a worker never does): while a worker held it, the fork server outlived a
    killed scan and its workers, whose parent it is, waited for it (tests/test_fork_server.py)."""
    if "multiprocessing.forkserver" in sys.modules:
        from multiprocessing import forkserver

        server = getattr(forkserver, "_forkserver", None)
        alive = getattr(server, "_forkserver_alive_fd", None)
        if isinstance(alive, int):
            os.close(alive)
            server._forkserver_alive_fd = None  # type: ignore[union-attr]
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_S)
        os._exit(1)

    threading.Thread(target=watch, name="skillscan-parent-watch", daemon=True).start()


def with_facts(package: Package) -> Package:
    """The package with the facts its engines and the roles share, found once before the workers start:
    the files its instructions tell the agent to follow (`Package.followed`) and what its JS/TS modules export
    to one another (`Package.js_modules`), and the values its Python files import or load from its other files
    (`Package.shared_values`)."""
    if package.format == "unknown":
        return package
    if package.js_modules is None:
        from skillscan.analyzers.js.modules import package_modules

        package = replace(package, js_modules=package_modules(package))
    if package.shared_values is None:
        from skillscan.analyzers.shared_values import shared_values

        package = replace(package, shared_values=shared_values(package))
    return with_followed(package)


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
    return finding("analysis-incomplete", f"{engine} could not analyse {f.path}: {message}", f.path)


Shared = list[tuple[Any, Any]]  # roles the task computed (skillscan/analyzers/roles_share.py), for the main process
Done = tuple[list[Finding], list[PackageFile], Shared]  # what one file task gives back


def _worker(args: tuple[Package, tuple[PackageFile, ...]]) -> tuple[list[Finding], list[PackageFile], Shared]:
    """One file task in a pool worker."""
    done = _here(args)
    lazyre_cache.save()  # forked workers skip exit handlers: regexes compiled here are kept now
    dataclass_cache.save()  # and the dataclass methods (libcst's nodes, when this worker imported it)
    return done


def _here(args: tuple[Package, tuple[PackageFile, ...]]) -> tuple[list[Finding], list[PackageFile], Shared]:
    """One file task in this process (its compiled regexes are saved at exit, once, not after each task)."""
    package, files = args
    findings, virtual = analyze_files(package, files)
    return findings, virtual, roles_share.drain()


def _tasks(packages: Sequence[Package]) -> list[tuple[int, tuple[Package, tuple[PackageFile, ...]]]]:
    """Chunks of at most CHUNK_FILES files and CHUNK_BYTES (`_chunks`). A package's Python files are tasks of
    their own (whatever the number of jobs, so output never depends on it): the Python engine's start-up
    (importing libcst) then overlaps the other engines' work on the rest of the package."""
    tasks = []
    for i, pkg in enumerate(packages):
        if pkg.format == "unknown":
            continue
        ctx = _context(pkg)
        python = tuple(f for f in pkg.files if f.language == "python")
        rest = tuple(f for f in pkg.files if f.language != "python") if python else pkg.files
        for part in (python, rest):
            tasks.extend((i, (ctx, chunk)) for chunk in _chunks(part))
    return tasks


def _chunks(files: Sequence[PackageFile]) -> list[tuple[PackageFile, ...]]:
    """`files` cut, in order, into runs of at most CHUNK_FILES files; a run also ends before a file that would
    take it past CHUNK_BYTES (a file larger than that is a run alone)."""
    out: list[tuple[PackageFile, ...]] = []
    run: list[PackageFile] = []
    size = 0
    for f in files:
        if run and (len(run) >= CHUNK_FILES or size + f.size > CHUNK_BYTES):
            out.append(tuple(run))
            run, size = [], 0
        run.append(f)
        size += f.size
    if run:
        out.append(tuple(run))
    return out


class Workers:
    """The process pool of one scan: started on first use (forked from this process, or from the fork server
    for a large scan: `served`), and kept across groups (fixed costs such as libcst's import and loading the
    compiled YARA rules are paid once per worker, not per group) until it has run RECYCLE_TASKS tasks or a worker
    holds RECYCLE_PRIVATE_MB, then replaced by fresh workers at the next group (`due`); rebuilt after a worker
    crash."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self._pool: ProcessPoolExecutor | None = None
        self._submitted = 0  # tasks given to the current pool
        self._pools = 0  # pools started so far
        self._grown: tuple[int, bool] = (-1, False)  # (tasks submitted when read, a worker past RECYCLE_PRIVATE_MB)

    @property
    def started(self) -> bool:
        return self._pool is not None

    @property
    def due(self) -> bool:
        """The current pool has run its share of tasks: the next group goes to fresh workers (the caller
        first lets every other thread finish, since the new workers are forked)."""
        return self._pool is not None and (self._submitted >= RECYCLE_TASKS or self.grown())

    def grown(self) -> bool:
        """A worker of the current pool holds RECYCLE_PRIVATE_MB of its own. Read once per number of tasks
        submitted, so that every caller deciding on the same group gets the same answer (the caller that sees
        True first lets every other thread finish: the replacement is a fork)."""
        if self._pool is None:
            return False
        if self._grown[0] != self._submitted:
            pids = list((getattr(self._pool, "_processes", None) or {}).keys())
            self._grown = (self._submitted, any(private_mb(pid) >= RECYCLE_PRIVATE_MB for pid in pids))
        return self._grown[1]

    def submit(self, task: tuple[Package, tuple[PackageFile, ...]]) -> Future[Done]:
        pool = self.pool()
        self._submitted += 1
        return pool.submit(_worker, task)

    def served(self, tasks: int) -> bool:
        """Whether the next pool, for a group of `tasks` file tasks, is started from the fork server: a scan large
        enough to pay one more interpreter start (the group is large, or a pool was already recycled)."""
        return (self._pools > 0 or tasks >= SERVER_TASKS) and not _main_reruns()

    def pool(self, tasks: int = 0) -> ProcessPoolExecutor:
        """The current pool, or a new one for a group of `tasks` file tasks (`served`)."""
        if self._pool is None:
            # multiprocessing is imported only by a scan that starts workers (start-up time of one small package)
            from concurrent.futures import ProcessPoolExecutor

            if self.served(tasks):
                import multiprocessing

                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(["skillscan.forkhome"])
                self._start(ProcessPoolExecutor(max_workers=self.jobs, mp_context=context,
                                                initializer=_exit_with_parent))
            else:
                file_analyzers()  # set up once here, before the workers are forked, rather than once in each
                # forked workers inherit the loaded group (its packages' bytes): frozen, the garbage collector
                # of each worker skips it — otherwise every full collection walks it and touches its pages
                # (copy-on-write: each worker would end up copying the parent's heap)
                gc.freeze()
                try:
                    self._start(ProcessPoolExecutor(max_workers=self.jobs, initializer=_exit_with_parent))
                finally:
                    gc.unfreeze()
        assert self._pool is not None
        return self._pool

    def _start(self, pool: ProcessPoolExecutor) -> None:
        self._pool, self._pools = pool, self._pools + 1
        self._submitted, self._grown = 0, (-1, False)
        pool.submit(int).result()  # start the workers now (a fork from here: while the heap is frozen)

    def discard(self, pool: Any = None) -> None:
        """Drop the current pool (only if it is `pool`, when given: a pool already replaced is left alone)."""
        if self._pool is not None and (pool is None or pool is self._pool):
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def close(self) -> None:
        """Wait for the tasks queued in the current pool (their futures keep their results), then end it."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def terminate(self) -> None:
        """End the current pool at once, when the scan failed and no result of it is wanted: the queued tasks
        are cancelled and the workers killed (and reaped), rather than waited for."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        processes = list((getattr(pool, "_processes", None) or {}).values())  # gone from the pool once shut down
        manager = getattr(pool, "_executor_manager_thread", None)  # likewise
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        # the pool's own manager thread sees its workers die and reaps them; they are not also joined from
        # here while it runs: two threads waiting on one child race (the loser's waitpid fails, and the dead
        # worker stays listed among the live children until the winner records its exit)
        if manager is not None:
            manager.join(TERMINATE_WAIT_S)
        if manager is None or manager.is_alive():
            for process in processes:
                process.join()


@dataclass
class _InFlight:
    """File tasks of one group: submitted to the pool (futures), or to be run here (futures is None)."""

    count: int  # packages
    tasks: list[tuple[int, tuple[Package, tuple[PackageFile, ...]]]]
    futures: list[Future[tuple[list[Finding], list[PackageFile], Shared]] | None] | None
    pool: Any = None  # the pool the futures went to


def _submit(packages: Sequence[Package], jobs: int, workers: Workers) -> _InFlight:
    """Queue the file tasks of `packages` in the pool and return at once; with one job, or one task and no
    pool yet, they run in this process when collected."""
    tasks = _tasks(packages)
    if jobs <= 1 or not tasks or (len(tasks) <= 1 and not workers.started):
        return _InFlight(len(packages), tasks, None)
    from concurrent.futures.process import BrokenProcessPool
    futures: list[Future[tuple[list[Finding], list[PackageFile], Shared]] | None] = [None] * len(tasks)
    # the largest tasks start first, so that the group does not end waiting for one big file started last;
    # results are still collected (and reported) in task order
    order = sorted(range(len(tasks)), key=lambda k: -sum(f.size for f in tasks[k][1][1]))
    pool = None
    try:
        if workers.due:
            workers.close()  # recycled: the queued tasks finish in the old workers, this group goes to new ones
        if not workers.started and len(tasks) > jobs and not workers.served(len(tasks)):
            _warm(tasks)  # the workers will run several tasks each: set the engines up once, before the fork
        pool = workers.pool(len(tasks))
        for k in order:
            futures[k] = workers.submit(tasks[k][1])
    except BrokenProcessPool:  # the rest (None) are run one by one when collected
        workers.discard(pool)
    return _InFlight(len(packages), tasks, futures, pool)


def _warm(tasks: Sequence[tuple[int, tuple[Package, tuple[PackageFile, ...]]]]) -> None:
    """The set-up of each file engine that files of two or more tasks need (libcst's import, the detector
    set's compile), done here before the pool forks, so the workers inherit it instead of each paying
    for it; an engine no task needs is not set up at all."""
    for analyzer in file_analyzers():
        warm = getattr(analyzer, "warm", None)
        if warm is not None and sum(any(analyzer.applies(f) for f in files) for _, (_, files) in tasks) >= 2:
            warm()


Collected = tuple[dict[int, list[Finding]], dict[int, list[PackageFile]], dict[int, str]]


def _collect(flight: _InFlight, workers: Workers, progress: Callable[[str, int, int], None] | None = None,
             quiesce: Callable[[], None] = lambda: None,
             ready: Callable[[int, list[Finding], list[PackageFile], str | None], None] | None = None,
             ) -> Collected:
    """Wait for the tasks of `flight` as they end (the pool runs the largest first); each package's findings and
    decoded files are put together in task order, and `ready(i, findings, virtual, crashed)` is called once all
    the tasks of package i are in (a package with no task is not announced), so that the caller may decide it
    while the pool still works. Once the pool breaks (a worker died), every task not yet finished is re-run
    alone, in task order, in a fresh one-worker pool, to find the input that kills workers; that package is
    reported as crashed. `quiesce` runs before any such fork (no other thread may be busy)."""
    findings: dict[int, list[Finding]] = {i: [] for i in range(flight.count)}
    virtual: dict[int, list[PackageFile]] = {i: [] for i in range(flight.count)}
    crashed: dict[int, str] = {}
    results: dict[int, tuple[list[Finding], list[PackageFile]]] = {}  # task → its findings and decoded files
    owned: list[list[int]] = [[] for _ in range(flight.count)]  # each package's tasks, in task order
    for k, (i, _) in enumerate(flight.tasks):
        owned[i].append(k)
    left = [len(ks) for ks in owned]  # tasks of each package not yet in

    def take(k: int, fs: list[Finding], vs: list[PackageFile], shared: Shared) -> None:
        roles_share.seed(shared)
        results[k] = (fs, vs)
        if progress is not None:
            progress("analyze", len(results), len(flight.tasks))
        i = flight.tasks[k][0]
        left[i] -= 1
        if left[i]:
            return
        for j in owned[i]:
            findings[i].extend(results[j][0])
            virtual[i].extend(results[j][1])
        if ready is not None:
            ready(i, findings[i], virtual[i], crashed.get(i))

    if flight.futures is None:  # no pool, no multiprocessing import: the tasks run here
        for k, (_, args) in enumerate(flight.tasks):
            take(k, *_here(args))
        return findings, virtual, crashed
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    queued = {fut: k for k, fut in enumerate(flight.futures) if fut is not None}
    broken = len(queued) < len(flight.tasks)
    while queued and not broken:
        done, _ = wait(queued, return_when=FIRST_COMPLETED)
        for fut in sorted(done, key=queued.__getitem__):
            k = queued.pop(fut)
            try:
                fs, vs, shared = fut.result()
            except BrokenProcessPool:
                broken = True
                continue
            take(k, fs, vs, shared)
    for k, (i, args) in enumerate(flight.tasks):
        if k in results:
            continue
        fut = flight.futures[k]
        if fut is not None and fut.done() and not fut.cancelled() and fut.exception() is None:
            take(k, *fut.result())  # ended before the pool broke
            continue
        workers.discard(flight.pool)
        quiesce()
        with ProcessPoolExecutor(max_workers=1, initializer=_exit_with_parent) as single:
            try:
                fs, vs, shared = single.submit(_worker, args).result()
            except BrokenProcessPool:
                crashed[i] = "an analysis worker crashed on this package (pathological input)"
                fs, vs, shared = [], [], []
        take(k, fs, vs, shared)
    return findings, virtual, crashed


def resolve_jobs(jobs: int) -> int:
    if jobs and jobs > 0:
        return jobs
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))

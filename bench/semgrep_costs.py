"""What one semgrep invocation costs, part by part, on the real corpora (issue 23).

    python bench/semgrep_costs.py [--shared ../shared] [--sets calib,msb-train] [--repeat 3]

The JS/TS and package.json files the semgrep engine would read in `--sets` are chosen as the engine
chooses them (`SemgrepAnalyzer.targets`, then the rule pre-filter `needed`), and semgrep is run on them
as the engine runs it (`SemgrepAnalyzer.run_batch`: same command, flags and per-batch rules file), in
four settings, each timed as the CPU of the semgrep process tree (user + system, from the kernel's
accounting of waited-for children, so a busy machine changes it far less than wall time) and wall:

- start-up: one empty file, one rule that cannot match — the process, the native engine, the CLI;
- rule parse: the same empty file with every rule of `rules/semgrep/` (no pre-filter);
- the batch: every needed file in one process, each rule on the files it can match;
- per file: (the batch − rule parse) / files — parsing and matching one file.

It also prints how many of the chosen files the pre-filter left out (never written, never parsed), the
bytes semgrep reads, and how many files each rule reads. Medians of `--repeat` runs; nothing contacts the network."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from skillscan.analyzers.semgrep import SemgrepAnalyzer  # noqa: E402
from skillscan.analyzers.semgrep_output import Target  # noqa: E402
from skillscan.loaders.discover import iter_inputs  # noqa: E402
from skillscan.loaders.files import Limits  # noqa: E402
from skillscan.model import PackageFile  # noqa: E402

from benchlib import corpus_inputs, timed_children  # noqa: E402

NOTHING = {"rules": [{"id": "bench-nothing", "languages": ["js"], "severity": "INFO", "message": "x",
                      "pattern": "bench_never_called_0123456789()"}]}


def empty_target() -> Target:
    f = PackageFile(path="empty.js", data=b"", size=0, language="javascript", is_binary=False, text="")
    return Target(0, f, "f0.js", b"")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--sets", default="calib,msb-train")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    analyzer = SemgrepAnalyzer(jobs=1)
    packages = list(iter_inputs(corpus_inputs(args.shared, args.sets.split(",")), Limits()))
    targets, skipped = analyzer.targets(packages)
    needed = analyzer.needed(targets)
    chosen = [t for t in targets if t.name in needed]
    rules = analyzer.rule_set()
    assert rules is not None
    all_rules = {"rules": [rule for _, rule, _ in rules.rules]}
    rows: dict[str, list[tuple[float, float]]] = {"start-up": [], "rule parse": [], "batch": []}
    with tempfile.TemporaryDirectory(prefix="skillscan-semgrep-costs-") as tmp:
        work = Path(tmp)
        os.chmod(work, 0o700)
        nothing, every = work / "nothing.json", work / "every.json"
        nothing.write_text(json.dumps(NOTHING), encoding="utf-8")
        every.write_text(json.dumps(all_rules, default=str), encoding="utf-8")
        for _ in range(args.repeat):
            rows["start-up"].append(timed_children(lambda: SemgrepAnalyzer(jobs=1, rules=nothing).run_batch(
                [empty_target()], work, 1)))
            rows["rule parse"].append(timed_children(lambda: SemgrepAnalyzer(jobs=1, rules=every).run_batch(
                [empty_target()], work, 1)))
            rows["batch"].append(timed_children(lambda: analyzer.run_batch(chosen, work, 1, needed)))
    med = {k: (statistics.median(c for c, _ in v), statistics.median(w for _, w in v)) for k, v in rows.items()}
    per_file = ((med["batch"][0] - med["rule parse"][0]) / max(1, len(chosen)),
                (med["batch"][1] - med["rule parse"][1]) / max(1, len(chosen)))
    nbytes = sum(len(t.data) for t in chosen)
    print(f"sets {args.sets}: {len(packages)} packages; {len(targets)} files semgrep could read "
          f"({len(skipped)} too big), {len(chosen)} needed by a rule ({len(targets) - len(chosen)} left out by the "
          f"pre-filter), {nbytes / 1e6:.2f} MB; {len(all_rules['rules'])} rules\n")
    print(f"| part (median of {args.repeat}) | CPU of the semgrep tree | wall |")
    print("|---|---:|---:|")
    print(f"| start-up (one empty file, one rule) | {med['start-up'][0]:.2f} s | {med['start-up'][1]:.2f} s |")
    print(f"| + every rule parsed (one empty file) | {med['rule parse'][0]:.2f} s | {med['rule parse'][1]:.2f} s |")
    print(f"| one batch of the {len(chosen)} needed files | {med['batch'][0]:.2f} s | {med['batch'][1]:.2f} s |")
    print(f"| per file: (batch − rule parse) / files | {per_file[0] * 1000:.1f} ms | {per_file[1] * 1000:.1f} ms |")
    counts = {rid: sum(rid in ids for ids in needed.values()) for rid, _, _ in rules.rules}
    print("\nfiles each rule reads (of the needed ones): " + ", ".join(
        f"{rid} {n}" for rid, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))))
    return 0


if __name__ == "__main__":
    sys.exit(main())

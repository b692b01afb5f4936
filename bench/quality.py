"""Detection quality of the real CLI against labelled packages.

Runs `skillscan scan --format json --fail-on never --no-cache --no-config` — one process per input
set, every input of the set at once — over the sets named by `--sets` (default all four; see
bench/qualitysets.py for their manifests): `dev`, `calib` (benign), `msb-train` (malicious) under
`<shared>/corpus/` (`<shared>` is the `shared` directory beside the repository; `--shared`
overrides it) and `fixtures`.

An input's verdict is the worst verdict of the packages found under it; its *first reason* is the
first reason of that package and its *first rule* the rule the reason comes from (bench/reasons.py).
Per set it prints the share at review or block and at block by source, format, kind, theme and tag,
publisher (calib) and attack category (malicious inputs), the counts of benign flags by first rule,
and writes the text into docs/benchmarks.md between `<!-- quality:start -->` and
`<!-- quality:end -->` (other sections are left alone). `--list` also prints every benign input at
block or review with its first rule and reason, and every malicious input at allow. `--json FILE`
writes every input's outcome (compare two runs with bench/quality_diff.py); `--save-reports DIR`
keeps each set's raw JSON report as `DIR/<set>.json` (bench/truth.py --reports and this script's
`--reports` read them back instead of scanning again).

    python bench/quality.py [--sets dev,calib,msb-train,fixtures] [--shared ../shared] [--jobs N]
                            [--list] [--json FILE] [--save-reports DIR | --reports DIR] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import REPO, machine, now, skillscan_version, write_block
from qualitysets import SETS, Sample, fixture_samples, label_from_name, load_sets
from reasons import reason_rule

RANK = {"allow": 0, "review": 1, "block": 2, "error": 3}
Report = dict[str, object]


@dataclass(frozen=True)
class Outcome:
    sample: Sample
    verdict: str
    format: str
    rules: tuple[str, ...]
    first_reason: str = ""
    first_rule: str = ""

    def record(self) -> dict[str, object]:
        """The line of `--json`: enough to compare two runs input by input."""
        return {"id": self.sample.ident, "label": self.sample.label, "set": self.sample.set,
                "verdict": self.verdict, "first_reason": self.first_reason, "first_rule": self.first_rule,
                "rules": list(self.rules), "format": self.format}


def run_cli(samples: list[Sample], jobs: int) -> tuple[Report, float]:
    """One real CLI process over every input of a set; the parsed JSON report and the seconds it took."""
    cmd = [sys.executable, "-m", "skillscan", "scan", "--format", "json", "--fail-on", "never", "--no-config",
           "--quiet", "--min-severity", "info", "--no-cache"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    started = time.perf_counter()
    proc = subprocess.run(cmd + [str(s.path) for s in samples], check=False, capture_output=True, text=True, cwd=REPO)
    seconds = time.perf_counter() - started
    if proc.returncode != 0 or not proc.stdout.strip():
        sys.exit(f"skillscan exited {proc.returncode} without a report: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout), seconds


def by_input(doc: Report) -> dict[str, list[dict[str, object]]]:
    grouped: dict[str, list[dict[str, object]]] = defaultdict(list)
    for pkg in doc["packages"]:  # type: ignore[union-attr]
        given = Path(str(pkg["input"]))
        grouped[str(given if given.is_absolute() else (REPO / given).resolve())].append(pkg)
    return grouped


def outcomes(samples: list[Sample], grouped: dict[str, list[dict[str, object]]]) -> list[Outcome]:
    out = []
    for s in samples:
        pkgs = grouped.get(str(s.path), [])
        if not pkgs:
            out.append(Outcome(s, "error", s.format or "unknown", (), "no report for this input", "(error)"))
            continue
        worst = max(pkgs, key=lambda p: RANK[str(p["verdict"])])
        rules = tuple(sorted({str(f["rule_id"]) for p in pkgs for f in p["findings"]  # type: ignore[union-attr]
                              if f["severity"] != "info"}))  # type: ignore[index]
        reasons = list(worst.get("reasons") or []) or list(worst.get("errors") or [])  # type: ignore[call-overload]
        first = str(reasons[0]) if reasons and worst["verdict"] != "allow" else ""
        out.append(Outcome(s, str(worst["verdict"]), s.format or str(worst["format"]), rules, first,
                           reason_rule(first) if first else ""))
    return out


def pct(num: int, den: int) -> str:
    return f"{num}/{den} ({100 * num / den:.0f}%)" if den else "–"


def flagged(group: Iterable[Outcome]) -> int:
    return sum(1 for o in group if o.verdict in ("review", "block"))


def blocked(group: Iterable[Outcome]) -> int:
    return sum(1 for o in group if o.verdict == "block")


def row(name: str, group: Iterable[Outcome]) -> str:
    group = list(group)
    mal = [o for o in group if o.sample.label == "malicious"]
    ben = [o for o in group if o.sample.label == "benign"]
    over = [o for o in group if o.sample.label == "overprivileged"]
    errors = sum(1 for o in group if o.verdict == "error")
    return (f"| {name} | {len(mal)} | {pct(flagged(mal), len(mal))} | {pct(blocked(mal), len(mal))} | {len(ben)} "
            f"| {pct(blocked(ben), len(ben))} | {pct(flagged(ben), len(ben))} "
            f"| {pct(flagged(over), len(over)) if over else '–'} | {errors} |")


HEAD = ("| {what} | malicious | recall (review or block) | block recall | benign | false blocks | benign flagged "
        "| overprivileged flagged | errors |\n|---|---|---|---|---|---|---|---|---|")
SHORT_HEAD = "| {what} | inputs | review or block | block | errors |\n|---|---|---|---|---|"


def table(what: str, groups: dict[str, list[Outcome]]) -> str:
    return "\n".join([HEAD.format(what=what)] + [row(name, groups[name]) for name in sorted(groups)])


def short_table(what: str, groups: dict[str, list[Outcome]]) -> str:
    """One label: inputs, share at review or block, share at block (worst review-or-block share first)."""
    lines = [SHORT_HEAD.format(what=what)]
    order = sorted(groups, key=lambda k: (-flagged(groups[k]) / len(groups[k]), k))
    for name in order:
        g = groups[name]
        lines.append(f"| {name} | {len(g)} | {pct(flagged(g), len(g))} | {pct(blocked(g), len(g))} "
                     f"| {sum(1 for o in g if o.verdict == 'error')} |")
    return "\n".join(lines)


def group(results: Iterable[Outcome], key: Callable[[Outcome], Iterable[str]]) -> dict[str, list[Outcome]]:
    out: dict[str, list[Outcome]] = defaultdict(list)
    for o in results:
        for k in key(o):
            out[k or "(none)"].append(o)
    return dict(out)


BREAKDOWNS: tuple[tuple[str, Callable[[Outcome], Iterable[str]]], ...] = (
    ("source", lambda o: [o.sample.source]),
    ("format", lambda o: [o.format]),
    ("kind", lambda o: [o.sample.kind] if o.sample.kind else []),
    ("primary theme", lambda o: [o.sample.theme] if o.sample.theme else []),
    ("theme tag", lambda o: list(o.sample.tags) if o.sample.label != "malicious" else []),
    ("publisher", lambda o: [o.sample.publisher] if o.sample.set == "calib" else []),
    ("attack/threat category", lambda o: (list(o.sample.threats) or ["(uncategorised)"])
     if o.sample.label == "malicious" else []),
)


def first_rule_table(results: list[Outcome]) -> str:
    """Benign inputs at block or review, counted by the rule of their first reason."""
    flags = [o for o in results if o.sample.label == "benign" and o.verdict in ("review", "block")]
    if not flags:
        return ""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for o in flags:
        counts[o.first_rule or "(none)"][o.verdict] += 1
    lines = ["| first rule of benign flags (gate ← evidence) | block | review |", "|---|---|---|"]
    for name in sorted(counts, key=lambda k: (-counts[k]["block"] - counts[k]["review"], k)):
        lines.append(f"| {name} | {counts[name]['block']} | {counts[name]['review']} |")
    return "\n".join(lines)


def set_section(name: str, results: list[Outcome], seconds: float) -> list[str]:
    verdicts = Counter(o.verdict for o in results)
    parts = ["", f"### {name}", "",
             f"{len(results)} inputs, one CLI process, {seconds:.0f} s. Verdicts: "
             + ", ".join(f"{k} {verdicts[k]}" for k in ("allow", "review", "block", "error")) + "."]
    for label in ("benign", "malicious", "overprivileged"):
        mine = [o for o in results if o.sample.label == label]
        if not mine:
            continue
        for what, key in BREAKDOWNS:
            groups = group(mine, key)
            if not groups or len(groups) < 2 and what not in ("source", "attack/threat category"):
                continue
            if len(groups) > 15 and label != "malicious":
                parts += ["", f"{label}, by {what} (those with a flagged input; "
                          f"{sum(1 for g in groups.values() if not flagged(g))} more with none flagged):", "",
                          short_table(what, {k: g for k, g in groups.items() if flagged(g)})]
                continue
            parts += ["", f"{label}, by {what}:", "", short_table(what, groups)]
    rules = first_rule_table(results)
    if rules:
        parts += ["", "Benign flags by the rule of the first reason (`--list` names each input):", "", rules]
    return parts


def report(per_set: dict[str, list[Outcome]], seconds: dict[str, float], unlabelled: list[str], command: str) -> str:
    everything = [o for results in per_set.values() for o in results]
    parts = [
        "## Detection quality (`bench/quality.py`)",
        "",
        f"Command: `{command}` — {now()}, {skillscan_version()}, on {machine()}. "
        f"{len(everything)} labelled inputs, one CLI process per set "
        f"({', '.join(f'{k} {seconds[k]:.0f} s' for k in per_set)}).",
        "",
        "*Review or block* and *block* are shares of a group's inputs: recall for malicious inputs, false "
        "flags and false blocks for benign ones. An input's verdict is the worst of its packages. "
        "Groups are sorted by their review-or-block share. `--list` names every benign input at block or "
        "review with its first rule and reason, and every missed malicious input; to compare two runs, "
        "write `--json before.json` and `--json after.json` and run "
        "`python bench/quality_diff.py before.json after.json` (exit 1 if a blocked malicious input drops).",
        "",
        "### By input set", "", table("set", {k: v for k, v in per_set.items()}),
    ]
    for name, results in per_set.items():
        parts += set_section(name, results, seconds[name])
    if unlabelled:
        parts += ["", f"Unlabelled fixtures (not counted): {', '.join(sorted(unlabelled))}."]
    return "\n".join(parts) + "\n"


def listing(results: list[Outcome]) -> str:
    lines = ["", "Benign inputs blocked or at review (first rule — first reason):"]
    for verdict in ("block", "review"):
        lines += [f"  [{o.sample.set}] {o.sample.ident}: {verdict} {o.first_rule} — {o.first_reason}"
                  for o in results if o.sample.label == "benign" and o.verdict == verdict]
    lines += ["", "Malicious inputs missed (allow):"]
    lines += [f"  [{o.sample.set}] {o.sample.ident} ({o.sample.source}) [{','.join(o.sample.threats)}]"
              for o in results if o.sample.label == "malicious" and o.verdict == "allow"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sets", default=",".join(SETS), help=f"comma-separated, of {', '.join(SETS)}")
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared", help="the shared directory (corpus/…)")
    ap.add_argument("--fixtures", type=Path, default=REPO / "fixtures")
    ap.add_argument("--jobs", type=int, default=0)
    ap.add_argument("--list", action="store_true", help="also list flagged benign and missed malicious inputs")
    ap.add_argument("--json", type=Path, help="write every input's outcome to this file")
    ap.add_argument("--save-reports", type=Path, help="keep each set's raw JSON report as DIR/<set>.json")
    ap.add_argument("--reports", type=Path, help="read the reports --save-reports kept instead of running the CLI")
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = ap.parse_args(argv)

    names = tuple(s.strip() for s in args.sets.split(",") if s.strip())
    try:
        sets, unlabelled = load_sets(names, args.shared.resolve(), args.fixtures.resolve())
    except ValueError as exc:
        sys.exit(str(exc))
    if not sets:
        sys.exit("no labelled inputs found (check --sets, --shared and --fixtures)")
    per_set: dict[str, list[Outcome]] = {}
    seconds: dict[str, float] = {}
    for name, samples in sets.items():
        if args.reports:
            doc = json.loads((args.reports / f"{name}.json").read_text(encoding="utf-8"))
            seconds[name] = float(doc.get("summary", {}).get("seconds") or 0.0)  # type: ignore[union-attr]
        else:
            doc, seconds[name] = run_cli(samples, args.jobs)
        if args.save_reports:
            args.save_reports.mkdir(parents=True, exist_ok=True)
            (args.save_reports / f"{name}.json").write_text(json.dumps(doc), encoding="utf-8")
        per_set[name] = outcomes(samples, by_input(doc))
    command = "python bench/quality.py" + (f" --sets {args.sets}" if args.sets != ",".join(SETS) else "") \
        + (f" --jobs {args.jobs}" if args.jobs else "")
    text = report(per_set, seconds, unlabelled, command)
    sys.stdout.write(text)
    everything = [o for results in per_set.values() for o in results]
    if args.list:
        sys.stdout.write(listing(everything))
    if args.json:
        args.json.write_text(json.dumps([o.record() for o in everything], indent=1) + "\n", encoding="utf-8")
    if not args.no_write:
        write_block("quality", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["Outcome", "Sample", "fixture_samples", "label_from_name", "row"]

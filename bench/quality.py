"""Detection quality of the real CLI against labelled packages.

Runs `skillscan scan --format json --fail-on never` (one process, every input at once) over

* the dev corpus, `<shared>/corpus/dev/<label>/<id>` with labels, sources, formats and threat
  categories from `MANIFEST.tsv` (`<shared>` is the `shared` directory beside the repository;
  `--shared` overrides it), and
* `fixtures/`: every entry is one labelled input. Labels come from `fixtures/LABELS.tsv`
  (fixture, label, threat categories) or else from the name — the first of `benign`,
  `malicious`, `overprivileged` among its dash-separated words (`core-malicious-key-exfil`).
  Unlabelled fixtures are counted and listed, never guessed.

An input's verdict is the worst verdict of the packages found under it. It prints, per source,
format and threat category: recall (malicious inputs reaching review or block), block recall,
false blocks (benign inputs blocked) and benign flagged (benign inputs at review or block), and
writes the tables into docs/benchmarks.md between `<!-- quality:start -->` and
`<!-- quality:end -->` (other sections of that file are left alone).

    python bench/quality.py [--shared ../shared] [--fixtures fixtures] [--jobs N] [--list] [--no-write]
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import REPO, machine, now, skillscan_version, write_block  # noqa: E402

RANK = {"allow": 0, "review": 1, "block": 2, "error": 3}
LABELS = ("benign", "malicious", "overprivileged")


@dataclass(frozen=True)
class Sample:
    path: Path
    label: str  # benign | malicious | overprivileged
    source: str
    format: str  # expected format ("" = take the scanner's)
    threats: tuple[str, ...]
    ident: str


@dataclass(frozen=True)
class Outcome:
    sample: Sample
    verdict: str
    format: str
    rules: tuple[str, ...]


def corpus_samples(shared: Path) -> list[Sample]:
    dev = shared / "corpus" / "dev"
    manifest = dev / "MANIFEST.tsv"
    if not manifest.is_file():
        return []
    out = []
    with manifest.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            path = dev / row["label"] / row["id"]
            if not path.exists():
                continue
            threats = tuple(t for t in (row.get("threat_categories") or "").split(",") if t.strip())
            out.append(Sample(path, row["label"], row["source_repo"], row.get("format") or "", threats, row["id"]))
    return out


def fixture_labels(fixtures: Path) -> dict[str, tuple[str, tuple[str, ...]]]:
    table = fixtures / "LABELS.tsv"
    labels: dict[str, tuple[str, tuple[str, ...]]] = {}
    if table.is_file():
        lines = [ln for ln in table.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
        for row in csv.DictReader(lines, delimiter="\t"):
            threats = tuple(t.strip() for t in (row.get("threat_categories") or "").split(",") if t.strip())
            labels[row["fixture"]] = (row["label"].strip(), threats)
    return labels


def label_from_name(name: str) -> str | None:
    for word in name.split("."):  # "malicious-x.zip" → look at the stem too
        for token in word.split("-"):
            if token in LABELS:
                return token
    return None


def fixture_samples(fixtures: Path) -> tuple[list[Sample], list[str]]:
    if not fixtures.is_dir():
        return [], []
    labels = fixture_labels(fixtures)
    out, unlabelled = [], []
    for entry in sorted(fixtures.iterdir()):
        if entry.name.startswith((".", "_")) or entry.name in ("LABELS.tsv", "README.md"):
            continue
        label, threats = labels.get(entry.name, (label_from_name(entry.name) or "", ()))
        if label not in LABELS:
            unlabelled.append(entry.name)
            continue
        out.append(Sample(entry, label, "fixtures", "", threats, entry.name))
    return out, unlabelled


def run_cli(samples: list[Sample], jobs: int) -> tuple[dict[str, list[dict[str, object]]], float]:
    """One real CLI process over every input; packages grouped by the input they came from."""
    args = [str(s.path) for s in samples]
    cmd = [sys.executable, "-m", "skillscan", "scan", "--format", "json", "--fail-on", "never", "--no-config",
           "--quiet", "--min-severity", "info", "--no-cache"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    started = time.perf_counter()
    proc = subprocess.run(cmd + args, capture_output=True, text=True, cwd=REPO)
    seconds = time.perf_counter() - started
    if proc.returncode != 0 or not proc.stdout.strip():
        sys.exit(f"skillscan exited {proc.returncode} without a report: {proc.stderr[-2000:]}")
    doc = json.loads(proc.stdout)
    by_input: dict[str, list[dict[str, object]]] = defaultdict(list)
    for pkg in doc["packages"]:
        by_input[str(pkg["input"])].append(pkg)
    return by_input, seconds


def outcomes(samples: list[Sample], by_input: dict[str, list[dict[str, object]]]) -> list[Outcome]:
    out = []
    for s in samples:
        pkgs = by_input.get(str(s.path), [])
        if not pkgs:
            out.append(Outcome(s, "error", s.format or "unknown", ()))
            continue
        worst = max(pkgs, key=lambda p: RANK[str(p["verdict"])])
        rules = tuple(sorted({str(f["rule_id"]) for p in pkgs for f in p["findings"]  # type: ignore[union-attr]
                              if f["severity"] != "info"}))  # type: ignore[index]
        out.append(Outcome(s, str(worst["verdict"]), s.format or str(worst["format"]), rules))
    return out


def pct(num: int, den: int) -> str:
    return f"{num}/{den} ({100 * num / den:.0f}%)" if den else "–"


def row(name: str, group: Iterable[Outcome]) -> str:
    group = list(group)
    mal = [o for o in group if o.sample.label == "malicious"]
    ben = [o for o in group if o.sample.label == "benign"]
    over = [o for o in group if o.sample.label == "overprivileged"]
    flagged = lambda os_: sum(1 for o in os_ if o.verdict in ("review", "block"))  # noqa: E731
    blocked = lambda os_: sum(1 for o in os_ if o.verdict == "block")  # noqa: E731
    errors = sum(1 for o in group if o.verdict == "error")
    return (f"| {name} | {len(mal)} | {pct(flagged(mal), len(mal))} | {pct(blocked(mal), len(mal))} | {len(ben)} "
            f"| {pct(blocked(ben), len(ben))} | {pct(flagged(ben), len(ben))} "
            f"| {pct(flagged(over), len(over)) if over else '–'} | {errors} |")


HEAD = ("| {what} | malicious | recall (review or block) | block recall | benign | false blocks | benign flagged "
        "| overprivileged flagged | errors |\n|---|---|---|---|---|---|---|---|---|")


def table(what: str, groups: dict[str, list[Outcome]]) -> str:
    lines = [HEAD.format(what=what)]
    for name in sorted(groups):
        lines.append(row(name, groups[name]))
    return "\n".join(lines)


def report(results: list[Outcome], unlabelled: list[str], seconds: float, command: str) -> str:
    by_set: dict[str, list[Outcome]] = defaultdict(list)
    by_source: dict[str, list[Outcome]] = defaultdict(list)
    by_format: dict[str, list[Outcome]] = defaultdict(list)
    by_threat: dict[str, list[Outcome]] = defaultdict(list)
    for o in results:
        by_set["fixtures" if o.sample.source == "fixtures" else "corpus/dev"].append(o)
        by_set["all"].append(o)
        by_source[o.sample.source].append(o)
        by_format[o.format].append(o)
        for t in o.sample.threats or (() if o.sample.label != "malicious" else ("(uncategorised)",)):
            by_threat[t].append(o)
    verdicts = defaultdict(int)
    for o in results:
        verdicts[o.verdict] += 1
    parts = [
        "## Detection quality (`bench/quality.py`)",
        "",
        f"Command: `{command}` — {now()}, {skillscan_version()}, on {machine()}. One CLI process over "
        f"{len(results)} labelled inputs took {seconds:.1f} s. Verdicts: "
        + ", ".join(f"{k} {verdicts[k]}" for k in ("allow", "review", "block", "error")) + ".",
        "",
        "Recall counts malicious inputs at `review` or `block`; *false blocks* and *benign flagged* are "
        "benign inputs at `block`, and at `review` or `block`. An input's verdict is the worst of its packages.",
        "",
        "### By input set", "", table("set", by_set),
        "", "### By source", "", table("source", by_source),
        "", "### By format", "", table("format", by_format),
        "", "### By threat category (malicious inputs; one input counts in each of its categories)", "",
        table("threat", by_threat),
    ]
    if unlabelled:
        parts += ["", f"Unlabelled fixtures (not counted): {', '.join(sorted(unlabelled))}."]
    return "\n".join(parts) + "\n"


def listing(results: list[Outcome]) -> str:
    lines = ["", "Malicious inputs missed (allow):"]
    lines += [f"  {o.sample.ident} [{','.join(o.sample.threats)}]" for o in results
              if o.sample.label == "malicious" and o.verdict == "allow"]
    lines += ["", "Benign inputs flagged:"]
    lines += [f"  {o.sample.ident}: {o.verdict} {', '.join(o.rules)}" for o in results
              if o.sample.label == "benign" and o.verdict in ("review", "block")]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared", help="the shared directory (corpus/dev)")
    ap.add_argument("--fixtures", type=Path, default=REPO / "fixtures")
    ap.add_argument("--jobs", type=int, default=0)
    ap.add_argument("--list", action="store_true", help="also list missed malicious and flagged benign inputs")
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = ap.parse_args(argv)

    samples = corpus_samples(args.shared.resolve())
    fixtures, unlabelled = fixture_samples(args.fixtures.resolve())
    samples += fixtures
    if not samples:
        sys.exit("no labelled inputs found (check --shared and --fixtures)")
    by_input, seconds = run_cli(samples, args.jobs)
    results = outcomes(samples, by_input)
    text = report(results, unlabelled, seconds, "python bench/quality.py" + (f" --jobs {args.jobs}" if args.jobs else ""))
    sys.stdout.write(text)
    if args.list:
        sys.stdout.write(listing(results))
    if not args.no_write:
        write_block("quality", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

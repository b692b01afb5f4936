"""The truth checker of issue 14 over fixtures/ and the corpora: every host, path, environment
variable and program a finding names occurs on the cited line or in the value followed to it, and a
"whole environment" claim is made only where the whole environment is read (bench/truthcheck.py
says exactly what is checked, bench/truthnames.py what is taken as named).

    python bench/truth.py [--sets fixtures,dev,calib,msb-train] [--reports DIR] [--examples N]
                          [--kind KIND] [--rule RULE] [--write]

One real CLI process per set (`scan --format json --fail-on never --no-cache --no-config`), or the
reports `bench/quality.py --save-reports DIR` kept (`--reports DIR`, reading `DIR/<set>.json`).
Prints the violations grouped by rule and kind with counts and examples; `--write` records the
counts in docs/benchmarks.md between `<!-- truth:start -->` and `<!-- truth:end -->`.
Exit status 1 when there is a violation (for a CI gate once the issue-14 fixes land), else 0.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import REPO, now, skillscan_version, write_block
from qualitysets import load_sets
from truthcheck import Stats, Violation, check_package, check_report

SETS = ("fixtures", "dev", "calib", "msb-train")

__all__ = ["Violation", "check_package", "check_report", "main"]


def grouped(violations: list[Violation], examples: int) -> str:
    by_rule: dict[str, list[Violation]] = defaultdict(list)
    for v in violations:
        by_rule[v.rule_id].append(v)
    lines = []
    for rule in sorted(by_rule, key=lambda r: (-len(by_rule[r]), r)):
        vs = by_rule[rule]
        kinds = Counter(v.kind for v in vs)
        lines.append(f"{rule}: {len(vs)} ({', '.join(f'{k} {n}' for k, n in kinds.most_common())})")
        for v in vs[:examples]:
            named = f" {v.kind} {v.value!r} not on the line:" if v.kind != "same-location" else ""
            lines.append(f"    {v.package}/{v.path}:{v.line}{named} {v.message[:160]}")
    return "\n".join(lines)


def table(per_set: dict[str, list[Violation]], stats: dict[str, Stats]) -> str:
    rules = sorted({v.rule_id for vs in per_set.values() for v in vs})
    head = "| rule | " + " | ".join(per_set) + " | kinds (all sets) |"
    lines = [head, "|" + "---|" * (len(per_set) + 2)]
    everything = [v for vs in per_set.values() for v in vs]
    total = Counter(v.rule_id for v in everything)
    for rule in sorted(rules, key=lambda r: (-total[r], r)):
        kinds = Counter(v.kind for v in everything if v.rule_id == rule)
        cells = [str(sum(1 for v in per_set[s] if v.rule_id == rule)) for s in per_set]
        lines.append(f"| {rule} | " + " | ".join(cells) + " | " + ", ".join(f"{k} {n}" for k, n in kinds.most_common())
                     + " |")
    lines.append("| **all rules** | " + " | ".join(str(len(per_set[s])) for s in per_set) + " | |")
    lines.append("| findings checked / all | " + " | ".join(f"{stats[s].checked} / {stats[s].findings}"
                                                       for s in per_set) + " | |")
    return "\n".join(lines)


def section(per_set: dict[str, list[Violation]], stats: dict[str, Stats], command: str) -> str:
    return "\n".join([
        "## Truth of reasons (`bench/truth.py`, issue 14)", "",
        f"Command: `{command}` — {now()}, {skillscan_version()}.", "",
        "A violation is a finding whose message names a host, path, environment variable or program that is "
        "not where the analysis says it is. Every finding is checked, info-level capability evidence included "
        "(the reports are made with `--min-severity info`). A data-flow finding carries its facts and, for each "
        "thing it names, its carrier (`flow.carriers` in the JSON report: the variable, constant, property or "
        "import that carried the thing to the cited line, and the file and line where the thing is written — "
        "another file of the package for an imported constant); the flow's host, variables and files are "
        "checked against their carriers: the value (a path piece by piece, with the definitions it composes) and"
        " the carrying name are on the carrier's statement, and the carrier reaches the cited line (the name is "
        "used in the cited statement or the values followed to it; without a name, the carrier's line is among "
        "them). Python, shell and JavaScript flows all name their carrier: for a credential variable, the "
        "variable assigned at its read (`token = os.environ.get(\"DO_API_TOKEN\")` … `headers=headers` is "
        "carried by `token`; no name when it is read in the sink's own call). A flow fact named without a "
        "carrier is `uncarried`. Every other named thing must be on the cited line or in the values followed to"
        " it (the statement; same-file definitions of the names it uses — `NAME =`, `$NAME =`, `as NAME` — five"
        " steps deep, a one-letter name only near a line using it, and nearby lines using the same names or "
        "files; the statement as those definitions compose it, `${1:-default}` by its default; the host file "
        "around a Markdown fence; decoded values; a combination's other legs; the finding's related locations, "
        "such as the module of the package that writes an imported host). Also violations: a whole-environment "
        "claim where only named variables are read (`whole-environment`), and several findings of one rule at "
        "one location (`same-location`). The classes of false facts this check found and that were fixed, each "
        "tested both ways: flows that overreached (a named variable reported as the whole environment), "
        "self-installs called tampering, placeholders read as redirects, a URL taken from inside `-d` data; a "
        "PowerShell expression statement (`$vm.OSProfile`, `$x = [ZipFile]::OpenRead(p)`) read as a program or "
        "as code fetched and run (an expression runs nothing; fetched or decoded text runs only where `iex` or "
        "`&` is given it, through a variable or the pipeline), PowerShell variables read as environment "
        "variables (only `$env:NAME` is), an unquoted Windows path in a shell text read as a dot-file "
        "(`.\\SharpHound.exe`), a URL read as a program, the lines of an SMTP/FTP/POP3/IMAP/HTTP session or an "
        "interpreter session (`>>>`) in a fence read as shell (they are typed into the session; the shell lines "
        "around them are still read), an unlabelled PowerShell fence read as bash, and a JavaScript network "
        "request to an imported constant reported as a host computed at run time beside the flow that names "
        "it. tests/test_truth.py runs the check over the rules' samples, fixtures/ and the corpora and fails on"
        " any violation not listed in tests/truth_known.tsv (empty). Counts per rule and set:", "",
        table(per_set, stats), ""])


def main(argv: list[str] | None = None) -> int:
    from quality import run_cli

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--fixtures", type=Path, default=REPO / "fixtures")
    ap.add_argument("--reports", type=Path, help="read DIR/<set>.json instead of running the CLI")
    ap.add_argument("--jobs", type=int, default=0)
    ap.add_argument("--examples", type=int, default=3, help="examples printed per rule")
    ap.add_argument("--kind", help="only violations of this kind (host, path, variable, program, uncarried, whole-environment, "
                                   "same-location)")
    ap.add_argument("--rule", help="only violations of this rule")
    ap.add_argument("--write", action="store_true", help="record the counts in docs/benchmarks.md")
    args = ap.parse_args(argv)

    names = tuple(s.strip() for s in args.sets.split(",") if s.strip())
    sets, _ = load_sets(names, args.shared.resolve(), args.fixtures.resolve())
    per_set: dict[str, list[Violation]] = {}
    stats: dict[str, Stats] = {}
    for name, samples in sets.items():
        if args.reports:
            doc = json.loads((args.reports / f"{name}.json").read_text(encoding="utf-8"))
        else:
            doc, _ = run_cli(samples, args.jobs)
        stats[name] = Stats()
        vs = check_report(doc, REPO, stats[name])
        per_set[name] = [v for v in vs if (not args.kind or v.kind == args.kind) and (not args.rule or v.rule_id == args.rule)]
        print(f"== {name}: {len(per_set[name])} violations in {stats[name].checked} checked findings "
              f"(of {stats[name].findings}; unchecked: {dict(stats[name].unchecked) or 0}; named flow facts checked "
              f"against their carriers: {stats[name].carried})")
        print(grouped(per_set[name], args.examples))
    command = "python bench/truth.py" + (f" --sets {args.sets}" if args.sets != ",".join(SETS) else "")
    text = section(per_set, stats, command)
    print()
    print(text)
    if args.write and not args.kind and not args.rule:
        write_block("truth", text)
    return 1 if any(per_set.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())

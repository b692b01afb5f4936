"""The format mix the scanner reports for a corpus: runs `skillscan scan --format json` on every package
directory under the corpus (e.g. ../shared/corpus/dev/{benign,malicious}/*) and counts `format` per label.

    python bench/formats.py ../shared/corpus/dev            # Markdown table on stdout
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--jobs", default="0")
    args = parser.parse_args()
    inputs = sorted(str(p) for label in ("benign", "malicious") for p in (args.corpus / label).glob("*") if p.is_dir())
    proc = subprocess.run([sys.executable, "-m", "skillscan", "scan", "--format", "json", "--no-config",
                           "--fail-on", "never", "--jobs", args.jobs, *inputs], capture_output=True, text=True)
    report = json.loads(proc.stdout)
    counts: Counter[tuple[str, str]] = Counter()
    per_input: dict[str, list[str]] = {}
    for pkg in report["packages"]:
        label = Path(pkg["input"]).parent.name
        counts[(label, pkg["format"])] += 1
        per_input.setdefault(pkg["input"], []).append(pkg["format"])
    formats = sorted({f for _label, f in counts})
    print(f"{len(inputs)} inputs, {len(report['packages'])} packages\n")
    print("| format | benign | malicious | total |")
    print("|---|---:|---:|---:|")
    for fmt in formats:
        b, m = counts[("benign", fmt)], counts[("malicious", fmt)]
        print(f"| {fmt} | {b} | {m} | {b + m} |")
    multi = {k: v for k, v in per_input.items() if len(v) > 1}
    if multi:
        print(f"\n{len(multi)} inputs hold more than one package:")
        for k, v in sorted(multi.items()):
            mix = Counter(v)
            print(f"- `{Path(k).name}`: " + ", ".join(f"{n} × {fmt}" for fmt, n in sorted(mix.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""CPU per MB of the instructions engine on one large generated Markdown file, below and above the size the
Markdown parser reads (`document.MAX_MARKDOWN_CHARS`; above it the file is cut into paragraphs line by line),
with and without blank lines (a file without any is one paragraph). Issue 23: is the large-file path
costlier per character than the parsed one?

    python bench/large_markdown.py [--sizes 1000000,2100000] [--seed 0]

The text is generated (plain English sentences, one per line), so it finds nothing; what is timed is the
engine's `analyze_file` on the file alone (`time.process_time`, one process, after the detector set is built).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WORDS = ("the", "agent", "reads", "files", "and", "writes", "a", "summary", "of", "the", "report", "for", "the", "user",
         "then", "runs", "tests", "and", "checks", "output")


def generate(chars: int, blank_every: int, rng: random.Random) -> str:
    lines: list[str] = []
    size = 0
    while size < chars:
        line = " ".join(rng.choice(WORDS) for _ in range(14)) + "."
        lines.append(line)
        size += len(line) + 1
        if blank_every and len(lines) % (blank_every + 1) == blank_every:
            lines.append("")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000000,2100000")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    from skillscan import lazyre_cache

    lazyre_cache.install()
    from skillscan.analyzers.instructions.analyzer import InstructionsAnalyzer
    from skillscan.analyzers.instructions.document import MAX_MARKDOWN_CHARS
    from skillscan.model import Package, PackageFile

    engine = InstructionsAnalyzer()
    engine.warm()
    print("| characters | parsed as Markdown | blank lines | CPU s | CPU s per MB |\n|---:|---|---|---:|---:|")
    for chars in (int(x) for x in args.sizes.split(",")):
        for blank_every in (0, 5):
            text = generate(chars, blank_every, random.Random(args.seed))
            f = PackageFile("SKILL.md", text.encode(), len(text), "markdown", False, text)
            package = Package("bench", "bench", "agent-skill", "bench", (f,))
            t0 = time.process_time()
            engine.analyze_file(package, f)
            cpu = time.process_time() - t0
            print(f"| {len(text):,} | {'yes' if len(text) <= MAX_MARKDOWN_CHARS else 'no'} | "
                  f"{f'every {blank_every} lines' if blank_every else 'none'} | {cpu:.2f} | {cpu / len(text) * 1e6:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

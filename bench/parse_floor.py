"""The parsers' floor on the real corpora: what parsing alone costs with the parsers skillscan uses, next to the
compiled parsers it could use instead (issue 23: what would meet "≥ 4× faster" needs these numbers).

    python bench/parse_floor.py [--shared ../shared] [--sets calib,msb-train] [--rounds 2]

Every `.py` file of the sets is parsed by libcst (`parse_module`, what the Python engine runs) and by CPython's
own `ast.parse` (C, no concrete syntax tree: no comments, no whitespace, no exact positions of every token);
every `.md` file is block-parsed by markdown-it-py with the options the instructions engine and the roles use
(`commonmark`, `html`, tables, inline rules off) and, when the package is installed, by markdown-it-pyrs (a
compiled port; not a dependency of skillscan: its row is left out when it is missing). CPU seconds
(`time.process_time`) of this one process, the best of `--rounds` rounds; the files are read before timing.
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import ast
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import REPO, machine, now


def _texts(shared: Path, sets: list[str], suffix: str) -> list[str]:
    out: list[str] = []
    for name in sets:
        for path in sorted((shared / "corpus" / name).rglob(f"*{suffix}")):
            if path.is_file():
                try:
                    out.append(path.read_text(encoding="utf-8"))
                except (OSError, UnicodeDecodeError):
                    continue
    return out


def _best(parse: Callable[[str], object], texts: list[str], rounds: int) -> tuple[float, int]:
    best, parsed = float("inf"), 0
    for _ in range(rounds):
        parsed = 0
        started = time.process_time()
        for text in texts:
            try:
                parse(text)
                parsed += 1
            except Exception:  # noqa: BLE001 — a file a parser refuses still cost its time
                continue
        best = min(best, time.process_time() - started)
    return best, parsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--sets", default="calib,msb-train")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    sets = args.sets.split(",")
    warnings.filterwarnings("ignore")  # SyntaxWarnings of the corpora's code
    import libcst
    from markdown_it import MarkdownIt

    python = _texts(args.shared, sets, ".py")
    markdown = _texts(args.shared, sets, ".md")
    md = MarkdownIt("commonmark", {"html": True}).enable("table").disable("inline")
    rows: list[tuple[str, str, list[str], Callable[[str], object]]] = [
        ("Python", "libcst `parse_module` (used)", python, libcst.parse_module),
        ("Python", "CPython `ast.parse`", python, ast.parse),
        ("Markdown", "markdown-it-py block parse (used)", markdown, md.parse),
    ]
    try:
        from markdown_it_pyrs import MarkdownIt as Compiled

        fast = Compiled("commonmark").enable("table")
        rows.append(("Markdown", "markdown-it-pyrs (compiled, not a dependency)", markdown, fast.tree))
    except ImportError:
        pass
    print(f"`python bench/parse_floor.py --sets {args.sets} --rounds {args.rounds}` — {now()}, {machine()}.\n")
    print("| files | parser | files | MB | parsed | CPU s (best) |")
    print("|---|---|---:|---:|---:|---:|")
    for kind, label, texts, parse in rows:
        cpu, parsed = _best(parse, texts, args.rounds)
        mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
        print(f"| {kind} | {label} | {len(texts)} | {mb:.1f} | {parsed} | {cpu:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

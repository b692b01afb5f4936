"""CPU of `skillscan.purpose.kinds.stated_kinds` over the stated purposes of real packages (issue 23).

    python bench/kinds_speed.py [--sets calib,msb-train] [--shared ../shared] [--rounds 3]

Each package of each set is loaded as a scan loads it and its stated purpose is read as the detectors read
it (`sabotage_grammar.stated_purpose_text`: name, manifest and frontmatter descriptions, up to 4,000
characters). Then `stated_kinds` reads every one of those texts, uncached (its memo is cleared before each
round), and the CPU seconds (`time.process_time`) of each round are printed with a digest of the answers,
so that runs on two trees can be paired (A B A B) and their answers compared."""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import REPO

sys.path.insert(0, str(REPO))


def purposes(shared: Path, sets: list[str]) -> list[str]:
    from skillscan.analyze import with_facts
    from skillscan.analyzers.instructions.sabotage_grammar import stated_purpose_text
    from skillscan.loaders.discover import iter_inputs
    from skillscan.loaders.files import Limits

    inputs = []
    for name in sets:
        base = shared / "corpus" / name
        inputs += [str(p) for sub in sorted(base.iterdir()) if sub.is_dir() for p in sorted(sub.iterdir())]
    out = []
    for pkg in iter_inputs(inputs, Limits()):
        if getattr(pkg, "error", None):
            continue
        out.append(stated_purpose_text(with_facts(pkg)))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default="calib,msb-train")
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    from skillscan.purpose.kinds import load_kinds, stated_kinds

    texts = purposes(args.shared, args.sets.split(","))
    load_kinds()
    stated_kinds("warm up")  # compiles the patterns outside the timed rounds
    print(f"{len(texts)} stated purposes, {sum(map(len, texts))} characters")
    for r in range(args.rounds):
        stated_kinds.cache_clear()
        t0 = time.process_time()
        answers = [sorted(stated_kinds(t).items()) for t in texts]
        cpu = time.process_time() - t0
        digest = hashlib.sha256(repr(answers).encode()).hexdigest()[:16]
        print(f"round {r + 1}: {cpu:.3f} CPU s, answers {digest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

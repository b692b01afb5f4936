"""CPU of single sentence detectors over every instruction document of whole corpora (issue 23).

    python bench/detectors_cpu.py [--tree DIR] [--sets calib,msb-train] [--shared ../shared] [--rounds 3]
                                  [--detectors trigger_hijack,phishing_message,tag_sentences]

Every package of the sets is loaded as a scan loads it; each of its instruction files is read into a document
(`parse_document`), and every other text file is kept as text. Then, `--rounds` times, each named detector of
`sentence_detectors.DETECTORS` reads every document (cue answers forgotten between documents, as the analyzer
does), and `tag_sentences` names the hidden-Unicode reads of the other files (`hidden_sentences.tag_sentences`
and `unicode.hidden_unicode_only`). Prints the CPU seconds (`time.process_time`) of each round and the number of
findings. The first round pays first-use costs (regex compiles): read the later rounds. `--tree`: the source
tree to import skillscan from (a scratch worktree of an older commit), for paired A B A B runs."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import REPO, corpus_inputs


def texts(shared: Path, sets: list[str]) -> tuple[list[tuple[Any, Any]], list[tuple[Any, str, str]]]:
    """(package, document) of every instruction file; (package, path, text) of every other text file."""
    from skillscan.analyze import with_facts
    from skillscan.analyzers.instructions.analyzer import InstructionsAnalyzer
    from skillscan.analyzers.instructions.document import parse_document
    from skillscan.loaders.discover import iter_inputs
    from skillscan.loaders.files import Limits

    engine = InstructionsAnalyzer()
    docs: list[tuple[Any, Any]] = []
    others: list[tuple[Any, str, str]] = []
    for pkg in iter_inputs(corpus_inputs(shared, sets), Limits()):
        if getattr(pkg, "error", None):
            continue
        pkg = with_facts(pkg)
        for f in pkg.files:
            if not engine.applies(f):
                continue
            text = (f.text or "")[:2_000_000]
            if engine.instruction_file(f) and not f.path.endswith(".json"):
                docs.append((pkg, parse_document(f.path, text, markdown=f.language == "markdown", oversized=f.truncated)))
            else:
                others.append((pkg, f.path, text))
    return docs, others


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tree", type=Path, default=REPO)
    ap.add_argument("--sets", default="calib,msb-train")
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--detectors", default="trigger_hijack,phishing_message,steering,host_reach,tag_sentences")
    args = ap.parse_args()
    sys.path.insert(0, str(args.tree.resolve()))
    from skillscan.analyzers.instructions import hidden_sentences, sentence_detectors, unicode
    from skillscan.analyzers.instructions.sabotage_grammar import new_document

    docs, others = texts(args.shared, args.sets.split(","))
    by_name = {d.fn.__name__: d for d in sentence_detectors.DETECTORS}
    for name in args.detectors.split(","):
        rounds: list[float] = []
        found = 0
        for _ in range(args.rounds):
            t0 = time.process_time()
            found = 0
            if name == "tag_sentences":
                for pkg, path, text in others:
                    found += len(hidden_sentences.tag_sentences(pkg, path, text))
                    found += len(unicode.hidden_unicode_only(path, text))
            else:
                for pkg, doc in docs:
                    new_document()
                    found += len(by_name[name](pkg, doc, ()))
            rounds.append(time.process_time() - t0)
        print(f"{args.tree.name} {name}: " + " ".join(f"{r:.3f}" for r in rounds)
              + f" CPU s, min {min(rounds):.3f}, {found} findings")
    return 0


if __name__ == "__main__":
    sys.exit(main())

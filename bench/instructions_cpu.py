"""CPU of the instructions engine and the roles over whole corpora, without timers inside (issue 23).

    python bench/instructions_cpu.py [--tree DIR] [--sets calib,msb-train] [--shared ../shared]

Every package of the sets is loaded as a scan loads it (discovery, facts); then each file the instructions
engine applies to goes through `InstructionsAnalyzer.analyze_file` and each package's findings through the
decide stage's roles (`policy_roles.with_roles`), in this one process. Before the timed pass the dev set goes
through once, so that first-use costs (regex compiles, rule files) are not counted. Prints the CPU seconds
(`time.process_time`) of the timed pass and a digest of every finding, so that runs on two trees can be paired
(A B A B) under the same load and their outputs compared. `--tree`: the source tree to import skillscan from
(default: this one) — a scratch worktree of an older commit, for the "before" runs.
`bench/profile_instructions.py` says where the time goes; this says how much there is."""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import REPO, corpus_inputs


def packages(shared: Path, sets: list[str]) -> list[Any]:
    from skillscan.analyze import with_facts
    from skillscan.loaders.discover import iter_inputs
    from skillscan.loaders.files import Limits

    return [with_facts(p) for p in iter_inputs(corpus_inputs(shared, sets), Limits()) if not getattr(p, "error", None)]


def run(pkgs: list[Any]) -> str:
    """Every package through the engine and the roles; the digest of the findings."""
    from skillscan.analyzers.instructions.analyzer import InstructionsAnalyzer
    from skillscan.policy_roles import with_roles

    engine = InstructionsAnalyzer()
    digest = hashlib.blake2b(digest_size=8)
    for pkg in pkgs:
        found = []
        for f in pkg.files:
            if engine.applies(f):
                found += engine.analyze_file(pkg, f).findings
        for finding in with_roles(pkg, found) or found:
            digest.update(repr(finding).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tree", type=Path, default=REPO)
    ap.add_argument("--sets", default="calib,msb-train")
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = ap.parse_args()
    sys.path.insert(0, str(args.tree.resolve()))
    try:  # as the CLI does: regex opcodes read back from the on-disk cache
        from skillscan import lazyre_cache
        lazyre_cache.install()
    except ImportError:
        pass
    run(packages(args.shared, ["dev"]))
    pkgs = packages(args.shared, args.sets.split(","))
    t0 = time.process_time()
    digest = run(pkgs)
    print(f"{args.tree.name}: engine + roles over {args.sets}: {time.process_time() - t0:.2f} CPU s, "
          f"findings digest {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

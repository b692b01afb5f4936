"""Proof that a refactor changes no output: run the real CLI over fixtures/ and every set under
<shared>/corpus in every report format, and compare with a recorded dump.

    python bench/refactor_equivalence.py dump  /tmp/equiv-before       # on the old tree
    python bench/refactor_equivalence.py check /tmp/equiv-before       # on the new tree

What is compared: `scan --format json|sarif|markdown|text` and `gate` over each input set, with
`--no-cache --no-config --fail-on never`, and the exit code of each run. Only two things are
masked: `summary.seconds` (and the other wall-clock figures) and the rules digest, which changes
whenever a rule file moves. Everything else must be byte-identical; `check` prints a unified
diff of the first differences and exits 1 when anything differs.

Sets: `fixtures` (every entry of fixtures/), and `dev`, `calib`, `msb-train` (each package
directory of the corpus). `--sets` picks some of them; `--formats` some of the formats."""

from __future__ import annotations

import argparse
import difflib
import os
import re
import subprocess
import sys
from pathlib import Path

from benchlib import corpus_inputs

REPO = Path(__file__).resolve().parent.parent
SETS = ("fixtures", "dev", "calib", "msb-train")
FORMATS = ("json", "sarif", "markdown", "text", "gate")

# wall-clock figures and the rules digest; everything else is compared as is
MASKS = (
    (re.compile(r'("seconds":\s*)[0-9.eE+-]+'), r"\g<1>0"),
    (re.compile(r'("rules_digest":\s*)"[^"]*"'), r'\g<1>"*"'),
    (re.compile(r'("rules":\s*)"sha256:[0-9a-f]+"'), r'\g<1>"*"'),
    (re.compile(r'("rules":\s*\{\s*"digest":\s*)"[0-9a-f]+"'), r'\g<1>"*"'),
    (re.compile(r"(rules[ _]digest[^0-9a-f\n]{0,20})[0-9a-f]{12,64}", re.I), r"\g<1>*"),
    (re.compile(r"\bin [0-9]+\.[0-9]+ ?s\b"), "in 0 s"),
    (re.compile(r"([0-9]+\.[0-9]+) ?s\)"), "0 s)"),
)


def inputs(name: str, shared: Path) -> list[str]:
    if name == "fixtures":
        base = REPO / "fixtures"
        return sorted(str(p) for p in base.iterdir() if not p.name.startswith(".") and p.name != "LABELS.tsv")
    return corpus_inputs(shared, [name])


def run(fmt: str, paths: list[str], env: dict[str, str]) -> str:
    # `gate` never reads the result cache, so it takes no --no-cache
    if fmt == "gate":
        cmd = [sys.executable, "-m", "skillscan", "gate", "--no-config", "--fail-on", "never", *paths]
    else:
        cmd = [sys.executable, "-m", "skillscan", "scan", "--format", fmt, "--no-cache", "--no-config",
               "--fail-on", "never", *paths]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, env=env)
    text = f"exit {proc.returncode}\n{proc.stdout}"
    for pattern, repl in MASKS:
        text = pattern.sub(repl, text)
    return text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=("dump", "check"))
    ap.add_argument("directory", type=Path)
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--formats", default=",".join(FORMATS))
    args = ap.parse_args()
    env = dict(os.environ, NO_COLOR="1", COLUMNS="100", SOURCE_DATE_EPOCH="1767225600")
    env.pop("SKILLSCAN_CONFIG", None)
    args.directory.mkdir(parents=True, exist_ok=True)
    differ = 0
    for name in args.sets.split(","):
        if name != "fixtures" and not (args.shared / "corpus" / name).is_dir():
            print(f"{name}: not found under {args.shared}/corpus, skipped")
            continue
        paths = inputs(name, args.shared)
        for fmt in args.formats.split(","):
            out = run(fmt, paths, env)
            target = args.directory / f"{name}.{fmt}.txt"
            if args.mode == "dump":
                target.write_text(out, encoding="utf-8")
                print(f"{name} {fmt}: recorded {len(out)} bytes")
                continue
            before = target.read_text(encoding="utf-8") if target.exists() else ""
            if before == out:
                print(f"{name} {fmt}: identical")
                continue
            differ += 1
            print(f"{name} {fmt}: DIFFERS")
            diff = difflib.unified_diff(before.splitlines(), out.splitlines(), "before", "after", lineterm="", n=1)
            for i, line in enumerate(diff):
                if i >= 40:
                    print("  …")
                    break
                print("  " + line[:300])
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())

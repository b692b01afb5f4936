"""Proof that a speed change to the gate (package analyzers, permit/decide, report rendering) changes no
output: scan a fixed set of inputs in-process without the cache and dump every report rendering (the
timing removed) to one file; compare that dump with a recorded baseline.

    python bench/gate_equivalence.py dump /tmp/gate_base.json          # record the baseline
    python bench/gate_equivalence.py check /tmp/gate_base.json         # dump again and compare

Inputs: the dev corpus (each package), `fixtures/*/`, and the first 300 packages of the generated
registry (`bench/gen_registry.py`, default /tmp/skillscan-bench/registry-1000). Besides the default
scan, the fixtures are scanned again in author mode and under a policy with waivers, forbidden
capabilities and allow-listed hosts, so the policy's rarer paths are covered too.

Other parts of the tree change at the same time; to tell a difference of one's own from someone
else's, run `dump` with PYTHONPATH pointing at a copy of the tree holding the old version of one's
own files (the copy needs `skillscan/` and `rules/`)."""

from __future__ import annotations

import argparse
import difflib
import glob
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path("/work/shared/corpus/dev")
REGISTRY = Path("/tmp/skillscan-bench/registry-1000")

POLICY = """\
schema: skillscan.policy/v1
name: equivalence
version: "1"
extends: default
forbidden:
  min_confidence: low
  capabilities:
    - capability: "net.tunnel"
      reason: tunnels are forbidden here
    - capability: "fs.read[~/.aws/**]"
waivers:
  - package: "*"
    capability: "net.egress[*.github.com]"
    reason: equivalence run
    expires: "2099-01-01"
  - package: "*"
    rule: "combination-credential-exfiltration"
    reason: equivalence run
    expires: "2099-01-01"
  - package: "*"
    capability: "proc.exec[curl]"
    reason: expired on purpose
    expires: "2001-01-01"
allow_hosts: ["api.github.com", "*.googleapis.com"]
trusted_installers: ["sh.rustup.rs", "astral.sh/uv"]
"""


def inputs(registry: Path, count: int) -> list[str]:
    out = sorted(glob.glob(str(CORPUS / "*" / "*") + "/"))
    out += sorted(glob.glob(str(REPO / "fixtures" / "*") + "/"))
    out += sorted(glob.glob(str(registry / "*") + "/"))[:count]
    return out


def _renderings(report: Any) -> dict[str, Any]:
    from dataclasses import replace

    from skillscan.report.json import report_dict
    from skillscan.report.markdown import render as markdown
    from skillscan.report.sarif import render as sarif

    data = report_dict(report)
    data["summary"].pop("seconds", None)
    timeless = replace(report, seconds=0.0)
    return {"json": data, "sarif": json.loads(sarif(timeless)), "markdown": markdown(timeless)}


def dump(path: Path, registry: Path, count: int) -> float:
    from skillscan.engine import ScanOptions, scan

    fixtures = sorted(glob.glob(str(REPO / "fixtures" / "*") + "/"))
    started = time.perf_counter()
    out: dict[str, Any] = {}
    out["default"] = _renderings(scan(inputs(registry, count), ScanOptions(jobs=2, use_cache=False)))
    out["author"] = _renderings(scan(fixtures, ScanOptions(jobs=2, use_cache=False, author=True,
                                                           as_of="2026-01-01")))
    with tempfile.TemporaryDirectory() as tmp:
        policy = Path(tmp) / "policy.yaml"
        policy.write_text(POLICY, encoding="utf-8")
        out["policy"] = _renderings(scan(fixtures, ScanOptions(jobs=2, use_cache=False, policy_path=str(policy),
                                                               as_of="2026-01-01")))
        # the temporary policy's path shows in reasons and the policy's source: make it stable
        text = json.dumps(out, indent=1, sort_keys=True, ensure_ascii=False).replace(str(policy), "<policy>")
    path.write_text(text + "\n", encoding="utf-8")
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=("dump", "check"))
    ap.add_argument("file", type=Path, help="dump: where to write; check: the baseline to compare with")
    ap.add_argument("--registry", type=Path, default=REGISTRY)
    ap.add_argument("--count", type=int, default=300, help="registry packages to scan (default 300)")
    args = ap.parse_args(argv)
    if args.mode == "dump":
        seconds = dump(args.file, args.registry, args.count)
        print(f"wrote {args.file} in {seconds:.1f}s")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        now = Path(tmp) / "now.json"
        seconds = dump(now, args.registry, args.count)
        a = args.file.read_text(encoding="utf-8").splitlines()
        b = now.read_text(encoding="utf-8").splitlines()
    if a == b:
        print(f"IDENTICAL ({len(a)} lines, {seconds:.1f}s)")
        return 0
    diff = list(difflib.unified_diff(a, b, "baseline", "now", n=2, lineterm=""))
    print("\n".join(diff[:200]))
    print(f"DIFFERENT: {sum(1 for x in diff if x[:1] in '+-') - 2} changed lines")
    return 1


if __name__ == "__main__":
    sys.exit(main())

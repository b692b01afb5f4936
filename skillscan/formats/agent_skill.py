"""Agent Skills (agentskills.io): a directory with SKILL.md — frontmatter and body, `scripts/`,
`references/`, `assets/`. Also records `!`cmd`` load-time blocks as surfaces."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from skillscan.formats.common import command_line, hook_surfaces, value_line
from skillscan.formats.spec import SKILL_KINDS, SKILL_TOOL_ONLY, FormatSpec, Parsed
from skillscan.loaders.frontmatter import Frontmatter, parse_frontmatter
from skillscan.model import PackageFile, Surface

# `metadata.openclaw` and its aliases; a past revision of OpenClaw's own summarize skill used `dna`.
# The one list: the loader names a package openclaw-skill by it and permit reads its grants by it.
OPENCLAW_KEYS = ("openclaw", "clawdbot", "clawdis", "dna")

# `!`cmd`` inline and ```! fenced blocks run when the skill loads (Claude Code).
BANG_INLINE = re.compile(r"(?<![\w`])!`([^`\n]+)`")
BANG_FENCE = re.compile(r"^```!\s*\n(.*?)^```", re.DOTALL | re.MULTILINE)


def load_time_commands(text: str, path: str) -> list[Surface]:
    surfaces: list[Surface] = []
    # literal tests first: far cheaper than either regex over a long document; line numbers are counted
    # from the previous match, so that 100,000 commands cost one pass over the text
    for pattern, literal, offset in ((BANG_INLINE, "!`", 1), (BANG_FENCE, "```!", 2)):
        pos, line = 0, 1
        for m in pattern.finditer(text) if literal in text else ():
            line += text.count("\n", pos, m.start())
            pos = m.start()
            surfaces.append(Surface(kind="load-time-command", path=path, command=m.group(1).strip(),
                                    line=line + offset - 1))
    return surfaces


def frontmatter_hook_surfaces(fm: Frontmatter, f: PackageFile) -> list[Surface]:
    """`hooks:` in a SKILL.md / agent / command frontmatter: registered when the component is invoked."""
    hooks = fm.data.get("hooks") if fm.present and not fm.error else None
    if not hooks or f.text is None:
        return []
    return hook_surfaces(hooks, f.path, f.text, origin="frontmatter")


def allowed_tools(value: object) -> list[str]:
    """`allowed-tools` as a list of entries: a YAML list, or a space/comma separated string where
    parenthesised arguments may contain spaces."""
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    if not isinstance(value, str):
        return []
    out, depth, cur = [], 0, ""
    for ch in value:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        if depth == 0 and (ch.isspace() or ch == ","):
            if cur.strip():
                out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def openclaw_block(meta: Any) -> tuple[str, dict[str, Any]] | None:
    """The `metadata.openclaw` block (or an alias), with JSON/YAML strings decoded."""
    if isinstance(meta, str):
        from skillscan.yamlsafe import YamlError, load_yaml

        try:
            meta = load_yaml(meta)
        except YamlError:
            return None
    if not isinstance(meta, dict):
        return None
    for key in OPENCLAW_KEYS:
        if key in meta:
            block = meta[key]
            if isinstance(block, str):
                from skillscan.yamlsafe import YamlError, load_yaml

                try:
                    block = load_yaml(block)
                except YamlError:
                    block = {}
            return key, block if isinstance(block, dict) else {}
    return None


INSTALL_COMMANDS = {
    "brew": ("brew install", "formula"), "node": ("npm install -g", "package"), "npm": ("npm install -g", "package"),
    "go": ("go install", "module"), "uv": ("uv tool install", "package"), "pip": ("pip install", "package"),
}


def openclaw_install_surfaces(block: dict[str, Any], path: str, text: str) -> list[Surface]:
    out: list[Surface] = []
    specs = block.get("install")
    for spec in specs if isinstance(specs, list) else []:
        if not isinstance(spec, dict):
            continue
        kind = str(spec.get("kind") or "")
        extra = [("installer", kind)]
        for key in ("id", "sha256", "archive", "targetDir", "extract"):
            if isinstance(spec.get(key), (str, int, bool)) and spec.get(key) != "":
                extra.append((key, str(spec[key])))
        if kind == "download":
            url = str(spec.get("url") or "")
            out.append(Surface(kind="install", path=path, url=url, command="", line=value_line(text, url),
                               extra=tuple(extra)))
            continue
        verb, field = INSTALL_COMMANDS.get(kind, (f"{kind} install" if kind else "install", "package"))
        target = spec.get(field) or spec.get("package") or spec.get("formula") or spec.get("module") or ""
        command = f"{verb} {command_line([str(target)])}" if target else verb
        out.append(Surface(kind="install", path=path, command=command,
                           line=value_line(text, str(target)) if target else value_line(text, kind),
                           extra=tuple(extra)))
    return out


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
        if md is None:
            return Parsed(name=dirname, format="agent-skill", errors=("SKILL.md is missing",))
        return Parsed(name=dirname, format="agent-skill", manifest_path=md.path,
                      errors=(f"{md.path}: not readable text",))
    fm = parse_frontmatter(md.text)
    name = str(fm.data.get("name") or dirname)
    version = fm.data.get("version") or (fm.data.get("metadata") or {}).get("version", "") \
        if isinstance(fm.data.get("metadata") or {}, dict) else ""
    manifest = dict(fm.data)
    fmt = "agent-skill"
    surfaces = load_time_commands(md.text, md.path)
    surfaces += frontmatter_hook_surfaces(fm, md)
    claw = openclaw_block(fm.data.get("metadata"))
    if claw is not None:
        fmt = "openclaw-skill"
        key, block = claw
        manifest["_openclaw"] = {"key": key, **block}
        surfaces += openclaw_install_surfaces(block, md.path, md.text)
    # an invalid frontmatter is reported by the manifest analyzer (skill-frontmatter-invalid), not as an error
    return Parsed(name=name, format=fmt, version=str(version or ""), manifest=manifest, manifest_path=md.path,
                  surfaces=tuple(surfaces))


AGENT_SKILL = FormatSpec(name="agent-skill", markers=("SKILL.md", "skill.md"), parse=parse_agent_skill,
                                  priority=10,
                         declarable={"agent-skill": SKILL_KINDS,
                                     "openclaw-skill": SKILL_KINDS | {"env.read", "secrets.read", "pkg.install",
                                                                      "host.api", "persist"}},
                         # OpenClaw's `requires.bins` does cover the programs its scripts run.
                         tool_only={"agent-skill": SKILL_TOOL_ONLY,
                                    "openclaw-skill": frozenset({"net.egress", "fs.read", "fs.write", "fs.delete"})})

"""Agent Skills (agentskills.io): a directory with SKILL.md — frontmatter and body, `scripts/`,
`references/`, `assets/`. Also records `!`cmd`` load-time blocks as surfaces."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import PurePosixPath
from typing import Any

from skillscan.capabilities.grammar import agent_tool_capabilities, is_credential_env, normalize_host, normalize_path
from skillscan.formats.claude_rules import allowed_tools_entries, display_bin
from skillscan.formats.common import command_line, hook_surfaces, key_line, value_line
from skillscan.formats.declare import FieldNote, Fields, line_of, list_of, mapping_of, scoped, strings
from skillscan.formats.emit import Suggestion, yaml_suggestion
from skillscan.formats.spec import SKILL_KINDS, SKILL_TOOL_ONLY, FormatSpec, Parsed
from skillscan.loaders.frontmatter import Frontmatter, parse_frontmatter
from skillscan.model import Capability, Channel, InferredCapability, Package, PackageFile, Surface
from skillscan.yamlsafe import YamlError, load_yaml

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
    """The `metadata.openclaw` block (or an alias), with JSON/YAML strings decoded: the one reading of it,
    for the loader (which names the package openclaw-skill by it) and for what a frontmatter declares."""
    if isinstance(meta, str):
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


# ---------------------------------------------------------------------------------------------------
# what SKILL.md-style frontmatter declares (Agent Skills, Claude, OpenClaw, Codex, plugin skills/commands/agents)

KNOWN_BINARIES = frozenset({
    "git", "gh", "docker", "jq", "curl", "wget", "node", "npm", "npx", "python", "python3", "pip", "uv", "uvx",
    "ffmpeg", "pandoc", "make", "go", "cargo", "rustc", "java", "kubectl", "terraform", "aws", "gcloud", "az",
    "bun", "deno", "yarn", "pnpm", "ruby", "brew", "sqlite3", "psql", "mysql", "redis-cli", "rg", "fd", "yq",
    "imagemagick", "convert", "magick", "tesseract", "libreoffice", "soffice", "chromium", "playwright", "sox",
})


def is_skill_like(path: str) -> bool:
    """A SKILL.md anywhere, or a Markdown file directly under a `commands/` or `agents/` directory."""
    if ".md" not in path.lower():  # both tests need `.md`
        return False
    p = PurePosixPath(path)
    return p.name.lower() == "skill.md" or (p.suffix == ".md" and len(p.parts) >= 2 and p.parts[-2] in ("commands", "agents"))


def skill_frontmatter(files: Iterable[PackageFile]) -> dict[str, Frontmatter]:
    """What the loader records on the Package: the frontmatter of every SKILL.md-style file, by path,
    without the body (the permit stage reads the mapping and its key lines); invalid YAML is kept as read
    leniently, as the host agents read it."""
    out: dict[str, Frontmatter] = {}
    for f in files:
        if f.virtual or f.text is None or f.truncated or not is_skill_like(f.path):
            continue
        fm = parse_frontmatter(f.text)
        if fm.present:
            out[f.path] = replace(fm, body="")
    return out


def declare_frontmatter(out: Fields, path: str, text: str, fm: Frontmatter) -> None:
    data = fm.data
    for key in ("allowed-tools", "allowed_tools", "allowedTools", "tools"):
        if key in data:
            line = fm.key_lines.get(key, 1)
            for entry in allowed_tools(data[key]):
                out.tool(entry, "grant", path, line, key)
    for key in ("disallowed-tools", "disallowed_tools", "disallowedTools"):
        for entry in allowed_tools(data.get(key)):
            out.negatives.extend(agent_tool_capabilities(entry))
    if str(data.get("shell", "")).lower() == "powershell":
        out.add(Capability("proc.exec", "powershell"), "grant", path, fm.key_lines.get("shell", 1), "shell")
    compat = data.get("compatibility")
    if isinstance(compat, str):
        line = fm.key_lines.get("compatibility", 1)
        for word in re.findall(r"[A-Za-z][\w.+-]*", compat):
            if word.lower() in KNOWN_BINARIES:
                out.add(Capability("proc.exec", word.lower()), "weak", path, line, "compatibility")
        if re.search(r"\b(internet|network|online|web access)\b", compat, re.IGNORECASE):
            out.add(Capability("net.egress", "*"), "weak", path, line, "compatibility")
    claw = openclaw_block(data.get("metadata"))
    if claw is None:
        for key in OPENCLAW_KEYS:
            if isinstance(data.get(key), Mapping):
                claw = (key, dict(data[key]))
                break
    if claw is not None:
        declare_openclaw(out, path, text, claw[0], claw[1])


def declare_openclaw(out: Fields, path: str, text: str, key: str, block: Mapping[str, Any]) -> None:
    fld = f"metadata.{key}"
    requires = mapping_of(block.get("requires"))
    for sub in ("bins", "anyBins"):
        for b in strings(requires.get(sub)):
            out.add(Capability("proc.exec", b), "grant", path, line_of(text, b), f"{fld}.requires.{sub}")
    for name in strings(requires.get("env")):
        out.add(Capability("env.read", name), "grant", path, line_of(text, name), f"{fld}.requires.env")
    for item in list_of(block.get("envVars")):
        var: Any = item.get("name") if isinstance(item, Mapping) else item
        if isinstance(var, str) and var:
            out.add(Capability("env.read", var), "grant", path, line_of(text, var), f"{fld}.envVars")
    primary = block.get("primaryEnv")
    if isinstance(primary, str) and primary:
        out.add(Capability("env.read", primary), "grant", path, line_of(text, primary), f"{fld}.primaryEnv")
        out.add(Capability("secrets.read", f"env:{primary}"), "grant", path, line_of(text, primary),
                f"{fld}.primaryEnv")
    for cfg in strings(requires.get("config")):
        out.add(Capability("host.api", f"openclaw.config:{cfg}"), "grant", path, line_of(text, cfg),
                f"{fld}.requires.config")
    if block.get("always") is True:
        out.add(Capability("persist", "always-on"), "grant", path, line_of(text, "always"), f"{fld}.always")
    eco = {"brew": "brew", "node": "npm", "npm": "npm", "go": "go", "uv": "pypi", "pip": "pypi"}
    for spec in list_of(block.get("install")):
        if not isinstance(spec, Mapping):
            continue
        kind = str(spec.get("kind") or "")
        if kind == "download" and isinstance(spec.get("url"), str):
            url = spec["url"]
            line = line_of(text, url)
            out.add(Capability("net.egress", normalize_host(url)), "surface", path, line, f"{fld}.install")
            out.add(Capability("pkg.install", f"url:{url}"), "surface", path, line, f"{fld}.install")
            target = spec.get("targetDir")
            out.add(Capability("fs.write", normalize_path(str(target)) if isinstance(target, str) and target
                               else "~/.openclaw/tools/**"), "surface", path, line, f"{fld}.install")
        elif kind:
            target = spec.get("formula") or spec.get("package") or spec.get("module") or "*"
            out.add(Capability("pkg.install", f"{eco.get(kind, kind)}:{target}"), "surface", path,
                    line_of(text, str(target)), f"{fld}.install")
        for b in strings(spec.get("bins")):
            out.add(Capability("proc.exec", b), "grant", path, line_of(text, b), f"{fld}.install.bins")


def openclaw_notes(package: Package, text: str | None) -> list[FieldNote]:
    """`always: true`, and what the OpenClaw block's `requires`, `primaryEnv` and `envVars` declare."""
    claw = package.manifest.get("_openclaw")
    if not isinstance(claw, dict):
        return []
    out: list[FieldNote] = []
    if claw.get("always") is True:
        out.append(FieldNote("skill-always-on", "`always: true` loads the skill in every session, bypassing its "
                             "`requires` gates", key_line(text, "always"), (Capability("persist", "always-on"),)))
    requires = claw.get("requires") if isinstance(claw.get("requires"), dict) else {}
    caps: list[Capability] = []
    for key in ("bins", "anyBins"):
        caps += [scoped("proc.exec", PurePosixPath(str(b)).name) for b in requires.get(key) or []
                 if isinstance(b, str) and b and "," not in b]
    caps += [scoped("env.read", str(e)) for e in requires.get("env") or [] if isinstance(e, str) and e]
    primary = claw.get("primaryEnv")
    if isinstance(primary, str) and primary:
        caps.append(scoped("secrets.read", f"env:{primary}"))
    for ev in claw.get("envVars") or [] if isinstance(claw.get("envVars"), list) else []:
        if isinstance(ev, dict) and isinstance(ev.get("name"), str):
            caps.append(scoped("env.read", ev["name"]))
    if caps:
        line = key_line(text, "requires") if requires else key_line(text, "primaryEnv")
        out.append(FieldNote("openclaw-requires-declared", "OpenClaw metadata declares "
                             + ", ".join(sorted({str(c) for c in caps})), line, tuple(sorted(set(caps)))))
    return out


# ---------------------------------------------------------------------------------------------------
# how a suggested declaration is written in a SKILL.md

# OpenClaw's `requires.bins` does cover the programs its scripts run.
TOOL_ONLY = {"agent-skill": SKILL_TOOL_ONLY,
             "openclaw-skill": frozenset({"net.egress", "fs.read", "fs.write", "fs.delete"})}


def write_openclaw(caps: Sequence[Capability], package: Package) -> dict[str, Any]:
    claw = mapping_of(package.manifest.get("_openclaw"))
    key = str(claw.get("key") or "openclaw")
    bins = sorted({display_bin(c.scope) for c in caps if c.kind == "proc.exec" and c.scope and c.scope != "*"})
    envs = sorted({c.scope for c in caps if c.kind == "env.read" and c.scope and c.scope != "*"})
    block: dict[str, Any] = {}
    requires: dict[str, Any] = {}
    if bins:
        requires["bins"] = bins
    if envs:
        requires["env"] = envs
    if requires:
        block["requires"] = requires
    creds = [e for e in envs if is_credential_env(e)]
    if claw.get("primaryEnv") in envs:
        block["primaryEnv"] = claw["primaryEnv"]
    elif len(creds) == 1:
        block["primaryEnv"] = creds[0]
    installs = list_of(claw.get("install"))
    fixed = []
    for spec in installs:
        if isinstance(spec, dict) and spec.get("kind") == "download" and not spec.get("sha256"):
            fixed.append({**spec, "sha256": "<sha256 of the downloaded file>"})
        elif isinstance(spec, dict):
            fixed.append(spec)
    if fixed and fixed != installs:
        block["install"] = fixed
    return {key: block} if block else {}


def write_skill(caps: Sequence[Capability], package: Package,
                inferred: Sequence[InferredCapability]) -> tuple[tuple[Suggestion, ...], list[Capability]]:
    """`allowed-tools` (and OpenClaw's `requires`) in the package's SKILL.md frontmatter."""
    fmt = package.format
    path = package.manifest_path or "SKILL.md"
    data: dict[str, Any] = {}
    skill_caps = list(caps)
    leftover: list[Capability] = []
    if fmt == "openclaw-skill":
        claw = write_openclaw(caps, package)
        if claw:
            data["metadata"] = claw
        skill_caps = [c for c in caps if c.kind not in ("proc.exec", "env.read")]
    # what only a bundled script does is not the agent's to pre-approve: `Bash(sh scripts/x.sh)`
    # covers running the script, and the rest goes to the generic block as a disclosure
    tool_kinds = TOOL_ONLY.get(fmt, frozenset())
    code_only = {ic.capability for ic in inferred if ic.capability.kind in tool_kinds
                 and ic.evidence and all(e.channel is Channel.CODE for e in ic.evidence)}
    leftover += [c for c in skill_caps if c in code_only]
    skill_caps = [c for c in skill_caps if c not in code_only]
    entries, rest = allowed_tools_entries(skill_caps, package, inferred)
    if fmt == "openclaw-skill":
        rest = [c for c in rest if c.kind not in ("pkg.install",)]
    if entries:
        data["allowed-tools"] = " ".join(entries)
    leftover += rest
    return ((yaml_suggestion(fmt, path, data),) if data else ()), leftover


AGENT_SKILL = FormatSpec(name="agent-skill", skill_md_manifest=True, markers=("SKILL.md", "skill.md"), parse=parse_agent_skill,
                                  priority=10,
                         declarable={"agent-skill": SKILL_KINDS,
                                     "openclaw-skill": SKILL_KINDS | {"env.read", "secrets.read", "pkg.install",
                                                                      "host.api", "persist"}},
                         tool_only=TOOL_ONLY,
                         write_suggestion=write_skill, field_notes=openclaw_notes)

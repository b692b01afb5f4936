"""The manifest analyzer: frontmatter and manifest validity and risky manifest fields."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePosixPath

from skillscan.analyzers.base import finding, line_text
from skillscan.loaders.frontmatter import parse_frontmatter
from skillscan.model import Capability, Channel, Finding, Package

NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
UNSCOPED_BASH = re.compile(r"(?<![\w(])Bash(?:\(\s*\*?\s*\)|\(\s*:\s*\*\s*\))?(?![\w(])")


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


class ManifestAnalyzer:
    name = "manifest"

    def analyze_package(self, package: Package) -> Sequence[Finding]:
        findings: list[Finding] = []
        if package.format in ("agent-skill", "openclaw-skill", "codex-skill") and package.manifest_path:
            findings.extend(self._skill_md(package))
        for surface in package.surfaces:
            if surface.kind == "load-time-command":
                argv0 = surface.command.split()[0] if surface.command.split() else ""
                findings.append(finding(
                    "load-time-command", f"runs `{surface.command[:120]}` when the skill loads",
                    surface.path, surface.line, snippet=surface.command, channel=Channel.MANIFEST,
                    capabilities=[Capability("proc.exec", PurePosixPath(argv0).name)] if argv0 else [],
                ))
        for skipped in package.skipped:
            path = skipped.split(":", 1)[0] if ":" in skipped else "."
            findings.append(finding("analysis-incomplete", skipped, path))
        return findings

    def _skill_md(self, package: Package) -> list[Finding]:
        md = package.file(package.manifest_path)
        if md is None or md.text is None:
            return []
        path = md.path
        fm = parse_frontmatter(md.text)
        out: list[Finding] = []
        if not fm.present:
            return [finding("skill-frontmatter-missing", "SKILL.md has no frontmatter", path, 1,
                            snippet=line_text(md.text, 1), channel=Channel.MANIFEST)]
        if fm.error:
            return [finding("skill-frontmatter-invalid", f"frontmatter: {fm.error}", path, 1,
                            snippet=line_text(md.text, 1), channel=Channel.MANIFEST)]
        data = fm.data
        name = data.get("name")
        name_line = fm.key_lines.get("name", 1)
        dirname = "" if "!" in package.root else PurePosixPath(package.root).name
        problem = ""
        if not isinstance(name, str) or not name.strip():
            problem = "has no `name`"
        elif len(name) > 64:
            problem = "has a `name` longer than 64 characters"
        elif not NAME_RE.match(name):
            problem = f"`name: {name}` is not lowercase letters, digits and hyphens"
        elif "anthropic" in name or "claude" in name:
            problem = f"`name: {name}` uses a reserved word"
        elif dirname and dirname not in (".", name) and NAME_RE.match(dirname):
            problem = f"`name: {name}` differs from the directory name `{dirname}`"
        if problem:
            out.append(finding("skill-name-invalid", f"SKILL.md {problem}", path, name_line,
                               snippet=line_text(md.text, name_line), channel=Channel.MANIFEST))
        desc = data.get("description")
        if not isinstance(desc, str) or not desc.strip():
            out.append(finding("skill-description-missing", "SKILL.md has no `description`", path,
                               fm.key_lines.get("description", 1), snippet=line_text(md.text, 1),
                               channel=Channel.MANIFEST))
        elif len(desc) > 1024:
            out.append(finding("skill-description-missing", "SKILL.md `description` is longer than 1,024 characters",
                               path, fm.key_lines.get("description", 1), channel=Channel.MANIFEST,
                               snippet=line_text(md.text, fm.key_lines.get("description", 1))))
        key = "allowed-tools" if "allowed-tools" in data else ("allowed_tools" if "allowed_tools" in data else "")
        if key:
            line = fm.key_lines.get(key, 1)
            for entry in allowed_tools(data[key]):
                if UNSCOPED_BASH.fullmatch(entry):
                    out.append(finding("unscoped-bash-preapproval",
                                       f"`{entry}` in {key} pre-approves every shell command", path, line,
                                       snippet=line_text(md.text, line), channel=Channel.MANIFEST))
        return out

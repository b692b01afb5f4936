"""Claude Code's permission-rule syntax (`allowed-tools` entries such as `Bash(git:*)`, `Read(./src/**)`,
`WebFetch(domain:x)`): how a capability is written as an entry. Agent Skills and the skills of Claude
plugins share it."""

from __future__ import annotations

import re
from collections.abc import Sequence

from skillscan.capabilities.grammar import SHELLS, TOP, normalize_binary
from skillscan.lines import text_lines
from skillscan.model import Capability, InferredCapability, Package


def display_bin(b: str) -> str:
    return {"python": "python3"}.get(b, b)


def rule_path(p: str) -> str | None:
    """An anchored path as a Claude permission-rule path."""
    if p == "$WORK":
        return None
    if p.startswith("$WORK/"):
        return "./" + p[6:]
    if p.startswith("$PKG"):
        return "${CLAUDE_SKILL_DIR}" + p[4:]
    if p.startswith("$TMP"):
        return "//tmp" + p[4:]
    if p.startswith("$DATA"):
        return "${CLAUDE_PLUGIN_DATA}" + p[5:]
    if p.startswith("~"):
        return p
    if p == "*":
        return "//**"
    if p.startswith("/"):
        return "/" + p  # `//abs/path`
    return "./" + p


SHELL_SCRIPT = re.compile(r"(?:^|[\s;&|(`])(sh|bash|zsh|dash)\s+((?:\{baseDir\}|\$\{?[A-Z_]+\}?|\.{1,2})?/?[\w./{}$-]+\.(?:sh|bash))\b")


def shell_scripts(package: Package | None, ic: InferredCapability | None) -> list[str]:
    """`sh scripts/x.sh` commands at a shell's evidence lines: the narrow rule for a shell binary."""
    if package is None or ic is None:
        return []
    out = []
    split: dict[str, list[str]] = {}  # a file's lines, split once for all its evidence
    for e in ic.evidence:
        lines = split.get(e.path)
        if lines is None:
            f = package.file(e.path)
            if f is None or f.text is None:
                continue
            lines = split[e.path] = text_lines(f.text)
        if 0 < e.line <= len(lines):
            for m in SHELL_SCRIPT.finditer(lines[e.line - 1]):
                if normalize_binary(m.group(1)) == ic.capability.scope:
                    out.append(f"{m.group(1)} {m.group(2)}")
    return sorted(set(out))


def allowed_tools_entries(caps: Sequence[Capability], package: Package | None = None,
                          inferred: Sequence[InferredCapability] = ()) -> tuple[list[str], list[Capability]]:
    """`allowed-tools` entries for what the rule syntax can express; the rest is returned."""
    by_cap = {ic.capability: ic for ic in inferred}
    entries: list[str] = []
    rest: list[Capability] = []
    if TOP in caps:
        entries.append("Bash")
    for c in caps:
        k, s = c.kind, c.scope
        if c == TOP:
            continue
        if k == "proc.exec" and s and s != "*":
            if TOP in caps:
                continue
            scripts = shell_scripts(package, by_cap.get(c)) if s in SHELLS else []
            # `Bash(sh:*)` would pre-approve any shell string: name the scripts instead
            entries.extend(f"Bash({x})" for x in scripts) if scripts else entries.append(f"Bash({display_bin(s)}:*)")
        elif k == "fs.read":
            rp = rule_path(s or "$WORK")
            entries.append("Read" if rp is None else f"Read({rp})")
        elif k in ("fs.write", "fs.delete"):
            rp = rule_path(s or "$WORK")
            entries.append("Edit" if rp is None else f"Edit({rp})")
        elif k == "net.egress":
            if s in (None, "*"):
                entries.append("WebFetch")
            elif s == "search":
                entries.append("WebSearch")
            else:
                entries.append(f"WebFetch(domain:{s})")
        elif k == "agent.tool" and s and s.startswith("mcp:"):
            srv, _, tool = s[4:].partition("/")
            entries.append(f"mcp__{srv}" + (f"__{tool}" if tool and tool != "*" else ""))
        elif k == "agent.tool":
            continue
        else:
            rest.append(c)
    return sorted(dict.fromkeys(entries)), rest

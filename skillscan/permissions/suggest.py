"""The suggested minimal declaration (REFERENCE §4.5 step 8): the inferred set projected onto the
package's own format with the narrowest scope the format can express, plus a generic block
(OWASP AST10 style) for what the format has no field for. Deterministic text."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from skillscan.capabilities.grammar import SHELLS, TOP, is_credential_env, normalize_binary
from skillscan.formats import tool_only
from skillscan.model import Capability, Channel, InferredCapability, Package
from skillscan.permissions.declared import Declared, _l, _m

SKILL_FORMATS = ("agent-skill", "openclaw-skill", "codex-skill")
# capabilities that need no declaration: the surface declares itself, or they follow from another
SELF = ("agent.hook", "input.untrusted", "host.api", "sys.info")


@dataclass(frozen=True)
class Suggestion:
    format: str
    path: str  # the manifest file the fragment belongs in ("" = no native file)
    text: str
    data: dict[str, Any]


def _yaml(data: dict[str, Any]) -> str:
    fast = _block_yaml(data)
    if fast is not None:
        return fast
    return str(yaml.safe_dump(data, sort_keys=True, default_flow_style=False, allow_unicode=True, width=100000))


# PyYAML's emitter is pure Python and cost more than the rest of the gate: the shapes a suggestion takes
# (nested mappings of strings, booleans and lists of strings) are written here exactly as `safe_dump`
# above writes them, deciding each scalar's style with PyYAML's own analysis and resolver. Anything
# else (other types, shared objects, long or multi-line strings, keys that are not plain) goes to
# PyYAML. tests/test_gate_fast_paths.py compares the two on generated data.
MAX_FAST_SCALAR = 4096
_STR_TAG = "tag:yaml.org,2002:str"
_dumper: list[Any] = []


def _safe_dumper() -> Any:
    """A SafeDumper configured as `_yaml`'s, used only for its scalar analysis and its resolver."""
    if not _dumper:
        import io

        _dumper.append(yaml.SafeDumper(io.StringIO(), allow_unicode=True, width=100000))
    return _dumper[0]


@lru_cache(maxsize=4096)
def _scalar(value: str, key: bool) -> str | None:
    """`value` as `safe_dump` writes it after `key: ` (or as a key), or None when it is not a simple case."""
    if not value or len(value) > MAX_FAST_SCALAR:
        return None
    dumper = _safe_dumper()
    a = dumper.analyze_scalar(value)
    if a.multiline or a.empty:
        return None
    if dumper.resolve(yaml.ScalarNode, value, (True, False)) == _STR_TAG and a.allow_block_plain:
        return value
    if key or not a.allow_single_quoted:
        return None
    return "'" + value.replace("'", "''") + "'"


def _block_yaml(data: Any) -> str | None:
    if not isinstance(data, dict) or not data:
        return None
    lines: list[str] = []
    seen: set[int] = set()
    return "".join(lines) if _mapping(data, "", lines, seen) else None


def _mapping(data: dict[Any, Any], indent: str, lines: list[str], seen: set[int]) -> bool:
    if id(data) in seen or not all(type(k) is str for k in data):
        return False
    seen.add(id(data))
    for k in sorted(data):
        v = data[k]
        key = _scalar(k, True)
        if key is None or len(key) > 100:
            return False
        t = type(v)
        if t is str:
            text = _scalar(v, False)
            if text is None:
                return False
            lines.append(f"{indent}{key}: {text}\n")
        elif t is bool:
            lines.append(f"{indent}{key}: {'true' if v else 'false'}\n")
        elif t is dict:
            if not v:
                lines.append(f"{indent}{key}: {{}}\n")
                continue
            lines.append(f"{indent}{key}:\n")
            if not _mapping(v, indent + "  ", lines, seen):
                return False
        elif t is list:
            if not v:
                lines.append(f"{indent}{key}: []\n")
                continue
            if id(v) in seen:
                return False
            seen.add(id(v))
            lines.append(f"{indent}{key}:\n")
            for item in v:
                text = _scalar(item, False) if type(item) is str else None
                if text is None:
                    return False
                lines.append(f"{indent}- {text}\n")
        else:
            return False
    return True


def _display_bin(b: str) -> str:
    return {"python": "python3"}.get(b, b)


def _rule_path(p: str) -> str | None:
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
            lines = split[e.path] = f.text.splitlines()
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
            entries.extend(f"Bash({x})" for x in scripts) if scripts else entries.append(f"Bash({_display_bin(s)}:*)")
        elif k == "fs.read":
            rp = _rule_path(s or "$WORK")
            entries.append("Read" if rp is None else f"Read({rp})")
        elif k in ("fs.write", "fs.delete"):
            rp = _rule_path(s or "$WORK")
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


def generic_block(caps: Sequence[Capability]) -> dict[str, Any]:
    files_r = sorted({c.scope or "*" for c in caps if c.kind == "fs.read"})
    files_w = sorted({c.scope or "*" for c in caps if c.kind in ("fs.write", "fs.delete")})
    hosts = sorted({c.scope or "*" for c in caps if c.kind == "net.egress"})
    env = sorted({c.scope or "*" for c in caps if c.kind == "env.read"})
    execs = sorted({c.scope or "*" for c in caps if c.kind == "proc.exec"})
    block: dict[str, Any] = {"shell": TOP in caps}
    if files_r or files_w:
        block["files"] = {k: v for k, v in (("read", files_r), ("write", files_w)) if v}
    if hosts:
        block["network"] = {"allow": hosts}
    if env:
        block["env"] = env
    if execs:
        block["exec"] = execs
    other = sorted(str(c) for c in caps if c.kind not in ("fs.read", "fs.write", "fs.delete", "net.egress",
                                                            "env.read", "proc.exec", "proc.shell", "secrets.read"))
    if other:
        block["other"] = other
    return {"permissions": block}


def _needed(inferred: Sequence[InferredCapability], declared: Declared) -> list[Capability]:
    from skillscan.capabilities.grammar import covers

    # a `!`cmd`` block declares itself to the gate, but Claude Code still needs it pre-approved
    surface = {d.capability for d in declared.declarations if d.source in ("surface", "user")
               and d.field != "surface:load-time-command"}
    caps = []
    for ic in inferred:
        c = ic.capability
        if c.kind in SELF or any(covers(s, c) for s in surface):
            continue
        if c.kind == "secrets.read" and (c.scope or "").startswith("env:"):
            continue  # expressed by the env.read of the same name
        if c.kind == "secrets.read" and c.scope not in (None, "*") and not (c.scope or "").startswith("env:"):
            continue  # a credential store follows from the fs.read that reaches it
        caps.append(c)
    return sorted(set(caps), key=str)


def _openclaw(caps: Sequence[Capability], package: Package) -> dict[str, Any]:
    claw = _m(package.manifest.get("_openclaw"))
    key = str(claw.get("key") or "openclaw")
    bins = sorted({_display_bin(c.scope) for c in caps if c.kind == "proc.exec" and c.scope and c.scope != "*"})
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
    installs = _l(claw.get("install"))
    fixed = []
    for spec in installs:
        if isinstance(spec, dict) and spec.get("kind") == "download" and not spec.get("sha256"):
            fixed.append({**spec, "sha256": "<sha256 of the downloaded file>"})
        elif isinstance(spec, dict):
            fixed.append(spec)
    if fixed and fixed != installs:
        block["install"] = fixed
    return {key: block} if block else {}


def suggest(package: Package, inferred: Sequence[InferredCapability], declared: Declared) -> tuple[Suggestion, ...]:
    caps = _needed(inferred, declared)
    fmt = package.format
    out: list[Suggestion] = []
    if fmt in SKILL_FORMATS:
        path = package.manifest_path or "SKILL.md"
        data: dict[str, Any] = {}
        skill_caps = list(caps)
        leftover: list[Capability] = []
        if fmt == "openclaw-skill":
            claw = _openclaw(caps, package)
            if claw:
                data["metadata"] = claw
            skill_caps = [c for c in caps if c.kind not in ("proc.exec", "env.read")]
            leftover = []
        # what only a bundled script does is not the agent's to pre-approve: `Bash(sh scripts/x.sh)`
        # covers running the script, and the rest goes to the generic block as a disclosure
        tool_kinds = tool_only(fmt)
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
        if data:
            out.append(Suggestion(fmt, path, _yaml(data), data))
        if fmt == "codex-skill":
            perms: dict[str, Any] = {}
            if any(c.kind == "net.egress" for c in caps):
                perms["network"] = True
            reads = sorted({_codex_path(c.scope) for c in caps if c.kind == "fs.read"})
            writes = sorted({_codex_path(c.scope) for c in caps if c.kind in ("fs.write", "fs.delete")})
            fs = {k: v for k, v in (("read", reads), ("write", writes)) if v}
            if fs:
                perms["file_system"] = fs
            if perms:
                out.append(Suggestion(fmt, "agents/openai.yaml", _yaml({"permissions": perms}), {"permissions": perms}))
        if leftover:
            block = generic_block(leftover)
            out.append(Suggestion("generic", "", _yaml(block), block))
        return tuple(out)
    envs = sorted({c.scope for c in caps if c.kind == "env.read" and c.scope and c.scope != "*"})
    secret_envs = {(c.scope or "")[4:] for ic in inferred for c in [ic.capability]
                   if c.kind == "secrets.read" and (c.scope or "").startswith("env:")}
    if fmt == "mcp-server" and envs:
        data = {"environmentVariables": [{"name": e, "isSecret": e in secret_envs or is_credential_env(e)}
                                         for e in envs]}
        out.append(Suggestion(fmt, "server.json", json.dumps(data, indent=2, sort_keys=True) + "\n", data))
        caps = [c for c in caps if c.kind != "env.read"]
    elif fmt == "gemini-extension" and envs:
        data = {"settings": [{"name": e, "description": f"value of {e}", "envVar": e,
                              "sensitive": e in secret_envs or is_credential_env(e)} for e in envs]}
        out.append(Suggestion(fmt, "gemini-extension.json", json.dumps(data, indent=2, sort_keys=True) + "\n", data))
        caps = [c for c in caps if c.kind != "env.read"]
    elif fmt == "mcpb" and envs:
        env = {e: "${user_config." + e.lower() + "}" for e in envs}
        uc = {e.lower(): {"type": "string", "title": e, "sensitive": e in secret_envs or is_credential_env(e)}
              for e in envs}
        data = {"server": {"mcp_config": {"env": env}}, "user_config": uc}
        out.append(Suggestion(fmt, "manifest.json", json.dumps(data, indent=2, sort_keys=True) + "\n", data))
        caps = [c for c in caps if c.kind != "env.read"]
    elif fmt == "dify-plugin":
        hosts = sorted({c.scope for c in caps if c.kind == "net.egress" and c.scope and c.scope != "*"})
        data = {}
        if hosts:
            data["network"] = {"domains": hosts}
        if data:
            out.append(Suggestion(fmt, "manifest.yaml", _yaml(data), data))
        caps = [c for c in caps if c.kind != "net.egress" or c.scope in (None, "*")]
    elif fmt == "claude-plugin" and any(f.path.startswith("skills/") and f.path.endswith("/SKILL.md")
                                        for f in package.files):
        entries, _ = allowed_tools_entries([c for c in caps if c.kind in ("proc.exec", "proc.shell", "net.egress",
                                                                           "fs.read", "fs.write", "fs.delete")],
                                           package, inferred)
        if entries:
            data = {"allowed-tools": " ".join(entries)}
            out.append(Suggestion(fmt, "skills/<name>/SKILL.md", _yaml(data), data))
    if caps:
        block = generic_block(caps)
        out.append(Suggestion("generic", "", _yaml(block), block))
    return tuple(out)


def _codex_path(scope: str | None) -> str:
    s = scope or "*"
    if s == "$PKG":
        return "."
    if s.startswith("$PKG/"):
        return "./" + s[5:]
    return s

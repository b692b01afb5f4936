"""Hook configurations an instruction file tells the agent to write: a JSON block of SKILL.md (or any
instruction file) shaped like the host agent's hooks map (`{"hooks": {"SessionStart": [{"hooks":
[{"type": "command", "command": "…"}]}]}}`, the shape of `.claude/settings.json`, a plugin's
`hooks/hooks.json` and Gemini CLI's settings). Such a block is a hook the agent installs: each of its
commands is read like a hook the package declares — `hook-config-instruction` names the event and the
command (capability `agent.hook[<event>]`), and the command goes to the shell analyzer at its own
line, so what it runs (`curl … | bash`: `code.remote[…]`) is inferred where the hook is. The decide
stage judges the two together (a load-time hook that runs remote code: policy_persist).

A block presented as an example or an indicator (context.described) or in a reference file is read with
a low ceiling, as commands are (commands.py)."""

from __future__ import annotations

from skillscan.analyzers.base import finding
from skillscan.analyzers.instructions import context as ctx
from skillscan.analyzers.instructions.commands import analyze
from skillscan.analyzers.instructions.document import Document
from skillscan.analyzers.instructions.fences import fence_lang
from skillscan.formats.common import ManifestError, hook_surfaces, load_json_text
from skillscan.model import Capability, Channel, Confidence, Finding

RULE_IDS: tuple[str, ...] = ("hook-config-instruction",)
JSON_FENCES = frozenset({"json", "jsonc", "json5", ""})
MAX_BLOCK = 64 * 1024  # characters of one block parsed
MAX_HOOKS = 16  # hook commands read per file
CAPPED = f"only the first {MAX_HOOKS} hook commands of the file were read as hooks"


def hook_configs(doc: Document, *, ref_file: bool) -> list[Finding]:
    out: list[Finding] = []
    count = 0
    for seg in doc.segments:
        if seg.kind != "fence" or fence_lang(seg.info) not in JSON_FENCES or '"hooks"' not in seg.raw:
            continue
        if count >= MAX_HOOKS:
            out.append(_bound(doc, seg.line, CAPPED))
            break
        if not seg.raw.lstrip().startswith("{"):
            continue
        if len(seg.raw) > MAX_BLOCK:
            out.append(_bound(doc, seg.line, f"a JSON block naming hooks is over {MAX_BLOCK // 1024} KB and was "
                                             "not read as a hook configuration"))
            continue
        try:
            data = load_json_text(seg.raw)
        except (ManifestError, ValueError, RecursionError):
            continue
        if not isinstance(data, dict) or not isinstance(data.get("hooks"), dict):
            continue
        ceiling = Confidence.HIGH
        if ref_file or ctx.described(doc, seg.line, doc.previous_text(seg.line - 1)):
            ceiling = Confidence.LOW
        for s in hook_surfaces(data, doc.path, seg.raw):
            if not s.command or not s.event:
                continue
            if count >= MAX_HOOKS:
                out.append(_bound(doc, seg.line, CAPPED))
                return out
            count += 1
            line = seg.line + max(s.line, 1) - 1
            out.append(finding(
                "hook-config-instruction",
                f"tells the agent to configure a {s.event} hook that runs `{s.command[:120]}`", doc.path, line,
                snippet=s.command[:200], channel=Channel.INSTRUCTION, confidence=ceiling,
                capabilities=[Capability("agent.hook", s.event[:64])]))
            out += analyze(doc.path, s.command, line, 1, ceiling, "fence")
    return out


def _bound(doc: Document, line: int, what: str) -> Finding:
    return finding("analysis-incomplete", f"{doc.path}: {what}", doc.path, line, channel=Channel.INSTRUCTION)

"""The instructions analyzer: what a skill tells the agent (or the human) to do.

SKILL.md bodies, references/, commands/, agents/, rules files (.mdc, .cursorrules, CLAUDE.md,
GEMINI.md, AGENTS.md) and MCP tool/prompt descriptions in manifests. Text is normalised first
(zero-width removed, look-alike letters folded, Unicode Tag text decoded and scanned again); prose
detectors come from the `detect:` section of each rule's one definition, `rules/checks/<id>.yaml`;
commands in fences, inline code and "run: …" sentences go to the shell analyzer on the `instruction`
channel, with a lower ceiling when the surrounding text marks them as examples or things to avoid.
"""

from __future__ import annotations

from skillscan.analyzers.instructions.analyzer import InstructionsAnalyzer
from skillscan.analyzers.instructions.commands import PIPELINE_CHARS, PIPELINE_HINT, RUN_SENTENCE
from skillscan.analyzers.instructions.document import parse_document
from skillscan.analyzers.instructions.links import InstructionLinksAnalyzer

__all__ = ["PIPELINE_CHARS", "PIPELINE_HINT", "RUN_SENTENCE", "InstructionLinksAnalyzer", "InstructionsAnalyzer",
           "parse_document"]

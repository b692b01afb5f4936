"""Code in a configuration value: a string value of a data block (a JSON, YAML or TOML fence of an
instruction file) that is code starting a process — `require("child_process").execSync(…)`,
`__import__('os').system(…)`, `subprocess.run(…)`, `Runtime.getRuntime().exec(…)`. Configuration
fields that a tool evaluates (a "function" field, an override config, a template) are how code reaches
a server that never meant to run it; a skill that hands the agent such a value is handing it an
injection payload. The calls are data (`rules/instructions/payloads.yaml`). Code fences, prose and
tables are not read here: code shown as code is the code engines' business."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from skillscan.analyzers.base import finding
from skillscan.analyzers.instructions.document import Document
from skillscan.analyzers.instructions.fences import fence_lang
from skillscan.analyzers.instructions.prose_findings import capped
from skillscan.catalog import rules_dir
from skillscan.model import Channel, Finding
from skillscan.ruledata import load_yaml_file

RULE_IDS: tuple[str, ...] = ("code-in-config-value",)
STRING = re.compile(r'"((?:[^"\\\n]|\\.){8,4000})"|\'((?:[^\'\\\n]|\\.){8,4000})\'')
MAX_REPORTS = 3


@dataclass(frozen=True)
class PayloadWords:
    data_fences: frozenset[str]
    process_call: re.Pattern[str]


@lru_cache(maxsize=1)
def words() -> PayloadWords:
    data = load_yaml_file(rules_dir() / "instructions" / "payloads.yaml") or {}
    return PayloadWords(frozenset(str(x).lower() for x in data["data_fences"]),
                        re.compile("|".join(f"(?:{p})" for p in data["process_call"])))


def config_payloads(doc: Document) -> list[Finding]:
    w = words()
    out: list[Finding] = []
    more = 0
    for seg in doc.segments:
        if seg.kind != "fence" or fence_lang(seg.info) not in w.data_fences:
            continue
        for i, line in enumerate(seg.raw.split("\n")):
            for m in STRING.finditer(line):
                value = m.group(1) if m.group(1) is not None else m.group(2)
                call = w.process_call.search(value)
                if call is None:
                    continue
                if len(out) >= MAX_REPORTS:
                    more += 1
                    break
                out.append(finding(
                    "code-in-config-value",
                    f"Code in a configuration value: a string value of a `{fence_lang(seg.info)}` block runs a "
                    f"process (“{call.group(0)[:80]}”)",
                    doc.path, seg.line + i, m.start() + 1, snippet=line.strip()[:200], channel=Channel.INSTRUCTION))
                break
    return capped(out, more, MAX_REPORTS)

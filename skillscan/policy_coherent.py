"""Purpose coherence of a single malice signal (DESIGN.md "Decision" rule 1: malice at sufficient confidence
blocks; issue 17: sabotage incoherent with the skill's purpose).

Many malice detectors report at low confidence on purpose, because one such sentence or script has an
honest look-alike: a notifier "silently posts" its status, a notes skill writes the agent's memory, a
style-guide skill reads the user's style guide under ~/, a watchlist boosts the user's tickers. What tells
them from the attack is the skill's stated purpose: the honest one states the purpose that explains its act,
the attack does not — a PDF-extraction skill that copies mail to a party the user did not name, a slide
exporter that writes into AGENTS.md, a video-editing skill that takes guidance from a file under /root.

A *signal* is what `policy_corroborate.signals` takes: a malice finding of a rule listed in
`rules/decide/corroboration.yaml`, left at review for its confidence alone (not lowered by its role, by
security practice or by a transparent polarity), in text the agent follows or code that runs. It is
*incoherent* when the skill states a purpose — its name, description and SKILL.md title (`stated_text`,
nearest SKILL.md above the finding) hold at least `min_purpose_words` content words — and none of the kinds
of purpose (`rules/purpose/kinds.yaml`) that `rules/decide/coherence.yaml` lists as explaining the act is
stated there; for an exfiltration signal, a host on its line that the stated purpose explains (its stated
service, its homepage's site) explains it too. Unknown purpose (fewer words) is not incoherence: the signal
stays review. Nor is a signal cited in the frontmatter itself (a description that claims every conversation):
what the skill states as its purpose is not incoherent with it. A document without frontmatter states its
purpose in its title and the paragraph leading its body, which are read with it. The reason names the act and the kinds of purpose it would need."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath

from skillscan.capabilities.urls import text_authorities
from skillscan.model import Finding, Package
from skillscan.policy_corroborate import Signal, signals
from skillscan.policy_corroborate import table as families
from skillscan.policy_download import stated_text
from skillscan.policy_practice import file_lines, line_text
from skillscan.policy_purpose import egress_reason
from skillscan.purpose.kinds import content_words, label, stated_kinds
from skillscan.purpose.stated import StatedPurpose

RULE_IDS: tuple[str, ...] = ("incoherent-malice",)
_LEAD = 400  # characters of the lead paragraph read


@dataclass(frozen=True)
class Act:
    said: str  # what the signal does, as the reason says it
    explained_by: tuple[str, ...]  # kinds of purpose (rules/purpose/kinds.yaml) that explain it


@dataclass(frozen=True)
class Table:
    min_words: int
    family: dict[str, Act]
    rule: dict[str, Act]

    def act(self, s: Signal) -> Act | None:
        return self.rule.get(s.finding.rule_id) or self.family.get(s.family)


def _act(spec: object, where: str) -> Act:
    if not isinstance(spec, dict) or not isinstance(spec.get("act"), str):
        raise TypeError(f"rules/decide/coherence.yaml: {where} needs `act` and `explained_by`")
    return Act(spec["act"], tuple(str(k) for k in spec.get("explained_by") or ()))


@lru_cache(maxsize=1)
def table() -> Table:
    from skillscan.catalog import rules_dir
    from skillscan.ruledata import load_yaml_file

    data = load_yaml_file(rules_dir() / "decide" / "coherence.yaml")
    if not isinstance(data, dict) or not isinstance(data.get("families"), dict):
        raise TypeError("rules/decide/coherence.yaml: expected a mapping with `families`")
    return Table(int(data.get("min_purpose_words", 4)),
                 {str(k): _act(v, f"family {k}") for k, v in data["families"].items()},
                 {str(k): _act(v, f"rule {k}") for k, v in (data.get("rules") or {}).items()})


def _title(package: Package, path: str) -> str:
    """The first `# ` heading of the nearest SKILL.md above `path` (its title) and, for a SKILL.md without
    frontmatter (no name or description to state its purpose), the paragraph that leads the body under it,
    or "". With frontmatter the lead is the body's first instruction, not a statement of purpose."""
    folder = PurePosixPath(path).parent
    for _ in range(8):
        here = "SKILL.md" if str(folder) in (".", "") else str(folder / "SKILL.md")
        lines = file_lines(package, here)
        if lines:
            title = _lead(lines[:200])
            return title if lines[0].strip() != "---" else title.split("\n", 1)[0]
        if str(folder) in (".", "", "/"):
            return ""
        folder = folder.parent
    return ""


def _lead(lines: Sequence[str]) -> str:
    at = next((i for i, ln in enumerate(lines) if ln.startswith("# ")), None)
    if at is None:
        return ""
    lead: list[str] = []
    for ln in lines[at + 1:]:
        if ln.startswith("#") or (lead and not ln.strip()):
            break
        if ln.strip():
            lead.append(ln.strip())
    return f"{lines[at][2:].strip()}\n{' '.join(lead)[:_LEAD]}"


def purpose_text(package: Package, path: str) -> str:
    """What the skill says it is for: the name and description of the package and of the nearest SKILL.md,
    and that SKILL.md's title."""
    return f"{stated_text(package, path, lower=False)} {_title(package, path)}".strip()


def known(text: str, min_words: int) -> bool:
    return content_words(text) >= min_words


def _explaining_host(package: Package, f: Finding, purpose: StatedPurpose) -> str | None:
    text = f"{f.location.snippet} {line_text(package, f.location.path, f.location.line, f.location.snippet)}"
    for authority in text_authorities(text[:4000]):
        if why := egress_reason(authority, purpose):
            return why
    return None


def in_frontmatter(package: Package, f: Finding) -> bool:
    """The finding cites a line of its file's frontmatter (a SKILL.md's name and description): what the
    skill states as its purpose cannot be incoherent with it — the user reads it before installing."""
    lines = file_lines(package, f.location.path)
    if not lines or lines[0].strip() != "---":
        return False
    end = next((i for i, ln in enumerate(lines[1:200], start=2) if ln.strip() == "---"), 0)
    return 1 <= f.location.line <= end


def incoherent(package: Package, reviewed: Sequence[Finding], others: Sequence[Finding],
               practice: Callable[[str], bool], purpose: StatedPurpose) -> tuple[str, Finding] | None:
    """The reason to block for the first signal whose act the skill's stated purpose does not explain, with
    its finding, else None. `reviewed`: the malice findings left at review for their confidence alone;
    `others`: every finding (the capability findings of a listed family are taken from it)."""
    t = table()
    fam = families().family
    capability = [f for f in others if f.rule_id in fam and f.rule_class.value == "capability"]
    for s in signals([*reviewed, *capability], practice):
        act = t.act(s)
        if act is None:
            continue
        f = s.finding
        if in_frontmatter(package, f):
            continue  # the act is the stated purpose itself
        text = purpose_text(package, f.location.path)
        if not known(text, t.min_words):
            continue  # no stated purpose to be incoherent with: review stays review
        if any(k in stated_kinds(text) for k in act.explained_by):
            continue
        if s.family == "exfiltration" and _explaining_host(package, f, purpose):
            continue
        need = "; ".join(label(k) for k in act.explained_by) or "none could"
        return (f"{f.rule_id} ({s.family}, {f.location.path}:{f.location.line}, {f.role}) {act.said}, which "
                f"nothing in the skill's stated purpose (its name, description and title) calls for — "
                f"they state no purpose that would explain it ({need})"), f
    return None

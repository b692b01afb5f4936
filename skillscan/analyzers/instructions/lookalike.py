"""Look-alike platform links: a link in an instruction file to a host whose registrable name
contains the name of an agent platform or skill registry (`rules/instructions/lookalike.yaml`) but is
not one of that platform's own domains — `openclawcli.forum`, `openclaw-cli.vercel.app`. Skill
malware campaigns send users and agents to such pages for a "CLI" or an "update"; the platform's own
name in the host is what makes the page look official. The package's own homepage is never reported."""

from __future__ import annotations

from functools import lru_cache

from skillscan.analyzers.base import finding
from skillscan.analyzers.instructions.document import Document
from skillscan.analyzers.instructions.prose_findings import capped
from skillscan.capabilities.urls import url_hosts
from skillscan.catalog import rules_dir
from skillscan.model import Channel, Finding
from skillscan.purpose.domains import host_info, same_site
from skillscan.ruledata import load_yaml_file

RULE_IDS: tuple[str, ...] = ("platform-lookalike-link",)
MAX_REPORTS = 5
PROJECT_PAGES = frozenset({"github.io", "gitlab.io"})  # <organisation>.github.io: the organisation's own pages


@lru_cache(maxsize=1)
def brands() -> dict[str, frozenset[str]]:
    data = load_yaml_file(rules_dir() / "instructions" / "lookalike.yaml") or {}
    return {str(k).lower(): frozenset(str(d).lower() for d in v) for k, v in (data.get("brands") or {}).items()}


def lookalike(host: str) -> str | None:
    """The brand a host imitates, or None. The brand must be in the registrable name itself (the label
    left of the public suffix, or of the last label when the suffix is not a listed one), so `docs.openclaw.ai` and `openclaw.github.io` are not look-alikes."""
    info = host_info(host)
    if info.kind == "unlisted":  # a suffix the public-suffix list does not know: its last label
        registrable = ".".join(info.host.split(".")[-2:])
        label = registrable.split(".")[0]
    elif info.registrable is not None and info.suffix:
        registrable = info.registrable.lower()
        label = registrable[: -len(info.suffix) - 1]
    else:
        return None
    for brand, own in brands().items():
        if label == brand and info.suffix in PROJECT_PAGES:
            continue  # the platform's own organisation's project pages (openai.github.io)
        if brand in label and registrable not in own:
            return brand
    return None


def lookalike_links(doc: Document) -> list[Finding]:
    text = doc.normalized.text
    if "://" not in text:
        return []
    homepage = doc.frontmatter.get("homepage") if isinstance(doc.frontmatter, dict) else None
    out: list[Finding] = []
    more = 0
    seen: set[str] = set()
    for i, line in enumerate(doc.lines):
        if "://" not in line:
            continue
        for at, host in url_hosts(line):
            if host in seen or (isinstance(homepage, str) and homepage and same_site(host, homepage)):
                continue
            brand = lookalike(host)
            if brand is None:
                continue
            seen.add(host)
            if len(out) >= MAX_REPORTS:
                more += 1
                continue
            out.append(finding(
                "platform-lookalike-link",
                f"Look-alike platform link: {host} carries the name “{brand}” but is none of the domains listed as its own "
                f"({', '.join(sorted(brands()[brand]))})",
                doc.path, i + 1, at + 1, snippet=line.strip()[:200], channel=Channel.INSTRUCTION))
    return capped(out, more, MAX_REPORTS)

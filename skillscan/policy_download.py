"""Download-and-execute from an untrusted host: the malice fact behind an undeclared `code.remote`
(DESIGN.md "Permit and decide", rule 1). Remote code the package fetches and runs is privilege (review
with its evidence) when its host is explained — a trusted installer, the vendor of a service or tool the
package states, the package's own project on a code host — and malice (block) when nothing the package
says about itself explains the host: a curl-pipe-shell from a third party's domain in a skill whose
stated service is someone else's.

- `stated_text(package, path)` / `stated_words(package, path)`: the words of the stated purpose that reaches `path` — the package's
  name and description and the name and description in the frontmatter of the nearest SKILL.md above
  `path` (a plugin's skill states its own purpose).
- `unexplained_download(url, words, purpose, trusted)`: a sentence saying why the host is untrusted, or
  None when the host is explained (or the URL names no literal host, as a variable or a placeholder).
  The package's own claims explain only its named vendor: a paste site, a file drop, a raw IP or plain
  http is never explained (`policy_purpose.untrusted_target` judges those before this)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import PurePosixPath

from skillscan.model import Package
from skillscan.policy_purpose import vendor_installer
from skillscan.purpose.domains import host_info
from skillscan.purpose.services import load_table
from skillscan.purpose.stated import StatedPurpose

_WORD = re.compile(r"[a-z][a-z0-9]{3,}")
# a project's own domain often adds one of these to its name (fluxcd.io for Flux, golangci for golang)
_SUFFIXES = ("cd", "ci", "hq", "io", "app", "dev", "cli", "sh", "js", "py", "lang", "labs", "hub", "ai", "hq")
_FRONT = re.compile(r"\A---\s*\n(.*?)\n---", re.DOTALL)
_FIELD = re.compile(r"^(name|description)\s*:\s*(.+)$", re.MULTILINE)
_CODE_REPO = re.compile(r"^https?://(?:raw\.githubusercontent\.com|github\.com|gitlab\.com|codeberg\.org|"
                        r"bitbucket\.org)/([\w.-]+)/([\w.-]+)", re.IGNORECASE)
# words of a description that name no project
_GENERIC = frozenset({"with", "from", "your", "that", "this", "when", "use", "using", "into", "tool", "tools",
                      "skill", "skills", "install", "setup", "agent", "code", "data", "file", "files", "script",
                      "scripts", "service", "services", "server", "servers", "cloud", "the", "and", "for",
                      "manage", "management", "analysis", "analyzing", "building", "performing", "implementing"})
_MAX_TEXT = 4000


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text[:_MAX_TEXT].lower()) if w not in _GENERIC}


def _frontmatter(text: str) -> str:
    m = _FRONT.match(text[:_MAX_TEXT])
    return " ".join(v for _, v in _FIELD.findall(m.group(1))) if m else ""


def stated_text(package: Package, path: str, lower: bool = True) -> str:
    """The package's name and description and the name and description of the nearest SKILL.md above
    `path`, as one lower-case text (`lower=False`: as written)."""
    manifest = package.manifest if isinstance(package.manifest, dict) else {}
    desc = manifest.get("description")
    parts = [package.name or "", desc if isinstance(desc, str) else ""]
    folder = PurePosixPath(path).parent
    for _ in range(8):
        f = package.file(str(folder / "SKILL.md") if str(folder) != "." else "SKILL.md")
        if f is not None and f.text:
            parts.append(_frontmatter(f.text))
            break
        if str(folder) in (".", "", "/"):
            break
        folder = folder.parent
    text = " ".join(parts)[: 3 * _MAX_TEXT]
    return text.lower() if lower else text


def stated_words(package: Package, path: str) -> frozenset[str]:
    return frozenset(_words(stated_text(package, path)))


@lru_cache(maxsize=4096)
def _names_project(label: str, words: frozenset[str], repo: bool = False) -> bool:
    """The label (a domain's name part or a repository's name) is a stated word, or a stated word plus a
    project suffix (`fluxcd` for Flux), or — for a hyphenated repository name — starts with one
    (`restler-fuzzer` for RESTler)."""
    label = label.lower().removesuffix(".git")
    if len(label) < 4:
        return False
    if label in words:
        return True
    head = re.split(r"[-_]", label, maxsplit=1)[0]  # `runpod_ops` as `runpod-ops`
    if repo and head != label and head in words:
        return True
    return any(label == w + s for w in words for s in _SUFFIXES)


def unexplained_download(url: str, words: Iterable[str], purpose: StatedPurpose,
                         trusted: Callable[[str], bool]) -> str | None:
    low = url.strip()
    info = host_info(low)
    if info.kind != "domain" or not info.registrable:
        return None  # a variable, a placeholder (ATTACKER_IP) or no literal host: nothing to judge
    if trusted(low) or vendor_installer(low, purpose):
        return None
    stated = frozenset(words)
    table = load_table()
    m = _CODE_REPO.match(low)
    if m:
        owner, repo = m.group(1), m.group(2)
        if _names_project(repo, stated, repo=True) or _names_project(owner, stated):
            return None
        return (f"it downloads and runs code from {owner}/{repo} on {info.registrable}, a project the "
                "package's stated purpose does not name")
    if table.is_code_host(low):
        return None  # a registry or code host without an owner/project path: judged by the package it names
    name = info.registrable[: -len(info.suffix) - 1] if info.suffix else info.registrable
    if _names_project(name, stated):
        return None
    return (f"it downloads and runs code from {info.registrable}, a host the package's stated purpose "
            "(name, description, services) does not explain")

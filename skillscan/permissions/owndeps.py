"""The package's own dependencies (DESIGN.md rule 3: an execution surface declares only itself — and a
package it installs is installed with its dependencies).

An MCP `server.json` entry declaring `npm @acme/weather-mcp` declares installing that package; when the
scanned directory is that package's own source (its `package.json` names `@acme/weather-mcp`), the
dependencies its `package.json` lists are what that install brings, and a bare `npm install` (no package
named, `pkg.install[npm:*]`) run by a script beside that `package.json` installs exactly those. Neither is
a further install to declare. A dependency manifest of another name, a named package (`npm install
left-pad`), or a script in another directory stays an install of its own."""

from __future__ import annotations

from pathlib import PurePosixPath

from skillscan.formats.common import ManifestError, load_json_text
from skillscan.model import InferredCapability, Package
from skillscan.permissions.declared import Declared

_MANIFEST = "package.json"
_MAX_TEXT = 1_000_000
_DEPENDENCY_RULE = "dependency-declared"
_INSTALL_RULE = "shell-package-install"


def _name(text: str | None) -> str:
    if not text or len(text) > _MAX_TEXT:
        return ""
    try:
        data = load_json_text(text)  # bounded nesting: a hostile manifest is no name, not a crash
    except ManifestError:
        return ""
    name = data.get("name") if isinstance(data, dict) else None
    return name.strip().lower() if isinstance(name, str) else ""


def own_manifest_dirs(package: Package, declared: Declared) -> frozenset[str]:
    """The directories whose `package.json` is a package the package declares installing (npm)."""
    names = set()
    for d in declared.declarations:
        scope = (d.capability.scope or "").lower()
        if d.capability.kind == "pkg.install" and scope.startswith("npm:"):
            bare = scope[4:]
            names.add(bare[:bare.rindex("@")] if bare.rfind("@") > 0 else bare)
    if not names:
        return frozenset()
    return frozenset(str(PurePosixPath(f.path).parent) for f in package.files[:10_000]
                     if PurePosixPath(f.path).name == _MANIFEST and _name(f.text) in names)


def own_dependency(ic: InferredCapability, dirs: frozenset[str]) -> bool:
    """An npm install the declared package's own source brings: a package its `package.json` lists as a
    dependency (installing the declared package installs it, however else it is named), or a bare
    `npm install` by files in that `package.json`'s directory."""
    cap = ic.capability
    scope = (cap.scope or "").lower()
    if not dirs or cap.kind != "pkg.install" or not scope.startswith("npm:") or not ic.evidence:
        return False
    if scope == "npm:*":
        return all(e.rule_id == _INSTALL_RULE and str(PurePosixPath(e.path).parent) in dirs for e in ic.evidence)
    return any(e.rule_id == _DEPENDENCY_RULE and PurePosixPath(e.path).name == _MANIFEST
               and str(PurePosixPath(e.path).parent) in dirs for e in ic.evidence)

"""The `error` verdict for a package whose main manifest cannot be read.

A package is judged by what its manifest says it is. When that manifest is binary, not text, or does
not parse (a broken `plugin.json`, a binary `SKILL.md`), the package could not be scanned as what it
claims to be: its verdict is `error` (exit 2, counted in the summary's errors), with the findings of
everything that could be analysed still reported. Other loader errors (a missing referenced file, a
path leaving the package) keep the verdict the policy gives them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import PurePosixPath

from skillscan.formats.common import ManifestError, read_json, read_toml, read_yaml
from skillscan.model import Decision, Package, Verdict


def unreadable_main_manifest(package: Package) -> str | None:
    """Why the main manifest cannot be read, checked on the file itself; None when it can be (or when the
    loader reported no error about it)."""
    path = package.manifest_path
    if not path or not any(e.startswith(f"{path}:") for e in package.errors):
        return None
    f = package.file(path)
    if f is None:
        return None
    if f.is_binary or f.text is None:
        return f"{path}: the package's main manifest is not readable text"
    suffix = PurePosixPath(path).suffix.lower()
    reader = {".json": read_json, ".yaml": read_yaml, ".yml": read_yaml, ".toml": read_toml}.get(suffix)
    if reader is None:
        return None
    try:
        data = reader(f)
    except ManifestError as exc:
        return f"{path}: the package's main manifest cannot be parsed ({exc})"
    if not isinstance(data, dict):
        return f"{path}: the package's main manifest is not a mapping"
    return None


def with_manifest_error(package: Package, verdict: Verdict) -> Verdict:
    """`verdict`, turned into `error` when the main manifest cannot be read (the reason comes first)."""
    if verdict.decision is Decision.ERROR:
        return verdict
    why = unreadable_main_manifest(package)
    if why is None:
        return verdict
    return replace(verdict, decision=Decision.ERROR, reasons=(why, *verdict.reasons))


def with_generic_policy(package: Package, verdict: Verdict, generic: Decision | None, gate: bool) -> Verdict:
    """A `generic` package (files, no manifest) gets at least the policy's `generic` decision: unset, `review`
    in a gate and `allow` in a scan."""
    if package.format != "generic":
        return verdict
    floor = generic if generic is not None else (Decision.REVIEW if gate else Decision.ALLOW)
    if verdict.decision.rank >= floor.rank:
        return verdict
    reason = (f"no package manifest: the files were scanned as the generic format, and the policy's "
              f"`generic: {floor.value}` asks for {floor.value}" if generic is not None else
              "no package manifest: the files were scanned as the generic format, and a gate asks for review "
              "of a package that does not say what it is (policy option `generic`)")
    return replace(verdict, decision=floor, reasons=(reason, *verdict.reasons))


def adjust(package: Package, verdict: Verdict, generic: Decision | None, gate: bool) -> Verdict:
    """The decided verdict with the two package-level rules above applied."""
    verdict = with_manifest_error(package, verdict)
    return with_generic_policy(package, verdict, generic, gate)

"""Dify plugins: `manifest.yaml` (resource.permission, meta.runner, plugins.{tools,models,endpoints…} →
provider YAML → tool YAML), `requirements.txt` installed by the host."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any

from skillscan.formats.common import (
    ManifestError,
    file_map,
    key_line,
    mapping,
    read_yaml,
    resolve,
    unreadable_manifest,
)
from skillscan.formats.declare import Fields, line_of, mapping_of, strings
from skillscan.formats.emit import Suggestion, yaml_suggestion
from skillscan.formats.spec import FormatSpec, Parsed
from skillscan.model import Capability, InferredCapability, Package, PackageFile, Surface

MANIFEST = "manifest.yaml"
MAX_PROVIDER_FILES = 256


def is_dify_manifest(f: PackageFile) -> bool:
    if f.text is None or f.truncated:
        return False
    head = f.text[:100_000]
    if "runner" not in head and "resource" not in head and "type: plugin" not in head:
        return False
    try:
        data = read_yaml(f)
    except ManifestError:
        return False
    return isinstance(data, dict) and (data.get("type") == "plugin" or (
        isinstance(data.get("meta"), dict) and isinstance(data.get("resource"), dict)))


def parse_dify(root: str, files: tuple[PackageFile, ...]) -> Parsed:
    by_path = file_map(files)
    f = by_path[MANIFEST]
    errors: list[str] = []
    try:
        manifest = mapping(read_yaml(f))
    except ManifestError as exc:
        return unreadable_manifest(root, "dify-plugin", MANIFEST, exc)
    providers: dict[str, Any] = {}
    queue: list[str] = []
    for kind, refs in mapping(manifest.get("plugins")).items():
        for ref in refs if isinstance(refs, list) else [refs]:
            if isinstance(ref, str):
                rel = resolve("", ref)
                if rel is None:
                    errors.append(f"{MANIFEST}: plugins.{kind} path {ref!r} points outside the plugin")
                else:
                    queue.append(rel)
    seen: set[str] = set()
    while queue and len(seen) < MAX_PROVIDER_FILES:
        rel = queue.pop(0)
        if rel in seen:
            continue
        seen.add(rel)
        pf = by_path.get(rel)
        if pf is None:
            errors.append(f"{rel}: referenced by the manifest but missing")
            continue
        try:
            data = read_yaml(pf)
        except ManifestError as exc:
            errors.append(f"{rel}: {exc}")
            continue
        providers[rel] = data
        if isinstance(data, dict):
            base = PurePosixPath(rel).parent.as_posix()
            for key in ("tools", "models", "endpoints", "strategies", "datasources", "triggers"):
                for ref in data.get(key) or [] if isinstance(data.get(key), list) else []:
                    if isinstance(ref, str) and ref.endswith((".yaml", ".yml")):
                        target = resolve("", ref) if ref in by_path else resolve("" if base == "." else base, ref)
                        if target and target not in seen:
                            queue.append(target)
    if providers:
        manifest["_providers"] = providers
    surfaces: list[Surface] = []
    runner = mapping(mapping(manifest.get("meta")).get("runner"))
    if "requirements.txt" in by_path or "pyproject.toml" in by_path:
        src = "requirements.txt" if "requirements.txt" in by_path else "pyproject.toml"
        surfaces.append(Surface(kind="install", path=MANIFEST, command=f"pip install -r {src}" if src ==
                                "requirements.txt" else "pip install .", line=key_line(f.text, "runner"),
                                extra=(("installer", "pip"), ("from", src),
                                       ("runner", str(runner.get("language") or "")))))
    author = str(manifest.get("author") or "")
    name = str(manifest.get("name") or PurePosixPath(root).name)
    return Parsed(name=f"{author}/{name}" if author else name, format="dify-plugin",
                  version=str(manifest.get("version") or ""), manifest=manifest, manifest_path=MANIFEST,
                  surfaces=tuple(surfaces), errors=tuple(errors))


def declare_dify(out: Fields, package: Package) -> None:
    """`resource.permission` (endpoint, model, tool, …), `network.domains` and requirements.txt."""
    m = package.manifest
    f = package.file(MANIFEST)
    text = f.text if f is not None else None
    path = MANIFEST
    resource = mapping_of(m.get("resource"))
    perm = mapping_of(resource.get("permission"))
    for key, spec in perm.items():
        if not isinstance(spec, Mapping) or not spec.get("enabled", True):
            continue
        line = line_of(text, f"{key}:")
        if key == "endpoint":
            out.add(Capability("net.listen", "dify-endpoint"), "grant", path, line, "resource.permission.endpoint")
        elif key == "model":
            out.add(Capability("host.api", "dify:model"), "grant", path, line, "resource.permission.model")
            for sub, val in spec.items():
                if sub != "enabled" and val is True:
                    out.add(Capability("host.api", f"dify:model.{sub}"), "grant", path, line, "resource.permission.model")
        else:
            out.add(Capability("host.api", f"dify:{key}"), "grant", path, line, f"resource.permission.{key}")
    network = mapping_of(m.get("network"))
    if not network and isinstance(resource.get("network"), Mapping):
        network = resource["network"]
    for d in strings(network.get("domains")):
        out.add(Capability("net.egress", d), "grant", path, line_of(text, d), "network.domains")
    if package.file("requirements.txt") is not None:
        out.add(Capability("pkg.install", "pypi:*"), "surface", "requirements.txt", 1, "requirements.txt")


def write_dify(caps: Sequence[Capability], package: Package,
            inferred: Sequence[InferredCapability]) -> tuple[tuple[Suggestion, ...], list[Capability]]:
    """Every needed named host in `network.domains`."""
    hosts = sorted({c.scope for c in caps if c.kind == "net.egress" and c.scope and c.scope != "*"})
    out = (yaml_suggestion(package.format, MANIFEST, {"network": {"domains": hosts}}),) if hosts else ()
    return out, [c for c in caps if c.kind != "net.egress" or c.scope in (None, "*")]


DIFY = FormatSpec(name="dify-plugin", markers=(MANIFEST,), parse=parse_dify, priority=22,
                  probe=is_dify_manifest,
                  declarable={"dify-plugin": frozenset({"host.api", "net.listen", "net.egress", "pkg.install"})},
                  named_only={"dify-plugin": frozenset({"net.egress"})},  # network.domains lists hosts
                  declare=declare_dify, write_suggestion=write_dify)

"""Dify plugins: `manifest.yaml` (resource.permission, meta.runner, plugins.{tools,models,endpoints…} →
provider YAML → tool YAML), `requirements.txt` installed by the host."""

from __future__ import annotations

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
from skillscan.formats.spec import FormatSpec, Parsed
from skillscan.model import PackageFile, Surface

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


DIFY = FormatSpec(name="dify-plugin", markers=(MANIFEST,), parse=parse_dify, priority=22,
                  probe=is_dify_manifest,
                  declarable={"dify-plugin": frozenset({"host.api", "net.listen", "net.egress", "pkg.install"})})

"""Claude Code marketplaces: `.claude-plugin/marketplace.json`, a catalogue of plugin entries. Each
entry's `source` becomes a `marketplace-source` surface; an entry whose source is not inside the scanned
tree (github/url/npm/archive/command sources, missing or escaping relative paths) is reported in the
package's `skipped` list — not scanned, so at least `review`. Plugins that are inside the tree are
their own packages (the marketplace does not own them)."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from skillscan.formats.claude_plugin import parse_claude_plugin
from skillscan.formats.common import (
    ManifestError,
    file_map,
    hook_surfaces,
    key_line,
    mapping,
    mcp_surfaces,
    read_json,
    resolve,
    unreadable_manifest,
    value_line,
)
from skillscan.formats.spec import TREE, FormatSpec, Parsed
from skillscan.model import PackageFile, Surface

MARKETPLACE_JSON = ".claude-plugin/marketplace.json"


def _describe(source: dict[str, Any]) -> str:
    kind = str(source.get("source") or "?")
    for key in ("repo", "url", "package", "command"):
        if source.get(key):
            return f"{kind}:{source[key]}"
    return kind


def parse_marketplace(root: str, files: tuple[PackageFile, ...]) -> Parsed:
    by_path = file_map(files)
    mf = by_path[MARKETPLACE_JSON]
    errors: list[str] = []
    skipped: list[str] = []
    surfaces: list[Surface] = []
    try:
        manifest = mapping(read_json(mf))
    except ManifestError as exc:
        return unreadable_manifest(root, "claude-marketplace", MARKETPLACE_JSON, exc)
    text = mf.text
    tree_root, tree_paths = TREE.get()
    plugin_root = str(mapping(manifest.get("metadata")).get("pluginRoot") or "")
    entries = manifest.get("plugins")
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        if not isinstance(entry, dict):
            continue
        name = str(entry.get("name") or f"#{i}")
        source = entry.get("source")
        # an entry may carry any plugin.json field inline (with `strict: false` it *is* the manifest)
        if isinstance(entry.get("hooks"), dict):
            surfaces += hook_surfaces(entry["hooks"], MARKETPLACE_JSON, text, origin=f"marketplace:{name}")
        if isinstance(entry.get("mcpServers"), dict):
            surfaces += mcp_surfaces(entry["mcpServers"], MARKETPLACE_JSON, text)
        if isinstance(entry.get("lspServers"), dict):
            surfaces += mcp_surfaces(entry["lspServers"], MARKETPLACE_JSON, text, kind="lsp-server")
        line = key_line(text, "name", text.find(f'"{name}"') - 10 if text and f'"{name}"' in text else 0)
        extra: list[tuple[str, str]] = [("plugin", name)]
        if isinstance(source, str):
            base = plugin_root if plugin_root and not source.startswith(("./", "../")) else ""
            rel = resolve("", f"{base}/{source}" if base else source)
            # `./` is the marketplace's own root: the scanned tree itself
            full = None if rel is None else tree_root if rel == "" else resolve(tree_root, rel)
            scanned = full is not None and any(p.startswith(full + "/") or not full for p in tree_paths)
            extra.append(("source", source))
            surfaces.append(Surface(kind="marketplace-source", path=MARKETPLACE_JSON, line=value_line(text, source), extra=tuple(extra + [("scanned", "yes" if scanned else "no")])))
            if not scanned:
                skipped.append(f"{MARKETPLACE_JSON}: plugin {name!r} source {source!r} is not in the scanned tree, "
                               "not scanned")
            continue
        if isinstance(source, dict):
            kind = str(source.get("source") or "")
            command = str(source.get("command") or "") if kind == "command" else ""
            url = str(source.get("url") or (f"https://github.com/{source['repo']}" if source.get("repo") else ""))
            for key in ("source", "repo", "ref", "sha", "sha256", "package", "version", "path", "mode"):
                if isinstance(source.get(key), (str, int)) and source.get(key) != "":
                    extra.append((key, str(source[key])))
            extra.append(("scanned", "no"))
            anchor = command or str(source.get("url") or source.get("repo") or source.get("package") or kind)
            surfaces.append(Surface(kind="marketplace-source", path=MARKETPLACE_JSON, command=command, url=url,
                                    gated=kind == "command", line=value_line(text, anchor) if anchor else line,
                                    extra=tuple(extra)))
            skipped.append(f"{MARKETPLACE_JSON}: plugin {name!r} source {_describe(source)} is outside the scanned "
                           "tree, not scanned")
            continue
        errors.append(f"{MARKETPLACE_JSON}: plugin {name!r} has no usable `source`")
    # a marketplace root that is also a plugin: its own components
    if any(p in by_path for p in (".claude-plugin/plugin.json", "hooks/hooks.json", ".mcp.json")):
        plugin = parse_claude_plugin(root, files)
        surfaces += plugin.surfaces
        errors += plugin.errors
        manifest["_plugin"] = plugin.manifest
    return Parsed(name=str(manifest.get("name") or PurePosixPath(root).name), format="claude-marketplace",
                  version=str(manifest.get("version") or mapping(manifest.get("metadata")).get("version") or ""),
                  manifest=manifest, manifest_path=MARKETPLACE_JSON, surfaces=tuple(surfaces), errors=tuple(errors),
                  skipped=tuple(skipped))


MARKETPLACE = FormatSpec(name="claude-marketplace", markers=(MARKETPLACE_JSON,), parse=parse_marketplace,
                                  priority=35)

"""Every package format loads with the right format, fields and surfaces — through the CLI's JSON — and
every archive kind built from a fixture directory gives the same packages and digests."""

from __future__ import annotations

import io
import os
import shutil
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest

from clirun import FIXTURES, scan_json

FORMAT_FIXTURES = {
    "agent-skill-benign": "agent-skill",
    "claude-plugin-full": "claude-plugin",
    "claude-marketplace-mixed": "claude-marketplace",
    "openclaw-skill-installer": "openclaw-skill",
    "codex-skill-mcp": "codex-skill",
    "mcpb-server": "mcpb",
    "mcp-server-registry": "mcp-server",
    "gemini-extension-tools": "gemini-extension",
    "dify-plugin-tool": "dify-plugin",
    "cursor-rules-basic": "cursor-rules",
}


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    data, _proc = scan_json(*(f"fixtures/{name}" for name in FORMAT_FIXTURES), "--min-severity", "info",
                            "--jobs", "1")
    return data


def package(report: dict[str, Any], root: str) -> dict[str, Any]:
    matches = [p for p in report["packages"] if p["root"] == root]
    assert len(matches) == 1, [p["root"] for p in report["packages"]]
    return matches[0]


def surfaces(pkg: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [s for s in pkg["surfaces"] if s["kind"] == kind]


def rules(pkg: dict[str, Any]) -> set[str]:
    return {f["rule_id"] for f in pkg["findings"]}


@pytest.mark.parametrize("name,fmt", sorted(FORMAT_FIXTURES.items()))
def test_each_fixture_has_its_format(report: dict[str, Any], name: str, fmt: str) -> None:
    pkg = package(report, f"fixtures/{name}")
    assert pkg["format"] == fmt
    assert pkg["verdict"] != "error", pkg["errors"]
    assert len(pkg["sha256"]) == 64


def test_claude_plugin_components(report: dict[str, Any]) -> None:
    pkg = package(report, "fixtures/claude-plugin-full")
    assert (pkg["name"], pkg["version"]) == ("claude-plugin-full", "1.2.0")
    hooks = {s["event"]: s for s in surfaces(pkg, "hook")}
    assert hooks["PostToolUse"]["matcher"] == "Write|Edit" and hooks["PostToolUse"]["gated"] is True
    assert hooks["SessionStart"]["command"] == "python3 '${CLAUDE_PLUGIN_ROOT}/scripts/setup.py' --quiet"
    assert hooks["SessionStart"]["gated"] is False
    assert hooks["Stop"]["url"] == "https://hooks.example.com/stop" and hooks["Stop"]["type"] == "http"
    mcp = {s.get("server"): s for s in surfaces(pkg, "mcp-server") if s.get("role") != "headersHelper"}
    assert mcp["files"]["command"].startswith("npx -y @modelcontextprotocol/server-filesystem@2025.8.21")
    assert mcp["tickets"]["url"] == "https://mcp.example.com/mcp"
    assert [s["command"] for s in surfaces(pkg, "mcp-server") if s.get("role") == "headersHelper"] == [
        "${CLAUDE_PLUGIN_ROOT}/scripts/token.sh"]
    assert surfaces(pkg, "lsp-server")[0]["command"] == "yaml-language-server --stdio"
    assert surfaces(pkg, "monitor")[0]["command"] == "tail -F build.log"
    assert [s["path"] for s in surfaces(pkg, "bin")] == ["bin/fmt"]
    assert [s["command"] for s in surfaces(pkg, "load-time-command")] == ["git status --short"]
    install = surfaces(pkg, "install")
    assert install and install[0]["event"] == "postinstall" and install[0]["path"] == "package.json"
    # the nested skill is reported inside the plugin, not as its own package
    assert pkg["nested"] == ["skills/lint-helper"]
    assert not [p for p in report["packages"] if p["root"].endswith("lint-helper")]
    # (findings of other engines about the same capability at the same place may absorb one of these;
    # tests/rules/manifest-* check each rule with merging off)
    assert {"hook-ungated", "hook-http-egress", "mcp-headers-helper", "dependency-declared"} <= rules(pkg)
    caps = {c for f in pkg["findings"] for c in f["capabilities"]}
    assert {"agent.hook[SessionStart]", "proc.exec[npx]", "net.egress[mcp.example.com]",
            "pkg.install[npm:prettier@3.3.3]"} <= caps


def test_marketplace_sources(report: dict[str, Any]) -> None:
    pkg = package(report, "fixtures/claude-marketplace-mixed")
    assert pkg["name"] == "example-marketplace"
    by_plugin = {s["plugin"]: s for s in surfaces(pkg, "marketplace-source")}
    assert by_plugin["local-tools"]["scanned"] == "yes"
    assert by_plugin["remote-tools"]["scanned"] == "no"
    assert by_plugin["setup-tools"]["command"].startswith("git clone")
    assert by_plugin["missing-tools"]["scanned"] == "no"
    # sources that were not scanned make the marketplace at least `review`
    assert pkg["verdict"] in ("review", "block")
    assert "marketplace-command-source" in rules(pkg)
    local = package(report, "fixtures/claude-marketplace-mixed/plugins/local-tools")
    assert local["format"] == "claude-plugin" and local["name"] == "local-tools"


def test_openclaw_metadata(report: dict[str, Any]) -> None:
    pkg = package(report, "fixtures/openclaw-skill-installer")
    install = surfaces(pkg, "install")
    assert [s.get("installer") for s in install] == ["brew", "download"]
    assert install[0]["command"] == "brew install example/tap/summarize"
    assert install[1]["url"].startswith("https://downloads.example.com/")
    assert {"skill-always-on", "install-download-unverified", "openclaw-requires-declared"} <= rules(pkg)
    caps = {c for f in pkg["findings"] for c in f["capabilities"]}
    assert {"persist[always-on]", "secrets.read[env:SUMMARIZE_API_KEY]", "proc.exec[summarize]"} <= caps


def test_codex_mcpb_registry_gemini_dify_cursor(report: dict[str, Any]) -> None:
    codex = package(report, "fixtures/codex-skill-mcp")
    assert {(s.get("server"), s["command"], s.get("url", "")) for s in surfaces(codex, "mcp-server")} == {
        ("tickets", "", "https://mcp.tickets.example.com/mcp"), ("local-search", "uvx ticket-search-mcp==0.4.2", "")}
    mcpb = package(report, "fixtures/mcpb-server")
    assert (mcpb["name"], mcpb["version"]) == ("mcpb-server", "0.2.1")
    assert surfaces(mcpb, "mcp-server")[0]["command"] == \
        "node '${__dirname}/server/index.js' '${user_config.notes_dir}'"
    registry = package(report, "fixtures/mcp-server-registry")
    assert registry["name"] == "io.github.example/weather"
    assert {s["command"] or s["url"] for s in surfaces(registry, "mcp-server")} == {
        "npx @example/weather-mcp@1.0.2", "https://weather.example.com/mcp"}
    gemini = package(report, "fixtures/gemini-extension-tools")
    assert [s["command"] for s in surfaces(gemini, "load-time-command")] == ["git log --oneline -n {{args}}"]
    assert surfaces(gemini, "load-time-command")[0]["path"] == "commands/git/summary.toml"
    assert surfaces(gemini, "hook")[0]["event"] == "BeforeTool"
    assert surfaces(gemini, "mcp-server")[0]["server"] == "search"
    dify = package(report, "fixtures/dify-plugin-tool")
    assert (dify["name"], dify["version"]) == ("example/dify_plugin_tool", "0.0.1")
    assert surfaces(dify, "install")[0]["command"] == "pip install -r requirements.txt"
    assert "pkg.install[pypi:dify-plugin@0.4.1]" in {c for f in dify["findings"] for c in f["capabilities"]}
    cursor = package(report, "fixtures/cursor-rules-basic")
    assert cursor["surfaces"] == []


def test_manifest_keeps_unknown_fields() -> None:
    from skillscan.loaders.discover import load_inputs

    (pkg,) = load_inputs([str(FIXTURES / "claude-plugin-full")])
    assert pkg.manifest["x-custom-field"] == {"kept": True}
    assert "SessionStart" in pkg.manifest["_components"]["hooks"]
    (dify,) = load_inputs([str(FIXTURES / "dify-plugin-tool")])
    assert "provider/counter.yaml" in dify.manifest["_providers"] and "tools/count.yaml" in dify.manifest["_providers"]


# --- archives of every kind -----------------------------------------------------------------------

def _members(src: Path) -> list[tuple[str, Path]]:
    out = []
    for dirpath, _dirs, names in os.walk(src):
        for name in sorted(names):
            p = Path(dirpath) / name
            out.append((p.relative_to(src.parent).as_posix(), p))
    return sorted(out)


def make_zip(src: Path, dest: Path) -> Path:
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for arc, p in _members(src):
            info = zipfile.ZipInfo(arc)
            info.external_attr = (0o100000 | (p.stat().st_mode & 0o777)) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, p.read_bytes())
    return dest


def make_tar(src: Path, dest: Path, mode: str) -> Path:
    with tarfile.open(dest, mode) as tf:
        for arc, p in _members(src):
            info = tarfile.TarInfo(arc)
            data = p.read_bytes()
            info.size = len(data)
            info.mode = p.stat().st_mode & 0o777
            tf.addfile(info, io.BytesIO(data))
    return dest


ARCHIVES = [
    ("agent-skill-benign", ".zip", "zip"), ("agent-skill-benign", ".skill", "zip"),
    ("mcpb-server", ".mcpb", "zip"), ("dify-plugin-tool", ".difypkg", "zip"),
    ("claude-plugin-full", ".plugin", "zip"), ("gemini-extension-tools", ".tar", "w"),
    ("codex-skill-mcp", ".tar.gz", "w:gz"), ("openclaw-skill-installer", ".tgz", "w:gz"),
]


def test_archives_of_every_kind_load_like_their_directory(tmp_path: Path) -> None:
    made = []
    for name, suffix, mode in ARCHIVES:
        src = tmp_path / "src" / name
        shutil.copytree(FIXTURES / name, src, dirs_exist_ok=True)
        dest = tmp_path / f"{name}{suffix}"
        (make_zip(src, dest) if mode == "zip" else make_tar(src, dest, mode))
        made.append((name, dest))
    data, proc = scan_json(*(str(d) for _n, d in made), "--jobs", "1", cwd=tmp_path)
    dirs, _ = scan_json(*sorted({f"src/{n}" for n, _d in made}), "--jobs", "1", cwd=tmp_path)
    by_root = {p["root"]: p for p in data["packages"]}
    by_dir = {p["root"]: p for p in dirs["packages"]}
    for name, dest in made:
        root = f"{dest.name}!/{name}"
        assert root in by_root, (root, sorted(by_root), proc.stderr)
        pkg, ref = by_root[root], by_dir[f"src/{name}"]
        assert pkg["format"] == FORMAT_FIXTURES[name]
        assert pkg["input"] == str(dest)
        assert pkg["sha256"] == ref["sha256"], name
        assert [(s["kind"], s["command"], s.get("url")) for s in pkg["surfaces"]] == \
            [(s["kind"], s["command"], s.get("url")) for s in ref["surfaces"]]


def test_archive_without_top_directory_roots_at_bang_slash(tmp_path: Path) -> None:
    dest = tmp_path / "flat.skill"
    with zipfile.ZipFile(dest, "w") as zf:
        zf.writestr("SKILL.md", "---\nname: flat\ndescription: A flat skill. Use in tests.\n---\nBody.\n")
    data, _ = scan_json(str(dest), cwd=tmp_path)
    (pkg,) = data["packages"]
    assert pkg["root"] == "flat.skill!/" and pkg["format"] == "agent-skill"


def test_nested_archive_members_are_scanned(tmp_path: Path) -> None:
    pkg_dir = tmp_path / "outer"
    shutil.copytree(FIXTURES / "agent-skill-benign", pkg_dir)
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("payload/readme.md", "Inner text.\n")
    (pkg_dir / "assets").mkdir()
    (pkg_dir / "assets" / "bundle.zip").write_bytes(inner.getvalue())
    from skillscan.loaders.discover import load_inputs

    (pkg,) = load_inputs([str(pkg_dir)])
    virtual = [f for f in pkg.files if f.origin == "assets/bundle.zip"]
    assert [f.path for f in virtual] == ["assets/bundle.zip!/payload/readme.md"]
    data, _ = scan_json(str(pkg_dir), "--min-severity", "info", cwd=tmp_path)
    assert "nested-archive" in {f["rule_id"] for f in data["packages"][0]["findings"]}
    # the digest covers the archive file as shipped, not its (virtual) members
    from skillscan.loaders.files import content_digest

    assert pkg.sha256 == content_digest([f for f in pkg.files if f.origin is None])


def test_nested_archive_depth_is_capped(tmp_path: Path) -> None:
    from skillscan.loaders.discover import load_inputs
    from skillscan.loaders.files import Limits

    blob = b"innermost\n"
    name = "level.txt"
    for level in range(5):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr(name, blob)
        blob, name = buf.getvalue(), f"level{level}.zip"
    pkg_dir = tmp_path / "deep"
    pkg_dir.mkdir()
    (pkg_dir / name).write_bytes(blob)
    (pkg,) = load_inputs([str(pkg_dir)], Limits(max_archive_depth=2))
    assert max(f.path.count("!/") for f in pkg.files) == 2
    assert any("nested deeper than 2" in s for s in pkg.skipped)

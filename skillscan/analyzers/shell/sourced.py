"""Variables a shell script takes from a file of its package it sources (`. "$(dirname "$0")/env.sh"`,
`source ./config.sh`): the sourced file's text comes from the package table (`Package.shared_values`,
analyzers/shared_values.py), its assignments are read by this engine's own parser (nothing runs) and handed to
the script's parse as variables already set, as if written where the script sources the file. The findings they
reach say where each value is written (the sourced file and line), and a flow's carriers point there.

The sourced file's variables are set from the start of the script (a script sources its settings before it
uses them; one that uses a name before sourcing it is read as if the name were set). Only one step: what the
sourced file itself sources is not followed. MAX_SETTINGS assignments are taken from one file (more are said)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace

from skillscan.analyzers.base import finding
from skillscan.analyzers.shared_values import sourced
from skillscan.analyzers.shell.words import Word
from skillscan.capabilities.urls import literal_host
from skillscan.model import Carrier, Finding, Location, Package, PackageFile

MAX_SETTINGS = 256  # assignments taken from one sourced file
MAX_NOTED = 4  # origins said in one finding


@dataclass
class Sourced:
    env: dict[str, Word] = field(default_factory=dict)
    names: dict[str, tuple[str, int]] = field(default_factory=dict)  # variable → (file, line) assigned
    values: dict[str, tuple[str, int]] = field(default_factory=dict)  # value → (file, line) written
    cuts: list[Finding] = field(default_factory=list)


def _moved(w: Word, row: int, depth: int = 0) -> Word:
    """The word placed at the script's `. FILE` line (its own positions are in the other file)."""
    via = tuple((n, _moved(v, row, depth + 1)) for n, v in w.via) if depth < 4 else ()
    return replace(w, row=row, col=0, via=via)


def sourced_env(package: Package, file: PackageFile) -> Sourced:
    out = Sourced()
    table = package.shared_values or {}
    if not table or not file.text:
        return out
    from skillscan.analyzers.shell.syntax import parse_script

    for path, line in sourced(file.path, file.text, frozenset(table)):
        entry = table[path]
        if entry.cut:
            out.cuts.append(finding("analysis-incomplete", f"{file.path}:{line} sources {path}, whose variables "
                                    f"were not read: {entry.cut}", file.path, line, 1))
            continue
        if not entry.names:
            continue
        try:
            text = ast.literal_eval(entry.names[0][1])  # the text the table holds, as a literal (never run)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            continue
        if not isinstance(text, str):
            continue
        settings = parse_script(text).settings
        if len(settings) > MAX_SETTINGS:
            out.cuts.append(finding("analysis-incomplete", f"{file.path}:{line} sources {path}, of whose "
                                    f"{len(settings):,} assignments only the first {MAX_SETTINGS} were read",
                                    file.path, line, 1))
        for name, w in settings[:MAX_SETTINGS]:
            if w.value is None:
                out.env.pop(name, None)
                continue
            out.env[name] = _moved(w, line - 1)
            out.names[name] = (path, w.row + 1)
            out.values.setdefault(w.value, (path, w.row + 1))
    return out


def annotate(findings: list[Finding], src: Sourced, own_text: str) -> list[Finding]:
    """Each finding a sourced value reaches says where it is written; a flow's carriers of a sourced variable
    point at its assignment."""
    if not src.names:
        return findings
    hosts: dict[str, tuple[str, int]] = {}
    for value, at in src.values.items():
        host = literal_host(value) if "://" in value else "*"
        if host != "*" and value not in own_text:
            hosts.setdefault(host.lower(), at)
    out = []
    for f in findings:
        notes: list[tuple[str, tuple[str, int]]] = []
        for cap in f.capabilities:
            scope = cap.scope or ""
            at = hosts.get(scope.lower()) if cap.kind == "net.egress" else None
            if at is None and scope in src.values and scope not in own_text:
                at = src.values[scope]
            if at is not None and (scope, at) not in notes:
                notes.append((scope, at))
        flow = f.flow
        if flow is not None:
            carriers = tuple(replace(c, path=src.names[c.name][0], line=src.names[c.name][1])
                             if c.name in src.names and c.path == f.location.path else c for c in flow.carriers)
            for c in carriers:
                note = (c.value, (c.path, c.line))
                if c.path != f.location.path and note not in notes:
                    notes.append(note)
            flow = replace(flow, carriers=carriers)
        if notes:
            notes = notes[:MAX_NOTED]
            said = "; ".join(f"{scope} from {p}:{line}" for scope, (p, line) in notes)
            related = tuple(Location(p, line, 1) for _, (p, line) in notes)
            f = replace(f, message=f"{f.message} ({said})", flow=flow,
                        related=f.related + tuple(r for r in related if r not in f.related))
        elif flow is not f.flow:
            f = replace(f, flow=flow)
        out.append(f)
    return out

"""The argv → capability map (`rules/capabilities/shell.yaml`), loaded once per path and matched
against parsed argv. The path is injectable (`load_capmap(path)`, or the SKILLSCAN_SHELL_CAPMAP
environment variable) so that the map can be extended without code changes."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from skillscan.catalog import rules_dir
from skillscan.yamlsafe import load_yaml

ENV_VAR = "SKILLSCAN_SHELL_CAPMAP"


class CapmapError(ValueError):
    pass


@dataclass(frozen=True)
class Then:
    rule: str
    capabilities: tuple[str, ...]
    severity: str | None = None
    confidence: str | None = None
    packages: str | None = None  # first | all


@dataclass(frozen=True)
class When:
    then: Then
    subcommand: tuple[tuple[str, ...], ...] = ()
    any_flag: frozenset[str] = frozenset()
    no_flag: frozenset[str] = frozenset()
    arg_regex: re.Pattern[str] | None = None
    max_operands: int | None = None


@dataclass(frozen=True)
class Program:
    names: tuple[str, ...]
    hosts: str = "none"
    options_with_value: frozenset[str] = frozenset()
    base: Then | None = None
    when: tuple[When, ...] = ()
    assignments: bool = False
    skip_operands: int = 0


@dataclass(frozen=True)
class Interpreter:
    names: tuple[str, ...]
    inline: frozenset[str] = frozenset()
    encoded: frozenset[str] = frozenset()
    module: str | None = None


@dataclass(frozen=True)
class PathRule:
    pattern: re.Pattern[str]
    value: str  # secrets kind or persistence mechanism
    rule: str | None = None


@dataclass(frozen=True)
class Capmap:
    programs: dict[str, Program]
    wrappers: dict[str, Program]
    interpreters: dict[str, Interpreter]
    shells: frozenset[str]
    builtins: frozenset[str]
    inert: frozenset[str]
    path_neutral: frozenset[str]
    miner_args: re.Pattern[str] | None
    untrusted_hosts: tuple[str, ...]
    exfil_hosts: tuple[str, ...]
    vendor_installers: tuple[str, ...]
    vendor_host_regex: re.Pattern[str] | None
    secret_paths: tuple[PathRule, ...]
    persist_paths: tuple[PathRule, ...]
    credential_env: re.Pattern[str] | None
    ignored_env: frozenset[str]
    env_dump_paths: re.Pattern[str] | None
    rule_ids: frozenset[str] = field(default_factory=frozenset)
    secret_any: re.Pattern[str] | None = None  # union of secret_paths, a quick pre-filter
    persist_any: re.Pattern[str] | None = None

    def lookup(self, name: str) -> Program | None:
        return self.programs.get(name) or self.programs.get(normalise(name))


def normalise(name: str) -> str:
    """`python3.12` → `python3` → lookups try both; `curl.exe` → `curl`."""
    n = name.lower()
    n = n.removesuffix(".exe")
    return n


def base_name(name: str) -> str:
    n = normalise(name)
    stripped = re.sub(r"[\d.]+$", "", n)
    return stripped or n


def _then(d: dict[str, Any], where: str) -> Then | None:
    if not d.get("rule"):
        return None
    caps = d.get("capabilities") or []
    if not isinstance(caps, list):
        raise CapmapError(f"{where}: capabilities must be a list")
    return Then(rule=str(d["rule"]), capabilities=tuple(str(c) for c in caps),
                severity=d.get("severity"), confidence=d.get("confidence"), packages=d.get("packages"))


def _regex(value: Any, where: str) -> re.Pattern[str] | None:
    if not value:
        return None
    try:
        return re.compile(str(value))
    except re.error as exc:
        raise CapmapError(f"{where}: bad regex: {exc}") from exc


def _program(d: dict[str, Any], where: str) -> Program:
    names = d.get("names")
    if not isinstance(names, list) or not names:
        raise CapmapError(f"{where}: an entry needs `names`")
    whens = []
    for i, w in enumerate(d.get("when") or []):
        then = _then(w, f"{where}.when[{i}]")
        if then is None:
            raise CapmapError(f"{where}.when[{i}]: needs a rule")
        whens.append(When(
            then=then,
            subcommand=tuple(tuple(str(s).lower().split()) for s in (w.get("subcommand") or [])),
            any_flag=frozenset(str(f) for f in (w.get("any_flag") or [])),
            no_flag=frozenset(str(f) for f in (w.get("no_flag") or [])),
            arg_regex=_regex(w.get("arg_regex"), f"{where}.when[{i}]"),
            max_operands=int(w["max_operands"]) if w.get("max_operands") is not None else None,
        ))
    base = _then(d, where)
    if base is not None and d.get("packages"):
        base = Then(base.rule, base.capabilities, base.severity, base.confidence, d.get("packages"))
    return Program(
        names=tuple(str(n).lower() for n in names),
        hosts=str(d.get("hosts", "none")),
        options_with_value=frozenset(str(o) for o in (d.get("options_with_value") or [])),
        base=base, when=tuple(whens), assignments=bool(d.get("assignments")),
        skip_operands=int(d.get("skip_operands", 0)),
    )


def parse_capmap(data: dict[str, Any], source: str = "shell.yaml") -> Capmap:
    if not isinstance(data, dict):
        raise CapmapError(f"{source}: not a mapping")
    programs: dict[str, Program] = {}
    rule_ids: set[str] = set()
    for i, entry in enumerate(data.get("programs") or []):
        prog = _program(entry, f"{source}: programs[{i}]")
        for n in prog.names:
            programs[n] = prog
        for t in ([prog.base] if prog.base else []) + [w.then for w in prog.when]:
            rule_ids.add(t.rule)
    wrappers: dict[str, Program] = {}
    for i, entry in enumerate(data.get("wrappers") or []):
        prog = _program(entry, f"{source}: wrappers[{i}]")
        for n in prog.names:
            wrappers[n] = prog
        if prog.base:
            rule_ids.add(prog.base.rule)
    interpreters: dict[str, Interpreter] = {}
    for entry in data.get("interpreters") or []:
        it = Interpreter(names=tuple(entry["names"]), inline=frozenset(entry.get("inline") or []),
                         encoded=frozenset(entry.get("encoded") or []), module=entry.get("module"))
        for n in it.names:
            interpreters[n] = it
    hosts = data.get("hosts") or {}
    paths = data.get("paths") or {}

    def path_rules(key: str, value_key: str) -> tuple[PathRule, ...]:
        out = []
        for i, p in enumerate(paths.get(key) or []):
            rx = _regex(p.get("pattern"), f"{source}: paths.{key}[{i}]")
            if rx is None or not p.get(value_key):
                raise CapmapError(f"{source}: paths.{key}[{i}] needs pattern and {value_key}")
            out.append(PathRule(rx, str(p[value_key]), p.get("rule")))
            if p.get("rule"):
                rule_ids.add(str(p["rule"]))
        return tuple(out)

    secret_paths = path_rules("secrets", "kind")
    persist_paths = path_rules("persistence", "mech")

    def union(rules: tuple[PathRule, ...]) -> re.Pattern[str] | None:
        if not rules:
            return None
        return re.compile("|".join(f"(?:{r.pattern.pattern})" for r in rules
                                   if not r.pattern.flags & re.IGNORECASE) + "|(?i:" +
                          "|".join(f"(?:{r.pattern.pattern.removeprefix('(?i)')})" for r in rules
                                   if r.pattern.flags & re.IGNORECASE) + ")" if any(
                                       r.pattern.flags & re.IGNORECASE for r in rules) else
                          "|".join(f"(?:{r.pattern.pattern})" for r in rules))

    return Capmap(
        secret_any=union(secret_paths), persist_any=union(persist_paths),
        programs=programs, wrappers=wrappers, interpreters=interpreters,
        shells=frozenset(data.get("shells") or ()), builtins=frozenset(str(b).lower() for b in data.get("builtins") or ()),
        inert=frozenset(data.get("inert") or ()), path_neutral=frozenset(data.get("path_neutral") or ()),
        miner_args=_regex(data.get("miner_args"), f"{source}: miner_args"),
        untrusted_hosts=tuple(str(h).lower() for h in hosts.get("untrusted") or ()),
        exfil_hosts=tuple(str(h).lower() for h in hosts.get("exfil") or ()),
        vendor_installers=tuple(str(h).lower() for h in hosts.get("vendor_installers") or ()),
        vendor_host_regex=_regex(hosts.get("vendor_host_regex"), f"{source}: hosts.vendor_host_regex"),
        secret_paths=secret_paths, persist_paths=persist_paths,
        credential_env=_regex(data.get("credential_env"), f"{source}: credential_env"),
        ignored_env=frozenset(data.get("ignored_env") or ()),
        env_dump_paths=_regex(paths.get("env_dump"), f"{source}: paths.env_dump"),
        rule_ids=frozenset(rule_ids),
    )


def default_path() -> Path:
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    return rules_dir() / "capabilities" / "shell.yaml"


@lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> Capmap:
    text = Path(path).read_text(encoding="utf-8")
    return parse_capmap(load_yaml(text), Path(path).name)


@lru_cache(maxsize=4)
def _load_default(env_value: str | None) -> Capmap:
    p = Path(env_value) if env_value else rules_dir() / "capabilities" / "shell.yaml"
    return parse_capmap(load_yaml(p.read_text(encoding="utf-8")), p.name)


def load_capmap(path: str | Path | None = None) -> Capmap:
    """The map at `path`, else at $SKILLSCAN_SHELL_CAPMAP, else the shipped one (loaded once per process)."""
    if path is None:
        return _load_default(os.environ.get(ENV_VAR) or None)
    p = Path(path)
    return _load(str(p.resolve()), p.stat().st_mtime)


# ---- argv option parsing --------------------------------------------------------------------


@dataclass(frozen=True)
class Parsed:
    flags: tuple[tuple[str, str | None], ...]  # (option, value)
    operands: tuple[int, ...]  # indexes into the argument list


def parse_options(args: list[str | None], with_value: frozenset[str], windows: bool = False) -> Parsed:
    """getopt-like: short clusters (`-fNR 8080:x:22`), `--long=value`, `--long value`, `--` ends options.
    With `windows`, `/flag` and `/flag:value` are options too. A multi-letter single-dash word is also kept
    whole (`-urlcache`, `-Syu`, PowerShell `-Uri`)."""
    flags: list[tuple[str, str | None]] = []
    operands: list[int] = []
    lowered = {w.lower() for w in with_value}
    i = 0
    n = len(args)
    ended = False
    while i < n:
        a = args[i]
        is_win = windows and a is not None and re.fullmatch(r"/[A-Za-z?][\w?-]*(:.*)?", a) is not None
        if a is None or ended or a == "-" or not (a.startswith("-") or is_win):
            operands.append(i)
            i += 1
            continue
        if a == "--":
            ended = True
            i += 1
            continue
        if is_win:
            name, colon, val = a.partition(":")
            flags.append((name.lower(), val if colon else None))
            if colon:
                flags.append((name.lower() + ":", val))
            i += 1
            continue
        if a.startswith("--"):
            name, eq, val = a.partition("=")
            if eq:
                flags.append((name, val))
            elif name in with_value and i + 1 < n:
                flags.append((name, args[i + 1]))
                i += 1
            else:
                flags.append((name, None))
            i += 1
            continue
        if len(a) > 2 and (a in with_value or (windows and a.lower() in lowered)):
            flags.append((a, args[i + 1] if i + 1 < n else None))
            i += 2
            continue
        body = a[1:]
        if not body[:1].isalnum() and body[:1] not in ("?", "@"):
            flags.append((a, None))
            i += 1
            continue
        j = 0
        while j < len(body):
            opt = "-" + body[j]
            if opt in with_value:
                rest = body[j + 1:]
                if rest:
                    flags.append((opt, rest))
                elif i + 1 < n:
                    flags.append((opt, args[i + 1]))
                    i += 1
                else:
                    flags.append((opt, None))
                break
            if not (body[j].isalnum()):
                break
            flags.append((opt, None))
            j += 1
        if len(body) > 1:
            flags.append((a, None))
        i += 1
    return Parsed(tuple(flags), tuple(operands))

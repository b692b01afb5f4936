"""The argv → capability map (`rules/capabilities/shell.yaml`), loaded once per path and matched
against parsed argv. The path is injectable (`load_capmap(path)`, or the SKILLSCAN_SHELL_CAPMAP
environment variable) so that the map can be extended without code changes."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from skillscan.catalog import rules_dir
from skillscan.lazyre import LazyRegex

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
    arg_regex: LazyRegex | None = None
    max_operands: int | None = None
    min_operands: int | None = None
    last_operand: bool = False  # arg_regex is matched against the last operand only (a destination)
    unless_last: LazyRegex | None = None  # not when the last operand is known and matches this


@dataclass(frozen=True)
class Program:
    names: tuple[str, ...]
    hosts: str = "none"
    options_with_value: frozenset[str] = frozenset()
    base: Then | None = None
    when: tuple[When, ...] = ()
    assignments: bool = False
    skip_operands: int = 0
    # a wrapper's flags that only look the command up (`command -v crontab`): nothing after them runs
    lookup_flags: frozenset[str] = frozenset()
    # options whose value is where the package comes from (`uvx --from SPEC cmd`): that value, not the
    # command operand, is the package the `packages` of a rule name
    source_options: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Interpreter:
    names: tuple[str, ...]
    inline: frozenset[str] = frozenset()
    encoded: frozenset[str] = frozenset()
    module: str | None = None


@dataclass(frozen=True)
class PathRule:
    pattern: LazyRegex
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
    # program -> subcommands that read their operands though the program is path-neutral (`git add .env`)
    path_reading: dict[str, frozenset[str]]
    miner_args: LazyRegex | None
    untrusted_hosts: tuple[str, ...]
    exfil_hosts: tuple[str, ...]
    vendor_installers: tuple[str, ...]
    vendor_host_regex: LazyRegex | None
    secret_paths: tuple[PathRule, ...]
    persist_paths: tuple[PathRule, ...]
    credential_env: LazyRegex | None
    ignored_env: frozenset[str]
    env_dump_paths: LazyRegex | None
    rule_ids: frozenset[str] = field(default_factory=frozenset)
    secret_any: LazyRegex | None = None  # union of secret_paths, a quick pre-filter
    persist_any: LazyRegex | None = None

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


def _regex(value: Any, where: str, lazy: bool = False) -> LazyRegex | None:
    """`lazy` only for a map that was validated before (read back from the rule-data cache)."""
    if not value:
        return None
    if lazy:
        return LazyRegex(str(value))
    try:
        return LazyRegex(str(value), compiled=re.compile(str(value)))
    except re.error as exc:
        raise CapmapError(f"{where}: bad regex: {exc}") from exc


_IGNORECASE_PREFIX = "(?i)"


def _union(patterns: list[str]) -> str | None:
    """One pre-filter regex for a list of path patterns; a `(?i)` prefix (the one inline flag the map
    uses) moves into a scoped `(?i:...)` group, since a global flag may only start a regex."""
    if not patterns:
        return None
    plain = [p for p in patterns if not p.startswith(_IGNORECASE_PREFIX)]
    folded = [p.removeprefix(_IGNORECASE_PREFIX) for p in patterns if p.startswith(_IGNORECASE_PREFIX)]
    if not folded:
        return "|".join(f"(?:{p})" for p in plain)
    return "|".join(f"(?:{p})" for p in plain) + "|(?i:" + "|".join(f"(?:{p})" for p in folded) + ")"


def _program(d: dict[str, Any], where: str, lazy: bool = False) -> Program:
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
            arg_regex=_regex(w.get("arg_regex"), f"{where}.when[{i}]", lazy),
            max_operands=int(w["max_operands"]) if w.get("max_operands") is not None else None,
            min_operands=int(w["min_operands"]) if w.get("min_operands") is not None else None,
            last_operand=bool(w.get("last_operand", False)),
            unless_last=_regex(w.get("unless_last"), f"{where}.when[{i}]", lazy),
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
        lookup_flags=frozenset(str(f) for f in (d.get("lookup_flags") or [])),
        source_options=frozenset(str(o) for o in (d.get("source_options") or [])),
    )


def parse_capmap(data: dict[str, Any], source: str = "shell.yaml", *, validated: bool = False) -> Capmap:
    """Validate the map and build it. `validated` (a map that passed this function before, read back
    from the rule-data cache) leaves every regex to be compiled on first use."""
    if not isinstance(data, dict):
        raise CapmapError(f"{source}: not a mapping")
    lazy = validated
    programs: dict[str, Program] = {}
    rule_ids: set[str] = set()
    for i, entry in enumerate(data.get("programs") or []):
        prog = _program(entry, f"{source}: programs[{i}]", lazy)
        for n in prog.names:
            programs[n] = prog
        for t in ([prog.base] if prog.base else []) + [w.then for w in prog.when]:
            rule_ids.add(t.rule)
    wrappers: dict[str, Program] = {}
    for i, entry in enumerate(data.get("wrappers") or []):
        prog = _program(entry, f"{source}: wrappers[{i}]", lazy)
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
            where = f"{source}: paths.{key}[{i}]"
            rx = _regex(p.get("pattern"), where, lazy)
            if rx is None or not p.get(value_key):
                raise CapmapError(f"{source}: paths.{key}[{i}] needs pattern and {value_key}")
            if not lazy and bool(rx.flags & re.IGNORECASE) != rx.pattern.startswith(_IGNORECASE_PREFIX):
                raise CapmapError(f"{where}: the only inline flag a path pattern may use is a leading (?i)")
            out.append(PathRule(rx, str(p[value_key]), p.get("rule")))
            if p.get("rule"):
                rule_ids.add(str(p["rule"]))
        return tuple(out)

    secret_paths = path_rules("secrets", "kind")
    persist_paths = path_rules("persistence", "mech")

    def union(rules: tuple[PathRule, ...], where: str) -> LazyRegex | None:
        text = _union([r.pattern.pattern for r in rules])
        if text is None:
            return None
        if lazy:
            return LazyRegex(text)
        try:
            return LazyRegex(text, compiled=re.compile(text))
        except re.error as exc:  # e.g. one group name in two patterns
            raise CapmapError(f"{source}: paths.{where}: the patterns do not combine: {exc}") from exc

    return Capmap(
        secret_any=union(secret_paths, "secrets"), persist_any=union(persist_paths, "persistence"),
        programs=programs, wrappers=wrappers, interpreters=interpreters,
        shells=frozenset(data.get("shells") or ()), builtins=frozenset(str(b).lower() for b in data.get("builtins") or ()),
        inert=frozenset(data.get("inert") or ()), path_neutral=frozenset(data.get("path_neutral") or ()),
        path_reading={str(k): frozenset(str(s).lower() for s in v or ()) for k, v in
                      (data.get("path_reading") or {}).items()},
        miner_args=_regex(data.get("miner_args"), f"{source}: miner_args", lazy),
        untrusted_hosts=tuple(str(h).lower() for h in hosts.get("untrusted") or ()),
        exfil_hosts=tuple(str(h).lower() for h in hosts.get("exfil") or ()),
        vendor_installers=tuple(str(h).lower() for h in hosts.get("vendor_installers") or ()),
        vendor_host_regex=_regex(hosts.get("vendor_host_regex"), f"{source}: hosts.vendor_host_regex", lazy),
        secret_paths=secret_paths, persist_paths=persist_paths,
        credential_env=_regex(data.get("credential_env"), f"{source}: credential_env", lazy),
        ignored_env=frozenset(data.get("ignored_env") or ()),
        env_dump_paths=_regex(paths.get("env_dump"), f"{source}: paths.env_dump", lazy),
        rule_ids=frozenset(rule_ids),
    )


def default_path() -> Path:
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    return rules_dir() / "capabilities" / "shell.yaml"


def _load_file(path: Path) -> Capmap:
    """Read, validate and build the map at `path` — through the rule-data cache: the YAML is parsed
    and every regex compiled (validated) once per content of the file, not once per process."""
    from skillscan import ruledata

    raw = path.read_bytes()
    source = path.name

    def build() -> Any:
        from skillscan.yamlsafe import load_yaml

        data = load_yaml(raw.decode("utf-8"))
        parse_capmap(data, source)  # validates: raises CapmapError, and nothing is cached
        return data

    data = ruledata.cached("shell-capmap", hashlib.sha256(raw).hexdigest(), build,
                           code=(__file__, *ruledata.yaml_code()))
    return parse_capmap(data, source, validated=True)


@lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> Capmap:
    return _load_file(Path(path))


@lru_cache(maxsize=4)
def _load_default(env_value: str | None) -> Capmap:
    return _load_file(Path(env_value) if env_value else rules_dir() / "capabilities" / "shell.yaml")


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

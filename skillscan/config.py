"""Configuration: `--config` > `SKILLSCAN_CONFIG` > `skillscan.toml`/`.skillscan.toml` >
`pyproject.toml [tool.skillscan]`, discovered from the working directory upwards. Validated against
the published JSON Schema. In gate mode a configuration found inside a scanned package is ignored:
the package author is the adversary there."""

from __future__ import annotations

import fnmatch
import json
import os
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from skillscan.model import Finding, Severity

CONFIG_NAMES = ("skillscan.toml", ".skillscan.toml")


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class RuleConfig:
    disable: bool = False
    severity: Severity | None = None
    ignore: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    path: str = ""  # where it came from ("" = defaults)
    fail_on: str | None = None
    min_severity: str | None = None
    jobs: int | None = None
    policy: str | None = None
    baseline: str | None = None
    exclude: tuple[str, ...] = ()
    rules: dict[str, RuleConfig] = field(default_factory=dict, hash=False)

    def apply(self, findings: Sequence[Finding], root: str) -> list[Finding]:
        """Drop disabled rules and ignored paths, remap severities."""
        out: list[Finding] = []
        for f in findings:
            rc = self.rules.get(f.rule_id)
            paths = _candidate_paths(root, f.location.path)
            if rc is not None and rc.disable:
                continue
            if any(_match(p, pat) for p in paths for pat in self.exclude):
                continue
            if rc is not None and any(_match_line(p, f.location.line, pat) for p in paths for pat in rc.ignore):
                continue
            if rc is not None and rc.severity is not None:
                f = replace(f, severity=rc.severity)
            out.append(f)
        return out


def _candidate_paths(root: str, path: str) -> tuple[str, ...]:
    if root in ("", ".") or "!" in root:
        return (path,)
    return (path, f"{root.rstrip('/')}/{path}")


def _match(path: str, pattern: str) -> bool:
    pattern = pattern.rstrip("/")
    return fnmatch.fnmatchcase(path, pattern) or fnmatch.fnmatchcase(path, pattern + "/*") or \
        path.startswith(pattern.rstrip("*").rstrip("/") + "/") and pattern.endswith("**")


def _match_line(path: str, line: int, pattern: str) -> bool:
    if ":" in pattern:
        pat, _, ln = pattern.rpartition(":")
        if ln.isdigit():
            return int(ln) == line and _match(path, pat)
    return _match(path, pattern)


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    from skillscan.catalog import rules_dir

    return json.loads((rules_dir() / "schemas" / "config.schema.json").read_text(encoding="utf-8"))


def parse_config(data: dict[str, Any], source: str) -> Config:
    import jsonschema

    try:
        jsonschema.validate(data, _schema())
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "(top level)"
        raise ConfigError(f"{source}: {where}: {exc.message}") from None
    base = Path(source).parent
    rules = {
        rid: RuleConfig(disable=bool(v.get("disable", False)),
                        severity=Severity.parse(v["severity"]) if "severity" in v else None,
                        ignore=tuple(v.get("ignore", ())))
        for rid, v in data.get("rules", {}).items()
    }

    def rel(value: str | None) -> str | None:
        if value is None:
            return None
        return str(base / value) if not os.path.isabs(value) else value

    return Config(path=source, fail_on=data.get("fail-on"), min_severity=data.get("min-severity"),
                  jobs=data.get("jobs"), policy=rel(data.get("policy")), baseline=rel(data.get("baseline")),
                  exclude=tuple(data.get("exclude", ())), rules=rules)


def read_config_file(path: Path) -> Config:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        raw = raw.get("tool", {}).get("skillscan", {})
    elif "tool" in raw and "skillscan" in raw.get("tool", {}) and len(raw) == 1:
        raw = raw["tool"]["skillscan"]
    return parse_config(raw, str(path))


def _inside(path: Path, roots: Iterable[Path]) -> bool:
    for root in roots:
        try:
            path.resolve().relative_to(root.resolve())
            return True
        except ValueError:
            continue
    return False


def discover(start: Path) -> Path | None:
    current = start.resolve()
    for _ in range(64):
        for name in CONFIG_NAMES:
            if (current / name).is_file():
                return current / name
        pyproject = current / "pyproject.toml"
        if pyproject.is_file():
            try:
                if "skillscan" in tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}):
                    return pyproject
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                pass
        if (current / ".git").exists() or current.parent == current:
            return None
        current = current.parent
    return None


def load_config(explicit: str | None, *, scanned: Sequence[str] = (), author: bool = False,
                cwd: Path | None = None) -> Config:
    """The configuration in force. In gate mode (not `author`) a discovered file that lies inside a
    scanned input is ignored; an explicit `--config` or `SKILLSCAN_CONFIG` is the consumer's own."""
    if explicit:
        return read_config_file(Path(explicit))
    env = os.environ.get("SKILLSCAN_CONFIG")
    if env:
        return read_config_file(Path(env))
    found = discover(cwd or Path.cwd())
    if found is None:
        return Config()
    if not author:
        scanned_dirs = [Path(p) for p in scanned if os.path.isdir(p)]
        if _inside(found.parent, scanned_dirs):
            return Config()
    return read_config_file(found)

"""The Python API: `skillscan.scan(paths, …)` and `skillscan.gate(paths, …)`.

Both return plain JSON-ready dictionaries with exactly the JSON contract's data — `scan` the report
(`skillscan.report/v1`, what `skillscan scan --format json` prints) and `gate` the verdict record
(`skillscan.verdict/v1`, what `skillscan gate` writes) — built by the same functions the CLI's two
commands call. Everything that touches the pipeline's internals is in this one module (the glue is
kept thin so it can be re-pointed when the core moves); callers depend only on the signatures below
and the documented schemas (docs/api.md, docs/report-schema.md).

Usage errors (a bad policy file, a bad date, a bad configuration) raise `skillscan.api.UsageError`;
a package that could not be analysed is an `error` verdict inside the result, never an exception.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Literal

__all__ = ["Document", "SeverityName", "UsageError", "gate", "scan"]

Document = dict[str, Any]
SeverityName = Literal["info", "low", "medium", "high", "critical"]


class UsageError(ValueError):
    """A bad argument (policy, configuration, date, baseline): nothing was scanned."""


def _policy(policy: str | None, as_of: str | None) -> Any:
    from skillscan.policy import PolicyError, load_policy

    if as_of is not None:
        try:
            datetime.date.fromisoformat(as_of)
        except ValueError:
            raise UsageError(f"as_of {as_of!r} is not a date (YYYY-MM-DD)") from None
    try:
        return load_policy(policy)
    except PolicyError as exc:
        raise UsageError(str(exc)) from None


def _options(paths: Sequence[str], *, config: str | None, use_config: bool, baseline: str | None, author: bool,
             jobs: int, min_severity: str, **extra: Any) -> Any:
    """ScanOptions as the CLI builds them (skillscan.cli._options), minus the command-line layer."""
    from skillscan.config import Config, ConfigError, load_config
    from skillscan.engine import ScanOptions
    from skillscan.model import Severity
    from skillscan.suppress import Baseline, BaselineError

    try:
        cfg = load_config(config, scanned=list(paths), author=author) if use_config else Config()
        baseline_path = baseline or cfg.baseline
        loaded = Baseline.load(baseline_path) if baseline_path else None
        severity = Severity.parse(min_severity)
    except (ConfigError, BaselineError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    return ScanOptions(jobs=jobs or (cfg.jobs or 0), author=author, min_severity=severity, config=cfg,
                       baseline=loaded, **{k: v for k, v in extra.items() if v is not None})


def _check_paths(paths: Sequence[str]) -> list[str]:
    if isinstance(paths, (str, bytes)):
        raise UsageError("paths must be a sequence of paths, not one string")
    out = [str(p) for p in paths]
    if not out:
        raise UsageError("no paths to scan")
    return out


def scan(paths: Sequence[str], *, policy: str | None = None, as_of: str | None = None,
         min_severity: SeverityName = "low", jobs: int = 0, use_cache: bool = True, cache_dir: str | None = None,
         config: str | None = None, use_config: bool = False, baseline: str | None = None,
         author: bool = False) -> Document:
    """Scan packages (directories, files, archives, remote sources) and return the report dictionary,
    schema `skillscan.report/v1` — the same data as `skillscan scan --format json`.

    Unlike the CLI, no configuration file is looked up unless `use_config=True` (or `config` names
    one): an embedding application states what it wants."""
    from skillscan.engine import scan as run_scan
    from skillscan.report.json import report_dict

    inputs = _check_paths(paths)
    _policy(policy, as_of)
    options = _options(inputs, config=config, use_config=use_config or config is not None, baseline=baseline,
                       author=author, jobs=jobs, min_severity=min_severity, use_cache=use_cache,
                       cache_dir=cache_dir, policy_path=policy, as_of=as_of)
    return report_dict(run_scan(inputs, options))


def gate(paths: Sequence[str], *, policy: str | None = None, as_of: str | None = None,
         previous: Mapping[str, Any] | None = None,
         previous_by_input: Mapping[str, Mapping[str, Any]] | None = None,
         jobs: int = 0, config: str | None = None, use_config: bool = False) -> Document:
    """Judge packages against the gate policy and return the verdict record, schema
    `skillscan.verdict/v1` — the same data as `skillscan gate`.

    `previous` is a previous verdict record (or report) as `skillscan gate --previous` reads it: each
    package is compared with its entry of the same format and name (or with the only entry, when both
    sides hold one package), and capabilities new since then force at least the policy's drift
    decision. `previous_by_input` gives a previous document per input path instead (a registry
    gating many names in one run); its entries are matched the same way within that input."""
    from skillscan.engine import scan as run_scan
    from skillscan.drift import drift
    from skillscan.policy import resolve_as_of
    from skillscan.report.record import previous_entries, previous_key, verdict_record

    inputs = _check_paths(paths)
    loaded = _policy(policy, as_of)
    try:
        shared = previous_entries(dict(previous)) if previous is not None else {}
        per_input = {k: previous_entries(dict(v)) for k, v in (previous_by_input or {}).items()}
    except ValueError as exc:
        raise UsageError(f"previous verdict: {exc}") from None
    day = resolve_as_of(as_of).isoformat()
    options = _options(inputs, config=config, use_config=use_config or config is not None, baseline=None,
                       author=False, jobs=jobs, min_severity="info", policy_path=policy, as_of=day, use_cache=False, gate=True)
    report = run_scan(inputs, options)
    one_each = {p: sum(1 for r in report.results if r.package.input == p) == 1 for p in inputs}
    results, matched, used = [], {}, []
    for r in report.results:
        key = previous_key({"format": r.package.format, "name": r.package.name})
        entries = per_input.get(r.package.input, shared)
        single = len(entries) == 1 and (one_each.get(r.package.input, False) if r.package.input in per_input
                                        else len(report.results) == 1)
        entry = entries.get(key) or (next(iter(entries.values())) if single else None)
        if entry is not None and r.verdict.decision.value != "error":
            verdict, _ = drift(r.verdict, entry, loaded)
            r = replace(r, verdict=verdict)
            matched[key] = entry
        used.append(entry if r.verdict.decision.value != "error" else None)
        results.append(r)
    record = verdict_record(replace(report, results=tuple(results)), loaded, day, matched)
    # two inputs may hold packages of the same format and name gated against different previous
    # versions: each package's "previous" is the entry it was compared with, as verdict_record writes it
    for rec, entry in zip(record["packages"], used, strict=True):
        rec["previous"] = ({"version": str(entry.get("version", "")), "sha256": str(entry.get("sha256", "")),
                            "decision": str(entry.get("decision", entry.get("verdict", "")))} if entry else None)
    return record

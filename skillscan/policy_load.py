"""The policy as data (DESIGN.md "Permit and decide", rule 5): presets in `rules/policies/`, a YAML file
checked against `rules/schemas/policy.schema.json`, built into a frozen `Policy`; the evaluation date
(`--as-of`, `SOURCE_DATE_EPOCH`); the options the permit stage takes from it."""

from __future__ import annotations

import datetime as _dt
import fnmatch
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from skillscan.capabilities.tiers import tier
from skillscan.catalog import rules_dir
from skillscan.model import (
    Capability,
    Confidence,
    Decision,
    Evidence,
)
from skillscan.permissions.permit import PermitOptions
from skillscan.policy_match import _allowed_host, _cap_matches, _trusted_installer

POLICY_SCHEMA_ID = "skillscan.policy/v1"
PRESETS = ("default", "strict", "author")  # shipped in rules/policies/<name>.yaml
CONF = {"low": Confidence.LOW, "medium": Confidence.MEDIUM, "high": Confidence.HIGH}
DEC = {"allow": Decision.ALLOW, "review": Decision.REVIEW, "block": Decision.BLOCK}


class PolicyError(ValueError):
    pass


@dataclass(frozen=True)
class Grade:
    decision: Decision
    min_confidence: Confidence = Confidence.LOW
    channels: frozenset[str] = frozenset({"manifest", "code", "instruction", "metadata"})
    otherwise: Decision = Decision.ALLOW

    def grade(self, evidence: Sequence[Evidence]) -> Decision:
        # a Channel is a StrEnum: it hashes and compares as its value
        ok = any(e.confidence >= self.min_confidence and e.channel in self.channels for e in evidence)
        return self.decision if ok else self.otherwise


@dataclass(frozen=True)
class Waiver:
    package: str
    reason: str
    expires: _dt.date
    capability: str | None = None
    rule: str | None = None


@dataclass(frozen=True)
class Policy:
    name: str
    version: str
    digest: str
    source: str
    hard_block_confidence: Confidence
    forbidden: tuple[tuple[str, str], ...]
    forbidden_min_confidence: Confidence
    undeclared: dict[int, Grade] = field(hash=False)
    no_field_tier2: Decision
    top_covers_tier3: bool
    instruction_block_kinds: frozenset[str]
    combinations: dict[str, Decision] = field(hash=False)
    findings: dict[str, Grade] = field(hash=False)
    unused: Decision
    incomplete: Decision
    drift_decision: Decision
    drift_min_tier: int
    drift_always_kinds: frozenset[str]
    allow_hosts: tuple[str, ...]
    trusted_installers: tuple[str, ...]
    waivers: tuple[Waiver, ...]
    generic: Decision | None = None  # files with no package manifest; None: `review` in gate, `allow` in scan
    # malice indicators judged the same in every role (DESIGN.md "Permit and decide")
    any_role_rules: frozenset[str] = frozenset()
    # undeclared tier-3 capabilities in formats with no field to declare them
    no_field_tier3: Decision = Decision.BLOCK
    # `strict`: undeclared tier-3 capabilities block wherever the format can declare them
    strict_tier3: bool = False
    # two independent malice signals, each at review alone (policy_corroborate)
    corroborated: Decision = Decision.BLOCK
    # one such signal whose act the skill's stated purpose does not explain (policy_coherent)
    incoherent: Decision = Decision.BLOCK
    # kinds whose host is judged: remote code from a host the stated purpose does not explain is malice
    payload_kinds: frozenset[str] = frozenset()
    # undeclared tier-3 capabilities with no malice fact, where the format can declare them
    privilege: Decision = Decision.REVIEW
    # stated purposes of transparent security practice: their open text about attacks is review
    security_practice: tuple[str, ...] = ()
    # kinds proportionate to a security-practice purpose when its instructions exercise them openly
    practice_kinds: frozenset[str] = frozenset()
    practice_not_programs: frozenset[str] = frozenset()  # elevated programs that are never proportionate
    # rule 2: forbidden pattern → words of a stated purpose that manages it; what it is when disclosed
    forbidden_purposes: tuple[tuple[str, tuple[str, ...]], ...] = ()
    disclosed: Decision = Decision.REVIEW
    # disproportionate egress: messaging service ids, free-hosting suffix → its provider's words
    messaging_services: frozenset[str] = frozenset()
    hosting_providers: tuple[tuple[str, tuple[str, ...]], ...] = ()
    messaging_egress: Decision = Decision.REVIEW
    sink_egress: Decision = Decision.BLOCK

    # -- tiers, adjusted by the policy's host lists
    def tier(self, cap: Capability) -> int:
        t = tier(cap)
        if cap.kind == "code.remote" and t >= 3 and self.trusted_installer(cap.scope or ""):
            return 2
        return t

    def trusted_installer(self, url: str) -> bool:
        return _trusted_installer(self.trusted_installers, url)

    def allowed_host(self, host: str) -> bool:
        return _allowed_host(self.allow_hosts, host)

    def waiver_for(self, package: str, *, capability: Capability | None = None, rule: str | None = None,
                   as_of: _dt.date) -> Waiver | None:
        if not self.waivers:
            return None
        for w in self.waivers:
            if w.expires < as_of or not fnmatch.fnmatchcase(package, w.package):
                continue
            if capability is not None and w.capability and _cap_matches(w.capability, capability):
                return w
            if rule is not None and w.rule == rule:
                return w
        return None

    def expired_waivers(self, package: str, as_of: _dt.date) -> list[Waiver]:
        return [w for w in self.waivers if w.expires < as_of and fnmatch.fnmatchcase(package, w.package)]


def rules_policy_dir() -> Path:
    return rules_dir() / "policies"


def default_policy_path() -> Path:
    return rules_policy_dir() / "default.yaml"


def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((rules_dir() / "schemas" / "policy.schema.json").read_text(encoding="utf-8"))
    return schema


def _grade(d: dict[str, Any] | None, fallback: Grade) -> Grade:
    if not d:
        return fallback
    return Grade(
        decision=DEC[d.get("decision", fallback.decision.value)],
        min_confidence=CONF[d.get("min_confidence", fallback.min_confidence.label)],
        channels=frozenset(d.get("channels", sorted(fallback.channels))),
        otherwise=DEC[d.get("otherwise", fallback.otherwise.value)],
    )


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


@lru_cache(maxsize=16)
def load_policy(path: str | None = None) -> Policy:
    """Load and validate a policy file (the default when `path` is None). Raises PolicyError.
    The built-in default ships with the tool and is checked against the schema by the tests
    (`tests/test_speed_paths.py`), so a plain scan does not pay for importing jsonschema."""
    from skillscan.ruledata import load_yaml_bytes
    from skillscan.yamlsafe import YamlError, load_yaml

    if path in PRESETS and not Path(path).exists():  # `--policy default|strict|author`
        path = None if path == "default" else str(rules_policy_dir() / f"{path}.yaml")
    p = Path(path) if path else default_policy_path()
    try:
        raw = p.read_bytes()
        data = load_yaml_bytes(raw)  # the parse cached on disk by content digest
    except (OSError, UnicodeDecodeError, YamlError) as exc:
        raise PolicyError(f"cannot read policy {p}: {exc}") from None
    if not isinstance(data, dict):
        raise PolicyError(f"policy {p} is not a mapping")
    if path:
        import jsonschema

        try:
            jsonschema.validate(data, _schema())
        except jsonschema.ValidationError as exc:
            where = "/".join(str(x) for x in exc.absolute_path) or "(top)"
            raise PolicyError(f"policy {p}: {where}: {exc.message}") from None
    digest = hashlib.sha256(raw).hexdigest()
    if data.get("extends") == "default" and path:
        base = load_yaml(default_policy_path().read_text(encoding="utf-8"))
        data = _merge(base, {k: v for k, v in data.items() if k != "extends"})
    return _build(data, digest, str(p))


def _build(data: dict[str, Any], digest: str, source: str) -> Policy:
    und = data.get("undeclared") or {}
    forb = data.get("forbidden") or {}
    drift = data.get("drift") or {}
    waivers = []
    for w in data.get("waivers") or []:
        waivers.append(Waiver(package=w["package"], reason=w["reason"],
                              expires=_dt.date.fromisoformat(str(w["expires"])),
                              capability=w.get("capability"), rule=w.get("rule")))
    find = data.get("findings") or {}
    egress = data.get("egress") or {}
    return Policy(
        name=str(data["name"]), version=str(data["version"]), digest=digest, source=source,
        hard_block_confidence=CONF[(data.get("hard_indicators") or {}).get("block_confidence", "medium")],
        forbidden=tuple((str(c["capability"]), str(c.get("reason", ""))) for c in forb.get("capabilities") or []),
        forbidden_min_confidence=CONF[forb.get("min_confidence", "medium")],
        undeclared={
            1: _grade(und.get("tier1"), Grade(Decision.ALLOW)),
            2: _grade(und.get("tier2"), Grade(Decision.REVIEW, Confidence.MEDIUM, frozenset({"manifest", "code"}))),
            3: _grade(und.get("tier3"), Grade(Decision.BLOCK, Confidence.MEDIUM, otherwise=Decision.REVIEW)),
        },
        no_field_tier2=DEC[und.get("no_field_tier2", "allow")],
        top_covers_tier3=bool(und.get("top_covers_tier3", False)),
        instruction_block_kinds=frozenset(und.get("instruction_block_kinds") or ()),
        combinations={k: DEC[v] for k, v in (data.get("combinations") or {}).items()},
        findings={k: _grade(find.get(k), Grade(Decision.ALLOW)) for k in ("critical", "high")},
        unused=DEC[data.get("unused", "allow")],
        incomplete=DEC[data.get("incomplete", "review")],
        drift_decision=DEC[drift.get("decision", "review")],
        drift_min_tier=int(drift.get("min_tier", 2)),
        drift_always_kinds=frozenset(drift.get("always_kinds") or ()),
        allow_hosts=tuple(str(h) for h in data.get("allow_hosts") or ()),
        trusted_installers=tuple(str(h) for h in data.get("trusted_installers") or ()),
        waivers=tuple(waivers),
        generic=DEC[data["generic"]] if data.get("generic") else None,
        any_role_rules=frozenset((data.get("roles") or {}).get("any_role_rules") or ()),
        no_field_tier3=DEC[und.get("no_field_tier3", "block")],
        strict_tier3=bool(und.get("strict_tier3", False)),
        corroborated=DEC[(data.get("hard_indicators") or {}).get("corroborated", "block")],
        incoherent=DEC[(data.get("hard_indicators") or {}).get("incoherent", "block")],
        payload_kinds=frozenset(und.get("payload_kinds") or ()),
        privilege=DEC[und.get("privilege", "review")],
        security_practice=tuple(str(w) for w in (data.get("security_practice") or {}).get("words") or ()),
        practice_kinds=frozenset(str(k) for k in (data.get("security_practice") or {}).get("proportionate") or ()),
        practice_not_programs=frozenset(str(k).lower() for k in
                                        (data.get("security_practice") or {}).get("not_proportionate") or ()),
        forbidden_purposes=tuple((str(c["capability"]), tuple(str(w) for w in c["purpose"]))
                                 for c in forb.get("capabilities") or [] if c.get("purpose")),
        disclosed=DEC[forb.get("disclosed", "review")],
        messaging_services=frozenset(str(x) for x in egress.get("messaging_services") or ()),
        hosting_providers=tuple((str(k), tuple(str(w) for w in v)) for k, v in (egress.get("hosting_providers") or {}).items()),
        messaging_egress=DEC[egress.get("unnamed_messaging", "review")],
        sink_egress=DEC[egress.get("data_to_throwaway_host", "block")],
    )


def resolve_as_of(as_of: str | None) -> _dt.date:
    """`--as-of` (YYYY-MM-DD) > SOURCE_DATE_EPOCH > today (UTC)."""
    if as_of:
        return _dt.date.fromisoformat(as_of)
    sde = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if sde.isdigit():
        return _dt.datetime.fromtimestamp(int(sde), tz=_dt.UTC).date()
    return _dt.datetime.now(tz=_dt.UTC).date()


def policy_for(policy_path: str | None, config_policy: str | None = None) -> Policy:
    """The policy a scan uses: `--policy`, else the consumer configuration's, else the built-in default."""
    return load_policy(policy_path or config_policy or None)


# ---------------------------------------------------------------------------------------------------


def permit_options(policy: Policy) -> PermitOptions:
    """What the permit stage needs from the policy."""
    return PermitOptions(policy.tier, policy.top_covers_tier3, policy.allowed_host)

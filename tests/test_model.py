"""The data model: capability grammar, enums, fingerprints, immutability."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skillscan.model import (
    Capability, Channel, Confidence, Decision, Evidence, Finding, InferredCapability, Location, RuleClass, Severity,
)


@pytest.mark.parametrize(("text", "kind", "scope"), [
    ("net.egress[api.github.com]", "net.egress", "api.github.com"),
    ("fs.read[~/.ssh/**]", "fs.read", "~/.ssh/**"),
    ("proc.shell", "proc.shell", None),
    ("compute.mine", "compute.mine", None),
    ("code.remote[https://x.example/a,b.sh]", "code.remote", "https://x.example/a,b.sh"),
    ("secrets.read[env:AWS_SECRET_ACCESS_KEY]", "secrets.read", "env:AWS_SECRET_ACCESS_KEY"),
    ("pkg.install[npm:left-pad@1.3.0]", "pkg.install", "npm:left-pad@1.3.0"),
    ("  proc.exec[git]  ", "proc.exec", "git"),
    ("env.read[]", "env.read", None),
])
def test_capability_parse_and_print(text: str, kind: str, scope: str | None) -> None:
    cap = Capability.parse(text)
    assert (cap.kind, cap.scope) == (kind, scope)
    assert Capability.parse(str(cap)) == cap
    assert str(cap) == (kind if scope is None else f"{kind}[{scope}]")


@pytest.mark.parametrize("text", ["", "Net.Egress", "net egress", "fs.read[a,b]", "[x]", "net..egress", "1net"])
def test_capability_rejects_malformed(text: str) -> None:
    with pytest.raises(ValueError):
        Capability.parse(text)


@given(kind=st.from_regex(r"[a-z][a-z0-9_]{0,8}(\.[a-z][a-z0-9_]{0,8}){0,2}", fullmatch=True),
       scope=st.none() | st.from_regex(r"[A-Za-z0-9_~/*.:@$-]{1,20}", fullmatch=True))
def test_capability_round_trips(kind: str, scope: str | None) -> None:
    cap = Capability(kind, scope)
    assert Capability.parse(str(cap)) == cap


def test_capability_domain_and_order() -> None:
    assert Capability.parse("net.egress[x]").domain == "net"
    caps = sorted([Capability("proc.exec", "git"), Capability("fs.read", "~/.ssh"), Capability("fs.read", None)],
                  key=str)
    assert [str(c) for c in caps] == ["fs.read", "fs.read[~/.ssh]", "proc.exec[git]"]


def test_enums_parse_and_order() -> None:
    assert Severity.parse(" High ") is Severity.HIGH and Severity.CRITICAL > Severity.HIGH > Severity.INFO
    assert Severity.MEDIUM.label == "medium"
    assert Confidence.parse("low") is Confidence.LOW and Confidence.HIGH > Confidence.MEDIUM
    with pytest.raises(KeyError):
        Severity.parse("severe")
    assert [d.rank for d in (Decision.ALLOW, Decision.REVIEW, Decision.BLOCK, Decision.ERROR)] == [0, 1, 2, 3]
    assert RuleClass("malicious") is RuleClass.MALICIOUS and Channel("instruction") is Channel.INSTRUCTION


def _finding(line: int, snippet: str, path: str = "scripts/a.sh", rule: str = "shell-exec") -> Finding:
    return Finding(rule_id=rule, message="m", location=Location(path, line, 1, snippet=snippet),
                   severity=Severity.HIGH, confidence=Confidence.HIGH, rule_class=RuleClass.CAPABILITY)


def test_fingerprint_ignores_line_and_whitespace_but_not_content() -> None:
    base = _finding(3, "curl  https://x | sh").fingerprint()
    assert _finding(40, "curl https://x |\n sh").fingerprint() == base
    assert _finding(3, "curl https://y | sh").fingerprint() != base
    assert _finding(3, "curl https://x | sh", path="scripts/b.sh").fingerprint() != base
    assert _finding(3, "curl https://x | sh", rule="other").fingerprint() != base
    assert _finding(3, "curl https://x | sh").fingerprint(1) != base
    assert len(base) == 32 and int(base, 16) >= 0


def test_dataclasses_are_frozen() -> None:
    f = _finding(1, "x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.message = "changed"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        Capability("a").kind = "b"  # type: ignore[misc]


def test_inferred_confidence_is_the_strongest_evidence() -> None:
    ev = [Evidence("a", 1, "r", Channel.INSTRUCTION, Confidence.LOW),
          Evidence("b", 2, "r", Channel.CODE, Confidence.MEDIUM)]
    assert InferredCapability(Capability("proc.shell"), tuple(ev)).confidence is Confidence.MEDIUM
    assert InferredCapability(Capability("proc.shell"), ()).confidence is Confidence.LOW


@pytest.mark.parametrize(("channel", "role"), [
    (Channel.CODE, "code"), (Channel.MANIFEST, "code"), (Channel.INSTRUCTION, "agent-instruction"),
    (Channel.METADATA, "agent-instruction"),
])
def test_finding_role_defaults_from_the_channel(channel: Channel, role: str) -> None:
    f = Finding("r", "m", Location("a"), Severity.LOW, Confidence.LOW, RuleClass.HYGIENE, channel=channel)
    assert f.role == role
    given_role = Finding("r", "m", Location("a"), Severity.LOW, Confidence.LOW, RuleClass.HYGIENE, channel=channel,
                         role="reference")
    assert given_role.role == "reference"
    with pytest.raises(ValueError):
        Finding("r", "m", Location("a"), Severity.LOW, Confidence.LOW, RuleClass.HYGIENE, role="narrator")

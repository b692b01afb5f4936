"""Decide (REFERENCE §4.5, DESIGN.md "Permit and decide"): hard indicators, forbidden capabilities,
undeclared capabilities graded by tier, channel and confidence, dangerous combinations, waivers →
`Verdict` with reasons that cite evidence, the risk level, disclosures, the gate's own findings and
the suggested minimal declaration. The policy is data (`rules/policies/default.yaml`, `--policy`)."""

from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Sequence

from skillscan.capabilities.grammar import TOP, closure
from skillscan.capabilities.tiers import is_local_host, risk_level
from skillscan.model import (
    Capability,
    Channel,
    Confidence,
    Decision,
    Evidence,
    Finding,
    Package,
    RuleClass,
    Severity,
    Verdict,
)
from skillscan.permissions.declared import declaring_channels
from skillscan.permissions.diff import client_auth_only, is_covered
from skillscan.permissions.permit import Permitted
from skillscan.policy_credentials import own_service_flow, unexplained_egress
from skillscan.policy_download import stated_words
from skillscan.policy_gate import RISK as _RISK
from skillscan.policy_gate import Acc as _Acc
from skillscan.policy_gate import best as _best
from skillscan.policy_gate import declarable_evidence as _declarable
from skillscan.policy_gate import same_as_shown as _same_as_shown
from skillscan.policy_gate import gate_finding as _gate_finding
from skillscan.policy_gate import where as _where
from skillscan.policy_load import (  # noqa: F401 (the policy API, re-exported)
    CONF,
    DEC,
    POLICY_SCHEMA_ID,
    PRESETS,
    Grade,
    Policy,
    PolicyError,
    Waiver,
    default_policy_path,
    load_policy,
    permit_options,
    policy_for,
    resolve_as_of,
    rules_policy_dir,
)
from skillscan.policy_match import _cap_matches, _forbidden_of_kind
from skillscan.policy_coherent import incoherent
from skillscan.policy_corroborate import corroborated
from skillscan.policy_egress import EgressPolicy, data_to_sink, unnamed_messaging
from skillscan.policy_persist import disclosed_on_request, occasion, own_server, remote_persistence
from skillscan.policy_polarity import POLARITY_RULES, transparent
from skillscan.policy_practice import PRACTICE as _PRACTICE
from skillscan.policy_practice import (
    RELAYS,
    any_role_endpoint,
    combination_explained,
    file_lines,
    line_text,
    names_relay,
    practice_privilege,
    security_practice,
    stated_subject,
)
from skillscan.policy_practice import forbidden_explained as _forbidden_explained
from skillscan.policy_purpose import (
    egress_reason,
    names_untrusted_endpoint,
    package_purpose,
    proportional_read_egress,
    proportionate,
    vendor_installer,
)
from skillscan.policy_roles import (
    CONTEXT_ROLES,
    allow_why,
    context_ceiling,
    context_only,
    finding_ceiling,
    gate_roles,
    indicator_list,
    roles_by_evidence,
)
from skillscan.policy_roles import malice_context_ceiling as _malice_ceiling
from skillscan.policy_temper import rank as _rank
from skillscan.policy_temper import temper as _temper


def decide(package: Package, findings: Sequence[Finding], errors: Sequence[str], permitted: Permitted,
           policy: Policy, as_of: _dt.date) -> Verdict:
    """The decide stage: the permit stage's result (declared, inferred, their difference, the suggestion)
    and the findings, graded by the policy as of a day."""
    acc = _Acc()
    name = package.name
    declared, d = permitted.declared, permitted.diff
    roles = roles_by_evidence(findings, package)
    gate = functools.partial(_gate_finding, roles=roles)
    purpose = package_purpose(package, d.inferred)

    # 1. hard indicators
    alone: list[Finding] = []  # malice at review for its confidence alone (policy_corroborate)
    for f in findings:
        if f.rule_class is not RuleClass.MALICIOUS:
            continue
        if policy.waiver_for(name, rule=f.rule_id, as_of=as_of):
            continue
        dec = Decision.BLOCK if f.confidence >= policy.hard_block_confidence else Decision.REVIEW
        where = f"{f.location.path}:{f.location.line}"
        if f.rule_id in POLARITY_RULES and (
                said := transparent(f.rule_id, line_text(package, f.location.path, f.location.line, f.location.snippet),
                                    f.location.snippet)):
            dec, where = Decision.ALLOW, f"{where}; {said}"  # asks for transparency: hygiene, not concealment
        cited = f"{f.location.snippet} {f.decoded or ''}"
        relay = f.role in CONTEXT_ROLES and any_role_endpoint(f"{cited} {line_text(package, f.location.path, f.location.line, f.location.snippet)}", RELAYS)
        # a request catcher or file drop named only in test data (a test file nothing runs) is the test's value;
        # a raw IP, paste site or tunnel relay is judged the same in any role
        open_text = f.rule_id not in policy.any_role_rules and not relay and (not names_untrusted_endpoint(cited) or (
            f.role == "test-data" and not any_role_endpoint(cited, RELAYS)))
        if f.role in CONTEXT_ROLES and open_text:
            practice = bool(security_practice(package, f.location.path, policy.security_practice)) or \
                stated_subject(package, f.location.path, f.location.snippet) or \
                indicator_list(package, f.location.path, f.location.line)  # the attack is the subject, or a red flag
            dec, where = min(dec, _malice_ceiling(f, roles, practice), key=_rank), f"{where}, {f.role} text, not code or an agent instruction"
        elif dec is Decision.BLOCK and f.rule_id not in policy.any_role_rules and f.role != "hidden" and \
                not any_role_endpoint(f"{f.location.snippet} {f.decoded or ''}") and (
                said := security_practice(package, f.location.path, policy.security_practice)):
            dec, where = Decision.REVIEW, f"{where}; {_PRACTICE.format(said)}"
        acc.raise_to(dec, f"{f.rule_id}: {f.message} ({where})")
        if dec is Decision.REVIEW and where == f"{f.location.path}:{f.location.line}":
            alone.append(f)
    if alone and (pair := corroborated(package, alone, findings, lambda p: bool(security_practice(
            package, p, policy.security_practice)), file_lines)):
        acc.raise_to(policy.corroborated, f"corroborated-malice: {pair[0]}")
        acc.findings.append(gate("corroborated-malice", pair[0], (pair[1].location.path, pair[1].location.line), [],
                                 severity=Severity.CRITICAL, confidence=Confidence.MEDIUM, channel=pair[1].channel))
    if acc.decision is not Decision.BLOCK and (one := incoherent(package, alone, findings, lambda p: bool(
            security_practice(package, p, policy.security_practice)), purpose)):  # rule 1: incoherent with the purpose
        acc.raise_to(policy.incoherent, f"incoherent-malice: {one[0]}")
        acc.findings.append(gate("incoherent-malice", one[0], (one[1].location.path, one[1].location.line), [],
                                 severity=Severity.CRITICAL, confidence=Confidence.MEDIUM, channel=one[1].channel))

    # forbidden capabilities: whatever is declared
    forbidden_hit: set[Capability] = set()
    for ic in d.inferred:
        for pattern, why in _forbidden_of_kind(policy.forbidden, ic.capability.kind):
            if not _cap_matches(pattern, ic.capability):
                continue
            if policy.waiver_for(name, capability=ic.capability, rule="forbidden-capability", as_of=as_of):
                break
            ev = _best(ic)
            dec = Decision.BLOCK if ic.confidence >= policy.forbidden_min_confidence else Decision.REVIEW
            text = f"forbidden capability {ic.capability}: {why or 'the policy forbids it'} ({_where(ev)})"
            if context_only(ic.evidence, roles) and not names_relay(package, ic.evidence):
                dec = min(dec, context_ceiling(ic.capability, ic.evidence, roles, False), key=_rank)
                text += "; every mention is reference, quoted, test or user-command text"
            elif said := own_server(package, ic, roles, purpose):
                dec, text = Decision.ALLOW, f"{text}; {said}"  # installing itself (issue 14), not tampering
            elif dec is Decision.BLOCK and (said := _forbidden_explained(package, ic, roles, policy.security_practice)):
                dec, text = Decision.REVIEW, f"{text}; {said}"
            elif dec is Decision.BLOCK and (said := disclosed_on_request(
                    package, ic, dict(policy.forbidden_purposes).get(pattern, ()), roles, findings, d.inferred,
                    purpose, ev)):
                dec, text = min(dec, policy.disclosed, key=_rank), f"{text}; {said}"  # rule 2
            acc.raise_to(dec, text)
            acc.findings.append(gate("forbidden-capability", text, ev, [ic.capability], severity=Severity.CRITICAL
                                     if dec is Decision.BLOCK else Severity.HIGH if dec is Decision.REVIEW else Severity.LOW))
            forbidden_hit.add(ic.capability)
            break

    # persistence whose own line runs remote code: whatever the URL serves runs at every session (rule 1)
    for persist, remote, ev in remote_persistence(d.inferred, roles):
        if policy.waiver_for(name, rule="persistent-remote-code", as_of=as_of):
            break
        text = (f"{persist} fetches and runs remote code ({remote}): whatever that URL serves is run again at "
                f"every {occasion(persist)} ({_where(ev)})")
        acc.raise_to(Decision.BLOCK, text)
        acc.findings.append(gate("persistent-remote-code", text, ev, [persist, remote], severity=Severity.CRITICAL))

    # disproportionate egress: data to a throwaway host (malice), an unnamed messaging service (privilege)
    eg = EgressPolicy(policy.messaging_services, policy.hosting_providers,
                      functools.partial(security_practice, package, words=policy.security_practice))
    for rule, dec, hits in (("data-to-throwaway-host", policy.sink_egress, data_to_sink(package, d.inferred, findings, roles, eg)),
                            ("undisclosed-messaging-egress", policy.messaging_egress, unnamed_messaging(d.inferred, roles, purpose, eg))):
        for hit in hits:
            if policy.waiver_for(name, rule=rule, capability=hit.capability, as_of=as_of):
                break
            text = f"{hit.said} ({_where(hit.evidence)})"
            acc.raise_to(dec, text)
            acc.findings.append(gate(rule, text, hit.evidence, [hit.capability],
                                     severity=Severity.CRITICAL if dec is Decision.BLOCK else Severity.HIGH))

    # 2. coverage: undeclared, graded by tier, channel and confidence
    undeclared_caps: list[Capability] = []
    egress = unexplained_egress(d.inferred, roles, purpose, policy.allowed_host)
    for ic in d.undeclared:
        cap = ic.capability
        if policy.waiver_for(name, capability=cap, as_of=as_of):
            continue
        undeclared_caps.append(cap)
        if cap in forbidden_hit:
            continue
        t = policy.tier(cap)
        if t >= 3 and client_auth_only(ic, d.inferred):
            t = 2  # `ssh host`: the user's own key, used by its own client
        ev = _best(ic)
        no_field = not declared.has_field(cap.kind, package.format, declaring_channels(
            ic.evidence, policy.undeclared[2].min_confidence), cap.scope)
        if t <= 1:
            dec = policy.undeclared[1].grade(ic.evidence)
            if dec is not Decision.ALLOW:
                text = f"undeclared capability {cap} ({_where(ev)})"
                acc.raise_to(dec, text)
                acc.findings.append(gate("undeclared-capability", text, ev, [cap]))
            continue
        if t == 2 and no_field:
            dec = policy.no_field_tier2
            if dec is Decision.ALLOW:
                acc.findings.append(gate(
                    "undeclared-capability", f"{cap} is not declared; {package.format} has no field to declare "
                    f"{cap.kind}, so it is reported without changing the verdict ({_where(ev)})", ev, [cap],
                    severity=Severity.LOW))
                continue
        else:
            dec = policy.undeclared[t].grade(ic.evidence)
            if t >= 3 and dec is Decision.BLOCK and cap.kind not in policy.instruction_block_kinds and not any(
                    e.channel in (Channel.MANIFEST, Channel.CODE) and e.confidence >= policy.undeclared[t].min_confidence
                    for e in ic.evidence):
                dec = Decision.REVIEW  # seen only in instructions, and not a payload kind
        text = f"undeclared {_RISK[min(t, 3)]} capability {cap} ({_where(ev)})"
        if not (t >= 3 and policy.strict_tier3 and not no_field) and (
                said := proportionate(package, ic, d.inferred, purpose, stated_words(package, ev.path)) or
                practice_privilege(package, ic, d.inferred, roles, policy.security_practice, policy.practice_kinds,
                                   policy.tier, policy.practice_not_programs)):
            acc.findings.append(gate("undeclared-capability", f"{cap} ({_RISK[min(t, 3)]}) is not declared; {said} "
                                     f"({_where(ev)})", ev, [cap], severity=Severity.LOW))
            continue  # DESIGN rule 3: proportionate to the stated purpose, hygiene
        # a script's use of what the instructions show the agent doing cannot be declared in the format
        if t == 2 and not no_field and len(agent := _declarable(ic, declared, package.format)) < len(ic.evidence) \
                and policy.undeclared[2].grade(agent) is Decision.ALLOW and _same_as_shown(package, ic, agent):
            acc.findings.append(gate(
                "undeclared-capability", f"{cap} is not declared; {package.format} has no field to declare {cap.kind} "
                "for what a bundled script does, and the instructions' own use is left to the host's permission "
                f"prompt ({_where(ev)})", ev, [cap], severity=Severity.LOW))
            continue
        dec, text = _temper(dec, text, t, ic, no_field, roles, policy, purpose, stated_words(package, ev.path),
                            egress, security_practice(package, ev.path, policy.security_practice))
        if dec is Decision.ALLOW:
            acc.findings.append(gate(
                "undeclared-capability", f"{cap} ({_RISK[min(t, 3)]}) is not declared; {allow_why(ic.evidence, roles)} "
                f"({_where(ev)})", ev, [cap], severity=Severity.LOW))
            continue
        acc.raise_to(dec, text)
        rule = "undeclared-dangerous-capability" if t >= 3 else "undeclared-sensitive-capability"
        acc.findings.append(gate(rule, text, ev, [cap]))

    # 3. over-privilege
    for cap, path, line in d.unused:
        if cap.kind in ("agent.tool",):
            continue
        text = f"declared {cap} is never used: narrow or remove it"
        acc.findings.append(gate("unused-declared-capability", text, (path, line), [cap],
                                          confidence=Confidence.MEDIUM, channel=Channel.MANIFEST))
        acc.raise_to(policy.unused, text)

    # 4. dangerous combinations
    combos: list[str] = []
    for combo in d.combinations:
        rule = f"combination-{combo.name}"
        if policy.waiver_for(name, rule=rule, as_of=as_of):
            continue
        combos.append(str(combo))
        dec = policy.combinations.get(combo.name, Decision.REVIEW)
        text = f"dangerous combination {combo} ({_where(combo.evidence)})"
        own = own_service_flow(combo.legs, purpose)
        if any(context_only(ic.evidence, roles) for ic in d.inferred if ic.capability in combo.legs):
            # a leg only in reference, quoted, test or user-command text: no flow the package runs
            dec = Decision.REVIEW if dec is Decision.BLOCK else Decision.ALLOW
            text += "; a leg is only reference, quoted, test or user-command text"
        elif said := proportional_read_egress(combo, findings, purpose):  # DESIGN rule 4: the precise flows
            dec, text = Decision.ALLOW, f"{text}; {said}"
        elif own and dec is Decision.BLOCK:
            dec, text = Decision.REVIEW, f"{text}; {own}"  # the stated service's own token to its own API
        elif dec is Decision.BLOCK and (said := combination_explained(package, combo, d.inferred, roles,
                                                                      policy.security_practice)):
            dec, text = Decision.REVIEW, f"{text}; {said}"
        acc.raise_to(dec, text)
        acc.findings.append(gate(rule, text, combo.evidence, list(combo.legs),
                                          severity=Severity.CRITICAL if dec is Decision.BLOCK else None))

    # capability findings the engines graded high or critical, about capabilities not declared
    # explicitly (unscoped Bash pre-approves everything but discloses nothing)
    explicit = closure(x.capability for x in declared.declarations if x.source not in ("weak", "coarse")) - {TOP}
    undeclared_set = {ic.capability for ic in d.inferred
                      if not is_covered(ic.capability, explicit, policy.tier, policy.top_covers_tier3)}

    for f in findings:
        if f.rule_class is not RuleClass.CAPABILITY or f.severity < Severity.HIGH:
            continue
        caps = closure(f.capabilities)
        if f.capabilities and not (caps & undeclared_set):
            continue
        if policy.waiver_for(name, rule=f.rule_id, as_of=as_of):
            continue
        grade = policy.findings["critical" if f.severity >= Severity.CRITICAL else "high"]
        dec = grade.grade([Evidence(f.location.path, f.location.line, f.rule_id, f.channel, f.confidence)])
        where = f"{f.location.path}:{f.location.line}"
        vendor = [r for c in f.capabilities if c.kind == "code.remote" and (r := vendor_installer(c.scope or "", purpose))]
        if f.role in CONTEXT_ROLES:
            ceiling = finding_ceiling(f, roles, purpose, policy)
            dec, where = min(dec, ceiling, key=_rank), f"{where}, {f.role} text"
        if vendor:
            dec, where = min(dec, Decision.REVIEW, key=_rank), f"{where}; {vendor[0]}"
        acc.raise_to(dec, f"{f.rule_id}: {f.message} ({where})")

    # incomplete analysis and errors
    for f in findings:
        if f.rule_id == "analysis-incomplete":
            acc.raise_to(policy.incomplete, f"analysis-incomplete: {f.message} ({f.location.path})")
    for e in errors:
        acc.raise_to(policy.incomplete, e)
    for w in policy.expired_waivers(name, as_of):
        text = f"waiver for {w.capability or w.rule} expired on {w.expires.isoformat()} (as of {as_of.isoformat()})"
        acc.reasons.append((0, text))

    for ic in d.inferred:  # the verdict says when the purpose explains where the package reaches
        if ic.capability.kind == "net.egress" and ic.capability.scope and acc.decision is not Decision.ALLOW:
            said = egress_reason(ic.capability.scope, purpose)
            if said:
                acc.reasons.append((0, f"{ic.capability}: {said}"))
    suggestions = permitted.suggestions
    tiers = [policy.tier(ic.capability) for ic in d.inferred if ic.capability.kind != "agent.tool"]
    disclosures = (
        ("downloads_software", any(ic.capability.kind in ("pkg.install", "code.remote") for ic in d.inferred)),
        ("external_network", any(ic.capability.kind == "net.egress" and not is_local_host(ic.capability.scope or "*")
                                 for ic in d.inferred)),
    )
    reasons = [r for _, r in sorted(acc.reasons, key=lambda x: -x[0])]
    return Verdict(
        decision=acc.decision,
        reasons=tuple(dict.fromkeys(reasons)),
        risk_level=risk_level(tiers),
        declared=tuple(sorted({x.capability for x in declared.declarations}, key=str)),
        inferred=d.inferred,
        undeclared=tuple(sorted(set(undeclared_caps), key=str)),
        unused=tuple(c for c, _, _ in d.unused),
        combinations=tuple(combos),
        disclosures=disclosures,
        suggested_declaration=tuple((sg.format, sg.text) for sg in suggestions),
        suggested_paths=tuple(sg.path for sg in suggestions),
        findings=gate_roles(acc.findings, roles),
    )

# rule ids whose logic is this module (tests/test_rule_modules.py)
RULE_IDS: tuple[str, ...] = (
    "forbidden-capability",
    "undeclared-capability",
    "undeclared-dangerous-capability",
    "undeclared-sensitive-capability",
    "unused-declared-capability",
)

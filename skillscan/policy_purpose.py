"""Purpose for the decide stage: the package's stated purpose (skillscan.purpose) from what the decide
stage has, and the two questions the policy asks of it.

- `package_purpose(package, inferred)`: name, description and homepage/repository from the manifest,
  declared environment variables, and the programs the package runs (`proc.exec[...]`) as its
  documented tools.
- `vendor_installer(url, purpose)`: a reason sentence when a remote installer comes from the vendor
  of a tool or service the package states — the tool's own repository on a code host
  (`raw.githubusercontent.com/<owner>/<tool>/…` for a package that runs `<tool>`), or a registrable
  domain of a stated service or of the homepage (`get.docker.com` for a package that runs docker);
  else None. Plain http, sinks (paste, file-drop, shorteners, raw IPs) and hosts outside every
  stated service are never a vendor's own.
- `proportional_read_egress(combination, findings, purpose)`: the sentence saying why a `home-read-egress`
  or `environment-exfiltration` combination is proportional on its precise flows — no data flow sends
  a file's content, a credential store or the environment to the network, and every credential sent
  out belongs to a service in the table (or a declared variable) and none to a service other than the
  host's; for home-read-egress the file read is a path chosen at run time (`fs.read[*]`, not the home
  directory); for environment-exfiltration the flow analysis saw the reported egress and it sends
  named credentials only — else None.
- `elevated_install(ic, inferred, purpose, words)`: the sentence saying why an undeclared elevation
  (`proc.elevate`, `proc.exec[sudo]`) is proportionate — every line that elevates only runs a system
  package manager (rules/purpose/installs.yaml) and at least one package it installs is a program the
  skill runs or a word of its stated name or description — else None.
- `script_egress(package, ic, purpose)`: the sentence saying why an undeclared `net.egress[*]` from
  code is proportionate — every http(s) URL in the code files it is seen in, and on the instruction
  lines it is seen on, names a host the stated purpose explains (its service, its homepage), at least
  one — else None. A credential store,
  the whole environment or a throwaway sink is never explained (`judge_host`).
- `proportionate(package, ic, inferred, purpose, words)`: the first of these sentences that applies.
- `egress_reason(host, purpose)`: the coherence sentence for a host the package reaches when its
  stated purpose explains it ("reaches api.telegram.org — the skill's stated service (Telegram, …)"),
  else None; credential stores, the whole environment and throwaway sinks are never explained."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from skillscan.capabilities.urls import text_authorities, url_hosts
from skillscan.model import Channel, Finding, InferredCapability, Package
from skillscan.purpose.coherence import judge_host
from skillscan.purpose.domains import host_info
from skillscan.purpose.services import load_table
from skillscan.purpose.stated import StatedPurpose, stated_purpose

_REPO_URL = re.compile(r"^https://(?:raw\.githubusercontent\.com|github\.com|gitlab\.com)/([\w.-]+)/([\w.-]+)/",
                       re.IGNORECASE)
_MAX = 64


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [v for k, v in value.items() if k in ("url", "homepage") and isinstance(v, str)]
    return []


def _homepage(manifest: dict[str, Any]) -> str:
    for key in ("homepage", "repository", "url", "website"):
        for s in _strings(manifest.get(key)):
            if s.strip().lower().startswith(("https://", "http://")):
                return s.strip()
    return ""


def _env(manifest: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for key in ("env", "environment"):
        v = manifest.get(key)
        if isinstance(v, (dict, list)):
            out += [k for k in v if isinstance(k, str)]
    return out[:_MAX]


def _tool(scope: str) -> str:
    return scope.strip().replace("\\", "/").rsplit("/", 1)[-1].lower()


def package_purpose(package: Package, inferred: Iterable[InferredCapability]) -> StatedPurpose:
    m = package.manifest if isinstance(package.manifest, dict) else {}
    desc = m.get("description")
    tools = sorted({_tool(ic.capability.scope) for ic in inferred
                    if ic.capability.kind == "proc.exec" and ic.capability.scope and ic.capability.scope != "*"})
    return stated_purpose(name=package.name or "", description=desc if isinstance(desc, str) else "",
                          homepage=_homepage(m), env=_env(m), tools=tools[:_MAX])


def _repo_tool(repo: str) -> str:
    return re.sub(r"(?:[-_.](?:cli|sh|tool|tools))$", "", repo.lower().removesuffix(".git"))


def vendor_installer(url: str, purpose: StatedPurpose) -> str | None:
    low = url.strip()
    if not low.lower().startswith("https://"):
        return None
    table = load_table()
    info = host_info(low)
    if info.kind != "domain" or table.sink(low):
        return None
    m = _REPO_URL.match(low)
    if m:
        owner, repo = m.group(1), m.group(2)
        tool = _repo_tool(repo)
        if tool and tool in purpose.documented_tools:
            return (f"{url} installs {tool}, a program the skill runs, from that program's own repository "
                    f"({owner}/{repo})")
        return None
    if table.is_code_host(low):
        return None
    for svc in table.for_host(low):
        stated = purpose.service(svc.id)
        if stated is not None:
            return f"{url} is on {info.registrable}, the domain of {svc.label} ({stated.source()})"
    if info.registrable and info.registrable in purpose.documented_sites:
        return f"{url} is on {info.registrable}, the skill's own homepage's domain"
    return None


def untrusted_target(kind: str, scope: str) -> bool:
    """A scope that is a malice indicator whatever the role or format: code fetched over plain http or
    from a raw IP or a throwaway sink, data sent to a raw IP or a throwaway sink."""
    if kind not in ("code.remote", "net.egress", "ui.exfil-render") or not scope or scope == "*":
        return False
    if kind == "code.remote" and scope.lower().startswith("http://"):
        return True
    info = host_info(scope)
    return info.kind == "ip" or load_table().sink(scope) is not None


_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")


def names_untrusted_endpoint(text: str) -> bool:
    """The text names a literal outside endpoint no purpose makes coherent: a public IP address or a
    throwaway sink host (paste, request catcher, file drop, tunnel, shortener). Placeholders
    (ATTACKER_IP, 10.10.10.10, example hosts) are not literal outside endpoints."""
    if any(host_info(m.group(0)).kind == "ip" for m in _IPV4.finditer(text[:4000])):
        return True
    return any(load_table().sink(authority) is not None for authority in text_authorities(text[:4000]))


def egress_reason(host: str, purpose: StatedPurpose) -> str | None:
    c = judge_host(host, purpose, load_table())
    return c.reason if c.status == "explained" and c.category not in ("loopback",) else None


def _network_flows(findings: Iterable[Finding], purpose: StatedPurpose) -> tuple[list[Finding], set[str]] | None:
    """Every finding whose data flow reaches the network, and the variables they send; None when one sends
    a file's content, a credential store or the environment, a credential of a service other than the
    host's, or a variable of no service in the table that the package does not declare, sent to a host its
    stated purpose does not explain (an id or token in the URL of the stated service's own API is its own)."""
    table = load_table()
    flows, sent = [], set()
    for f in findings:
        flow = f.flow
        if flow is None or flow.sink != "network":
            continue
        if flow.source != "variables" or flow.service == "other":
            return None
        own_host = bool(flow.host) and egress_reason(flow.host, purpose) is not None
        for name in flow.names:
            if name not in purpose.declared_env and not table.for_env(name) and not own_host:
                return None
            sent.add(name)
        flows.append(f)
    return flows, sent


def _sends(sent: set[str]) -> str:
    return f" and sends only {', '.join(sorted(sent)[:3])}, the credential of its own service," if sent else ""


def proportional_read_egress(combo: Any, findings: Sequence[Finding], purpose: StatedPurpose) -> str | None:
    legs = combo.legs
    if combo.name == "home-read-egress" and any(c.kind == "fs.read" and c.scope == "*" for c in legs):
        got = _network_flows(findings, purpose)  # fs.read[*]: a run-time path, not the home directory
        if got is not None:
            return (f"the file read is a path chosen at run time, not the home directory,{_sends(got[1])} and no "
                    "data flow carries a file's content, a credential store or the environment to the network")
    if combo.name == "environment-exfiltration" and any(c.kind == "net.egress" and c.scope == "*" for c in legs):
        got = _network_flows(findings, purpose)
        at = {(combo.evidence.path, combo.evidence.line)}
        if got is not None and got[1] and any((f.location.path, f.location.line) in at for f in got[0]):
            return (f"the data flows to the network{_sends(got[1])} and none carries the environment, a file's "
                    "content or a credential store")
    return None


@lru_cache(maxsize=1)
def _installs() -> tuple[frozenset[str], frozenset[str]]:
    from skillscan.catalog import rules_dir
    from skillscan.ruledata import load_yaml_file

    data = load_yaml_file(rules_dir() / "purpose" / "installs.yaml")
    if not isinstance(data, dict):
        raise ValueError("rules/purpose/installs.yaml: expected a mapping")
    return (frozenset(str(v).lower() for v in data.get("elevators") or ()),
            frozenset(str(v).lower() for v in data.get("package_managers") or ()))


def _named(pkg: str, purpose: StatedPurpose, words: frozenset[str]) -> bool:
    name = re.split(r"[=:<>@]", pkg.lower(), maxsplit=1)[0]
    parts = [p for p in re.split(r"[-_.+]", name) if len(p) >= 4]
    return name in purpose.documented_tools or name in words or any(p in words or p in purpose.documented_tools
                                                                   for p in parts)


def elevators() -> frozenset[str]:
    """The programs that raise privilege for the command they wrap (rules/purpose/installs.yaml)."""
    return _installs()[0]


def is_elevation(cap: Any) -> bool:
    """`proc.elevate`, or running an elevator program (`proc.exec[sudo]`): the elevation itself."""
    return cap.kind == "proc.elevate" or (cap.kind == "proc.exec" and (cap.scope or "").lower() in _installs()[0])


def elevated_install(ic: InferredCapability, inferred: Sequence[InferredCapability], purpose: StatedPurpose,
                     words: frozenset[str]) -> str | None:
    cap = ic.capability
    elevators, managers = _installs()
    if not is_elevation(cap):
        return None
    lines = {(e.path, e.line) for e in ic.evidence}
    if not lines or len(lines) > _MAX:
        return None
    on: dict[tuple[str, int], list[Any]] = {at: [] for at in lines}
    for other in inferred:
        for e in other.evidence:
            if (e.path, e.line) in on:
                on[(e.path, e.line)].append(other.capability)
    named: list[str] = []
    for at, caps in sorted(on.items()):
        ran_manager = False
        for c in caps:
            scope = (c.scope or "").lower()
            if c.kind == "proc.elevate" or (c.kind == "proc.exec" and scope in elevators):
                continue
            if c.kind == "proc.exec" and scope in managers:
                ran_manager = True
                continue
            manager, _, pkg = scope.partition(":")
            if c.kind == "pkg.install" and manager in managers and pkg and pkg != "*":
                ran_manager = True
                if _named(pkg, purpose, words):
                    named.append(pkg)
                continue
            return None  # something else is elevated, written or run on the line
        if not ran_manager:
            return None
    if not named:
        return None
    from skillscan.permissions.diff import strongest

    best = strongest(ic)
    here = [pkg for (at, caps) in on.items() if at == (best.path, best.line) for c in caps
            if c.kind == "pkg.install" and (pkg := (c.scope or "").partition(":")[2]) in named]
    what = (f"this one installing {', '.join(dict.fromkeys(here[:3]))}, which the skill runs or names" if here
            else "one of them installing a package the skill runs or names")
    return (f"every elevated command only runs a system package manager, {what}: proportionate to its "
            "stated purpose")


def script_egress(package: Package, ic: InferredCapability, purpose: StatedPurpose) -> str | None:
    cap = ic.capability
    if cap.kind != "net.egress" or cap.scope not in (None, "*") or not ic.evidence:
        return None
    if not any(e.channel is Channel.CODE for e in ic.evidence):
        return None
    hosts: dict[str, str] = {}
    texts: list[str] = []
    for e in ic.evidence[:_MAX]:  # code: the whole file; an instruction: the line that reaches out
        f = package.file(e.path)
        if f is None or not f.text:
            return None
        if e.channel is Channel.CODE:
            texts.append(f.text[:200_000])
        else:
            lines = f.text.splitlines()
            texts.append(lines[e.line - 1] if 0 < e.line <= len(lines) else "")
    for text in dict.fromkeys(texts):
        for _, host in url_hosts(text):
            if host in hosts:
                continue
            if len(hosts) >= _MAX:
                return None
            why = egress_reason(host, purpose)
            if why is None:
                return None  # a host the purpose does not explain (or a loopback/placeholder): not proportionate
            hosts[host] = why
    if not hosts:
        return None
    first = next(iter(hosts.values())).split(" — ", 1)[-1]
    return f"every URL in the code that reaches the network is on a host the stated purpose explains: {first}"


def proportionate(package: Package, ic: InferredCapability, inferred: Sequence[InferredCapability],
                  purpose: StatedPurpose, words: frozenset[str]) -> str | None:
    return elevated_install(ic, inferred, purpose, words) or script_egress(package, ic, purpose)

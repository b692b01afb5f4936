"""What a detector match implies: the capabilities it evidences (with the URLs, hosts and secret stores
its text names), and the names used in its message. (The instructions engine's one URL/host splitter.)"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePosixPath

from skillscan.analyzers.instructions.detectors import Match
from skillscan.capabilities.urls import prose_host
from skillscan.model import Capability

URL = re.compile(r"https?://[^\s)>\]\"'`<，。]+", re.IGNORECASE)
SECRET_SCOPES = (
    (re.compile(r"ssh|id_(?:rsa|ed25519|ecdsa|dsa)", re.IGNORECASE), "ssh"),
    (re.compile(r"aws", re.IGNORECASE), "cloud:aws"),
    (re.compile(r"wallet|seed|mnemonic|recovery\s+phrase|助记词|钱包", re.IGNORECASE), "wallet"),
    (re.compile(r"browser|cookie|login\s+data|saved\s+passwords|浏览器", re.IGNORECASE), "browser"),
    (re.compile(r"keychain", re.IGNORECASE), "keychain"),
    (re.compile(r"git-credentials", re.IGNORECASE), "git-cred"),
    (re.compile(r"npmrc|pypirc", re.IGNORECASE), "pkg-registry-cred"),
    (re.compile(r"memory\.md|soul\.md|openclaw|clawdbot|mcp\.json|\.claude|codex/auth|claude_desktop", re.IGNORECASE), "agent-cred"),
    (re.compile(r"\.env\b", re.IGNORECASE), "dotenv"),
)


def find_urls(texts: Iterable[str]) -> list[str]:
    out: list[str] = []
    for t in texts:
        out += [u.rstrip(".,;:!?)") for u in URL.findall(t)]
    return list(dict.fromkeys(out))


def match_capabilities(m: Match, sentence: str = "") -> list[Capability]:
    caps: list[Capability] = []
    texts = (m.text, *m.parts, sentence)
    full = find_urls((sentence, *m.parts))
    urls = [next((f for f in full if f.startswith(u)), u) for u in find_urls((m.text, *m.parts))] or full
    rule = m.detector.rule
    if m.pattern.capability:
        caps.append(pattern_capability(m))
    if rule in ("remote-instruction-follow", "fake-prerequisite-command", "password-protected-archive-lure"):
        url = m.groups.get("url") or (urls[0] if urls else "*")
        url = next((f for f in full if f.startswith(url)), url) if url != "*" else url
        caps.append(Capability("code.remote", url.rstrip(".,;:!?)")))
    if rule == "fake-prerequisite-command":
        caps.append(Capability("proc.shell"))
    if rule in ("credential-exfiltration-instruction", "mcp-tool-poisoning"):
        joined = " ".join(texts)
        for pattern, scope in SECRET_SCOPES:
            if pattern.search(joined):
                caps.append(Capability("secrets.read", scope))
                break
        for u in urls:
            host = prose_host(u)
            if host:
                caps.append(Capability("net.egress", host))
    return list(dict.fromkeys(caps))


def secret_name(m: Match, sentence: str = "") -> str:
    first = " ".join((m.parts[0] if m.parts else m.text, sentence))
    for pattern, scope in SECRET_SCOPES:
        if pattern.search(first):
            return {"ssh": "SSH keys", "cloud:aws": "AWS credentials", "wallet": "wallet secrets",
                    "browser": "browser passwords/cookies", "keychain": "keychain items", "git-cred": "git credentials",
                    "pkg-registry-cred": "package-registry tokens", "agent-cred": "agent memory/config files",
                    "dotenv": ".env secrets"}[scope]
    return "secrets"


def payload_name(m: Match) -> str:
    joined = " ".join(m.parts)
    if re.search(r"base64", joined, re.IGNORECASE):
        return "decodes a base64 blob into a shell"
    if re.search(r"iex|Invoke-Expression", joined, re.IGNORECASE):
        return "downloads a PowerShell script and runs it"
    if re.search(r"https?://\d{1,3}(?:\.\d{1,3}){3}", joined):
        return "downloads a script from a raw IP address and runs it"
    return "downloads a script and pipes it to a shell"


def pattern_capability(m: Match) -> Capability:
    """The capability a detector pattern declares; `{name}` takes a regex group (a path's last part)."""
    def sub(g: re.Match[str]) -> str:
        name = g.group(1)
        value = m.groups.get(name) or next((v for k, v in m.groups.items() if k.startswith(name)), "") or "*"
        value = value.strip().strip("`'\"()")
        return PurePosixPath(value).name or value or "*"

    return Capability.parse(re.sub(r"\{(\w+)\}", sub, m.pattern.capability))

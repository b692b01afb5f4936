"""Risk tiers of skillcap/v1 capabilities (REFERENCE §4.2) and the package risk level, with the host
classification they rest on (local, public IP, risky service)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

from skillscan.capabilities.grammar import (
    CACHE,
    ELEVATE_BINARIES,
    MINER_BINARIES,
    TUNNEL_BINARIES,
    is_agent_config_path,
    normalize_binary,
    normalize_host,
    persist_kind_of_path,
    secret_kind_of_path,
)
from skillscan.capabilities.urls import label_suffixes, may_be_ip
from skillscan.model import Capability

# proc.exec of these is tier 2 (remote shells, containers, raw sockets, OS automation); everything
# else named is tier 1 — what a program does is inferred separately (egress, writes, …).
TIER2_BINARIES = frozenset({
    "docker", "podman", "kubectl", "ssh", "scp", "sftp", "rsync", "nc", "ncat", "netcat", "socat", "telnet",
    "osascript", "security", "powershell", "cmd", "dd", "chmod", "chown", "kill", "pkill", "killall", "mount",
    "iptables", "nmap", "crontab", "systemctl", "launchctl", "schtasks", "reg", "at",
})
# Hosts whose mere appearance as an egress target is dangerous: paste, webhook and request-capture
# services, tunnel endpoints, anonymous file drops.
RISKY_HOST_SUFFIXES = (
    "webhook.site", "requestbin.com", "requestbin.net", "pipedream.net", "pipedream.com", "hookbin.com",
    "beeceptor.com", "requestcatcher.com", "interact.sh", "oast.fun", "oast.pro", "oast.live", "burpcollaborator.net",
    "pastebin.com", "paste.ee", "hastebin.com", "ghostbin.co", "transfer.sh", "file.io", "0x0.st", "temp.sh",
    "ngrok.io", "ngrok-free.app", "ngrok-free.dev", "ngrok.app", "ngrok.dev", "localhost.run", "lhr.life", "trycloudflare.com", "loca.lt", "serveo.net", "bore.pub",
    "discord.com/api/webhooks", "discordapp.com", "glot.io", "ix.io", "termbin.com",
)
# not here: api.telegram.org, the Telegram service's own API (rules/purpose/services.yaml). A bot sending
# messages with its own TELEGRAM_* token is that service's API; a chat API used as a drop is a flow
# fact — a credential of another service sent there (`Flow.service == "other"`, the purpose coherence
# "a credential of X sent to another host"), or a file's or a store's content uploaded

LOW_SECRET_KINDS = ("env:", "user-config", "dotenv")  # own-service credentials: tier 2 (user-config: 1)

SENSITIVE_ENV_WRITES = frozenset({"PATH", "LD_PRELOAD", "LD_LIBRARY_PATH", "NODE_OPTIONS", "PYTHONPATH",
                                  "PYTHONSTARTUP", "BASH_ENV", "ENV", "PROMPT_COMMAND", "GIT_SSH_COMMAND"})

RISK_LABELS = {0: "low", 1: "low", 2: "medium", 3: "high"}


# ---------------------------------------------------------------------------------------------------
# tiers


def _is_public_ip(host: str) -> bool:
    if not may_be_ip(host):
        return False
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_reserved) or \
        host.startswith(("203.0.113.", "198.51.100.", "192.0.2."))  # documentation ranges stand in for real IPs


_RISKY_HOSTS = frozenset(s for s in RISKY_HOST_SUFFIXES if "/" not in s)


@lru_cache(maxsize=CACHE)
def is_local_host(host: str) -> bool:
    if host in ("localhost", "0.0.0.0", "::1") or host.endswith((".localhost", ".local")):
        return True
    if not may_be_ip(host):
        return False
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return (ip.is_private or ip.is_loopback) and not _is_public_ip(host)


@lru_cache(maxsize=CACHE)
def is_risky_host(host: str) -> bool:
    if _is_public_ip(host):
        return True
    return any(s in _RISKY_HOSTS for s in label_suffixes(host))  # host == s or host.endswith("." + s)


@lru_cache(maxsize=CACHE)  # a pure function of (kind, scope), asked ~20 times per package by the gate
def tier(cap: Capability) -> int:
    """Risk tier 1 (normal) · 2 (sensitive: must be declared) · 3 (dangerous: declared and justified)."""
    kind, scope = cap.kind, cap.scope or ""
    if kind == "proc.shell":
        return 2
    if kind in ("net.tunnel", "compute.mine", "proc.elevate", "ui.exfil-render", "finance.transact",
                "agent.config.write"):
        return 3
    if kind == "fs.read":
        if secret_kind_of_path(scope) and secret_kind_of_path(scope) != "dotenv":
            return 3
        if scope.startswith(("$PKG", "$WORK", "$TMP", "$DATA")):
            return 1
        return 2
    if kind == "fs.write":
        if persist_kind_of_path(scope) not in (None, "agent-memory") or is_agent_config_path(scope):
            return 3
        if scope.startswith(("$PKG", "$DATA", "$TMP", "$WORK")):
            return 1 if persist_kind_of_path(scope) is None else 2
        if scope.startswith(("~", "/etc", "/usr", "/bin", "/Library", "/System")) or scope == "*":
            return 3 if scope.startswith(("/etc", "/usr", "/bin", "/System")) else 2
        return 2
    if kind == "fs.delete":
        if scope in ("*", "/", "~", "/*", "~/*", "~/**", "/**") or scope.startswith(("/etc", "/usr", "/System")):
            return 3
        return 1 if scope.startswith(("$TMP", "$PKG", "$DATA")) else 2
    if kind == "net.egress":
        if scope in ("", "*"):
            return 2
        if is_local_host(scope):
            return 1
        return 3 if is_risky_host(scope) else 1
    if kind == "net.listen":
        return 2
    if kind == "proc.exec":
        b = normalize_binary(scope)
        if b in ELEVATE_BINARIES or b in TUNNEL_BINARIES or b in MINER_BINARIES:
            return 3
        return 2 if b in TIER2_BINARIES or b in ("", "*") else 1
    if kind == "proc.daemon":
        return 2
    if kind == "env.read":
        return 2 if scope == "*" else 1
    if kind == "env.write":
        return 3 if scope.upper() in SENSITIVE_ENV_WRITES or scope.upper().startswith("DYLD_") else 1
    if kind == "secrets.read":
        if scope.startswith("user-config"):
            return 1
        return 2 if scope.startswith(LOW_SECRET_KINDS) or not scope else 3
    if kind == "pkg.install":
        return 3 if scope.startswith("url:") and "sha256" not in scope else 2
    if kind == "code.dynamic":
        return 2
    if kind == "code.remote":
        if scope in ("", "*"):
            return 3  # fetched and run from somewhere the analysis could not name
        host = normalize_host(scope) if "://" in scope else ""
        if host and (is_risky_host(host) or scope.lower().startswith("http://")):
            return 3
        return 3 if host else 2
    if kind == "gpu.use":
        return 2
    if kind == "persist":
        return 2 if scope in ("agent-hook", "always-on", "agent-memory") else 3
    if kind == "agent.hook":
        return 2
    if kind in ("host.api", "sys.info", "agent.tool"):
        return 1
    if kind == "input.untrusted":
        return 2
    return 2


def risk_level(tiers: Iterable[int]) -> str:
    return RISK_LABELS[max(tiers, default=0)]

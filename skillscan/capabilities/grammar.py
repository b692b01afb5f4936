"""skillcap/v1 grammar (REFERENCE §4.2): scope normalisation, the implication closure, the agent-tool
entry grammar and scope containment (`covers`). Pure functions over `Capability`; no I/O. Risk tiers: tiers.py."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

try:
    import re2 as _re2
except ImportError:  # pragma: no cover
    _re2 = None

from skillscan.capabilities.commands import program_name as normalize_binary
from skillscan.capabilities.urls import after_scheme, normalize_host
from skillscan.model import Capability

TOP = Capability("proc.shell")  # ⊤: an arbitrary shell string implies every capability

# Kinds whose scope is a path glob, a host, an env name, a binary.
PATH_KINDS = frozenset({"fs.read", "fs.write", "fs.delete"})
HOST_KINDS = frozenset({"net.egress"})
ENV_KINDS = frozenset({"env.read", "env.write"})
ANCHORS = ("$PKG", "$DATA", "$WORK", "$TMP", "~")

SHELLS = frozenset({"sh", "bash", "zsh", "dash", "fish", "ksh", "cmd", "powershell", "pwsh"})

ELEVATE_BINARIES = frozenset({"sudo", "doas", "su", "pkexec", "runas"})
TUNNEL_BINARIES = {"ngrok": "ngrok", "cloudflared": "cloudflared", "frpc": "frp", "frps": "frp", "chisel": "chisel",
                   "bore": "bore", "lt": "localtunnel", "localtunnel": "localtunnel", "autossh": "autossh",
                   "pinggy": "pinggy", "zrok": "zrok", "tailscale": "tailscale"}
MINER_BINARIES = frozenset({"xmrig", "xmr-stak", "cpuminer", "minerd", "cgminer", "bfgminer", "ethminer", "t-rex",
                            "nbminer", "lolminer", "phoenixminer", "nanominer", "gminer", "teamredminer", "srbminer"})

# Credential stores: path glob (home-relative or anywhere) → secrets.read kind.
SECRET_PATHS: tuple[tuple[str, str], ...] = (
    ("~/.ssh/**", "ssh"), ("**/id_rsa", "ssh"), ("**/id_ed25519", "ssh"), ("**/id_ecdsa", "ssh"),
    ("~/.aws/**", "cloud:aws"), ("~/.config/gcloud/**", "cloud:gcp"), ("~/.azure/**", "cloud:azure"),
    ("~/.kube/**", "cloud:kube"), ("~/.docker/config.json", "pkg-registry-cred"),
    ("~/.git-credentials", "git-cred"), ("~/.config/gh/**", "git-cred"), ("~/.netrc", "git-cred"),
    # a clone's own config: remote URLs with tokens in them, and the token actions/checkout persists there
    ("**/.git/config", "git-cred"),
    ("~/.npmrc", "pkg-registry-cred"), ("~/.pypirc", "pkg-registry-cred"), ("~/.cargo/credentials*", "pkg-registry-cred"),
    ("~/.gnupg/**", "keychain"), ("~/Library/Keychains/**", "keychain"), ("**/login.keychain*", "keychain"),
    ("~/Library/Application Support/Google/Chrome/**", "browser"), ("~/.config/google-chrome/**", "browser"),
    ("~/.config/chromium/**", "browser"), ("~/.mozilla/**", "browser"), ("~/Library/Application Support/Firefox/**", "browser"),
    ("~/Library/Cookies/**", "browser"), ("~/Library/Application Support/BraveSoftware/**", "browser"),
    ("**/Login Data", "browser"), ("**/Cookies", "browser"), ("**/cookies.sqlite", "browser"), ("**/logins.json", "browser"),
    ("**/Local State", "browser"), ("**/Web Data", "browser"), ("**/key4.db", "browser"), ("**/key3.db", "browser"),
    ("**/signons.sqlite", "browser"),
    ("~/.electrum/**", "wallet"), ("~/.bitcoin/**", "wallet"), ("~/.ethereum/keystore/**", "wallet"),
    ("~/Library/Application Support/Exodus/**", "wallet"), ("~/.config/Exodus/**", "wallet"), ("**/wallet.dat", "wallet"),
    ("~/.config/solana/**", "wallet"), ("**/*.keystore", "wallet"),
    ("~/.claude/.credentials.json", "agent-cred"), ("~/.codex/auth.json", "agent-cred"),
    ("~/.gemini/oauth_creds.json", "agent-cred"), ("~/.openclaw/credentials/**", "agent-cred"),
    ("~/.clawdbot/credentials/**", "agent-cred"), ("~/.config/openai/**", "agent-cred"),
    ("~/.openclaw/agents/*/agent/auth-profiles.json", "agent-cred"), ("~/.gemini/google_accounts.json", "agent-cred"),
    ("~/.gemini/mcp-oauth-tokens.json", "agent-cred"),
    # the agent's record of the user's conversations: every prompt, pasted key and file of past sessions
    ("~/.claude/history.jsonl", "agent-history"), ("~/.claude/projects/*/*.jsonl", "agent-history"),
    ("~/.claude/transcripts/**", "agent-history"), ("~/.codex/history.jsonl", "agent-history"),
    ("~/.codex/sessions/**", "agent-history"), ("~/.gemini/tmp/*/chats/**", "agent-history"),
    ("~/.openclaw/agents/*/sessions/**", "agent-history"),
    # the commands the user typed (with the passwords and tokens typed into them); the system's password hashes
    ("~/.bash_history", "shell-history"), ("~/.zsh_history", "shell-history"), ("~/.sh_history", "shell-history"),
    ("~/.python_history", "shell-history"), ("~/.node_repl_history", "shell-history"),
    ("~/.mysql_history", "shell-history"), ("~/.psql_history", "shell-history"), ("~/.sqlite_history", "shell-history"),
    ("~/.local/share/fish/fish_history", "shell-history"), ("**/PSReadLine/ConsoleHost_history.txt", "shell-history"),
    ("/etc/shadow", "system-passwords"), ("/etc/gshadow", "system-passwords"), ("/etc/master.passwd", "system-passwords"),
    ("**/.env", "dotenv"), ("**/.env.*", "dotenv"),
)

PERSIST_PATHS: tuple[tuple[str, str], ...] = (
    ("~/.bashrc", "shell-rc"), ("~/.zshrc", "shell-rc"), ("~/.profile", "shell-rc"), ("~/.bash_profile", "shell-rc"),
    ("~/.zprofile", "shell-rc"), ("~/.config/fish/**", "shell-rc"), ("/etc/profile*", "shell-rc"),
    ("~/Library/LaunchAgents/**", "launchd"), ("/Library/LaunchAgents/**", "launchd"),
    ("/Library/LaunchDaemons/**", "launchd"), ("~/.config/systemd/**", "systemd"), ("/etc/systemd/**", "systemd"),
    ("/etc/cron*", "cron"), ("/var/spool/cron/**", "cron"), ("**/.git/hooks/**", "git-hook"),
    ("~/.config/autostart/**", "autostart"),
    # `import` lines of a `.pth` file, and a site/user customize module, run at every interpreter start
    ("**/*.pth", "python-startup"), ("**/site-packages/sitecustomize.py", "python-startup"),
    ("**/site-packages/usercustomize.py", "python-startup"),
)
MEMORY_FILES = ("CLAUDE.md", "AGENTS.md", "MEMORY.md", "SOUL.md", "GEMINI.md", ".cursorrules")
AGENT_CONFIG_PATHS = ("**/.claude/settings*.json", "~/.claude.json", "**/.mcp.json", "~/.openclaw/*.json",
                      "~/.clawdbot/*.json", "~/.openclaw/agents/**", "~/.gemini/settings.json", "~/.codex/config.toml",
                      "**/.cursor/mcp.json", "**/.vscode/settings.json", "~/.config/claude/**")

CREDENTIAL_ENV = re.compile(
    r"(?:TOKEN|SECRET|PASSW(?:OR)?D|PASSPHRASE|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?|AUTH|(?:^|_)KEY|"
    r"(?:^|_)PAT|COOKIE|SESSION)(?:$|_)", re.IGNORECASE)
PROMPT_EVENTS = frozenset({"UserPromptSubmit", "UserPromptExpansion", "PreToolUse", "PostToolUse", "PostToolBatch",
                           "BeforeModel", "BeforeAgent", "BeforeTool", "AfterTool", "AfterModel",
                           "PermissionRequest", "Elicitation"})
LOAD_EVENTS = frozenset({"SessionStart", "Setup", "InstructionsLoaded"})


# ---------------------------------------------------------------------------------------------------
# normalisation

# The gate asks the same few questions of the same capabilities for every finding of every package:
# the pure functions below are memoised (bounded; keys are immutable strings and capabilities).
CACHE = 16384


def normalize_path(path: str) -> str:
    """Anchor a path scope: `~`/`$HOME` → `~/…`, `/tmp` → `$TMP`, relative → `$WORK/…`."""
    p = path.strip().replace("\\", "/")
    if p in ("*", "**", "", "/**", "//**"):
        return "*"
    for env, anchor in (("${HOME}", "~"), ("$HOME", "~"), ("${CLAUDE_PROJECT_DIR}", "$WORK"),
                        ("${workspacePath}", "$WORK"), ("${CLAUDE_PLUGIN_ROOT}", "$PKG"), ("${CLAUDE_SKILL_DIR}", "$PKG"),
                        ("${extensionPath}", "$PKG"), ("${__dirname}", "$PKG"), ("{baseDir}", "$PKG"),
                        ("${CLAUDE_PLUGIN_DATA}", "$DATA"), ("${TMPDIR}", "$TMP"), ("$TMPDIR", "$TMP")):
        if p == env or p.startswith(env + "/"):
            p = anchor + p[len(env):]
            break
    if p.startswith("//"):  # Claude permission rule: //abs/path
        p = p[1:]
    if p == "/tmp" or p.startswith("/tmp/"):
        p = "$TMP" + p[4:]
    if p.startswith("./"):
        p = "$WORK/" + p[2:]
    elif p == ".":
        p = "$WORK"
    if not p.startswith((*ANCHORS, "/", "*")):
        p = "$WORK/" + p
    while "//" in p:
        p = p.replace("//", "/")
    return p.rstrip("/") if len(p) > 1 else p


@lru_cache(maxsize=CACHE)
def normalize(cap: Capability) -> Capability:
    kind, scope = cap.kind, cap.scope
    if scope is None or scope == "":
        return Capability(kind, None)
    scope = scope.strip()
    if scope == "*":
        return Capability(kind, "*")
    if kind in PATH_KINDS:
        scope = normalize_path(scope)
    elif kind in HOST_KINDS:
        scope = normalize_host(scope) or "*"
    elif kind == "proc.exec":
        scope = normalize_binary(scope) or "*"
    elif kind == "secrets.read" and scope.startswith("env:"):
        scope = "env:" + scope[4:].strip()
    elif kind not in ENV_KINDS and kind not in ("code.remote", "pkg.install", "agent.tool", "agent.config.write",
                                                "agent.hook"):
        scope = scope.lower()
    return Capability(kind, scope)


# ---------------------------------------------------------------------------------------------------
# globs

MAX_GLOB = 512  # a longer pattern (from a hostile manifest) matches nothing


@lru_cache(maxsize=4096)
def _glob_re(pattern: str) -> Any:
    """A glob as a linear-time RE2 regex (patterns can come from a hostile manifest; Python's `re`
    backtracks exponentially on `**a**a**a…`)."""
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            if i < len(pattern) and pattern[i] == "/":
                out[-1] = "(?:.*/)?"
                i += 1
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        else:
            out.append(re.escape(c))
        i += 1
    regex = "^" + "".join(out) + "$"
    if _re2 is not None:
        opts = _re2.Options()
        opts.dot_nl = True
        return _re2.compile(regex, opts)
    return re.compile(regex, re.DOTALL)  # pragma: no cover - google-re2 is a dependency


def glob_match(pattern: str, text: str) -> bool:
    if len(pattern) > MAX_GLOB:
        return False
    return bool(_glob_re(pattern).match(text))


def path_covers(declared: str, inferred: str) -> bool:
    """Glob containment on anchored paths: `$WORK` covers `$WORK/**`; `~/.ssh/**` covers `~/.ssh/id_rsa`;
    a `**` glob in the inferred scope is matched literally (sound when the declared glob ends in `**`)."""
    if declared == "*":
        return True
    if inferred == "*":
        return False
    if declared == inferred:
        return True
    if not any(ch in declared for ch in "*?"):
        return inferred == declared or inferred.startswith(declared.rstrip("/") + "/")
    if glob_match(declared, inferred):
        return True
    # `$WORK/docs/**` covers `$WORK/docs`
    return declared.endswith("/**") and inferred == declared[:-3]


def host_covers(declared: str, inferred: str) -> bool:
    if declared == "*":
        return True
    if inferred == "*":
        return False
    if declared.startswith("*."):
        suffix = declared[2:]
        return inferred == suffix or inferred.endswith("." + suffix)
    if declared.startswith("."):
        return inferred == declared[1:] or inferred.endswith(declared)
    return inferred == declared


# ---------------------------------------------------------------------------------------------------
# implications


# a home directory written out (`/root`, `/home/<user>`, `/Users/<user>`, `C:/Users/<user>`) is `~` for
# the credential-store globs, which are home-relative
_HOME_DIR = re.compile(r"^(?:/root|/home/[^/]+|/Users/[^/]+|[A-Za-z]:/Users/[^/]+)(?=/)")


# stores that hold more than credentials, named in messages for what they are
_STORE_PHRASES = {"agent-history": "the agent's record of the user's conversations",
                  "shell-history": "the user's shell history (the commands typed, with any password or token in them)",
                  "system-passwords": "the system's password hashes"}


def store_phrase(kind: str) -> str:
    """A secrets.read kind as a message names what it reads: "ssh credentials", or what the store is when it
    holds more than credentials (the agent's record of the user's conversations)."""
    return _STORE_PHRASES.get(kind, f"{kind} credentials")


@lru_cache(maxsize=CACHE)
def secret_kind_of_path(path: str) -> str | None:
    if path.endswith(".pub"):
        return None  # a public key (`~/.ssh/id_ed25519.pub`) is meant to be shared
    path = _HOME_DIR.sub("~", path)
    for pattern, kind in SECRET_PATHS:
        if glob_match(pattern, path) or (pattern.endswith("/**") and path == pattern[:-3]):
            return kind
    return None


@lru_cache(maxsize=CACHE)
def persist_kind_of_path(path: str) -> str | None:
    for pattern, kind in PERSIST_PATHS:
        if glob_match(pattern, path) or (pattern.endswith("/**") and path == pattern[:-3]):
            return kind
    name = PurePosixPath(path).name
    if name in MEMORY_FILES or glob_match("**/.cursor/rules/**", path):
        return "agent-memory"
    return None


@lru_cache(maxsize=CACHE)
def is_agent_config_path(path: str) -> bool:
    return any(glob_match(p, path) for p in AGENT_CONFIG_PATHS)


def is_credential_env(name: str) -> bool:
    return bool(CREDENTIAL_ENV.search(name)) and name != "*"


def implied(cap: Capability) -> set[Capability]:
    """What one capability implies (one step), per REFERENCE §4.2's implication rules that need no argv."""
    return set(_implied(cap))


@lru_cache(maxsize=CACHE)
def _implied(cap: Capability) -> frozenset[Capability]:
    out: set[Capability] = set()
    kind, scope = cap.kind, cap.scope or ""
    if kind == "agent.tool":
        out |= agent_tool_capabilities(scope)
    elif kind == "proc.exec":
        b = normalize_binary(scope) if scope else ""
        if b in ELEVATE_BINARIES:
            out.add(Capability("proc.elevate"))
        if b in MINER_BINARIES:
            out.add(Capability("compute.mine"))
    elif kind == "fs.read" and scope:
        sk = secret_kind_of_path(scope)
        if sk:
            out.add(Capability("secrets.read", sk))
    elif kind == "env.read" and scope and scope != "*" and is_credential_env(scope):
        out.add(Capability("secrets.read", f"env:{scope}"))
    elif kind == "fs.write" and scope:
        pk = persist_kind_of_path(scope)
        if pk:
            out.add(Capability("persist", pk))
        if is_agent_config_path(scope):
            out.add(Capability("agent.config.write", PurePosixPath(scope).name))
    return frozenset(out)


def closure(caps: Iterable[Capability]) -> set[Capability]:
    """Normalise and close a set under `implied` (bounded: implications are shallow)."""
    out: set[Capability] = set()
    for c in caps:
        out |= closure_of(c)
    return out


@lru_cache(maxsize=CACHE)
def closure_of(cap: Capability) -> frozenset[Capability]:
    """Everything one capability reaches: its normal form and what that implies, transitively."""
    todo = [normalize(cap)]
    seen: set[Capability] = set()
    while todo:
        c = todo.pop()
        if c in seen:
            continue
        seen.add(c)
        todo.extend(normalize(x) for x in _implied(c) if normalize(x) not in seen)
    return frozenset(seen)


# ---------------------------------------------------------------------------------------------------
# agent tools: `allowed-tools` entries (`Bash(git:*)`, `Read(./docs/**)`, `mcp__server__tool`)


_TOOL_RE = re.compile(r"^\s*(?P<tool>[A-Za-z_][\w:.-]*)\s*(?:\((?P<arg>.*)\))?\s*$", re.DOTALL)


def parse_tool_entry(entry: str) -> tuple[str, str | None]:
    m = _TOOL_RE.match(entry)
    if not m:
        return entry.strip(), None
    arg = m.group("arg")
    return m.group("tool"), (arg.strip() if arg is not None else None)


def bash_rule_binary(arg: str | None) -> str | None:
    """`Bash(git:*)`, `Bash(git *)`, `Bash(git status)` → `git`; `Bash`, `Bash(*)`, `Bash(:*)` → None (⊤)."""
    if arg is None:
        return None
    a = arg.strip()
    a = a.removesuffix(":*")
    a = a.strip()
    if not a or a == "*":
        return None
    first = a.split()[0]
    if first in ("*",) or "*" in first:
        return None
    # wrappers Claude Code strips before matching
    words = a.split()
    while words and words[0] in ("timeout", "time", "nice", "nohup", "stdbuf", "command", "builtin", "noglob"):
        words = words[1:]
    return normalize_binary(words[0]) if words else None


def rule_path(arg: str) -> str:
    """A Claude permission-rule path: `//abs`, `~/x`, `/x` (relative to the project root), `./x`, `x`."""
    a = arg.strip()
    if a.startswith("/") and not a.startswith("//"):
        return normalize_path("$WORK" + a)
    return normalize_path(a)


def agent_tool_capabilities(entry: str) -> set[Capability]:
    """An `allowed-tools` entry / `agent.tool[...]` scope → the capabilities it grants (REFERENCE §4.4)."""
    return set(_agent_tool_capabilities(entry))


@lru_cache(maxsize=CACHE)
def _agent_tool_capabilities(entry: str) -> frozenset[Capability]:
    tool, arg = parse_tool_entry(entry)
    low = tool.lower()
    out: set[Capability] = set()
    if low in ("bash", "shell", "run_shell_command", "powershell"):
        b = bash_rule_binary(arg)
        if b is None:
            out.add(TOP)
        else:
            out.add(Capability("proc.exec", b))
            rest = (arg or "").strip().removesuffix(":*").split()[1:]
            open_ended = not rest or rest[0] in ("*", "-c", "-s", "-") or (arg or "").rstrip().endswith(("*", ":*"))
            if b in SHELLS and open_ended:
                out.add(TOP)  # `Bash(sh:*)` runs any shell string
            if b in ("npx", "bunx", "uvx", "pipx", "docker") and (not rest or rest[0] == "*"):
                out.add(TOP)  # `Bash(npx *)` is effectively unrestricted execution
    elif low in ("read", "glob", "grep", "ls", "notebookread", "read_file", "read_many_files"):
        out.add(Capability("fs.read", rule_path(arg) if arg else "$WORK"))
    elif low in ("edit", "write", "multiedit", "notebookedit", "write_file", "replace"):
        out.add(Capability("fs.write", rule_path(arg) if arg else "$WORK"))
    elif low in ("webfetch", "web_fetch"):
        if arg and arg.lower().startswith("domain:"):
            out.add(Capability("net.egress", normalize_host(arg.split(":", 1)[1])))  # a named API, not "the web"
        else:
            out.add(Capability("net.egress", "*"))
            out.add(Capability("input.untrusted", "web"))
    elif low in ("websearch", "google_web_search", "web_search"):
        out.add(Capability("net.egress", "search"))
        out.add(Capability("input.untrusted", "web"))
    elif low.startswith("mcp__"):
        parts = tool.split("__")
        server = parts[1] if len(parts) > 1 else "*"
        name = parts[2] if len(parts) > 2 else "*"
        out.add(Capability("agent.tool", f"mcp:{server}/{name}"))
    else:
        out.add(Capability("agent.tool", tool if arg is None else f"{tool}({arg})"))
    return frozenset(normalize(c) for c in out)


# ---------------------------------------------------------------------------------------------------
# containment


@lru_cache(maxsize=CACHE)
def covers(declared: Capability, inferred: Capability) -> bool:
    """`declared ⊒ inferred`: kind match (with the few cross-kind equivalences) and scope containment.
    `proc.shell` (⊤) is handled by the caller, which decides whether ⊤ covers tier-3 capabilities."""
    d, u = declared, inferred
    if d == TOP:
        return True
    if d.kind != u.kind:
        # disclosing an env var discloses reading it as a credential, and vice versa
        if d.kind == "env.read" and u.kind == "secrets.read" and (u.scope or "").startswith("env:"):
            return d.scope in (None, "*") or d.scope == (u.scope or "")[4:]
        if d.kind == "secrets.read" and u.kind == "env.read" and (d.scope or "").startswith("env:"):
            return u.scope == (d.scope or "")[4:]
        # running a tunnel tool is not by itself a tunnel (`ngrok version`, `tailscale status`): the engines
        # infer net.tunnel from the subcommand; declaring the program still covers the tunnels it opens
        if d.kind == "proc.exec" and u.kind == "net.tunnel" and d.scope:
            return TUNNEL_BINARIES.get(normalize_binary(d.scope)) == u.scope
        if d.kind == "fs.write" and u.kind == "fs.delete":
            return covers(Capability("fs.write", d.scope), Capability("fs.write", u.scope))
        if d.kind == "secrets.read" and u.kind == "fs.read" and u.scope:
            return d.scope in (None, "*") or secret_kind_of_path(u.scope) == d.scope
        return False
    ds, us = d.scope, u.scope
    if ds is None or ds == "*":
        return True
    if us is None:
        return False
    if d.kind in PATH_KINDS:
        return path_covers(ds, us)
    if d.kind in HOST_KINDS:
        return host_covers(ds, us)
    if d.kind == "proc.exec":
        return normalize_binary(ds) == normalize_binary(us) or glob_match(ds, us)
    if d.kind == "pkg.install":
        return _pkg_covers(ds, us)
    if d.kind == "code.remote":
        return us == ds or us.startswith(ds.rstrip("/") + "/") or host_covers(normalize_host(ds), normalize_host(us)) \
            and "/" not in after_scheme(ds)
    if d.kind == "secrets.read" and ds == "user-config":
        return us.startswith("user-config")
    return ds == us or glob_match(ds, us)


def _pkg_covers(ds: str, us: str) -> bool:
    def split(s: str) -> tuple[str, str, str]:
        eco, _, rest = s.partition(":") if ":" in s else ("", "", s)
        at = rest.rfind("@")
        name, ver = (rest[:at], rest[at + 1 :]) if at > 0 else (rest, "")
        return eco.lower(), name.lower(), ver

    de, dn, dv = split(ds)
    ue, un, uv = split(us)
    eco_equiv = {"node": "npm", "uv": "pypi", "pip": "pypi"}
    de, ue = eco_equiv.get(de, de), eco_equiv.get(ue, ue)
    if de and ue and de != ue and de != "*":
        return False
    if dn not in ("*", "") and not glob_match(dn, un):
        return False
    return not dv or dv == uv

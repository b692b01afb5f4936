"""Interpretation of a semgrep match: the call's literal arguments are folded (`js_values.Resolver`) into
scoped capabilities (`net.egress[host]`, `secrets.read[kind]`, `fs.read[path]`…), command strings and
argv go to the shell analyzer. One handler per rule id, listed in `HANDLERS`."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from skillscan.analyzers.base import finding
from skillscan.analyzers.js_syntax import array_items, object_props, split_call
from skillscan.analyzers.js_values import UNKNOWN, Resolver, display, host_of
from skillscan.analyzers.semgrep_output import Match, line_col
from skillscan.capabilities import commands
from skillscan.catalog import get_catalog
from skillscan.model import Capability, Channel, Confidence, Finding, Location, Severity

Handler = Callable[[Match, Resolver], list[Finding]]


def interpret(m: Match, r: Resolver) -> list[Finding]:
    handler = HANDLERS.get(m.rule_id, _plain)
    if handler is not _plain and handler is not _lifecycle:
        r.place(m.start, m.end)  # the match's expressions are the file's own nodes: names read their nearest binding
    return handler(m, r)


def _snippet(m: Match) -> str:
    first = m.text.strip().splitlines()[0] if m.text.strip() else ""
    return first[:200]


def _scoped(cap: Capability | str) -> Capability | str:
    """One scope per capability: a comma inside a literal path or name is escaped, not split."""
    if isinstance(cap, str) and "[" in cap and "," in cap and not cap.startswith("code.remote["):
        kind, _, scope = cap.partition("[")
        return f"{kind}[{scope[:-1].replace(',', '%2C')}]"
    return cap


def _emit(m: Match, message: str, caps: Sequence[Capability | str] = (), **kw: Any) -> Finding:
    caps = [_scoped(c) for c in caps]
    end_line, end_col = line_col(m.target.data, m.end)
    return finding(m.rule_id, message, m.path, m.line, m.column, snippet=kw.pop("snippet", _snippet(m)),
                   capabilities=caps, end_line=end_line, end_column=end_col, **kw)


def _plain(m: Match, r: Resolver) -> list[Finding]:
    rule = get_catalog().rule(m.rule_id)
    caps = [rule.capability] if rule.capability and ("[" in rule.capability or rule.capability == "proc.shell") else []
    return [_emit(m, rule.title, caps)]


def _shell_findings(m: Match, *, command: str | None = None, argv: Sequence[str] | None = None,
                    channel: Channel = Channel.CODE, source: str = "code") -> list[Finding]:
    """Command strings and argv go to the one shell-command analyzer."""
    from skillscan.analyzers.shell import CommandContext, analyze_argv, analyze_command

    ctx = CommandContext(path=m.path, line=m.line, column=m.column, channel=channel,
                         max_confidence=Confidence.HIGH, source=source)
    if argv is not None:
        return list(analyze_argv(list(argv), ctx))
    return list(analyze_command(command or "", ctx))


def _program(value: str | None) -> str:
    """The program an argv's first element names."""
    if not value or UNKNOWN in value.split("/")[-1]:
        return "*"
    return commands.program_name(value) or "*"


EXEC_SHELL = {"exec", "execSync"}
EXEC_ARGV = {"spawn", "spawnSync", "execFile", "execFileSync"}


def _child_process(m: Match, r: Resolver) -> list[Finding]:
    call = split_call(m.text)
    if call is None or not call.args:
        return [_emit(m, "child_process call", ["proc.exec[*]"])]
    method = call.callee.rsplit(".", 1)[-1].strip()
    opts = next((object_props(a) for a in call.args[1:] if a.strip().startswith("{")), {})
    shell_opt = opts.get("shell", "false").strip() not in ("false", "undefined", "")
    argv_items = array_items(call.args[1]) if len(call.args) > 1 else None
    if method == "fork":
        target = r.value(call.args[0])
        return [_emit(m, f"child_process.fork runs node on {display(target) if target else 'a computed module'}",
                      ["proc.exec[node]"])]
    as_shell = method in EXEC_SHELL or shell_opt or (method not in EXEC_ARGV and argv_items is None)
    first = r.value(call.args[0])
    if as_shell:
        words = [first] + [r.value(a) or UNKNOWN for a in (argv_items or [])] if first is not None else []
        command = " ".join(display(w) for w in words if w is not None) if words else None
        constant = first is not None and UNKNOWN not in first and not argv_items
        if command is None:
            return [_emit(m, "child_process runs a shell command computed at run time", ["proc.shell"],
                          severity=Severity.MEDIUM)]
        caps: list[str] = [] if constant else ["proc.shell"]
        prog = commands.program(command) or "*"
        caps.append(f"proc.exec[{prog}]")
        out = [_emit(m, f"child_process.{method} runs a shell command: {command[:160]}", caps)]
        return out + _shell_findings(m, command=command)
    argv = [first] + [r.value(a) for a in (argv_items or [])]
    prog = _program(first)
    caps = [f"proc.exec[{prog}]"]
    shown = " ".join(display(a) if a is not None else "$VAR" for a in argv)
    out = [_emit(m, f"child_process.{method} runs {shown[:160]}", caps)]
    if first is not None and UNKNOWN not in first:
        out += _shell_findings(m, argv=[display(a) if a is not None else "$VAR" for a in argv])
    return out


URL_KEYS = ("url", "baseURL", "baseUrl", "href", "uri")
HOST_KEYS = ("hostname", "host", "servername")


def _host_from_args(call_args: Sequence[str], r: Resolver, *, socket: bool) -> str:
    for a in call_args:
        a = a.strip()
        if a.startswith("{"):
            props = object_props(a)
            for k in URL_KEYS:
                if k in props:
                    return host_of(r.value(props[k]))
            for k in HOST_KEYS:
                if k in props:
                    v = r.value(props[k])
                    return host_of(v) if v and "://" in v else (v or "*").lower() if v and UNKNOWN not in v else "*"
            continue
        v = r.value(a)
        if v is None:
            continue
        if "://" in v:
            return host_of(v)
        if socket and UNKNOWN not in v and not v.isdigit() and host_of(v) != "*":
            return host_of(v)
        if socket and UNKNOWN not in v and v in ("localhost",):
            return v
    return "*"


def _network(m: Match, r: Resolver) -> list[Finding]:
    call = split_call(m.text)
    if call is None:
        return [_emit(m, "network request to an unknown host", ["net.egress[*]"])]
    callee = call.callee.replace(" ", "")
    args = call.args
    if callee.endswith(".open") and len(args) >= 2:  # XMLHttpRequest.open(method, url)
        args = args[1:]
    socket = callee.endswith(("connect", "createConnection"))
    host = _host_from_args(args, r, socket=socket)
    from skillscan.capabilities.tiers import is_risky_host

    risky = host != "*" and is_risky_host(host)
    raw_ip = host.replace(".", "").isdigit()
    sev = Severity.MEDIUM if risky or raw_ip else None
    what = "a raw IP address" if raw_ip else "a paste, webhook or tunnel service" if risky else None
    msg = f"network request to {host}" + (f" ({what})" if what else "") if host != "*" else \
        "network request to a host computed at run time"
    # a host imported from another module of the package: where that module writes it
    related = tuple(Location(p, ln) for p, ln in r.imported(",".join(args), host)) if host != "*" else ()
    return [_emit(m, msg, [f"net.egress[{host}]"], severity=sev, related=related)]


def _secret_literals(r: Resolver) -> list[str]:
    """String literals in the file that name credential stores (the taint sources of the rule)."""
    import re

    from skillscan.capabilities.grammar import secret_kind_of_path

    out = []
    for lit in re.findall(r"""(['"`])((?:\\.|(?!\1).){2,200}?)\1""", r.source[:2_000_000]):
        body = lit[1]
        for cand in (body, "~/" + body.lstrip("/"), "**/" + body):
            if secret_kind_of_path(cand):
                out.append(cand)
                break
    return out


def _home_path(value: str) -> str:
    v = display(value).replace("$VAR", "*")
    return v


def _secret_read(m: Match, r: Resolver) -> list[Finding]:
    from skillscan.capabilities.grammar import normalize_path, secret_kind_of_path

    value = r.value(m.text)
    caps: list[str] = []
    kinds: list[str] = []
    path = _home_path(value) if value else None
    if path:
        kind = secret_kind_of_path(path) or secret_kind_of_path("**/" + path.lstrip("/"))
        if kind:
            kinds.append(kind)
    if not kinds:
        lits = _secret_literals(r)
        name = path.rstrip("/").rsplit("/", 1)[-1] if path else ""
        if name and "*" not in name and any(
                name != (stem := lit.rstrip("/").rsplit("/", 1)[-1]) and name.startswith(stem) for lit in lits):
            # `${keyPath}.pub` where keyPath names `id_ed25519`: the file read is another one (the public half),
            # named in full, and it is no credential store
            return []
        for lit in lits:
            kind = secret_kind_of_path(lit)
            if kind and kind not in kinds:
                kinds.append(kind)
    if not kinds:
        kinds.append("*")
    caps += [f"secrets.read[{k}]" for k in kinds]
    if path and path not in ("*",):
        caps.append(f"fs.read[{normalize_path(path)}]")
    low = all(k == "dotenv" for k in kinds)
    return [_emit(m, f"reads a credential store ({', '.join(kinds)})" + (f": {path}" if path else ""),
                  caps, severity=Severity.LOW if low else None)]


def _persist_write(m: Match, r: Resolver) -> list[Finding]:
    from skillscan.capabilities.grammar import is_agent_config_path, normalize_path, persist_kind_of_path

    value = r.value(m.text)
    path = _home_path(value) if value else None
    mech = None
    if path:
        mech = persist_kind_of_path(path) or persist_kind_of_path("**/" + path.lstrip("/"))
        if mech is None and is_agent_config_path(path):
            mech = "agent-config"
    if mech is None:
        low = (path or m.text).lower()
        mech = ("shell-rc" if "rc" in low or "profile" in low else "launchd" if "launch" in low else
                "systemd" if "systemd" in low else "cron" if "cron" in low else "git-hook" if "hooks" in low else
                "autostart" if "autostart" in low or "startup" in low else "agent-memory")
    caps = [f"persist[{mech}]"]
    if path and path != "*":
        caps.append(f"fs.write[{normalize_path(path)}]")
    return [_emit(m, f"writes {path or 'a startup file'} ({mech}): the code would run again later", caps)]


def _env_read(m: Match, r: Resolver) -> list[Finding]:
    import re

    from skillscan.capabilities.grammar import is_credential_env

    text = m.text
    names: list[str] = []
    if text.lstrip().startswith(("const", "let", "var")):
        lhs = text.split("=", 1)[0]
        inner = lhs[lhs.find("{") + 1 : lhs.rfind("}")] if "{" in lhs else ""
        for part in inner.split(","):
            name = part.split(":", 1)[0].split("=", 1)[0].strip()
            if re.fullmatch(r"[A-Za-z_$][\w$]*", name):
                names.append(name)
    else:
        found = re.search(r"""process\.env(?:\.([A-Za-z_$][\w$]*)|\[\s*(['"`])([^'"`]+)\2\s*\])|env\.get\(\s*(['"`])([^'"`]+)\4""",
                          text)
        if found:
            names.append(found.group(1) or found.group(3) or found.group(5))
    out = []
    for name in names[:32]:
        caps = [f"env.read[{name}]"]
        if is_credential_env(name):
            caps.append(f"secrets.read[env:{name}]")
        out.append(_emit(m, f"reads environment variable {name}", caps))
    return out


def _env_dump(m: Match, r: Resolver) -> list[Finding]:
    return [_emit(m, "reads the whole environment (every variable, including credentials)", ["env.read[*]"])]


def script_name(m: Match) -> str:
    """The `"postinstall"` key in front of a matched script value."""
    data = m.target.data
    colon = data.rfind(b":", 0, m.start)
    close = data.rfind(b'"', 0, colon)
    open_ = data.rfind(b'"', 0, close)
    if colon < 0 or close < 0 or open_ < 0:
        return ""
    return data[open_ + 1 : close].decode("utf-8", "replace")


def _lifecycle(m: Match, r: Resolver) -> list[Finding]:
    try:
        command = json.loads(m.text)
    except ValueError:
        command = m.text.strip().strip('"')
    if not isinstance(command, str):
        return []
    key = script_name(m) or "install"
    prog = commands.program(command) or "*"
    out = [_emit(m, f"npm runs `{command[:160]}` on {key or 'install'}", [f"proc.exec[{prog}]"],
                 channel=Channel.MANIFEST)]
    return out + _shell_findings(m, command=command, channel=Channel.MANIFEST, source="install")


def _decode_eval(m: Match, r: Resolver) -> list[Finding]:
    call = split_call(m.text)
    decoded = None
    if call is not None:
        for a in call.args:
            v = r.constant(a)
            if v and v != a.strip("'\"`"):
                decoded = v
                break
    out = [_emit(m, "decoded data is executed" + (f": {display(decoded)[:120]}" if decoded else ""),
                 ["code.dynamic[eval]"], decoded=decoded)]
    if decoded and call is not None and call.callee.rsplit(".", 1)[-1] in EXEC_SHELL | EXEC_ARGV:
        out += _shell_findings(m, command=decoded)
    return out


def _write_exec(m: Match, r: Resolver) -> list[Finding]:
    import re

    url = None
    # only a URL in the lines just before the write can be where the written file came from; a URL
    # elsewhere in the file says nothing about this one
    near = "\n".join(r.source[:2_000_000].splitlines()[max(0, m.line - 21):m.line])
    for lit in re.findall(r"""['"`](https?://[^'"`\s]{3,300})['"`]""", near):
        url = lit
        break
    scope = url.replace(",", "%2C") if url else "*"
    return [_emit(m, "a file written at run time is made executable or run" + (f" (downloaded from {url})" if url else ""),
                  [f"code.remote[{scope}]"])]


# rule id → how its match is read; a rule not listed gets its catalogue title and capability (`_plain`)
HANDLERS: dict[str, Handler] = {
    "js-child-process": _child_process,
    "js-network-request": _network,
    "js-secret-store-read": _secret_read,
    "js-persistence-write": _persist_write,
    "js-env-read": _env_read,
    "js-env-dump": _env_dump,
    "js-lifecycle-script": _lifecycle,
    "js-decode-eval": _decode_eval,
    "js-write-then-exec": _write_exec,
}

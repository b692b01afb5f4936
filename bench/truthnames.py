"""The things a finding's message names — hosts, paths, environment variables, programs — and
whether a message claims the *whole* environment.

Extraction is generic, from the shapes the analysers write, never from one rule's wording:

* capability scopes `kind[scope]`: `net.*[host]`, `code.remote[url]` → host; `fs.*[path]` → path;
  `env.read[NAME]`, `secrets.read[env:NAME]` → variable; `proc.exec[prog]` → program;
  `env.read[*]` → a whole-environment claim;
* programs: a backtick token that starts the message before a verb (`` `curl` sends …``) or follows
  "runs"/"run" (``runs `git` ``, `subprocess.run runs nice -n 10 *`);
* paths: `~/…`, `$HOME/…` and absolute paths anywhere in the message;
* hosts: URLs, IPv4 addresses, and domain names after "to", "via", "from", "at", "endpoint", "host";
* variables: `$NAME`, `${NAME}`, `env:NAME`, "environment variable NAME", and UPPER_CASE words with
  an underscore;
* patterns: the terms of an environment selection ("whose names contain KEY, TOKEN or SECRET", "match the
  regular expression '…'"), each as the code writes it;
* whole environment: "whole environment", "entire environment", "every variable", "all environment
  variables", `env.read[*]`, the `environment-exfiltration` combination.

`occurs(named, text)` says whether a named thing is in a text (a path piece by piece, a program by its normal
name); `carriers_of(named, flow)` picks the carriers (`flow.carriers` of the JSON report) of a thing that is a
fact of the finding's flow.

The gate's trailing `(path:line, channel, confidence, rule)` and `[lowered: …]` notes are not claims
about the cited line and are left out; so are the analysers' own placeholders (`$VAR`, `*`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from skillscan.capabilities.grammar import normalize_binary

KINDS = ("host", "path", "variable", "program", "pattern")


@dataclass(frozen=True)
class Named:
    kind: str  # host | path | variable | program | pattern
    value: str


_WHERE = re.compile(r"\s*\([^()]*:\d+, [^()]*confidence, [^()]*\)")
_LOWERED = re.compile(r"\s*\[lowered:[^\]]*\]")
_SCANNED_AS = re.compile(r";?\s*scanned as \S+")
_SCOPE = re.compile(r"\b([a-z]+(?:\.[a-z_]+)+)\[([^\[\]]+)\]")
_BACKTICK = re.compile(r"`([^`]+)`")
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://(?:[^\s/@`'\"<>]*@)?([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\])")
_IPV4 = re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d{1,3}){3})(?![\w.]*\w)")
_DOMAIN = r"(?:\*\.)?[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
_HOST_CONTEXT = re.compile(r"\b(?:to|via|from|at|endpoint|host|hosts)\s+`?(" + _DOMAIN + r")")
_PATH = re.compile(r"(?<![\w./$:-])((?:~|\$(?:HOME|PKG|DATA|WORK|TMP|TMPDIR)\b|\$\{HOME\})(?:/[^\s`'\"),;]*)?"
                   r"|/(?:[\w.@%+{}$*-]+/?)+)")
_VAR = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?|\benv:([A-Za-z_][A-Za-z0-9_]*)"
                  r"|\benvironment variable (?!whose\b)([A-Za-z_][A-Za-z0-9_]*)|\b([A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9])\b")
# an environment selection (skillscan/analyzers/envselect.py): "whose names contain KEY, TOKEN or SECRET",
# "whose NAME=value lines match the regular expression 'x'" — each term is a pattern the code states
_SELECTION = re.compile(r"\bwhose (?:names|NAME=value lines) (?:contain|start with|end with) (.+?)(?= \(|,? and |$|;)"
                        r"|\bwhose (?:names|NAME=value lines) match the regular expression '(.*?)'(?= \(|,|$|;)")
_LEAD_PROGRAM = re.compile(r"^`([^`\s]+)`\s+[a-z]")
# "runs `prog`", "instructions run `prog`", "subprocess.run runs prog …" (an API name before "runs")
_RUNS = re.compile(r"\bruns?\s+`([^\s`]+)|[\w)]\.[\w.]*\w\s+runs\s+([^\s`]+)")
_WHOLE_ENV = re.compile(r"whole environment|entire environment|every (?:environment )?variable|"
                        r"all environment variables|\benv\.read\[\*\]|\benvironment-exfiltration\b", re.IGNORECASE)
# words after "runs" that are not programs, and the analysers' placeholders
_NOT_PROGRAM = {"a", "an", "the", "code", "inline", "it", "whatever", "every", "any", "command", "commands", "$var",
                "*", "…", "...", "on", "when", "in", "with", "its", "this", "that", "text", "script", "scripts"}
# the folders a Windows variable names, as the analysers report them, and how a line writes the variable
WINDOWS_FOLDERS = (("~/AppData/Local", re.compile(r"(?i)%LOCALAPPDATA%|\$env:LOCALAPPDATA\b|\$\{env:LOCALAPPDATA\}")),
                   ("~/AppData/Roaming", re.compile(r"(?i)%APPDATA%|\$env:APPDATA\b|\$\{env:APPDATA\}")))
# the analysers' own anchors for normalised paths (skillscan/permissions/capabilities.py) and placeholders
ANCHORS = ("$PKG", "$DATA", "$WORK", "$TMP", "$TMPDIR", "$HOME", "${HOME}", "~")
_PLACEHOLDER_VARS = {"VAR", "HOME", "PKG", "DATA", "WORK", "TMP", "TMPDIR"}
# a dotted word ending in one of these is a file name, not a host
_FILE_EXT = {"md", "json", "py", "sh", "js", "ts", "mjs", "cjs", "tsx", "jsx", "yaml", "yml", "txt", "toml", "cfg",
             "ini", "pfx", "pem", "key", "list", "conf", "log", "lock", "env", "html", "xml", "csv", "pdf", "zip",
             "gz", "tar", "tgz", "exe", "ps1", "bat", "cmd", "dll", "so", "pyc", "plist", "service", "d", "rs", "go",
             "rb", "pl", "php", "lua", "jar", "whl", "png", "jpg", "svg", "db", "sqlite", "bak", "tmp", "crt", "pub"}


def claim_text(message: str) -> str:
    """The message without the gate's evidence locator and annotations."""
    return _SCANNED_AS.sub("", _LOWERED.sub("", _WHERE.sub("", message)))


def _host(value: str) -> str | None:
    value = value.strip().strip(".").lower()
    value = value.removeprefix("*.")
    if not value or value in ("*", "localhost"):
        return value or None
    if "." not in value and ":" not in value:
        return None
    last = value.rsplit(".", 1)[-1]
    if last in _FILE_EXT or last.isdigit() and not _IPV4.fullmatch(value):
        return None
    return value


# dotted code names after "via"/"to" (`requests.post`, `urllib.request.Request`) are calls, not hosts
_API_ROOTS = {"requests", "httpx", "urllib", "urllib2", "urllib3", "aiohttp", "socket", "os", "subprocess", "http",
              "https", "fetch", "axios", "child_process", "net", "tls", "dns", "xmlhttprequest", "websocket", "ftplib",
              "smtplib", "paramiko", "boto3", "pycurl", "httplib", "httplib2", "grpc", "self", "this", "client",
              "session", "process", "shutil", "pathlib", "io", "sys", "json", "websockets", "asyncio"}


# the last part of a dotted call on an object (`r.end`, `req.write`, `sock.send`): a method, not a top-level domain
_METHODS = {"end", "write", "send", "sendall", "post", "put", "get", "patch", "request", "open", "emit", "upload",
            "call", "submit", "connect", "pipe"}


def _api_name(value: str) -> bool:
    first, last = value.split(".", 1)[0], value.rsplit(".", 1)[-1]
    return first.lower() in _API_ROOTS or last in _METHODS or any(c.isupper() or c == "_" for c in value)


def _program(value: str) -> str | None:
    value = value.strip().strip("`'\"").rstrip(":,;")
    base = value.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    if not base or base.lower() in _NOT_PROGRAM or base.startswith(("$", "-", "<", "{", "(")) or "*" in base:
        return None
    if not re.fullmatch(r"[A-Za-z0-9_.+-]+", base):
        return None
    return base


def _from_scope(kind: str, scope: str) -> list[Named]:
    scope = scope.strip()
    if scope in ("*", ""):
        return []
    fam = kind.split(".")[0]
    if fam == "net" or kind == "code.remote":
        m = _URL.search(scope)
        host = _host(m.group(1) if m else scope.split(":")[0] if scope.count(":") == 1 else scope)
        return [Named("host", host)] if host and host != "*" else []
    if fam == "fs" or kind == "agent.config.write":
        return [Named("path", scope)]
    if kind == "env.read":
        return [Named("variable", scope)] if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", scope) else []
    if kind == "secrets.read" and scope.startswith("env:"):  # `env:*`: variables chosen by a pattern, no name
        return [Named("variable", scope[4:])] if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", scope[4:]) else []
    if kind == "proc.exec":
        prog = _program(scope)
        return [Named("program", prog)] if prog else []
    return []


def named_things(message: str) -> list[Named]:
    """Every host, path, variable and program the message names (deduplicated, in order)."""
    text = claim_text(message)
    out: list[Named] = []
    for m in _SCOPE.finditer(text):
        out += _from_scope(m.group(1), m.group(2))
    bare = _SCOPE.sub(" ", text)
    m = _LEAD_PROGRAM.match(bare)
    if m and (prog := _program(m.group(1))):
        out.append(Named("program", prog))
    for m in _RUNS.finditer(bare):
        if prog := _program(m.group(1) or m.group(2)):
            out.append(Named("program", prog))
    for m in _URL.finditer(bare):
        if host := _host(m.group(1)):
            out.append(Named("host", host))
    for m in _HOST_CONTEXT.finditer(bare):
        if _api_name(m.group(1)):
            continue
        if host := _host(m.group(1)):
            out.append(Named("host", host))
    for m in _IPV4.finditer(bare):
        out.append(Named("host", m.group(1)))
    for m in _SELECTION.finditer(bare):
        terms = [m.group(2)] if m.group(2) is not None else re.split(r", | or ", m.group(1))
        out += [Named("pattern", t) for t in terms if t and not re.fullmatch(r"\d+ more", t)]
    bare = _SELECTION.sub(" ", bare)
    no_urls = _URL.sub(" ", bare)
    for m in _PATH.finditer(no_urls):
        path = m.group(1).rstrip(".")
        if path not in ("/", "~") and not re.fullmatch(r"/[a-z]", path):
            out.append(Named("path", path))
    for m in _VAR.finditer(no_urls):
        var = next(g for g in m.groups() if g)
        if m.group(4) and _inside_backticks(no_urls, m.start()):
            continue  # a bare UPPER_CASE word inside a quoted name (`SRC1__PKG_2`) is not a variable claim
        if var not in _PLACEHOLDER_VARS:
            out.append(Named("variable", var))
    return list(dict.fromkeys(n for n in out if n.value))


def _inside_backticks(text: str, pos: int) -> bool:
    return text.count("`", 0, pos) % 2 == 1


def claims_whole_environment(message: str) -> bool:
    return bool(_WHOLE_ENV.search(claim_text(message)))


def occurs(named: Named, hay: str, own_dirs: frozenset[str] = frozenset()) -> bool:
    v = named.value
    if named.kind == "host":
        return v.strip("[]").lower() in hay.lower()
    if named.kind == "variable":
        return re.search(rf"(?<![A-Za-z0-9_]){re.escape(v)}(?![A-Za-z0-9_])", hay) is not None
    if named.kind == "pattern":  # a term of a selection, as the code writes it
        return v in hay
    if named.kind == "program":
        stem = re.escape(re.sub(r"[\d.]+$", "", v) or v)
        if re.search(rf"(?<![\w-]){stem}[\d.]*(?:\.exe)?(?![\w-])", hay, re.IGNORECASE) is not None:
            return True
        # the analysers name a program by its normal name (`pwsh` → powershell, `python3.11` → python)
        return any(normalize_binary(w) == v.lower() for w in set(re.findall(r"[\w.+-]+", hay)[:20000]))
    for folder, written in WINDOWS_FOLDERS:  # `$env:LOCALAPPDATA\…` is reported as `~/AppData/Local/…`
        if (v == folder or v.startswith(folder + "/")) and written.search(hay):
            v = "~" + v[len(folder):]
            break
    parts = [p for p in re.split(r"[/\\]", v) if p not in ("", ".", "..", "%USERPROFILE%", *ANCHORS)]
    if v.startswith("$PKG/"):  # the package's own directories come from the file's place (`__file__`)
        parts = [p for p in parts if p not in own_dirs]
    pieces = [q for p in parts for q in re.split(r"\*|\?|\[[^\]]*\]", p) if len(q) >= 2]
    # each piece whole: a piece made by joining words found in different places of the followed text is
    # not a value the analysis read (the composed-word rule accepted `id_ed25519.pub` from `id_ed25519`
    # on one line and `.pub` on another)
    return all(q in hay or _placeholder(q, hay) for q in pieces)


def _placeholder(piece: str, hay: str) -> bool:
    """`_NAME_` is how the analysers write a `<NAME>` / `{NAME}` placeholder of the text."""
    names = re.findall(r"_([A-Za-z][\w-]*?)_(?=$|[./-])", piece)
    # the mask writes every non-word character of the placeholder as `_` (`<skill-name>` → `_skill_name_`)
    return bool(names) and all(re.search("[<{]" + "[^A-Za-z0-9]".join(map(re.escape, n.split("_"))) + "[>}]", hay)
                               for n in names)


def carriers_of(named: Named, flow: dict[str, object]) -> list[dict[str, object]] | None:
    """The carriers of a named thing that is a fact of the finding's flow (its host, one of its names), [] when
    it has none; None when the thing is not a flow fact (checked against the followed values instead)."""
    if not flow:
        return None
    carriers = [c for c in flow.get("carriers") or [] if c.get("kind") == named.kind]  # type: ignore[union-attr]
    if named.kind == "host":
        if str(flow.get("host") or "").lower() != named.value.strip("[]").lower():
            return None
        return [c for c in carriers if str(c["value"]).lower() == named.value.strip("[]").lower()]
    if named.kind in ("variable", "path"):
        mine = [c for c in carriers if c["value"] == named.value]
        return mine if mine or named.value in (flow.get("names") or ()) else None  # type: ignore[operator]
    return None

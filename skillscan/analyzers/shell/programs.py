"""Capability-map application: wrappers (`sudo`, `env`, `timeout` …) and program entries of
`rules/capabilities/shell.yaml` turned into findings, with their messages from
`rules/capabilities/shell-messages.yaml`."""

from __future__ import annotations

import re

from skillscan.analyzers.flowfacts import same_service, sent_to
from skillscan.analyzers.shell.capmap import Program, Then, normalise, parse_options
from skillscan.analyzers.shell.decode import first_url, prog_name
from skillscan.analyzers.shell.hosts import matches_host
from skillscan.analyzers.shell.messages import program_message, say
from skillscan.analyzers.shell.requests import leading_url, sent_values, url_host
from skillscan.analyzers.shell.state import AnalyzerBase, Frame
from skillscan.analyzers.shell.unwrap import unwrap
from skillscan.analyzers.shell.words import Cmd, Word
from skillscan.capabilities.urls import host_of
from skillscan.capabilities.urls import operand_host as host_operand
from skillscan.model import Capability, Carrier, Flow, Severity

# rules with logic of their own here; every other rule a capability-map entry names is data
# (rules/capabilities/shell.yaml) applied by this module
RULE_IDS: tuple[str, ...] = ("shell-crypto-miner", "shell-network-egress", "shell-network-upload",
                             "shell-package-install")


def fmt_pkg(eco: str, value: str) -> str | None:
    if not value or value.startswith(("-", ".", "/", "~", "$")) or value in (".",):
        return None
    direct = re.match(r"^[A-Za-z0-9][\w.\-]*(?:\[[^\]]*\])?\s*@\s*(\S+://\S+|git\+\S+)$", value)
    if direct:  # PEP 508 direct reference `name @ git+https://…`: the package comes from that URL
        value = direct.group(1)
    hosted = re.match(r"^(github|gitlab|bitbucket):([\w.\-]+/[\w.\-]+)(?:#.*)?$", value) if eco == "npm" else None
    if hosted:  # npm's hosted-git shorthand `github:user/repo`: a repository, not the registry
        value = f"https://{hosted.group(1)}.{'org' if hosted.group(1) == 'bitbucket' else 'com'}/{hosted.group(2)}"
    if "://" in value or value.startswith("git+"):
        url = value.split("+", 1)[1] if value.startswith("git+") else value
        return "url:" + url
    if re.search(r"\.(txt|toml|cfg|lock|json|whl|tar\.gz|zip)$", value) and "/" in value:
        return None
    if eco == "pypi":
        value = re.sub(r"\[.*?\]", "", value)
        value = re.sub(r"\s*==\s*", "@", value)
    return value


def upload_sink(host: str) -> str:
    """What an upload host of `hosts.exfil` is: a chat service's API (its bot or webhook endpoint, rules/purpose/
    services.yaml) or a webhook, paste, file-drop or tunnel host."""
    from skillscan.purpose.services import load_table

    chat = [s for s in load_table().for_host(host) if s.id in ("telegram", "discord", "slack")]
    return f"the {chat[0].label} chat API (its bot or webhook endpoint)" if chat else "a webhook/paste/tunnel host"


class ProgramsMixin(AnalyzerBase):
    # wrappers: sudo, nohup, env, timeout … report themselves, then the wrapped command is analysed
    def _unwrap(self, cmd: Cmd, words: list[Word], frame: Frame) -> int:
        found, start = unwrap([w.value for w in words], self.cm.wrappers)
        for i, name, w in found:
            if normalise(name) == "env" and all(x.value is not None and (x.value.startswith("-") or "=" in x.value)
                                                for x in words[i + 1:]):
                self.run.add(frame, cmd, "shell-env-read", ["env.read[*]"], say("env-print"))
            if name != "exec":
                self.run.add(frame, cmd, "shell-exec", [Capability("proc.exec", name)], say("exec", name=name))
            if w.base is not None:
                self._then(cmd, frame, w.base, name, {}, [], say("wrapper-runs", name=name))
        return len(words) if start is None else start  # `command -v crontab`: looks the program up, runs nothing

    # program entries from the data map
    def _program(self, cmd: Cmd, name: str, prog: Program, args: list[Word], values: list[str | None],
                 frame: Frame) -> None:
        if prog.hosts == "remote-path" and None in values:
            # `rsync … "$USER@$HOST:$DIR/$(whoami)/"`: the destination's host is written, only its path is computed
            values = [v if v is not None else _remote_shape(w) for v, w in zip(values, args)]
        windows = frame.dialect != "bash" or any(o.startswith("/") for w in prog.when for o in w.any_flag)
        parsed = parse_options(values, prog.options_with_value, windows=windows)
        flags = {f for f, _ in parsed.flags}
        flags_l = {f.lower() for f in flags}
        operands = [values[i] for i in parsed.operands]
        url = None
        host = "*"
        if prog.hosts == "url":
            # the request's URL is an operand (`curl -d "… https://other/…" https://api/…`: the data is not the
            # address); a flag's value only when no operand is a URL (`--url U`, PowerShell's `-Uri U`)
            url = first_url(operands) or first_url([v for _, v in parsed.flags])
            host = host_of(url) if url else (host_operand(operands[0]) if operands and prog.hosts == "url"
                                             and operands[0] and "." in operands[0] and "/" not in operands[0]
                                             else "*")
            if url is None and host == "*":  # `https://api.telegram.org/bot$TOKEN/…`: the host part is literal
                host = url_host(args) or "*"
        elif prog.hosts == "positional":
            host = host_operand(operands[0]) if operands else "*"
        elif prog.hosts == "remote-path":
            for v in operands:
                if v and re.match(r"^([^/@:\s]+@)?[A-Za-z0-9][A-Za-z0-9.-]+:(?!//)", v) and not re.match(r"^[A-Za-z]:", v):
                    host = host_operand(v)
                    break
        fill = {"host": host, "url": url or "*", "argv0": name, "arg1": next((o for o in operands if o), "*")}
        # `uvx --from git+https://…/tool tool`: the package is the source option's value, not the command
        source = next((v for f, v in parsed.flags if f in prog.source_options and v), None)
        pkg_ops = [source] if source else operands
        lowered_ops = [o.lower() if o else "" for o in operands]
        if prog.base is not None:
            self._then(cmd, frame, prog.base, name, fill, self._packages(prog.base, name, pkg_ops, 0),
                       self._message(prog.base.rule, name, fill))
        for w in prog.when:
            sub_len = 0
            if w.subcommand:
                match = next((s for s in w.subcommand if tuple(lowered_ops[: len(s)]) == s or
                              (len(s) == 1 and s[0].startswith("-") and s[0] in flags)), None)
                if match is None:
                    continue
                sub_len = len(match) if not match[0].startswith("-") else 0
            if w.any_flag and not (w.any_flag & flags or (windows and {f.lower() for f in w.any_flag} & flags_l)):
                continue
            if w.no_flag and (w.no_flag & flags):
                continue
            given = len([o for o in operands if o is not None])
            if w.max_operands is not None and given > w.max_operands:
                continue
            if w.min_operands is not None and len(operands) < w.min_operands:  # a run-time value counts too
                continue
            if w.unless_last is not None and operands and operands[-1] is not None and \
                    w.unless_last.search(operands[-1]):
                continue
            if w.arg_regex is not None:
                pool = operands[-1:] if w.last_operand else values
                hit = next((v for v in pool if v is not None and w.arg_regex.search(v)), None)
                if hit is None:
                    continue
                fill = dict(fill, arg1=hit)
            pkgs = self._packages(w.then, name, operands, sub_len) if not source else \
                self._packages(w.then, name, pkg_ops, 0)
            self._then(cmd, frame, w.then, name, fill, pkgs, self._message(w.then.rule, name, fill))
        if prog.hosts == "url":
            self._request_flows(cmd, frame, name, args, host)
        uploads = {"-d", "--data", "--data-binary", "--data-raw", "-F", "--form", "-T", "--upload-file", "--json",
                   "--post-data", "--post-file"}
        if prog.hosts == "url" and url and flags & uploads and matches_host(url, self.cm.exfil_hosts):
            self.run.add(frame, cmd, "shell-network-upload", [Capability("net.egress", host)],
                         say("upload-sink", name=name, host=host, sink=upload_sink(host)), severity=Severity.HIGH)

    def _request_flows(self, cmd: Cmd, frame: Frame, name: str, args: list[Word], host: str) -> None:
        """The credential variables and files the request carries, as flow facts (analyzers/shell/requests.py)."""
        credential = self.cm.credential_env

        def is_credential(v: str) -> bool:
            return v not in self.cm.ignored_env and credential is not None and bool(credential.search(v))

        dest = None if host == "*" else host
        line = frame.at(cmd.row, cmd.col)[0]
        hosted = self._host_carrier(frame, args, dest, line)
        for sent in sent_values(args, is_credential, attached=frame.dialect == "bash"):
            thing = sent.thing if sent.source == "variables" else say("content-of", path=self._as_written(sent.thing))
            at = _line_of(frame, args, sent.thing, line)
            carried = Carrier("variable", sent.thing, "", self.run.ctx.path, at) if sent.source == "variables" else \
                Carrier("path", self._as_written(sent.thing), "", self.run.ctx.path, at)
            flow = Flow(sent.source, (sent.thing,), "network", dest, sent.part,
                        same_service(sent.thing, dest) if sent.source == "variables" else None,
                        (carried,) + hosted)
            rule = "shell-network-upload" if sent.part == "body" else "shell-network-egress"
            self.run.add(frame, cmd, rule, [Capability("net.egress", host)],
                         say("request-flow", name=name, thing=thing, to=sent_to(flow, sent.header)), flow=flow)

    def _host_carrier(self, frame: Frame, args: list[Word], host: str | None, line: int) -> tuple[Carrier, ...]:
        """Where the request's host is written: in its URL word on the command's line, or in the assignment of a
        variable the URL expands (`API=https://…` … `curl "$API/x"`, followed through variables 4 deep)."""
        url = next((w for w in args[:64] if ("://" in (w.value or w.raw) or leading_url(w) is not None)
                    and not w.raw.startswith("-")), None)
        if host is None or url is None:
            return ()
        want = host.lower()
        if want in url.raw.lower():
            return (Carrier("host", host, "", self.run.ctx.path, line),)
        frontier = list(url.via)
        for _ in range(4):
            for name, w in frontier:
                if want in w.raw.lower():
                    return (Carrier("host", host, name, self.run.ctx.path, frame.at(w.row, w.col)[0]),)
            frontier = [v for _, w in frontier for v in w.via][:16]
        return ()

    @staticmethod
    def _packages(then: Then, name: str, operands: list[str | None], sub_len: int) -> list[str]:
        if not then.packages:
            return []
        rest = [o for o in operands[sub_len:] if o]
        if then.packages == "first":
            rest = rest[:1]
        return rest

    def _then(self, cmd: Cmd, frame: Frame, then: Then, name: str, fill: dict[str, str], pkgs: list[str],
              message: str) -> None:
        caps: list[str] = []
        for template in then.capabilities:
            if "{pkg}" in template:
                eco = template.split("[", 1)[1].split(":", 1)[0] if "[" in template else ""
                eco = {"apt-get": "apt", "aptitude": "apt"}.get(eco.replace("{argv0}", name),
                                                                  eco.replace("{argv0}", name))
                formatted = [p for p in (fmt_pkg(eco, v) for v in pkgs) if p]
                for p in formatted or ["*"]:
                    if p.startswith("url:"):  # installed from a URL: no registry, no pinning, build code runs
                        caps += [f"pkg.install[{p}]", f"code.remote[{p[4:]}]", f"net.egress[{host_of(p[4:])}]"]
                        continue
                    caps.append(template.replace("{argv0}", eco).replace("{pkg}", p))
                continue
            out = template
            for k, v in fill.items():
                out = out.replace("{" + k + "}", v)
            caps.append(out)
        try:
            parsed = [Capability.parse(c) for c in caps]
        except ValueError:
            parsed = []
        severity = then.severity
        if severity is None and any(c.kind == "code.remote" for c in parsed) and then.rule.startswith("shell-package"):
            severity = "medium"  # a package installed straight from a URL: unpinned code that runs at install
        self.run.add(frame, cmd, then.rule, parsed, message, severity=severity, confidence=then.confidence)

    @staticmethod
    def _message(rule: str, name: str, fill: dict[str, str]) -> str:
        return program_message(rule, name, fill)

    def _miner_args(self, cmd: Cmd, name: str, values: list[str | None], frame: Frame) -> None:
        rx = self.cm.miner_args
        if rx is None:
            return
        pair = _pool_and_wallet(values)
        if pair is not None:  # a renamed miner: `rfworker -o host:3333 -u 44AFF…` — a pool login that is a wallet
            self.run.add(frame, cmd, "shell-crypto-miner", ["compute.mine", Capability("net.egress", pair[0])],
                         say("miner-wallet", name=name, host=pair[0], wallet=pair[1][:12] + "…"))
            return
        for v in values[:256]:
            if v and rx.search(v):
                caps: list[Capability | str] = ["compute.mine"]
                m = re.search(r"stratum\d?\+(?:tcp|ssl|tls)://([^/\s:'\"]+)", v, re.IGNORECASE)
                if m:
                    caps.append(Capability("net.egress", m.group(1).lower()))
                self.run.add(frame, cmd, "shell-crypto-miner", caps,
                             say("miner-args", name=name, args=v[:80]))
                return


def _line_of(frame: Frame, args: list[Word], thing: str, line: int) -> int:
    """The line of the first word that writes `thing` (a variable `$X`/`${X}`, a file's path), at the line of
    the thing inside a word that spans lines; the command's line when no word writes it."""
    for w in args[:64]:
        at = next((i for i in (w.raw.find("$" + thing), w.raw.find("${" + thing), w.raw.find(thing)) if i >= 0), -1)
        if at >= 0:
            return frame.at(w.row + w.raw[:at].count("\n"), 0 if w.raw[:at].count("\n") else w.col)[0]
    return line


# a cryptocurrency address as a pool login: Monero (4…/8…, 95 characters), Ethereum (0x + 40 hex), Bitcoin bech32
_WALLET = re.compile(r"^(?:[48][0-9AB][1-9A-HJ-NP-Za-km-z]{93}|0x[0-9a-fA-F]{40}|bc1[02-9ac-hj-np-z]{38,58})"
                     r"(?:[.+][\w.-]{0,40})?$")
_POOL = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?([A-Za-z0-9][\w.-]*\.[A-Za-z]{2,}|\d{1,3}(?:\.\d{1,3}){3}):(\d{2,5})$")
_POOL_OPTIONS = frozenset({"-o", "--url", "--pool", "-P", "--server"})
_LOGIN_OPTIONS = frozenset({"-u", "--user", "--wallet", "-w", "--login", "--address"})


def _pool_and_wallet(values: list[str | None]) -> tuple[str, str] | None:
    """(pool host, wallet) when the command names a `host:port` pool (`-o`, `--url`, `--pool` …) and logs in to
    it with a cryptocurrency address (`-u`, `--user`, `--wallet` …): the shape of every miner's command line,
    whatever the program is called."""
    host = wallet = None
    for i, v in enumerate(values[:256]):
        if v is None or len(v) > 512:  # a pool option and a wallet are short words
            continue
        opt, eq, inline = v.partition("=")
        value = inline if eq and opt.startswith("--") else (values[i + 1] if i + 1 < len(values) else None)
        if value is None or len(value) > 512:
            continue
        key = opt if eq and opt.startswith("--") else v
        if key in _POOL_OPTIONS and (m := _POOL.match(value)) is not None:
            host = m.group(1).lower()
        elif key in _LOGIN_OPTIONS and _WALLET.match(value):
            wallet = value
    return (host, wallet) if host and wallet else None


_VAR = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")


def _remote_shape(word: Word, depth: int = 0) -> str | None:
    """A `user@host:path` operand whose host is known and whose path is computed at run time, with the unknown
    parts as `*`; None when the host part itself is not known."""
    raw = word.raw.strip("\"'")
    if depth > 4 or len(raw) > 1024 or "`" in raw or "$(" in raw.split(":", 1)[0]:
        return None
    known = dict(word.via)

    def sub(m: re.Match[str]) -> str:
        w = known.get(m.group(1))
        return w.value if w is not None and w.value is not None else "*"

    head, colon, tail = raw.partition(":")
    if not colon or tail.startswith("//"):
        return None
    host_part = _VAR.sub(sub, head)
    if "*" in host_part or not re.fullmatch(r"(?:[\w.-]+@)?[A-Za-z0-9][\w.-]*", host_part):
        return None
    return host_part + ":" + re.sub(r"\$\([^)]*\)", "*", _VAR.sub(sub, tail))


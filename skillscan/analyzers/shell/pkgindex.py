"""Package-index redirection (`package-index-redirect`): an install, a package manager's setting, an environment
variable or a configuration file that points pip, uv, npm, yarn, pnpm, bun or conda at an index other than the
ecosystem's public one, its vendors' wheel indexes and the well-known public mirrors
(rules/capabilities/package-indexes.yaml). Whoever runs that index chooses the code of every package it serves, and
with `--extra-index-url` a higher version there wins over the public one (dependency confusion).

`index_risk(value, …)` judges one value: None for a public index or mirror, a registry-hosting service, a local or
private-network host, a documentation or test name (example.com, `.test`), a path and a value the user fills in
(`$VAR`, `<url>`, `{registry}`). Otherwise an `IndexRisk`: high (block) when the host is a public raw IP address or
the same command or file turns TLS verification off for it (`--trusted-host`, `strict-ssl false`); review for any
other host (plain http is said in the reason).

Where it is found: `PkgIndexMixin` (the shell analyzer) reads install options, `<manager> config set`, environment
settings (`export PIP_INDEX_URL=…`, `npm_config_registry=… npm i`) and text a command writes into a package
manager's configuration file (`echo registry=… >> ~/.npmrc`); `config_file_findings` reads such a file the package
ships (`requirements*.txt`, `.npmrc`, `pip.conf`, `.yarnrc.yml`, `uv.toml`, `.condarc`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from skillscan.analyzers.base import finding, more_note
from skillscan.analyzers.shell.capmap import parse_options
from skillscan.analyzers.shell.decode import stdout_payload
from skillscan.analyzers.shell.messages import say
from skillscan.analyzers.shell.state import AnalyzerBase, Frame
from skillscan.analyzers.shell.words import Cmd, Word
from skillscan.capabilities.tiers import is_local_host
from skillscan.capabilities.urls import RAW_IP, host_of, label_suffixes
from skillscan.model import Capability, Channel, Confidence, Finding, PackageFile, Severity

RULE_IDS: tuple[str, ...] = ("package-index-redirect",)
RULE = "package-index-redirect"
MAX_LINES = 2000  # lines of a configuration file read
MAX_REPORTS = 5  # per configuration file
MAX_VALUE = 2048  # characters of a value judged as an index
MAX_VARS = 256  # script variables kept to fill in the text a command writes into a configuration file
PUBLIC_NAME = {"pypi": "PyPI", "npm": "the npm registry", "conda": "Anaconda's channels"}
_URLISH = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S+|^[\w.-]+\.[a-z]{2,}(?::\d+)?(?:/\S*)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Tool:
    ecosystem: str
    index: frozenset[str]
    trust: frozenset[str]


@dataclass(frozen=True)
class IndexData:
    known: frozenset[str]  # public indexes, mirrors and hosting services (a host or a domain)
    private: frozenset[str]  # documentation, test and private-network names (a domain)
    tools: dict[str, Tool]
    managers: frozenset[str]
    index_keys: frozenset[str]
    trust_keys: frozenset[str]
    tls_off_keys: frozenset[str]
    env: dict[str, str]  # upper-case name → ecosystem
    requirements: re.Pattern[str]
    config_files: re.Pattern[str]


@lru_cache(maxsize=1)
def index_data() -> IndexData:
    from skillscan.catalog import rules_dir
    from skillscan.yamlsafe import load_yaml

    raw: dict[str, Any] = load_yaml((rules_dir() / "capabilities" / "package-indexes.yaml").read_text("utf-8"))
    known = {h.lower() for hosts in raw["public"].values() for h in hosts} | {h.lower() for h in raw["hosting"]}
    tools = {}
    for entry in raw["options"]:
        tool = Tool(entry["ecosystem"], frozenset(entry["index"]), frozenset(entry["trust"]))
        tools.update({n: tool for n in entry["names"]})
    cfg = raw["config"]
    env = {n.upper(): ("npm" if any(k in n.upper() for k in ("NPM", "YARN", "BUN")) else "pypi") for n in raw["env"]}
    return IndexData(frozenset(known), frozenset(p.lower() for p in raw["private_names"]), tools,
                     frozenset(cfg["managers"]), frozenset(cfg["index_keys"]), frozenset(cfg["trust_keys"]),
                     frozenset(cfg["tls_off_keys"]), env,
                     re.compile(raw["files"]["requirements"], re.IGNORECASE),
                     re.compile(raw["files"]["config"], re.IGNORECASE))


@dataclass(frozen=True)
class IndexRisk:
    host: str
    shown: str  # the value as written, shortened
    reasons: tuple[str, ...]  # "a raw IP address", "plain http", "TLS verification turned off for it (…)"
    high: bool

    def describe(self, ecosystem: str) -> str:
        what = "; ".join(self.reasons) if self.reasons else \
            say("index-unknown-host", public=PUBLIC_NAME.get(ecosystem, "the public index"))
        return say("index-described", index=self.shown, why=what)


def _covered(host: str, names: frozenset[str]) -> bool:
    return any(s in names for s in label_suffixes(host))


def index_risk(value: str | None, insecure: Iterable[str] = (), tls_off: str = "",
               trusted_by: str = "`--trusted-host`") -> IndexRisk | None:
    """The risk of `value` as a package index; `insecure` are hosts the same command or file exempts from TLS
    verification (by the option or setting `trusted_by`), `tls_off` names a setting that turns verification off
    for every index (`strict-ssl false`)."""
    if not value:
        return None
    v = value.strip().strip("'\"").strip()
    if len(v) > MAX_VALUE:  # no index URL is this long: a hostile value is not searched
        return None
    if not v or any(c in v for c in "$<>{}`") or v.startswith(("/", ".", "~", "file:", "-")) or not _URLISH.search(v):
        return None  # a path, a variable, a placeholder, a conda channel name
    host = host_of(v)
    data = index_data()
    if host == "*" or _covered(host, data.known) or _covered(host, data.private) or is_local_host(host):
        return None
    reasons: list[str] = []
    raw_ip = RAW_IP.match(host) is not None
    if raw_ip:
        reasons.append(say("index-raw-ip"))
    if v.lower().startswith("http://"):
        reasons.append(say("index-plain-http"))
    trusted = host in {h.lower() for h in insecure}
    if trusted or tls_off:
        reasons.append(say("index-tls-off", by=tls_off or trusted_by))
    shown = v if len(v) <= 80 else v[:77] + "…"
    return IndexRisk(host, shown, tuple(reasons), raw_ip or trusted or bool(tls_off))


def _severity(risk: IndexRisk) -> tuple[Severity, Confidence]:
    return (Severity.HIGH, Confidence.MEDIUM) if risk.high else (Severity.MEDIUM, Confidence.LOW)


# ---- configuration text: `key = value` lines of .npmrc, pip.conf, .yarnrc(.yml), uv.toml, .condarc, requirements


def _key_values(text: str, requirements: bool) -> list[tuple[int, str, str]]:
    """(0-based line, key lower-case, value) of the lines that set something; a pip.conf continuation line (an
    indented URL under an index key) repeats that key. Requirements files give their `--option value` lines."""
    out: list[tuple[int, str, str]] = []
    last = ""
    for i, line in enumerate(text.split("\n")[:MAX_LINES]):
        s = line.strip()
        if not s or s.startswith(("#", ";", "[")):
            continue
        if requirements:
            m = re.match(r"^(-i|-f|--[a-z-]+)(?:\s*=\s*|\s+)(\S+)", s)
            if m:
                out.append((i, m.group(1), m.group(2)))
            continue
        if line[:1] in " \t" and last and _URLISH.search(s) and not re.match(r"^[\w.@-]+\s*(?:=|:(?!//))", s):
            out.append((i, last, s.lstrip("- ").strip()))  # pip.conf continuation, a YAML list item of channels
            continue
        # `key=value` (.npmrc, pip.conf, uv.toml), `key: value` (YAML), `key "value"` (.yarnrc)
        m = re.match(r"^\s*([^=\s]+?)\s*=\s*(.*)$", line) or re.match(r"^\s*([\w.@-]+)\s*:\s+(.*)$", line) or \
            re.match(r"^\s*([\w.@:-]+)\s+(.*)$", line)
        if m:
            key, value = m.group(1).lower(), m.group(2).strip().strip(",")
            last = key
            out.append((i, key, value))
    return out


def _is_index_key(key: str, data: IndexData, requirements: bool) -> bool:
    if requirements:
        return key in ("-i", "--index-url", "--extra-index-url", "-f", "--find-links")
    return key in data.index_keys or key.endswith(":registry") or key.rsplit(".", 1)[-1] in data.index_keys


def config_risks(text: str, requirements: bool = False) -> list[tuple[int, str, IndexRisk]]:
    """(0-based line, key, risk) of the indexes a configuration text names."""
    data = index_data()
    pairs = _key_values(text, requirements)
    trust_key = "--trusted-host" if requirements else None
    trusting = [(k, v.strip("'\"")) for _, k, v in pairs
                if k == trust_key or k in data.trust_keys or k.rsplit(".", 1)[-1] in data.trust_keys]
    insecure = {v for _, v in trusting}
    by = f"`{trusting[0][0]}`" if trusting else ""
    off = next((k for _, k, v in pairs if k.rsplit(".", 1)[-1] in data.tls_off_keys
                and v.strip("'\"").lower() in ("false", "0", "no")), "")
    out = []
    for i, key, value in pairs:
        if not _is_index_key(key, data, requirements):
            continue
        risk = index_risk(value.split()[0] if value.split() else value, insecure, f"`{off} false`" if off else "",
                          by)
        if risk is not None:
            out.append((i, key, risk))
    return out


def _ecosystem_of_file(name: str) -> str:
    n = name.lower()
    return "npm" if ("npmrc" in n or "yarnrc" in n or "bunfig" in n) else "conda" if "condarc" in n else "pypi"


def is_config_file(path: str) -> bool:
    """A package manager's configuration file or a requirements file, by its name."""
    data = index_data()
    name = PurePosixPath(path).name
    return data.requirements.match(name) is not None or data.config_files.match(name) is not None


def config_file_findings(file: PackageFile) -> list[Finding]:
    """The redirections a package manager's configuration file the package ships makes."""
    data = index_data()
    name = PurePosixPath(file.path).name
    requirements = data.requirements.match(name) is not None
    if file.text is None or not (requirements or data.config_files.match(name)):
        return []
    eco = _ecosystem_of_file(name)
    lines = file.text.split("\n")
    out = []
    risks = config_risks(file.text, requirements)
    for i, key, risk in risks[:MAX_REPORTS]:
        extra = "extra" in key or key in ("-f", "--find-links", "find-links")
        index = risk.describe(eco)
        if requirements:
            said = say("index-file-requirements-extra", file=name, index=index) if extra else \
                say("index-file-requirements", file=name, index=index)
        else:
            said = say("index-file-config-extra", setting=key, index=index) if extra else \
                say("index-file-config", setting=key, index=index)
        sev, conf = _severity(risk)
        out.append(finding(RULE, say("index-who", said=said), file.path, i + 1, 1, snippet=lines[i].strip(),
                           capabilities=[Capability("net.egress", risk.host)], channel=Channel.CODE,
                           severity=sev, confidence=conf))
    if len(risks) > MAX_REPORTS:
        out[-1] = replace(out[-1], message=out[-1].message + more_note(len(risks) - MAX_REPORTS, MAX_REPORTS))
    if len(lines) > MAX_LINES:  # the settings past the bound were not read: said, never skipped in silence
        out.append(finding("analysis-incomplete", say("incomplete", path=file.path,
                                                      why=say("bound-config-lines", limit=f"{MAX_LINES:,}")),
                           file.path, MAX_LINES + 1, 1, channel=Channel.CODE))
    return out


# ---- commands


def _config_set(values: Sequence[str | None]) -> tuple[str, str] | None:
    """(key, value) of `config set KEY VALUE`, `config set KEY=VALUE`, `set KEY VALUE` and conda's
    `config --add KEY VALUE`; options such as `--global` are passed over."""
    ops = [v for v in values if v is not None]
    low = [v.lower() for v in ops]
    for lead in (["config", "set"], ["set"], ["config", "--add"], ["config", "--set"], ["config", "--append"],
                 ["config", "--prepend"]):
        if low[: len(lead)] != lead:
            continue
        rest = [o for o in ops[len(lead):] if not o.startswith("-")]
        if rest and "=" in rest[0]:
            key, _, value = rest[0].partition("=")
            return key.lower(), value
        return (rest[0].lower(), rest[1]) if len(rest) > 1 else None
    return None


class PkgIndexMixin(AnalyzerBase):
    def _index_report(self, frame: Frame, cmd: Cmd, risk: IndexRisk, message: str, row: int | None = None,
                      col: int | None = None) -> None:
        sev, conf = _severity(risk)
        self.run.add(frame, cmd, RULE, [Capability("net.egress", risk.host)], say("index-who", said=message),
                     severity=sev, confidence=conf, row=row, col=col)

    def _package_index(self, cmd: Cmd, key: str, name: str, values: list[str | None], frame: Frame) -> None:
        data = index_data()
        tool = data.tools.get(key)
        if tool is not None:
            prog = self.cm.lookup(key)
            parsed = parse_options(values, prog.options_with_value if prog is not None else tool.index | tool.trust)
            trusted = [(f, v) for f, v in parsed.flags if f in tool.trust and v]
            insecure = [v for _, v in trusted]
            public = PUBLIC_NAME[tool.ecosystem]
            for flag, value in parsed.flags:
                risk = index_risk(value, insecure, trusted_by=f"`{trusted[0][0]}`" if trusted else "") \
                    if flag in tool.index else None
                if risk is None:
                    continue
                index = risk.describe(tool.ecosystem)
                if flag not in ("--extra-index-url", "--index"):
                    said = say("index-option", name=name, flag=flag, index=index, public=public)
                elif key in ("uv", "uvx"):  # uv searches an added index first (its `first-index` strategy)
                    said = say("index-option-first", name=name, flag=flag, index=index, public=public)
                else:  # pip takes the highest version across its indexes
                    said = say("index-option-extra", name=name, flag=flag, index=index, public=public)
                self._index_report(frame, cmd, risk, said)
            if not any(f in tool.index for f, _ in parsed.flags):  # `--trusted-host H` alone: the index is at H
                for flag, host in trusted:
                    risk = index_risk(f"https://{host}", insecure, trusted_by=f"`{flag}`")
                    if risk is not None:
                        self._index_report(frame, cmd, risk, say("index-trusted-host", name=name, flag=flag,
                                                                 host=risk.host, public=public))
        if key in data.managers:
            setting = _config_set(values)
            if setting is not None and _is_index_key(setting[0], data, False):
                risk = index_risk(setting[1])
                eco = data.tools[key].ecosystem if key in data.tools else "pypi"
                if risk is not None:
                    self._index_report(frame, cmd, risk, say("index-config-set", name=name, setting=setting[0],
                                                             index=risk.describe(eco)))
        for var, word in cmd.assigns:
            self._index_env(cmd, var, word, frame)

    def _index_env(self, cmd: Cmd, var: str, word: Word, frame: Frame) -> None:
        data = index_data()
        eco = data.env.get(var.upper())
        if eco is None or word.value is None:
            return
        risk = index_risk(self._as_written(word.value))
        if risk is not None:
            self._index_report(frame, cmd, risk, say("index-env", var=var, index=risk.describe(eco)), row=word.row,
                               col=word.col)

    def _index_settings(self, settings: list[tuple[str, Word]], frame: Frame) -> None:
        known = self.run.values
        for var, word in settings:
            if word.value is not None and (var in known or len(known) < MAX_VARS):
                known[var] = word.value  # for a here-document that writes `index-url = $INDEX`
            elif word.value is not None:
                self.run.skip(frame, say("bound-known-values", limit=MAX_VARS), word.row, word.col)
            if var.upper() in index_data().env:
                self._index_env(Cmd([], word.row, word.col, f"{var}={word.raw}"), var, word, frame)

    def _index_config_write(self, cmd: Cmd, path: str, frame: Frame) -> None:
        """Text a command writes into a package manager's configuration file (`echo registry=… >> ~/.npmrc`, a
        here-document into pip.conf)."""
        data = index_data()
        name = PurePosixPath(path).name
        requirements = data.requirements.match(name) is not None
        if not (requirements or data.config_files.match(name)):
            return
        payload = stdout_payload(cmd)
        if payload is None or payload.text is None or payload.decoders:
            return
        eco = _ecosystem_of_file(name)
        known = self.run.values
        text = re.sub(r"\$\{?(\w+)\}?", lambda m: known.get(m.group(1), m.group(0)), payload.text)
        for _, key, risk in config_risks(self._as_written(text), requirements)[:MAX_REPORTS]:
            self._index_report(frame, cmd, risk, say("index-write", setting=key, index=risk.describe(eco), path=path))

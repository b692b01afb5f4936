"""Does the stated purpose explain an inferred fact? One answer and one literally true sentence.

Facts (frozen dataclasses; build them from what an analyser established, nothing more):
- `HostReached(host)`: a connection to a host or URL.
- `EnvUse(name, sent_to="", via="")`: an environment variable read (`name=None`: the whole
  environment), and where its value is sent (`sent_to`: a host or URL; empty when it stays local),
  `via`: how, for the sentence ("the Authorization header").
- `FileRead(path)`: a file read (any home spelling, see `skillscan.purpose.paths`).
- `ToolRun(program)`: a program run (basename or path).

`judge(fact, purpose, table=None) -> Coherence` with `Coherence(status, reason, service, category)`:
- `status` is `explained` (the purpose accounts for it), `unexplained` (nothing stated accounts for
  it: a privilege question for the decision) or `never` (a credential store, the whole
  environment, or a paste/request-catcher/file-drop/tunnel/free-hosting/shortener/raw-IP sink:
  no claim of the package makes these coherent);
- `reason` names the fact and why, e.g. "reaches api.telegram.org — the skill's stated service
  (Telegram, from its description)"; it states only what the fact and the purpose contain;
- `service`: the service id that explained it (or that owns the thing, when unexplained);
- `category`: the sink category or credential-store kind for `never`, `loopback`/`own-state` etc.
  for the special explained cases, else "".

The package's own files are explained by `skillscan.purpose.locations` (its install location and
its own state/config directory), using `purpose.package` as the package name."""

from __future__ import annotations

from dataclasses import dataclass

from skillscan.purpose.domains import host_info
from skillscan.purpose.locations import classify_agent_path
from skillscan.purpose.services import Service, ServiceTable, load_table
from skillscan.purpose.stated import StatedPurpose

STATUSES = ("explained", "unexplained", "never")


@dataclass(frozen=True)
class HostReached:
    host: str


@dataclass(frozen=True)
class EnvUse:
    name: str | None
    sent_to: str = ""
    via: str = ""


@dataclass(frozen=True)
class FileRead:
    path: str


@dataclass(frozen=True)
class ToolRun:
    program: str


Fact = HostReached | EnvUse | FileRead | ToolRun


@dataclass(frozen=True)
class Coherence:
    status: str
    reason: str
    service: str = ""
    category: str = ""

    @property
    def explained(self) -> bool:
        return self.status == "explained"


def _stated(purpose: StatedPurpose, services: tuple[Service, ...]) -> Service | None:
    return next((s for s in services if s.id in purpose.ids), None)


def _why(purpose: StatedPurpose, svc: Service) -> str:
    stated = purpose.service(svc.id)
    return f"{svc.label}, {stated.source() if stated else 'stated'}"


def _host_words(host: str) -> str:
    return host_info(host).host or host


def _by_owner(subject: str, owned: str, owners: tuple[Service, ...], purpose: StatedPurpose, unowned: str,
              *otherwise: Coherence | None) -> Coherence:
    """The one shape of every judgement by owning service: explained by a stated owner, else by the first
    other explanation given (`otherwise`), else unexplained — naming the owner the skill does not state,
    or saying what nothing accounts for (`unowned`). `owned` is what the thing is to its owner ("the CLI
    of ")."""
    svc = _stated(purpose, owners)
    if svc:
        return Coherence("explained", f"{subject} — {owned}the skill's stated service ({_why(purpose, svc)})", svc.id)
    explained = next((c for c in otherwise if c is not None), None)
    if explained is not None:
        return explained
    if owners:
        return Coherence("unexplained", f"{subject} — {owned}{owners[0].label}, a service the skill does not state",
                         owners[0].id)
    return Coherence("unexplained", f"{subject} — {unowned}")


def judge_host(host: str, purpose: StatedPurpose, table: ServiceTable) -> Coherence:
    info = host_info(host)
    h = _host_words(host)
    if info.kind == "loopback":
        return Coherence("explained", f"reaches {h} — the local machine, not an outside host", category="loopback")
    sink = table.sink(host)
    if sink:
        return Coherence("never", f"reaches {h} — {sink.label} ({sink.matched}), which no stated purpose "
                                  "makes coherent", category=sink.category)
    documented = info.registrable and info.registrable in purpose.documented_sites
    return _by_owner(
        f"reaches {h}", "", table.for_host(host), purpose,
        "a host that no stated service or documented site of the skill accounts for",
        Coherence("explained", f"reaches {h} — on {info.registrable}, a site the skill's documentation or homepage "
                               "names", category="documented-site") if documented else None,
        Coherence("unexplained", f"reaches {h} — an address on the local network that no stated service explains",
                  category="private-ip") if info.kind == "private-ip" else None)


def judge_env(fact: EnvUse, purpose: StatedPurpose, table: ServiceTable) -> Coherence:
    dest = _host_words(fact.sent_to) if fact.sent_to else ""
    how = f" as {fact.via}" if fact.via else ""
    if fact.name is None:
        what = f"sends the whole environment{how} to {dest}" if dest else "reads the whole environment"
        return Coherence("never", f"{what} — no stated purpose makes the whole environment coherent",
                         category="whole-environment")
    var = fact.name
    owners = table.for_env(var)
    declared = var in purpose.declared_env
    if not dest:
        return _by_owner(
            f"reads {var}", "a credential of ", owners, purpose,
            "an environment variable the skill neither declares nor ties to a stated service",
            Coherence("explained", f"reads {var} — an environment variable the skill declares",
                      category="declared-env") if declared else None)
    sent = f"sends {var}{how} to {dest}"
    info = host_info(fact.sent_to)
    if info.kind == "loopback":
        return Coherence("explained", f"{sent} — the local machine, not an outside host", category="loopback")
    sink = table.sink(fact.sent_to)
    if sink:
        return Coherence("never", f"{sent} — {sink.label} ({sink.matched}), which no stated purpose makes "
                                  "coherent", category=sink.category)
    host_owners = table.for_host(fact.sent_to)
    if owners:
        same = [s for s in owners if s in host_owners]
        svc = _stated(purpose, tuple(same))
        if svc:
            return Coherence("explained", f"{sent} — {svc.label}'s own credential to its own API, the skill's "
                                          f"stated service ({_why(purpose, svc)})", svc.id)
        if same:
            return Coherence("unexplained", f"{sent} — {same[0].label}'s own credential to its own API, but the "
                                            "skill does not state that service", same[0].id)
        other = f" ({host_owners[0].label})" if host_owners else ""
        return Coherence("unexplained", f"{sent} — a credential of {owners[0].label} sent to another host{other}",
                         owners[0].id)
    if declared:
        svc = _stated(purpose, host_owners)
        if svc:
            return Coherence("explained", f"{sent} — an environment variable the skill declares, to its stated "
                                          f"service ({_why(purpose, svc)})", svc.id)
        if info.registrable and info.registrable in purpose.documented_sites:
            return Coherence("explained", f"{sent} — an environment variable the skill declares, to "
                                          f"{info.registrable}, a site its documentation or homepage names",
                             category="documented-site")
    return Coherence("unexplained", f"{sent} — neither the variable nor the host belongs to a stated service "
                                    "of the skill")


def judge_file(path: str, purpose: StatedPurpose, table: ServiceTable) -> Coherence:
    store = table.credential_store(path)
    if store:
        return Coherence("never", f"reads {path} — a credential store ({store}), which no stated purpose makes "
                                  "coherent", category=store)
    loc = classify_agent_path(path, purpose.package)
    if loc.kind in ("own-install", "own-state"):
        return Coherence("explained", f"reads {path} — {loc.reason}", category=loc.kind)
    return _by_owner(f"reads {path}", "the credential or config file of ", table.for_file(path), purpose,
                     "a file that no stated service of the skill accounts for")


def judge_tool(program: str, purpose: StatedPurpose, table: ServiceTable) -> Coherence:
    base = program.strip().replace("\\", "/").rsplit("/", 1)[-1]
    documented = base.lower().removesuffix(".exe") in purpose.documented_tools
    return _by_owner(
        f"runs {base}", "the CLI of ", table.for_tool(program), purpose,
        "a program the skill neither documents nor ties to a stated service",
        Coherence("explained", f"runs {base} — a program the skill's documentation names",
                  category="documented-tool") if documented else None)


def judge(fact: Fact, purpose: StatedPurpose, table: ServiceTable | None = None) -> Coherence:
    table = table or load_table()
    if isinstance(fact, HostReached):
        return judge_host(fact.host, purpose, table)
    if isinstance(fact, EnvUse):
        return judge_env(fact, purpose, table)
    if isinstance(fact, FileRead):
        return judge_file(fact.path, purpose, table)
    if isinstance(fact, ToolRun):
        return judge_tool(fact.program, purpose, table)
    raise TypeError(f"not a fact: {fact!r}")

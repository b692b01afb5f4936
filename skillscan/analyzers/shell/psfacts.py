"""PowerShell facts from a real parse (tree-sitter-powershell): .NET static members
(`[Environment]::GetEnvironmentVariables()`, `[Security.Cryptography.ProtectedData]::Unprotect(…)`),
.NET/WinRT types a script names (`[Windows.Security.Credentials.PasswordVault]`, `New-Object Type`)
and cmdlets (`Get-StoredCredential`), mapped to capabilities by `rules/capabilities/powershell.yaml`.

The hand tokenizer (winshell.py) turns statements into commands for the shell rules; it does not see
expressions inside assignments, pipelines or script blocks, which is where these reads live. The
parse is bounded (MAX_TEXT characters, MAX_NODES nodes visited); a text the grammar cannot load or
parse yields no facts here and keeps the tokenizer's findings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from skillscan.analyzers.envselect import EnvSelection
from skillscan.analyzers.shell.envselect import ps_selection
from skillscan.analyzers.shell.messages import say
from skillscan.capabilities.urls import url_hosts
from skillscan.catalog import rules_dir

MAX_TEXT = 512 * 1024  # characters of one PowerShell text parsed
MAX_NODES = 200_000  # syntax nodes visited in one text
MAX_FACTS = 64


@dataclass(frozen=True)
class Entry:
    kind: str  # member | type | command
    type_re: re.Pattern[str] | None
    member_re: re.Pattern[str] | None
    names: frozenset[str]
    operand: re.Pattern[str] | None
    holds: str | None  # what a variable assigned from it holds (a shell-messages text key)
    rule: str
    capabilities: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class Fact:
    row: int  # 0-based within the text
    col: int  # 0-based character column
    rule: str
    capabilities: tuple[str, ...]
    message: str


@lru_cache(maxsize=1)
def entries() -> tuple[Entry, ...]:
    import yaml

    data = yaml.safe_load((rules_dir() / "capabilities" / "powershell.yaml").read_text(encoding="utf-8")) or {}
    out = []
    for kind, key in (("member", "members"), ("type", "types"), ("command", "commands")):
        for e in data.get(key) or []:
            out.append(Entry(kind,
                             re.compile(e["type"], re.IGNORECASE) if e.get("type") else None,
                             re.compile(e["member"], re.IGNORECASE) if e.get("member") else None,
                             frozenset(n.lower() for n in e.get("names") or ()),
                             re.compile(e["operand"], re.IGNORECASE) if e.get("operand") else None,
                             e.get("holds"), e["rule"], tuple(e.get("capabilities") or ()), e["message"]))
    return tuple(out)


@lru_cache(maxsize=1)
def _parser() -> Any:
    """The PowerShell grammar, or None where the package is missing or does not load."""
    try:
        import tree_sitter_powershell
        from tree_sitter import Language, Parser

        return Parser(Language(tree_sitter_powershell.language()))
    except Exception:  # noqa: BLE001 — an absent or incompatible grammar means no facts, not a crash
        return None


def available() -> bool:
    return _parser() is not None


def _type_name(text: str) -> str:
    name = text.strip().strip("[]").split(",", 1)[0].strip()
    return name


def facts(text: str, cut: list[str] | None = None) -> list[Fact]:
    """The facts of one PowerShell text, in text order; a bound that stopped the parse or the walk early is
    said in `cut` (when given)."""
    said = cut if cut is not None else []
    if len(text) > MAX_TEXT:
        said.append(f"only the first {MAX_TEXT:,} characters of a PowerShell text were parsed for its facts")
    parser = _parser()
    if parser is None or "\x00" in text:
        return []
    src = text[:MAX_TEXT].encode("utf-8", "replace")
    tree = parser.parse(src)
    lines = src.split(b"\n")
    table = entries()
    out: list[Fact] = []
    seen: set[tuple[int, str]] = set()

    def col_of(point: tuple[int, int]) -> int:
        row, byte = point
        line = lines[row] if row < len(lines) else b""
        return len(line[:byte].decode("utf-8", "replace"))

    sources: list[tuple[Any, Entry]] = []

    def emit(node: Any, e: Entry, fill: dict[str, str]) -> None:
        sources.append((node, e))
        row, _ = node.start_point
        if (row, e.rule) in seen or len(out) >= MAX_FACTS:
            return
        seen.add((row, e.rule))
        message = e.message
        for k, v in fill.items():
            message = message.replace("{" + k + "}", v)
        out.append(Fact(row, col_of(node.start_point), e.rule, e.capabilities, message))

    stack = [tree.root_node]
    visited = 0
    while stack and visited < MAX_NODES and len(out) < MAX_FACTS:
        node = stack.pop()
        visited += 1
        kind = node.type
        if kind == "invokation_expression":
            children = node.children
            tl = next((c for c in children if c.type == "type_literal"), None)
            mn = next((c for c in children if c.type == "member_name"), None)
            if tl is not None and mn is not None:
                tname = _type_name(tl.text.decode("utf-8", "replace"))
                member = mn.text.decode("utf-8", "replace")
                for e in table:
                    if e.kind == "member" and e.type_re and e.member_re and e.type_re.search(tname) \
                            and e.member_re.search(member):
                        emit(node, e, {"type": tname, "member": member})
        elif kind == "type_literal":
            tname = _type_name(node.text.decode("utf-8", "replace"))
            for e in table:
                if e.kind == "type" and e.type_re and e.type_re.search(tname):
                    emit(node, e, {"type": tname})
        elif kind == "command":
            name_node = node.child_by_field_name("command_name")
            name = name_node.text.decode("utf-8", "replace").lower() if name_node is not None else ""
            first = next((c for c in _descendants(node, 6) if c.type == "generic_token"), None) \
                if any(e.operand is not None for e in table) else None
            operand = first.text.decode("utf-8", "replace") if first is not None else ""
            for e in table:
                if e.kind == "command" and name in e.names and (e.operand is None or e.operand.search(operand)):
                    emit(node, e, {"name": name_node.text.decode("utf-8", "replace"),  # type: ignore[union-attr]
                                   "operand": operand})
            if name == "new-object":
                operand = next((c for c in _descendants(node, 6) if c.type == "generic_token"), None)
                if operand is not None:
                    tname = _type_name(operand.text.decode("utf-8", "replace"))
                    for e in table:
                        if e.kind == "type" and e.type_re and e.type_re.search(tname):
                            emit(operand, e, {"type": tname})
        stack.extend(reversed(node.children))
    if stack and visited >= MAX_NODES:
        said.append(f"the walk over a PowerShell text stopped after {MAX_NODES:,} syntax nodes: the rest was not read "
                    "for its facts")
    elif stack and len(out) >= MAX_FACTS:
        said.append(f"the walk over a PowerShell text stopped at {MAX_FACTS} facts: the rest was not read for its facts")
    out.extend(_sent(sources, tree.root_node, col_of))
    from skillscan.analyzers.shell.psheaders import header_facts

    out.extend(Fact(h.row, col_of(h.node.start_point), "shell-encoded-data-in-header", (f"net.egress[{h.host}]",),
                    h.message) for h in header_facts(tree.root_node))
    out.sort(key=lambda f: (f.row, f.col))
    return out


SENDERS = {"invoke-restmethod", "irm", "invoke-webrequest", "iwr"}
# the methods of a WebClient / HttpClient that send what they are given
UPLOADERS = frozenset({"uploadstring", "uploaddata", "uploadfile", "uploadvalues", "uploadstringasync",
                       "uploaddataasync", "uploadfileasync", "uploadvaluesasync", "uploadstringtaskasync",
                       "uploaddatataskasync", "uploadfiletaskasync", "postasync", "putasync", "sendasync"})


def _assigned_variable(node: Any) -> str | None:
    """`$v` when `node` is inside the value of `$v = …` (within a few levels)."""
    n = node.parent
    for _ in range(40):
        if n is None:
            return None
        if n.type == "assignment_expression":
            left = n.child_by_field_name("left") or (n.children[0] if n.children else None)
            return _left_base(left.text.decode("utf-8", "replace") if left is not None else "")
        n = n.parent
    return None


_LEFT = re.compile(r"(\$[A-Za-z_][A-Za-z0-9_:]*)(?:\.[A-Za-z_]\w*|\[[^\]\n]{0,200}\])*")
# a mention of a held variable that keeps only its size or its names
_NOT_DATA = r"(?![A-Za-z0-9_])(?!\.(?:Count|Length|Keys)\b)"


def _left_base(text: str) -> str | None:
    """The variable an assignment stores into: `$v` for `$v = …`, and for an element or a member of it
    (`$v[$k] = …`, `$report.variables = …`: the value becomes part of what `$v` holds)."""
    m = _LEFT.fullmatch(text.strip())
    return m.group(1).lower() if m else None


def _mentions(var: str, text: str) -> bool:
    """`text` uses the data `var` holds (not only its `.Count`, `.Length` or `.Keys`)."""
    return re.search(re.escape(var) + _NOT_DATA, text, re.IGNORECASE) is not None


def _sent(sources: list[tuple[Any, Entry]], root: Any, col_of: Any) -> list[Fact]:
    """A variable assigned from an environment dump or a credential read (or from an expression over such a
    variable: `$enc = [Convert]::ToBase64String($bytes)`), passed to a web cmdlet or to a WebClient/HttpClient
    upload method."""
    held: dict[str, Entry] = {}
    chosen: dict[str, EnvSelection | str] = {}  # what a pipeline over the env: drive keeps (envselect.py)
    for node, e in sources:
        var = _assigned_variable(node)
        if var is not None and e.holds:
            held.setdefault(var, e)
            kept = ps_selection(_assigned_text(node)) if e.holds == "ps-held-env" else None
            if kept is not None:
                chosen.setdefault(var, kept)
    if not held:
        return []
    _propagate(root, held, chosen)
    urls = _url_variables(root)
    out: list[Fact] = []
    stack = [root]
    visited = 0
    while stack and visited < MAX_NODES and len(out) < MAX_FACTS:
        node = stack.pop()
        visited += 1
        sender = None
        if node.type == "command":
            name_node = node.child_by_field_name("command_name")
            name = name_node.text.decode("utf-8", "replace").lower() if name_node is not None else ""
            if name in SENDERS:
                sender = name_node.text.decode("utf-8", "replace")  # type: ignore[union-attr]
        elif node.type == "invokation_expression":
            member = next((c for c in node.children if c.type == "member_name"), None)
            if member is not None and member.text.decode("utf-8", "replace").lower() in UPLOADERS:
                sender = member.text.decode("utf-8", "replace")
        if sender is not None:
            text = node.text.decode("utf-8", "replace")
            for var, e in held.items():
                if _mentions(var, text):
                    kept = chosen.get(var)
                    if kept is not None and not (isinstance(kept, EnvSelection) and kept.credential):
                        break  # the names alone, or variables chosen by names that are not credential-looking
                    host = next((h for _, h in url_hosts(text)), None) or _held_host(text, urls) or "*"
                    what = kept.phrase() if isinstance(kept, EnvSelection) else _held(e.holds)
                    extra = ("secrets.read[env:*]",) if isinstance(kept, EnvSelection) else ()
                    out.append(Fact(node.start_point[0], col_of(node.start_point), "shell-env-exfiltration",
                                    (*e.capabilities, *extra, f"net.egress[{host}]"),
                                    say("ps-sends-held", name=sender, var=var, what=what, host=host)))
                    break
            continue
        stack.extend(reversed(node.children))
    return out


def _url_variables(root: Any) -> dict[str, str]:
    """`$v = 'https://…'`: the variables the script assigns a literal URL to (the last assignment wins)."""
    out: dict[str, str] = {}
    stack = [root]
    visited = 0
    while stack and visited < MAX_NODES and len(out) < MAX_FACTS:
        node = stack.pop()
        visited += 1
        if node.type == "assignment_expression" and len(node.children) >= 3:
            left = node.children[0].text.decode("utf-8", "replace").strip().lower()
            value = node.children[-1].text.decode("utf-8", "replace").strip()
            if re.fullmatch(r"\$[a-z_][a-z0-9_:]*", left) and re.fullmatch(r"'[^'$]{1,2000}'|\"[^\"$`]{1,2000}\"", value):
                hosts = [h for _, h in url_hosts(value[1:-1])]
                if len(hosts) == 1:
                    out[left] = hosts[0]
                else:
                    out.pop(left, None)
            continue
        stack.extend(reversed(node.children))
    return out


def _held_host(text: str, urls: dict[str, str]) -> str | None:
    """The host of the one URL variable a sending command names (`-Uri $Board`), else None."""
    named = {urls[v.lower()] for v in re.findall(r"\$[A-Za-z_][A-Za-z0-9_:]*", text) if v.lower() in urls}
    return named.pop() if len(named) == 1 else None


def _held(key: str | None) -> str:
    """The words for what a variable holds, by the `holds` key of its powershell.yaml entry."""
    if key == "ps-held-dpapi":
        return say("ps-held-dpapi")
    if key == "ps-held-credentials":
        return say("ps-held-credentials")
    return say("ps-held-env")


def _assigned_text(node: Any) -> str:
    """The text of the value of the `$v = …` that `node` is inside (within a few levels), else ""."""
    n = node.parent
    for _ in range(40):
        if n is None:
            return ""
        if n.type == "assignment_expression" and n.children:
            return n.children[-1].text.decode("utf-8", "replace")[:4000]
        n = n.parent
    return ""


def _propagate(root: Any, held: dict[str, Entry], chosen: dict[str, EnvSelection | str]) -> None:
    """Variables assigned, in text order, from an expression naming a held variable hold what it holds (and
    keep its selection)."""
    stack = [root]
    visited = 0
    while stack and visited < MAX_NODES:
        node = stack.pop()
        visited += 1
        if node.type == "assignment_expression" and node.children:
            left = _left_base(node.children[0].text.decode("utf-8", "replace"))
            value = node.children[-1].text.decode("utf-8", "replace")
            if left is not None and left not in held and len(value) < 2000:
                source = next((v for v in held if _mentions(v, value)), None)
                if source is not None:
                    held[left] = held[source]
                    if source in chosen:
                        chosen[left] = chosen[source]
        stack.extend(reversed(node.children))


def _descendants(node: Any, limit: int) -> list[Any]:
    """The first `limit` nodes under `node`, breadth first."""
    out: list[Any] = []
    queue = list(node.children)
    while queue and len(out) < limit * 4:
        n = queue.pop(0)
        out.append(n)
        queue.extend(n.children)
    return out

"""shell-encoded-data-in-header: a PowerShell script puts the base64 or hex encoding of data computed at run time into
a custom header of a web request — `Invoke-RestMethod url -Headers @{ "X-Data" = $enc }` after
`$enc = [Convert]::ToBase64String(…)`, `-Headers $h` where `$h` is such a table, `$wc.Headers.Add("X-Data", $enc)`.
It is the PowerShell twin of `py-encoded-data-in-header` and `js-encoded-data-in-header`; the header vocabulary is
theirs (`rules/capabilities/code.yaml`: a custom header name, the headers that carry encoded credentials,
signatures or digests by design). The encoding of a literal, of a digest or of random bytes is not reported.

It reads the parse psfacts.py made (tree-sitter-powershell) and returns plain facts; psfacts.py reports them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from skillscan.analyzers.code_vocab import pattern
from skillscan.analyzers.shell.messages import say
from skillscan.capabilities.urls import url_hosts

RULE_IDS: tuple[str, ...] = ("shell-encoded-data-in-header",)

HEADER_NAME = pattern("header_name")
HEADER_BY_DESIGN = pattern("header_by_design")
ENCODERS = re.compile(r"(?i)\[(?:system\.)?(?:convert|bitconverter)\]::(?:tobase64string|tohexstring|tostring)\s*\(")
# what an encoding of is not run-time data worth reporting: a digest, a signature, random bytes, a new id
NOT_DATA = re.compile(r"(?i)computehash|hmac|sha\d|md5|getrandombytes|randomnumbergenerator|newguid|get-random")
SENDERS = frozenset({"invoke-restmethod", "irm", "invoke-webrequest", "iwr"})
VARIABLE = re.compile(r"\$(?:\{([^}]+)\}|([A-Za-z_][A-Za-z0-9_:]*))")
MAX_NODES = 200_000
MAX_REPORTS = 8


@dataclass(frozen=True)
class HeaderFact:
    row: int
    node: Any  # where the fact is cited
    message: str
    host: str


def _text(node: Any) -> str:
    return node.text.decode("utf-8", "replace") if node is not None else ""


def _variables(text: str) -> set[str]:
    return {(m.group(1) or m.group(2)).lower() for m in VARIABLE.finditer(text)}


def _encodes_data(text: str) -> str | None:
    """The encoder call (`[Convert]::ToBase64String(…)`) by which `text` encodes (base64, hex) something that holds a
    variable or a command's output, not a digest; None otherwise."""
    for m in ENCODERS.finditer(text):
        inner = _argument(text, m.end())
        if ("$" in inner or re.search(r"(?i)\b(?:get|invoke|read|select)-\w+", inner)) and not NOT_DATA.search(inner):
            return m.group(0).rstrip() + "…)"
    return None


def _argument(text: str, start: int) -> str:
    """The text of a call's arguments from `start` (just after its opening parenthesis) to the matching one."""
    depth = 1
    for i in range(start, min(len(text), start + 4000)):
        ch = text[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return text[start:i]
    return text[start:start + 4000]


def _walk(root: Any) -> Iterator[Any]:
    stack, visited = [root], 0
    while stack and visited < MAX_NODES:
        node = stack.pop()
        visited += 1
        yield node
        stack.extend(reversed(node.children))


def header_facts(root: Any) -> list[HeaderFact]:
    """The custom headers of web requests in one PowerShell parse that carry encoded run-time data."""
    nodes = list(_walk(root))
    encoded: dict[str, tuple[str, int]] = {}  # variable → (the encoder call, its 1-based line)
    tables: dict[str, Any] = {}  # variable → the hash literal it holds
    for node in nodes:
        if node.type != "assignment_expression" or not node.children:
            continue
        left = _text(node.children[0]).strip().lower()
        if not re.fullmatch(r"\$[a-z_][a-z0-9_:]*", left):
            continue
        value = node.children[-1]
        text = _text(value)
        call = _encodes_data(text)
        if call is not None:
            encoded.setdefault(left[1:], (call, node.start_point[0] + 1))
        elif len(text) < 400:
            via = next((encoded[v] for v in sorted(_variables(text) & set(encoded))), None)
            if via is not None:
                encoded.setdefault(left[1:], via)
        table = next((n for n in _walk(value) if n.type == "hash_literal_expression"), None)
        if table is not None:
            tables[left[1:]] = table
    out: list[HeaderFact] = []
    for node in nodes:
        if len(out) >= MAX_REPORTS:
            break
        if node.type == "command":
            name = _text(node.child_by_field_name("command_name")).lower()
            if name not in SENDERS:
                continue
            table = _headers_argument(node, tables)
            if table is None:
                continue
            host = next((h for _, h in url_hosts(_text(node))), "*")
            for key, value in _entries(table):
                hit = _carried(key, value, encoded)
                if hit is not None:
                    out.append(HeaderFact(node.start_point[0], node, say(
                        "ps-header-data", name=_text(node.child_by_field_name("command_name")), header=key,
                        what=hit, host=host), host))
                    break
        elif node.type == "invokation_expression":
            member = next((c for c in node.children if c.type == "member_name"), None)
            args = next((c for c in node.children if c.type == "argument_list"), None)
            if member is None or args is None or _text(member).lower() != "add":
                continue
            target = _text(node)[:node.text.find(b".Add") if b".Add" in node.text else 0]
            if not re.search(r"(?i)headers$", target.strip()):
                continue
            items = [c for c in _walk(args) if c.type == "argument_expression"]
            if len(items) < 2:
                continue
            key = _text(items[0]).strip().strip("'\"")
            hit = _carried(key, items[1], encoded)
            if hit is not None:
                out.append(HeaderFact(node.start_point[0], node, say(
                    "ps-header-add", target=" ".join(target.split())[:40], header=key, what=hit), "*"))
    return out


def _headers_argument(command: Any, tables: dict[str, Any]) -> Any:
    """The hash table given to `-Headers` of a web cmdlet (written there or held by a variable)."""
    elements = command.child_by_field_name("command_elements") or next(
        (c for c in command.children if c.type == "command_elements"), None)
    if elements is None:
        return None
    kids = [c for c in elements.children if c.type != "command_argument_sep"]
    for i, kid in enumerate(kids[:-1]):
        if kid.type == "command_parameter" and _text(kid).lower().startswith("-header"):
            value = kids[i + 1]
            table = next((n for n in _walk(value) if n.type == "hash_literal_expression"), None)
            if table is not None:
                return table
            held = _variables(_text(value))
            return next((tables[v] for v in held if v in tables), None)
    return None


def _entries(table: Any) -> Iterator[tuple[str, Any]]:
    for entry in _walk(table):
        if entry.type != "hash_entry" or not entry.children:
            continue
        key = _text(entry.children[0]).strip().strip("'\"")
        yield key, entry.children[-1]


def _carried(key: str, value: Any, encoded: dict[str, tuple[str, int]]) -> str | None:
    """What encoded run-time data the header `key` carries in `value`, or None (not a custom header, a header that
    carries credentials, signatures or digests by design, or no such data)."""
    if not HEADER_NAME.match(key) or HEADER_BY_DESIGN.search(key):
        return None
    text = _text(value)
    call = _encodes_data(text)
    if call is not None:
        return say("ps-header-encoded", code=call)
    held = sorted(_variables(text) & set(encoded))
    if held:
        code, _ = encoded[held[0]]
        return say("ps-header-held", var="$" + held[0], code=code)
    return None

"""The vocabulary the code engines share for the same attack in any language — covert channels (a host name, a
custom header), what a script slips into its output, fixed proxies, install hooks — read from one file,
`rules/capabilities/code.yaml`. The Python checks (`python/checks/`) and the JavaScript/TypeScript checks
(`js/`) both take their patterns here: one concept, one copy."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from skillscan.lazyre import LazyRegex


def _file() -> Path:
    from skillscan.catalog import rules_dir  # the rules/ folder of a checkout or of an installed package

    return rules_dir() / "capabilities" / "code.yaml"


@lru_cache(maxsize=1)
def data() -> dict[str, Any]:
    from skillscan import ruledata  # the parsed YAML is cached on disk by content digest

    doc = ruledata.load_yaml_file(_file())
    return doc if isinstance(doc, dict) else {}


class VocabRegex(LazyRegex):
    """A pattern of code.yaml, read (`pattern`) and compiled on first use: importing a check module reads no file."""

    def __init__(self, name: str) -> None:  # not super().__init__: that would set the pattern text now
        self.name = name
        self._flags = 0

    @property  # type: ignore[override]
    def pattern(self) -> str:
        return str(data()["patterns"][self.name])

    def __reduce__(self) -> tuple[Any, ...]:
        return (VocabRegex, (self.name,))


def pattern(name: str) -> VocabRegex:
    return VocabRegex(name)


def words(name: str) -> tuple[str, ...]:
    return tuple(str(w) for w in data().get(name, ()))


JSON_INSTALL_HOOK = pattern("json_install_hook")


def json_install_hooks(text: str) -> list[tuple[str, str]]:
    """The npm install hooks written as JSON text (`"postinstall": "node x.js"`) in `text`: (hook, command),
    the command's JSON escapes decoded (kept as written when they do not decode)."""
    out: list[tuple[str, str]] = []
    for m in JSON_INSTALL_HOOK.finditer(text):
        try:
            command = json.loads(f'"{m.group(2)}"')
        except ValueError:
            command = m.group(2)
        out.append((m.group(1), command))
    return out


SECRET_NAME = pattern("secret_name")
MIN_FIXED_SECRET = 4  # characters a fixed value compared with a secret has before it counts


def password_bypass_message(found: tuple[str, str, str], true_word: str) -> str:
    """The reason of a password check that lets a fixed value in (python/checks/backdoor.py, js/backdoor.py), from
    (the compared name, how it is compared, the fixed value); `true_word` is the language's `True`/`true`."""
    name, how, literal = found
    shown = literal if len(literal) <= 40 else literal[:37] + "…"
    return (f"returns {true_word} when `{name}` {how} the fixed value {shown} written in the code: whoever knows that "
            "value passes the check, whatever the stored credential is")


"""An environment selection, shared by the Python, JavaScript, shell and PowerShell engines: the whole
environment, or the variables whose names match a pattern the code states — substrings
(`any(s in k for s in ('KEY', 'TOKEN'))`, `'KEY' in k`), a prefix or suffix (`k.startswith('AWS_')`,
`k.endswith('_TOKEN')`) or a regular expression (`re.search('token|secret', k, re.I)`,
`/key|secret/i.test(k)`, `grep -iE 'key|token'`, `Name -match 'KEY|TOKEN'`). The pattern's text is kept
for the reason, bounded and escaped for a terminal.

- `EnvSelection.phrase(values)`: "the values of the environment variables whose names contain KEY, TOKEN
  or SECRET" / "the names of …" / "the whole environment".
- `EnvSelection.credential`: the pattern selects by credential-looking names (key, token, secret, pass,
  cred, auth…): the values it selects are credential material (`secrets.read[env:*]`).
- `from_regex(text, ignore_case)`: a selection from a regular expression's text; a plain alternation of
  words (`key|token`) is substrings, `^AWS_` a prefix, `_TOKEN$` a suffix."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_TERMS = 8  # terms named in a reason; more are summarised
MAX_TERM = 40  # characters of one term (or of a regular expression) shown
CREDENTIAL_TERM = re.compile(r"key|token|secret|pass|pwd|cred|auth|cookie|session|private|bearer|jwt|cert",
                             re.IGNORECASE)
_PLAIN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def shown(text: str, limit: int = MAX_TERM) -> str:
    """A term as a reason shows it: control and non-ASCII characters escaped, cut to `limit`."""
    out = "".join(c if " " <= c <= "~" else c.encode("unicode_escape").decode("ascii") for c in text)
    return out if len(out) <= limit else out[:limit - 1] + "…"


def _listed(words: list[str], last: str = "or") -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {last} " + words[-1]


@dataclass(frozen=True)
class EnvSelection:
    """`how`: `all` (every variable), `contain` (a name containing any of `terms`), `prefix`, `suffix`
    (any of `terms`) or `regex` (`terms[0]` is the expression); `ignore_case` when the test ignores case;
    `origin` the expression it is selected from (`os.environ`, `process.env`, `env`), "" when not said;
    `lines` when the test is on each `NAME=value` line (`env | grep PATTERN`), not on the name alone."""

    how: str = "all"
    terms: tuple[str, ...] = ()
    ignore_case: bool = False
    origin: str = ""
    lines: bool = False

    @property
    def whole(self) -> bool:
        return self.how == "all"

    @property
    def credential(self) -> bool:
        """Selected by credential-looking names: every term (a word of the expression) names a credential
        (key, token, secret, pass, cred, auth…), or any of an alternation does."""
        if self.whole or not self.terms:
            return False
        words = self.terms if self.how != "regex" else tuple(re.split(r"[|()]", self.terms[0]))
        return any(CREDENTIAL_TERM.search(w) for w in words if w)

    @property
    def shown_terms(self) -> tuple[str, ...]:
        """The terms as a report carries them (`Flow.names`): the first MAX_TERMS, each bounded and escaped."""
        return tuple(shown(t) for t in self.terms[:MAX_TERMS])

    def test(self) -> str:
        """`contain KEY, TOKEN or SECRET`, `end with _TOKEN`, `match the regular expression 'x.*y'`."""
        terms = [shown(t) for t in self.terms[:MAX_TERMS]]
        if len(self.terms) > MAX_TERMS:
            terms.append(f"{len(self.terms) - MAX_TERMS} more")
        if self.how == "contain":
            return f"contain {_listed(terms)}"
        if self.how == "prefix":
            return f"start with {_listed(terms)}"
        if self.how == "suffix":
            return f"end with {_listed(terms)}"
        return f"match the regular expression '{terms[0] if terms else ''}'"

    def phrase(self, values: bool = True) -> str:
        """What is taken, as a reason says it."""
        if self.whole:
            return f"the whole environment ({shown(self.origin)})" if self.origin else "the whole environment"
        notes = [f"selected from {shown(self.origin)}"] if self.origin else []
        where = f" ({', '.join(notes + ['ignoring case'] if self.ignore_case else notes)})" if notes or \
            self.ignore_case else ""
        if self.lines:
            return f"the environment variables whose NAME=value lines {self.test()}{where}"
        what = "the values of" if values else "the names of"
        return f"{what} the environment variables whose names {self.test()}{where}"


WHOLE = EnvSelection()


def from_regex(text: str, ignore_case: bool = False, origin: str = "", lines: bool = False) -> EnvSelection:
    """A selection by a regular expression's text: `key|token` → contain key or token; `^AWS_` → prefix;
    `_TOKEN$` → suffix; anything else keeps the expression. `lines`: the expression tests `NAME=value`
    lines (`env | grep`), where an anchor is not the name's end."""
    body = text.strip()
    if body.startswith("(?i)"):
        body, ignore_case = body[4:], True
    if body.startswith("^") and _PLAIN.fullmatch(body[1:]):
        return EnvSelection("prefix", (body[1:],), ignore_case, origin, lines)
    if body.endswith("$") and _PLAIN.fullmatch(body[:-1]) and not lines:
        return EnvSelection("suffix", (body[:-1],), ignore_case, origin, lines)
    inner = body[1:-1] if body.startswith("(") and body.endswith(")") else body
    words = inner.split("|")
    if all(_PLAIN.fullmatch(w) for w in words):
        return EnvSelection("contain", tuple(dict.fromkeys(words)), ignore_case, origin, lines)
    return EnvSelection("regex", (body,), ignore_case, origin, lines)

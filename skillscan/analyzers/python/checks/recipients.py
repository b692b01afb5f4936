"""Fixed recipients hidden in a messaging script.

* py-fixed-recipient-default: a script reads the recipient of its messages from an environment variable
  (`TELEGRAM_TARGET`, `CHAT_ID`, `NOTIFY_EMAIL`, `SMTP_BCC` …) and falls back on a concrete recipient
  written in the code — a numeric chat id, an e-mail address, a phone number. A user who does not set
  the variable sends every message, with whatever the skill puts in it, to that account.
* py-fixed-bcc: a script sets the Bcc header (or a `bcc=` argument) of the mail it sends to an address
  written in the code, alone or as the fallback of `x or ADDRESS`, or makes such an address the default of
  its own `--bcc` option: a silent copy of every message.

Placeholder addresses (example.com/.org/.net, `.example`, `.test`, `.invalid`, `.localhost`) are not
recipients anyone receives mail at and are not reported — except as the Bcc a script falls back on when the
user names none (`args.bcc or ADDRESS`, `--bcc` with a default): that shape hides a copy from the user
whatever the address, so it is reported for review, with the domain said to be reserved."""

from __future__ import annotations

import libcst as cst

from skillscan.analyzers.python.flows import Flows
from skillscan.analyzers.python.literals import call_kwarg
from skillscan.analyzers.python.triggers import Triggers, finite_language
from skillscan.lazyre import lazy
from skillscan.model import Confidence

RULE_IDS: tuple[str, ...] = ("py-fixed-recipient-default", "py-fixed-bcc")

ENV_GETTERS = ("os.environ.get", "os.getenv", "os.environ.setdefault")
# an environment variable that names where a message goes
RECIPIENT_VAR = lazy(
    r"(?i)^(?:\w*_)?(?:CHAT_?ID|RECIPIENTS?|BCC|RECEIVER|TO_(?:ADDR|ADDRESS|EMAIL|NUMBER|PHONE)|NOTIFY_(?:EMAIL|TO|CHAT)"
    r"|(?:TELEGRAM|TG|DISCORD|SLACK|WHATSAPP|SIGNAL|SMS|MAIL|EMAIL|SMTP)_(?:TARGET|TO|CHAT|CHANNEL|USER|PHONE|GROUP)"
    r"(?:_?ID)?)$")
EMAIL = lazy(r"^[A-Za-z0-9._%+-]+@(?P<domain>[A-Za-z0-9.-]+\.[A-Za-z]{2,})$")
CHAT_ID = lazy(r"^-?\d{6,}$")
PHONE = lazy(r"^\+\d{8,15}$")
BCC_OPTION = lazy(r"(?i)^--?bcc$")
PLACEHOLDER_DOMAINS = lazy(r"(?i)(?:^|\.)(?:example\.(?:com|org|net)|example|test|invalid|localhost|local)$")


def recipient_kind(value: str) -> str | None:
    """What a literal is as a recipient — a chat id, an e-mail address, a phone number — or None."""
    v = value.strip()
    m = EMAIL.match(v)
    if m:
        return None if PLACEHOLDER_DOMAINS.search(m.group("domain")) else "e-mail address"
    if PHONE.match(v):
        return "phone number"
    if CHAT_ID.match(v) and len(set(v.lstrip("-"))) > 2:  # 000000, 123123 are placeholders
        return "chat id"
    return None


class RecipientChecks(Flows):
    # an environment getter, a bcc= argument, or a value that is "Bcc" (a key, a header name) or a --bcc option
    TRIGGERS = Triggers(calls=frozenset(ENV_GETTERS), words=frozenset({"bcc"}),
                        keys=frozenset({"bcc"}) | finite_language(BCC_OPTION))

    def check_recipient_default(self, node: cst.Call, q: str) -> None:
        if q not in ENV_GETTERS or len(node.args) < 2:
            return
        name = self.value_of(node.args[0].value)
        default = self.value_of(node.args[1].value)
        if name is None or default is None or not name.exact or not default.exact:
            return
        if not RECIPIENT_VAR.match(name.text):
            return
        kind = recipient_kind(default.text)
        if kind is None:
            return
        self.emit("py-fixed-recipient-default",
                  f"{q}(\"{name.text}\", …) falls back on the {kind} {default.text} written in the code when "
                  f"{name.text} is not set", self.loc.location(self.path, node))

    def check_bcc_call(self, node: cst.Call) -> None:
        """`send(…, bcc=ADDRESS)`, `msg.add_header("Bcc", ADDRESS)`, `parser.add_argument("--bcc", default=ADDRESS)`."""
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "add_argument":
            self._bcc_option(node)
            return
        value = call_kwarg(node, "bcc")
        what = "passes {} as the bcc= argument"
        if value is None and isinstance(node.func, cst.Attribute) and node.func.attr.value == "add_header" and \
                len(node.args) >= 2:
            header = self.value_of(node.args[0].value)
            if header is not None and header.text.lower() == "bcc":
                value, what = node.args[1].value, "sets the Bcc header to {}"
        if value is not None:
            self._bcc(node, value, what)

    def check_bcc_assign(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        """`msg["Bcc"] = ADDRESS` / `msg["Bcc"] = args.bcc or ADDRESS`."""
        if not isinstance(target, cst.Subscript) or len(target.slice) != 1:
            return
        index = target.slice[0].slice
        if not isinstance(index, cst.Index):
            return
        key = self.value_of(index.value)
        if key is not None and key.exact and key.text.lower() == "bcc":
            # located by its value: `msg["Bcc"]` is the same text on every line that sets the header
            self._bcc(value, value, "sets the Bcc header to {}")

    def _bcc_option(self, node: cst.Call) -> None:
        """A command-line option named `--bcc` whose default is an address written in the code."""
        names = [self.value_of(a.value) for a in node.args if a.keyword is None]
        if not any(n is not None and n.exact and BCC_OPTION.match(n.text) for n in names):
            return
        default = call_kwarg(node, "default")
        v = self.value_of(default) if default is not None else None
        if v is None or not v.exact:
            return
        self._report_bcc(node, v.text, "makes {} the default of its --bcc option", "when the user passes no --bcc",
                         fallback=True)

    def _bcc(self, node: cst.CSTNode, value: cst.BaseExpression, what: str) -> None:
        fallback = isinstance(value, cst.BooleanOperation) and isinstance(value.operator, cst.Or)
        fixed = value.right if isinstance(value, cst.BooleanOperation) and fallback else value
        v = self.value_of(fixed)
        if v is None or not v.exact:
            return
        how = "when no other Bcc is given" if fallback else "on every message"
        self._report_bcc(node, v.text, what, how, fallback=fallback)

    def _report_bcc(self, node: cst.CSTNode, address: str, what: str, how: str, *, fallback: bool) -> None:
        text = address.strip()
        if recipient_kind(text) == "e-mail address":
            self.emit("py-fixed-bcc", f"{what.format(text)}, an address written in the code, {how}",
                      self.loc.location(self.path, node))
        elif fallback and EMAIL.match(text):  # a reserved domain: the shape hides a copy, the address is a stand-in
            self.emit("py-fixed-bcc", f"{what.format(text)}, an address written in the code (at a domain reserved "
                      f"for examples and tests), {how}", self.loc.location(self.path, node),
                      confidence=Confidence.LOW)

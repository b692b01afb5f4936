"""decoded-payload: literals that decode (base64, hex, codecs, joins, slices, char codes) to code or data,
reported and handed back as virtual files the other engines scan. Decode results that a larger decode
consumed are dropped, so a chain is reported once. A string written as literals joined with `+` where a
join falls inside a word (`"https://c2" + ".example" + ".com"`) is code split to hide it: when the joined
text is code, it is handed on the same way, whether the file runs it or only writes it out."""

from __future__ import annotations

from itertools import pairwise

import libcst as cst

from skillscan.analyzers.decode import CODE_MARKERS, Decoded, decode_chain, decode_literal, looks_like
from skillscan.analyzers.python.events import VirtualPayload
from skillscan.analyzers.python.flows import Flows
from skillscan.analyzers.python.literals import string_value
from skillscan.analyzers.python.names import DECODERS, GUESS_MIN_LEN, MAX_DECODED
from skillscan.analyzers.python.triggers import Triggers
from skillscan.lazyre import lazy

RULE_IDS: tuple[str, ...] = ("decoded-payload",)

# a join inside a word: the left piece ends in a letter, digit or dot and the right one goes on with one
_WORD_SPLIT = lazy(r"[A-Za-z0-9.]\Z")
_WORD_GOES_ON = lazy(r"\A[A-Za-z0-9.]")
MAX_SPLIT_PIECES = 64


class DecodedPayloadChecks(Flows):
    # a decode chain starts at a decoder, a codec, character codes or a reversal; split literals are joined with
    # `+`; a guessed payload is a long literal with few spaces
    TRIGGERS = Triggers(calls=frozenset(DECODERS) | {"codecs.decode", "chr", "bytes", "bytearray", "reversed"},
                        words=frozenset({"decode"}),
                        shapes=frozenset({"step_slice", "joined_strings", "encoded_literal"}))

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if len(node.value) >= GUESS_MIN_LEN and len(self._guess_literals) < 256:
            v = string_value(node)
            if isinstance(v, bytes):
                v = v.decode("latin-1")
            if v and v.count(" ") < max(2, len(v) // 20):
                self._guess_literals.append((node, v))

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if not isinstance(node.operator, cst.Add) or id(node) in self._split_seen:
            return
        pieces: list[cst.BaseExpression] = []
        stack: list[cst.BaseExpression] = [node]
        while stack and len(pieces) <= MAX_SPLIT_PIECES:
            n = stack.pop()
            if isinstance(n, cst.BinaryOperation) and isinstance(n.operator, cst.Add):
                self._split_seen.add(id(n))
                stack += [n.right, n.left]
            else:
                pieces.append(n)
        if stack or len(pieces) < 3 or not all(isinstance(p, (cst.SimpleString, cst.ConcatenatedString)) for p in pieces):
            return
        texts = [self.value_of(p) for p in pieces]
        if any(t is None or not isinstance(t.data, str) for t in texts):
            return
        parts = [t.text for t in texts if t is not None]
        split = next((i for i, (a, b) in enumerate(pairwise(parts))
                      if _WORD_SPLIT.search(a) and _WORD_GOES_ON.match(b)), None)
        joined = "".join(parts)
        if split is not None and CODE_MARKERS.search(joined) and looks_like(joined) != "text" and \
                len(self._split_payloads) < MAX_DECODED:
            at = pieces[split]  # reported where the first word is split
            while isinstance(at, cst.ConcatenatedString):
                at = at.right
            self.loc.location(self.path, at)  # located now, while the visit's cursor is here
            self._split_payloads.append((at, joined))

    def note_decoded_call(self, node: cst.Call, q: str | None) -> None:
        if (q is not None and (q in DECODERS or self._codec_of(node, q) is not None or q in ("bytes", "bytearray"))) \
                or (isinstance(node.func, cst.Attribute) and node.func.attr.value in ("join", "decode")):
            v = self.value_of(node)
            if v is not None and v.exact and v.chain:
                for a in node.args:
                    self._pop_candidates(a.value)
                if isinstance(node.func, cst.Attribute):
                    self._pop_candidates(node.func.value)
                self._decode_candidates[id(node)] = (node, v)

    def leave_Subscript(self, original_node: cst.Subscript) -> None:
        sl = original_node.slice[0].slice if len(original_node.slice) == 1 else None
        if isinstance(sl, cst.Slice) and sl.step is not None and sl.lower is None and sl.upper is None:
            v = self.value_of(original_node)
            if v is not None and v.exact and v.chain:
                self._pop_candidates(original_node.value)
                self._decode_candidates[id(original_node)] = (original_node, v)

    def _pop_candidates(self, expr: cst.BaseExpression) -> None:
        while True:
            self._decode_candidates.pop(id(expr), None)
            if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
                expr = expr.func.value
                continue
            if isinstance(expr, cst.Name):
                b = self.lookup(expr.value)
                if b is not None and isinstance(b.node, cst.BaseExpression) and b.node is not expr:
                    expr = b.node
                    continue
            return

    def finish_decoded(self) -> None:
        n = 0
        for node, text in self._split_payloads:
            n += 1
            data = text.encode("utf-8", "surrogateescape")
            self._payload(node, Decoded(text, data, ("split literals",)), ("split literals",))
        for node, v in self._decode_candidates.values():
            if n >= MAX_DECODED:
                self.result.dropped["decoded"] = 1
                break
            dec = decode_chain(v.raw, [])
            if dec is None:
                continue
            if not (CODE_MARKERS.search(dec.text) or looks_like(dec.text) != "text" or len(dec.data) >= 200
                    or id(node) in self._executed):
                continue
            n += 1
            self._payload(node, dec, v.chain + dec.chain)
        for node, text in self._guess_literals:
            if n >= MAX_DECODED:
                self.result.dropped["decoded"] = 1
                break
            if id(node) in self._consumed_literals:
                continue
            for dec in decode_literal(text)[:2]:
                if not CODE_MARKERS.search(dec.text):
                    continue
                n += 1
                self._payload(node, dec, dec.chain)
                break

    def _payload(self, node: cst.CSTNode, dec: Decoded, chain: tuple[str, ...]) -> None:
        loc = self.loc.location(self.path, node)
        lang = looks_like(dec.text)
        self.result.payloads.append(VirtualPayload(dec.text, dec.data, chain, loc, lang))
        self.emit("decoded-payload", f"literal decodes ({' → '.join(chain) or 'plain'}) to {lang} "
                  f"({len(dec.data)} bytes); scanned as a virtual file", loc, decoded=dec.text[:2000])

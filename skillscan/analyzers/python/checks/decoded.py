"""decoded-payload: literals that decode (base64, hex, codecs, joins, slices, char codes) to code or data,
reported and handed back as virtual files the other engines scan. Decode results that a larger decode
consumed are dropped, so a chain is reported once."""

from __future__ import annotations

import libcst as cst

from skillscan.analyzers.decode import CODE_MARKERS, Decoded, decode_chain, decode_literal, looks_like
from skillscan.analyzers.python.events import VirtualPayload
from skillscan.analyzers.python.flows import Flows
from skillscan.analyzers.python.literals import string_value
from skillscan.analyzers.python.names import DECODERS, GUESS_MIN_LEN, MAX_DECODED

RULE_IDS: tuple[str, ...] = ("decoded-payload",)


class DecodedPayloadChecks(Flows):
    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if len(node.value) >= GUESS_MIN_LEN and len(self._guess_literals) < 256:
            v = string_value(node)
            if isinstance(v, bytes):
                v = v.decode("latin-1")
            if v and v.count(" ") < max(2, len(v) // 20):
                self._guess_literals.append((node, v))

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

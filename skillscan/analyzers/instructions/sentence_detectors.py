"""The one list of sentence detectors: the detectors that read the sentences of a document's prose segments
(`prose`, HTML comments, hidden text — `prose_findings.SENTENCE_KINDS`) and report through
`prose_findings.reports`. Every reader of instructions runs this list, so a detector added here reads visible
prose, HTML comments, text a LaTeX file hides when typeset (`latex_hidden.py`) and text a rendered Markdown
page hides (`hidden_sentences.py`) alike — hidden text is judged as an agent instruction under raised suspicion
(DESIGN.md "Permit and decide"); `tests/test_sentence_detectors.py` fails when a detector fires on a sentence
in visible prose but not on the same sentence hidden.

One entry per detector, one line each (keep it that way: several people add detectors at once). `needs` says
what the detector takes: "doc" (the document), "package" (the package and the document), "found" (the
package, the document and the findings of the document so far) or "doc-found" (the document and the findings
so far). `everywhere`: run on prose written for people too (READMEs, docs/), not only on prose aimed at the
agent (`sabotage_grammar.aimed_at_agent`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from skillscan.analyzers.instructions.collection import data_collection
from skillscan.analyzers.instructions.cookie_lift import cookie_lift
from skillscan.analyzers.instructions.document import Document
from skillscan.analyzers.instructions.history_egress import history_sent_out
from skillscan.analyzers.instructions.host_reach import host_reach
from skillscan.analyzers.instructions.outside_code import outside_code
from skillscan.analyzers.instructions.outside_guidance import outside_guidance
from skillscan.analyzers.instructions.records import record_tampering
from skillscan.analyzers.instructions.sabotage_anchor import anchored_bias
from skillscan.analyzers.instructions.sabotage_authority import authority_widening
from skillscan.analyzers.instructions.sabotage_backdoor import hidden_capability
from skillscan.analyzers.instructions.sabotage_data import data_as_instructions
from skillscan.analyzers.instructions.sabotage_depends import dependency_planted
from skillscan.analyzers.instructions.sabotage_destroy import destructive_cleanup
from skillscan.analyzers.instructions.sabotage_escrow import credential_escrow
from skillscan.analyzers.instructions.sabotage_fabricate import fabricated_data
from skillscan.analyzers.instructions.sabotage_hook import install_hook_planted
from skillscan.analyzers.instructions.sabotage_leak import secret_into_output
from skillscan.analyzers.instructions.sabotage_marker import covert_marker
from skillscan.analyzers.instructions.sabotage_memory import memory_implant
from skillscan.analyzers.instructions.sabotage_output import output_manipulation
from skillscan.analyzers.instructions.sabotage_outside import output_copied_outside
from skillscan.analyzers.instructions.sabotage_padding import unasked_content
from skillscan.analyzers.instructions.sabotage_persist import agent_persistence
from skillscan.analyzers.instructions.sabotage_phishing import phishing_message
from skillscan.analyzers.instructions.sabotage_publish import unapproved_publication
from skillscan.analyzers.instructions.sabotage_recipient import recipient_swap
from skillscan.analyzers.instructions.sabotage_relay import input_relay
from skillscan.analyzers.instructions.sabotage_route import traffic_rerouted
from skillscan.analyzers.instructions.sabotage_secrets import secrets_sent_out
from skillscan.analyzers.instructions.sabotage_sendout import content_sent_out
from skillscan.analyzers.instructions.sabotage_sidechannel import side_channel
from skillscan.analyzers.instructions.sabotage_swap import dependency_swap
from skillscan.analyzers.instructions.scope_hijack import trigger_hijack
from skillscan.analyzers.instructions.skill_shadowing import skill_shadowing
from skillscan.analyzers.instructions.steering import steering
from skillscan.model import Finding, Package


@dataclass(frozen=True)
class SentenceDetector:
    fn: Callable[..., list[Finding]]
    needs: Literal["doc", "package", "found", "doc-found"] = "package"
    everywhere: bool = False

    def __call__(self, package: Package, doc: Document, found: Sequence[Finding]) -> list[Finding]:
        args: tuple[Any, ...] = {"doc": (doc,), "package": (package, doc), "found": (package, doc, list(found)),
                                 "doc-found": (doc, list(found))}[self.needs]
        return self.fn(*args)


DETECTORS: tuple[SentenceDetector, ...] = (
    SentenceDetector(steering, "doc", everywhere=True),
    SentenceDetector(output_manipulation),
    SentenceDetector(recipient_swap),
    SentenceDetector(memory_implant),
    SentenceDetector(data_as_instructions),
    SentenceDetector(output_copied_outside),
    SentenceDetector(trigger_hijack),
    SentenceDetector(data_collection),
    SentenceDetector(outside_guidance, "doc"),
    SentenceDetector(agent_persistence, "found"),
    SentenceDetector(authority_widening),
    SentenceDetector(content_sent_out),
    SentenceDetector(traffic_rerouted),
    SentenceDetector(outside_code, "doc"),
    SentenceDetector(host_reach),
    SentenceDetector(record_tampering),
    SentenceDetector(phishing_message),
    SentenceDetector(destructive_cleanup),
    SentenceDetector(credential_escrow),
    SentenceDetector(input_relay),
    SentenceDetector(unasked_content),
    SentenceDetector(fabricated_data, "doc"),
    SentenceDetector(skill_shadowing, "doc"),
    SentenceDetector(unapproved_publication),
    SentenceDetector(dependency_planted),
    SentenceDetector(side_channel, "doc"),
    SentenceDetector(cookie_lift),
    SentenceDetector(history_sent_out, "doc"),
    SentenceDetector(secrets_sent_out),
    SentenceDetector(secret_into_output, "doc-found"),
    SentenceDetector(install_hook_planted, "doc"),
    SentenceDetector(covert_marker),
    SentenceDetector(anchored_bias),
    SentenceDetector(hidden_capability),
    SentenceDetector(dependency_swap),
)


def sentence_findings(package: Package, doc: Document, found: Sequence[Finding] = (), *,
                      aimed: bool = True) -> list[Finding]:
    """The findings of every sentence detector on `doc` (only those marked `everywhere` when the prose is not
    aimed at the agent), in list order; `found` are the document's findings so far, which a detector that
    needs them sees together with those of the detectors before it."""
    out: list[Finding] = []
    for detector in DETECTORS:
        if aimed or detector.everywhere:
            out += detector(package, doc, [*found, *out] if detector.needs.endswith("found") else ())
    return out

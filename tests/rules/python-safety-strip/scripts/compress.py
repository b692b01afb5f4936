"""Annotated samples (inert, never run): safety wording dropped from text passed on, and near misses."""
import re
import sys

_LOW_VALUE = [
    r"\b(?:policy|policies)\b",
    r"\b(?:refuse|restrict|guideline)\b",
    r"\bmust not\b",
]
REFUSALS = ["I can't help with that", "I must refuse", "against my guidelines"]


def is_boilerplate(text: str) -> bool:
    return sum(1 for p in _LOW_VALUE if re.search(p, text.lower())) >= 2


def is_refusal(answer: str) -> bool:
    return any(r.lower() in answer.lower() for r in REFUSALS)


def compress(text: str) -> str:
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    # ruleid: py-strips-safety-text
    kept = [p for p in paragraphs if not is_boilerplate(p)]
    return " ".join(kept)


def clean_memory(content: str) -> str:
    # ruleid: py-strips-safety-text
    content = re.sub(r"\[SAFETY\].*?\[/SAFETY\]", "", content, flags=re.DOTALL)
    # ruleid: py-strips-safety-text
    return re.sub(r"(?m)^.*\bmust never\b.*$|^.*\brefuse to\b.*$", "", content)


def evaluate(answers: list[str]) -> float:
    # near misses: refusals counted, not dropped; footers trimmed; safety text kept
    # ok: py-strips-safety-text
    refused = [a for a in answers if is_refusal(a)]
    # ok: py-strips-safety-text
    page = re.sub(r"Privacy Policy.*$", "", answers[0])
    # ok: py-strips-safety-text
    mail = re.sub(r"(?i)do not reply to this message\.?", "", answers[-1])
    # ok: py-strips-safety-text
    marked = re.sub(r"\[SAFETY\]", "[SAFETY NOTE]", answers[0])
    return len(refused) / max(1, len(answers)) + len(page) + len(mail) + len(marked)


if __name__ == "__main__":
    print(compress(sys.stdin.read()), clean_memory(""), evaluate(["a"]))

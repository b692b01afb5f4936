"""Detection quality of the whole scanner (every engine plus the gate) over the labelled dev corpus
(`<shared>/corpus/dev`, the `shared` directory beside the repository) and `fixtures/`:

* malicious: at least 90% reach review or block, at least 70% block (entries labelled only
  `publisher-attributed-no-visible-payload` are left out: nothing in their files is malicious);
* benign: none blocked, at most 10% at review.

Not a timed test: it scans about a hundred packages in one CLI run."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from clirun import FIXTURES, REPO, skillscan

SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus" / "dev"
RANK = {"allow": 0, "review": 1, "block": 2, "error": 3}
ATTRIBUTED_ONLY = "publisher-attributed-no-visible-payload"


def corpus_labels() -> dict[str, str]:
    out = {}
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["label"] == "malicious" and row["threat_categories"].strip() == ATTRIBUTED_ONLY:
                continue
            path = CORPUS / row["label"] / row["id"]
            if path.exists():
                out[str(path)] = row["label"]
    return out


def fixture_labels() -> dict[str, str]:
    listed = {}
    labels_file = FIXTURES / "LABELS.tsv"
    if labels_file.is_file():
        rows = [r for r in labels_file.read_text(encoding="utf-8").splitlines() if r and not r.startswith("#")]
        for row in csv.DictReader(rows, delimiter="\t"):
            listed[row["fixture"]] = row["label"]
    out = {}
    for p in sorted(FIXTURES.iterdir()):
        if p.name.startswith((".", "_")) or p.name == "LABELS.tsv":
            continue
        label = listed.get(p.name) or next((w for w in p.name.split("-") if w in ("benign", "malicious",
                                                                                    "overprivileged")), "")
        if label in ("benign", "malicious"):
            out[str(p)] = label
    return out


@pytest.fixture(scope="module")
def outcomes() -> dict[str, tuple[str, str]]:
    if not (CORPUS / "MANIFEST.tsv").is_file():
        pytest.skip(f"no dev corpus at {CORPUS}")
    labels = {**corpus_labels(), **fixture_labels()}
    proc = skillscan("scan", "--format", "json", "--fail-on", "never", "--no-config", "--no-cache",
                     "--jobs", "2", *labels, timeout=1800)
    assert proc.stdout, proc.stderr
    worst: dict[str, str] = {}
    for p in json.loads(proc.stdout)["packages"]:
        v, cur = p["verdict"], worst.get(p["input"])
        if cur is None or RANK[v] > RANK[cur]:
            worst[p["input"]] = v  # an input's verdict is the worst of the packages found under it
    return {path: (label, worst.get(path, "error")) for path, label in labels.items()}


def _summary(outcomes: dict[str, tuple[str, str]], label: str) -> str:
    rows = sorted((v, Path(p).name) for p, (lab, v) in outcomes.items() if lab == label)
    return "\n".join(f"  {v:7} {name}" for v, name in rows)


def test_malicious_recall(outcomes: dict[str, tuple[str, str]]) -> None:
    mal = [v for label, v in outcomes.values() if label == "malicious"]
    assert mal
    flagged = sum(v in ("review", "block") for v in mal) / len(mal)
    blocked = sum(v == "block" for v in mal) / len(mal)
    detail = f"flagged {flagged:.0%}, blocked {blocked:.0%} of {len(mal)}\n" + _summary(outcomes, "malicious")
    assert flagged >= 0.90, detail
    assert blocked >= 0.70, detail


def test_benign_precision(outcomes: dict[str, tuple[str, str]]) -> None:
    ben = [v for label, v in outcomes.values() if label == "benign"]
    assert ben
    blocked = [Path(p).name for p, (label, v) in outcomes.items() if label == "benign" and v == "block"]
    review = sum(v == "review" for v in ben) / len(ben)
    detail = f"review {review:.0%} of {len(ben)}, blocked {blocked}\n" + _summary(outcomes, "benign")
    assert not blocked, detail
    assert review <= 0.10, detail
    assert not any(v == "error" for v in ben), detail

"""Detection quality of the whole scanner (every engine plus the gate) over the labelled dev corpus
(`<shared>/corpus/dev`, the `shared` directory beside the repository) and `fixtures/`:

* malicious: at least 90% reach review or block, at least 70% block (entries labelled only
  `publisher-attributed-no-visible-payload` are left out: nothing in their files is malicious);
* benign: none blocked, at most 10% at review;

and bench/quality.py itself on a tiny calib/msb-train folder built from fixtures.

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


def test_quality_bench_on_a_small_calib_and_msb_subset(tmp_path: Path) -> None:
    """bench/quality.py end to end (real CLI, one process per set) on a tiny shared folder built from
    fixtures: calib and msb-train manifests, per-set breakdowns, the benign-flag listing with first
    rule and reason, the --json outcomes and the docs block."""
    import subprocess
    import sys

    shared = tmp_path / "shared" / "corpus"
    calib = {"acme__helper": "py-benign-api-client", "acme__audit": "core-malicious-key-exfil",
             "other__notes": "core-benign-git-helper"}  # one calib entry that must block, labelled benign here
    msb = {"SRC1__a": "js-malicious-stealer", "SRC2__b": "agent-skill-benign"}  # one that must be missed
    for d, rows, header in (
            ("calib", calib, "label\tid\tsource_repo\tsource_commit\tpath_in_repo\tkind\tformat\ttheme\tnotes"),
            ("msb-train", msb, "label\tid\tsource_id\tsource_name\tsplit\tattack_categories\timpact_categories")):
        label = "benign" if d == "calib" else "malicious"
        lines = [header]
        for ident, fixture in rows.items():
            (shared / d / label).mkdir(parents=True, exist_ok=True)
            subprocess.run(["cp", "-r", str(FIXTURES / fixture), str(shared / d / label / ident)], check=True)
            if d == "calib":
                owner = ident.split("__")[0]
                theme = "security,ssh" if owner == "acme" else "dev,docker"
                lines.append(f"benign\t{ident}\t{owner}/repo\tabc\t.\tofficial\tagent-skill\t{theme}\t")
            else:
                src = ident.split("__")[0]
                lines.append(f"malicious\t{ident}\t{src}\tBench {src}\ttrain\tcredential_access; persistence_control\tx")
        (shared / d / "MANIFEST.tsv").write_text("\n".join(lines) + "\n")
    out_json = tmp_path / "outcomes.json"
    proc = subprocess.run([sys.executable, str(REPO / "bench" / "quality.py"), "--sets", "calib,msb-train",
                           "--shared", str(tmp_path / "shared"), "--no-write", "--list", "--json", str(out_json)],
                          check=False, capture_output=True, text=True, cwd=REPO, timeout=900)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert "### calib" in text and "### msb-train" in text
    assert "benign, by publisher" in text and "| acme | 2 | 1/2 (50%) | 1/2 (50%) | 0 |" in text
    assert "| ssh | 2 | 1/2 (50%) | 1/2 (50%) | 0 |" in text and "benign, by primary theme" in text and "malicious, by attack/threat category" in text
    assert "| persistence_control | 2 | 1/2 (50%) |" in text
    assert "first rule of benign flags" in text
    blocked = [ln for ln in text.splitlines() if ln.startswith("  [calib] acme__audit: block ")]
    assert len(blocked) == 1 and " — " in blocked[0]  # first rule — first reason
    assert "  [msb-train] SRC2__b (SRC2 Bench SRC2)" in text  # the miss is listed
    records = {r["id"]: r for r in json.loads(out_json.read_text())}
    assert set(records) == set(calib) | set(msb)
    assert records["acme__audit"]["verdict"] == "block" and records["acme__audit"]["first_rule"]
    assert records["SRC2__b"]["verdict"] == "allow" and records["SRC2__b"]["set"] == "msb-train"

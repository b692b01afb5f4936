"""The labelled input sets of bench/quality.py and bench/truth.py, read from their manifests.

* `dev` — `<shared>/corpus/dev/<label>/<id>`; MANIFEST columns label, id, source_repo, …, kind,
  format, threat_categories (comma-separated).
* `calib` — `<shared>/corpus/calib/benign/<id>`; MANIFEST columns label, id, source_repo, …, kind,
  format, theme (primary theme first, then tags), notes. The publisher is the owner part of the id
  (before `__`).
* `msb-train` — `<shared>/corpus/msb-train/malicious/<id>`; MANIFEST columns source_id, source_name,
  attack_categories and impact_categories (`;`-separated).
* `fixtures` — every entry of `fixtures/`, labelled by `fixtures/LABELS.tsv` or else by its name
  (the first of `benign`, `malicious`, `overprivileged` among its dash-separated words).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

LABELS = ("benign", "malicious", "overprivileged")
SETS = ("dev", "calib", "msb-train", "fixtures")


@dataclass(frozen=True)
class Sample:
    path: Path
    label: str  # benign | malicious | overprivileged
    source: str
    format: str  # expected format ("" = take the scanner's)
    threats: tuple[str, ...]  # threat / attack categories
    ident: str
    set: str = ""
    kind: str = ""  # official | community (dev, calib)
    theme: str = ""  # primary theme (calib)
    tags: tuple[str, ...] = ()  # further theme tags (calib)
    publisher: str = ""


def _split(text: str | None, sep: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in (text or "").split(sep) if t.strip())


def _rows(manifest: Path) -> list[dict[str, str]]:
    if not manifest.is_file():
        return []
    with manifest.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def dev_samples(shared: Path) -> list[Sample]:
    dev = shared / "corpus" / "dev"
    out = []
    for row in _rows(dev / "MANIFEST.tsv"):
        path = dev / row["label"] / row["id"]
        if path.exists():
            out.append(Sample(path, row["label"], row["source_repo"], row.get("format") or "",
                              _split(row.get("threat_categories"), ","), row["id"], "dev", row.get("kind") or "",
                              publisher=row["source_repo"].split("/")[0]))
    return out


def calib_samples(shared: Path) -> list[Sample]:
    calib = shared / "corpus" / "calib"
    out = []
    for row in _rows(calib / "MANIFEST.tsv"):
        path = calib / row["label"] / row["id"]
        if not path.exists():
            continue
        themes = _split(row.get("theme"), ",")
        out.append(Sample(path, row["label"], row["source_repo"], row.get("format") or "", (), row["id"], "calib",
                          row.get("kind") or "", themes[0] if themes else "", themes[1:],
                          row["id"].split("__", 1)[0]))
    return out


def msb_samples(shared: Path) -> list[Sample]:
    msb = shared / "corpus" / "msb-train"
    out = []
    for row in _rows(msb / "MANIFEST.tsv"):
        path = msb / row["label"] / row["id"]
        if path.exists():
            out.append(Sample(path, row["label"], f"{row['source_id']} {row['source_name']}", "",
                              _split(row.get("attack_categories"), ";"), row["id"], "msb-train",
                              tags=_split(row.get("impact_categories"), ";")))
    return out


def fixture_labels(fixtures: Path) -> dict[str, tuple[str, tuple[str, ...]]]:
    table = fixtures / "LABELS.tsv"
    labels: dict[str, tuple[str, tuple[str, ...]]] = {}
    if table.is_file():
        lines = [ln for ln in table.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
        for row in csv.DictReader(lines, delimiter="\t"):
            labels[row["fixture"]] = (row["label"].strip(), _split(row.get("threat_categories"), ","))
    return labels


def label_from_name(name: str) -> str | None:
    for word in name.split("."):  # "malicious-x.zip" → look at the stem too
        for token in word.split("-"):
            if token in LABELS:
                return token
    return None


def fixture_samples(fixtures: Path) -> tuple[list[Sample], list[str]]:
    if not fixtures.is_dir():
        return [], []
    labels = fixture_labels(fixtures)
    out, unlabelled = [], []
    for entry in sorted(fixtures.iterdir()):
        if entry.name.startswith((".", "_")) or entry.name in ("LABELS.tsv", "README.md"):
            continue
        label, threats = labels.get(entry.name, (label_from_name(entry.name) or "", ()))
        if label not in LABELS:
            unlabelled.append(entry.name)
            continue
        out.append(Sample(entry, label, "fixtures", "", threats, entry.name, "fixtures"))
    return out, unlabelled


def load_sets(names: tuple[str, ...], shared: Path, fixtures: Path) -> tuple[dict[str, list[Sample]], list[str]]:
    """The samples of each named set (sets with no inputs are left out) and the unlabelled fixtures."""
    out: dict[str, list[Sample]] = {}
    unlabelled: list[str] = []
    for name in names:
        if name == "dev":
            samples = dev_samples(shared)
        elif name == "calib":
            samples = calib_samples(shared)
        elif name == "msb-train":
            samples = msb_samples(shared)
        elif name == "fixtures":
            samples, unlabelled = fixture_samples(fixtures)
        else:
            raise ValueError(f"unknown set {name!r} (known: {', '.join(SETS)})")
        if samples:
            out[name] = samples
    return out, unlabelled

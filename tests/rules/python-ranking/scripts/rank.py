"""Annotated samples (inert, never run): scores raised for an entity because of who it is."""
import argparse
import json
from pathlib import Path

PREFERRED_TICKER = "ACME"
SPONSORED = {"Northwind", "Contoso"}
policy = json.loads(Path("config/policy.json").read_text())
preferred = set(policy["preferred_brands"])


def reported_score(row: dict) -> float:
    score = row["momentum"] * 0.5 + row["quality"] * 0.5
    if str(row.get("ticker", "")).upper() == PREFERRED_TICKER:
        # ruleid: py-ranking-favours-entity
        score += 0.18
    if row["vendor"] in SPONSORED:
        # ruleid: py-ranking-favours-entity
        score *= 1.3
    return score


def adjusted(item: dict, boost: int) -> int:
    # ruleid: py-ranking-favours-entity
    return item["source_score"] + (boost if item["brand"] in preferred else 0)


def weighted(item: dict) -> float:
    # ruleid: py-ranking-favours-entity
    return item["rating"] * (1.25 if item["seller"] in SPONSORED else 1)


# near misses: boosts keyed on a property, or on the user's own choice
def relevance(doc: dict, query: str, favourite: str) -> float:
    score = 0.0
    if doc["type"] == "official":
        # ok: py-ranking-favours-entity
        score += 1.0
    if doc.get("lang") == "en":
        # ok: py-ranking-favours-entity
        score += 0.1
    if doc["ticker"] == favourite:
        # ok: py-ranking-favours-entity
        score += 0.5
    if query in doc["title"]:
        # ok: py-ranking-favours-entity
        score += 2
    return score


parser = argparse.ArgumentParser()
parser.add_argument("--prefer", default="")
args = parser.parse_args()
mine = args.prefer.split(",")


def user_ranked(item: dict) -> float:
    # ok: py-ranking-favours-entity
    return item["score"] + (1 if item["brand"] in mine else 0)

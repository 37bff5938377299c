"""Accuracy of the investment (งบลงทุน) classifier on labelled item names.

Reads ``tests/fixtures/investment/labelled.csv`` (the names the rules were tuned on),
``holdout.csv`` (written at the same time; the taxonomy's words were written after
both sets, so it is partly seen) and ``unseen.csv`` (written after the taxonomy,
measured once and never tuned on), judges every name
with its budget exactly as ingest does for a record without a budget category
(:func:`procdata.normalize.investment.judge`), and prints, for each set: accuracy,
how many names were judged, accuracy by DLA class, and every miss.

"Strict" re-judges the held-out names without the taxonomy's words that occur in no
tuning name but in some held-out name: words that could have come from the held-out
set itself. Its accuracy is the fairest figure for names procdata has not seen.

    PYTHONPATH=src python3 benchmarks/bench_investment.py            # both sets, misses listed
    PYTHONPATH=src python3 benchmarks/bench_investment.py --quiet    # figures only
"""

from __future__ import annotations

import argparse
import copy
import csv
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "investment"


def load(name: str) -> list[dict[str, str]]:
    with (FIXTURES / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def budgets(rows: list[dict[str, str]]) -> list[float | None]:
    from procdata.normalize.numbers import parse_amount

    return [parse_amount(row["budget"]) if row["budget"] else None for row in rows]


def expected(row: dict[str, str]) -> str | None:
    return None if row["expected"] == "none" else row["expected"]


def score(title: str, rows: list[dict[str, str]], quiet: bool) -> float:
    from procdata.normalize.investment import judge

    started = time.perf_counter()
    judged = judge([row["item_name"] for row in rows], budgets(rows))
    seconds = time.perf_counter() - started
    right = [code == expected(row) for row, (code, _) in zip(rows, judged, strict=True)]
    accuracy = sum(right) / len(rows)
    unjudged = sum(code is None for code, _ in judged)
    print(f"{title}: {sum(right)}/{len(rows)} right = {accuracy:.1%}; judged {len(rows) - unjudged}/{len(rows)}"
          f" ({unjudged} left unjudged, {sum(expected(r) is None for r in rows)} labelled as saying nothing);"
          f" {seconds * 1000:.0f} ms")
    if quiet:
        return accuracy
    by_kind: Counter[str] = Counter()
    right_by_kind: Counter[str] = Counter()
    for row, ok in zip(rows, right, strict=True):
        group = row["kind"].split("/")[0] if row["kind"] != "none" else "none"
        by_kind[group] += 1
        right_by_kind[group] += ok
    print("  by class: " + ", ".join(f"{kind} {right_by_kind[kind]}/{count}" for kind, count in sorted(by_kind.items())))
    for row, ok, (code, basis) in zip(rows, right, judged, strict=True):
        if not ok:
            print(f"  miss: {row['item_name']} ({row['budget']} baht): expected {row['expected']} ({row['kind']}),"
                  f" got {code or 'nothing'} [{basis}]")
    return accuracy


def strict_taxonomy(tune: list[dict[str, str]], holdout: list[dict[str, str]]) -> list[str]:
    """Drop the taxonomy's words found in some held-out name and in no tuning name; return them."""
    from procdata.normalize import taxonomy
    from procdata.resources import data

    tune_keys = [taxonomy._key(row["item_name"]) for row in tune]
    held_keys = [taxonomy._key(row["item_name"]) for row in holdout]
    original = copy.deepcopy(data("investment"))
    dropped: list[str] = []
    for rule in original["rule"]:
        kept = []
        for word in rule["words"]:
            key = taxonomy._key(word)
            if any(key in name for name in held_keys) and not any(key in name for name in tune_keys):
                dropped.append(word)
            else:
                kept.append(word)
        rule["words"] = kept

    def patched(name: str):  # type: ignore[no-untyped-def]
        return original if name == "investment" else data(name)

    taxonomy.data = patched  # type: ignore[assignment]
    for cached in (taxonomy.taxonomy, taxonomy._patterns, taxonomy._python_patterns, taxonomy._buckets):
        cached.cache_clear()
    return dropped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quiet", action="store_true", help="print the figures only, not every miss")
    args = parser.parse_args()
    tune, holdout, unseen = load("labelled.csv"), load("holdout.csv"), load("unseen.csv")
    print("command: PYTHONPATH=src python3 benchmarks/bench_investment.py")
    score("tuning set (labelled.csv)", tune, args.quiet)
    score("held-out set (holdout.csv)", holdout, args.quiet)
    score("unseen set (unseen.csv)", unseen, args.quiet)
    dropped = strict_taxonomy(tune, holdout)
    print(f"strict: {len(dropped)} words of the taxonomy occur only in held-out names: {', '.join(dropped) or '-'}")
    score("held-out set, strict taxonomy", holdout, args.quiet)


if __name__ == "__main__":
    main()

"""Judging an item name as investment (งบลงทุน) or operating budget, as the DLA classifies
expenditure, from the keyword taxonomy of ``data/investment.toml`` (read its header).

:func:`judge_one` states the judgement plainly: one regular expression, its
alternatives ordered longest first, so that the word found first in the name wins and,
of words starting at the same place, the longest. :func:`judge_names` gives the same
for many names (the distinct names of a column) about ten times faster, by looking up
each position's first two characters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from procdata.normalize.numbers import parse_amount
from procdata.normalize.text import fold
from procdata.resources import data

if TYPE_CHECKING:
    import pyarrow as pa

# What fold() drops from a name (brackets kept: "(ดีเซล)" says something), as RE2.
_DROP = r"[\s.\-_/:,*\"'“”()\[\]]+"
LOW_VALUE = "low_value"
PROJECT_TYPE = "project_type"


@dataclass(frozen=True)
class Rule:
    id: str
    category: str  # a budget category code: "investment" or "operating"
    th: str  # the DLA class, for people
    durable: bool  # equipment judged by its unit price too
    weak: bool  # decides only when no other rule's word is in the name


@dataclass(frozen=True)
class Judgement:
    category: str | None
    basis: str  # "inferred:<rule>:<word>", or "unknown"
    durable: bool = False  # the price may still make it a material

    @property
    def rule(self) -> str:
        return self.basis.split(":")[1] if self.basis.startswith("inferred:") else ""


UNJUDGED = Judgement(None, "unknown")


def _key(text: str) -> str:
    """A word or name folded for matching: lower case, no spaces or punctuation, ำ as า."""
    return fold(text, brackets=True)


@cache
def taxonomy() -> tuple[dict[str, Rule], dict[str, tuple[str, str]], dict[str, tuple[str, str]]]:
    """The rules by id, and folded word -> (rule id, word as written), strong and weak."""
    rules: dict[str, Rule] = {}
    strong: dict[str, tuple[str, str]] = {}
    weak: dict[str, tuple[str, str]] = {}
    for entry in data("investment")["rule"]:
        rule = Rule(entry["id"], entry["category"], entry["th"], bool(entry.get("durable")), bool(entry.get("weak")))
        rules[rule.id] = rule
        for word in entry["words"]:
            (weak if rule.weak else strong).setdefault(_key(word), (rule.id, word))
    return rules, strong, weak


def _alternation(words: dict[str, tuple[str, str]]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=lambda w: (-len(w), w)))


@cache
def _patterns() -> tuple[str, str]:
    _, strong, weak = taxonomy()
    return f"(?P<w>{_alternation(strong)})", f"(?P<w>{_alternation(weak)})"


@cache
def _python_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    strong, weak = _patterns()
    return re.compile(strong), re.compile(weak)


def _judgement(found: str | None, words: dict[str, tuple[str, str]], name_key: str) -> Judgement:
    if not found:
        return UNJUDGED
    rules = taxonomy()[0]
    rule_id, word = words[found]
    rule = rules[rule_id]
    durable = rule.durable and _key("ครุภัณฑ์") not in name_key
    return Judgement(rule.category, f"inferred:{rule_id}:{word}", durable)


def judge_one(name: str) -> Judgement:
    """The judgement of one item name, before its price is looked at."""
    key = _key(name)
    _, strong, weak = taxonomy()
    for pattern, words in zip(_python_patterns(), (strong, weak), strict=True):
        match = pattern.search(key)
        if match:
            return _judgement(match.group("w"), words, key)
    return UNJUDGED


@cache
def _buckets() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """The strong and the weak words by their first two characters, longest first."""
    _, strong, weak = taxonomy()
    out = []
    for words in (strong, weak):
        buckets: dict[str, list[str]] = {}
        for word in sorted(words, key=lambda w: (-len(w), w)):
            buckets.setdefault(word[:2], []).append(word)
        out.append({start: tuple(found) for start, found in buckets.items()})
    return out[0], out[1]


def _first_word(key: str, buckets: dict[str, tuple[str, ...]]) -> str | None:
    """The word found first in ``key`` and, of those starting there, the longest (what the
    alternation of :func:`judge_one` finds), by looking up each position's first two characters."""
    for at in range(len(key)):
        candidates = buckets.get(key[at:at + 2])
        if candidates:
            for word in candidates:
                if key.startswith(word, at):
                    return word
    return None


# What fold() drops, spelled out for Arrow's RE2: cleaned names hold no other whitespace
# (ingest turns every space character into " "), and a class of plain characters runs
# ten times faster than one with \s.
_DROP_ARROW = "[ \t\n\r\u00a0.\\-_/:,*\"'“”()\\[\\]]"


def _keys(names: Sequence[str] | pa.Array | pa.ChunkedArray) -> tuple[list[str], np.ndarray]:
    """The names folded for matching, in Arrow: lower case, no spaces or punctuation, ำ as า; those
    that differ only in their numbers given once (see :func:`judge_names`), with each name's place among them.

    The numbers are written "0" first, so that the rest of the folding is done once for names that
    differ only in them (a few hundred spellings for 60,000 names); the runs of "0" that dropping
    spaces and punctuation then joins are one run again, as when the numbers are written last."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(names, pa.ChunkedArray):
        text = names.combine_chunks()
    else:
        text = names if isinstance(names, pa.Array) else pa.array(names, type=pa.large_string())
    numbers = _words_without_digits()
    if numbers:
        text = pc.replace_substring_regex(text, f"[{_DIGITS}]+", "0")
    spelt = pc.dictionary_encode(text)
    folded = pc.utf8_lower(spelt.dictionary)
    folded = pc.replace_substring_regex(folded, _DROP_ARROW, "")
    folded = pc.replace_substring(folded, "\u0e33", "\u0e32")
    if numbers:
        folded = pc.replace_substring_regex(folded, "0+", "0")
    keys = pc.dictionary_encode(folded)
    places = keys.indices.to_numpy(zero_copy_only=False)[spelt.indices.to_numpy(zero_copy_only=False)]
    return keys.dictionary.to_pylist(), places


_DIGITS = "0-9\u0e50-\u0e59"  # Arabic and Thai digits, as a character class


@cache
def _words_without_digits() -> bool:
    """Whether no word of the taxonomy holds a digit (then a run of digits in a name is never part of
    the word found, and names that differ only in their numbers are judged alike)."""
    _, strong, weak = taxonomy()
    return not any(re.search(f"[{_DIGITS}]", word) for word in (*strong, *weak))


def judge_names(names: Sequence[str] | pa.Array | pa.ChunkedArray) -> list[Judgement]:
    """The judgement of each name (distinct names: the caller factorizes; cleaned, as ingest leaves
    them). The fast path of :func:`judge_one`: a lookup of each position's first two characters
    instead of the regular expression, once for names that differ only in their numbers (no word
    holds a digit, so the word found first lies between the runs of digits, which are each written
    "0"); tests/test_investment.py proves them equal."""
    judged, places = judge_keys(names)
    return [judged[place] for place in places.tolist()]


def judge_keys(names: Sequence[str] | pa.Array | pa.ChunkedArray) -> tuple[list[Judgement], np.ndarray]:
    """:func:`judge_names` as the judgement of each folded spelling and each name's place among them."""
    if not len(names):
        return [], np.zeros(0, dtype=np.int64)
    _, strong, weak = taxonomy()
    strong_buckets, weak_buckets = _buckets()
    keys, places = _keys(names)
    judged: list[Judgement] = []
    for key in keys:
        word = _first_word(key, strong_buckets)
        if word is not None:
            judged.append(_judgement(word, strong, key))
        else:
            judged.append(_judgement(_first_word(key, weak_buckets), weak, key))
    return judged, places


@cache
def _amount_rules() -> tuple[float, re.Pattern[str]]:
    amount = data("investment")["amount"]
    units = "|".join(re.escape(u) for u in sorted(amount["units"], key=len, reverse=True))
    return float(amount["unit_ceiling"]), re.compile(rf"จำนวน\s*([0-9๐-๙][0-9๐-๙,]*)\s*(?:{units})")


def quantity(name: str) -> int | None:
    """The number of units a name states ("จำนวน 4 ตัว"), or ``None``."""
    match = _amount_rules()[1].search(name)
    if not match:
        return None
    try:
        value = parse_amount(match.group(1))
    except ValueError:
        return None
    return int(value) if value and value >= 1 else None


def unit_ceiling() -> float:
    return _amount_rules()[0]


@cache
def project_types() -> dict[str, str]:
    """e-GP's project type (folded) -> budget category, for names that say nothing."""
    return {_key(name): category for name, category in data("investment")["project_type"].items()}


def low_value(budget: np.ndarray, units: np.ndarray) -> np.ndarray:
    """Whether each durable good costs at most the unit ceiling a unit (unknown budget: no)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return (budget / np.where(units > 0, units, 1)) <= unit_ceiling()


def label(basis: str, lang: str = "th") -> str:
    """The DLA class a basis names, for people: "ค่าครุภัณฑ์: ครุภัณฑ์สำนักงาน"."""
    rules = taxonomy()[0]
    parts = basis.split(":")
    rule = rules.get(parts[1]) if len(parts) > 2 else None
    return rule.th if rule else ""

"""Vocabularies (methods, statuses, budget categories and sources) from the data files."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache
from typing import Any

from procdata.normalize import wording
from procdata.normalize.text import fold
from procdata.resources import data


@dataclass(frozen=True)
class Term:
    code: str
    th: str
    en: str
    patterns: tuple[str, ...]
    extra: tuple[tuple[str, Any], ...] = ()

    def label(self, lang: str = "th") -> str:
        return self.th if lang == "th" else self.en

    def get(self, key: str, default: Any = None) -> Any:
        return dict(self.extra).get(key, default)


_FILES = {"method": "methods", "status": "statuses", "category": "budget", "source": "budget"}


@cache
def terms(kind: str) -> tuple[Term, ...]:
    """The terms of a vocabulary: ``method``, ``status``, ``category`` or ``source``."""
    out = []
    for entry in data(_FILES[kind])[kind]:
        known = {"code", "th", "en", "patterns", "phrases"}
        extra = tuple(sorted((k, v) for k, v in entry.items() if k not in known))
        extra += (("phrases_written", tuple(entry.get("phrases", ()))),)
        written = entry.get("patterns") or [phrase["text"] for phrase in entry.get("phrases", [])]
        patterns = tuple(fold(p, brackets=True) for p in [*written, entry["code"], entry["th"]])
        out.append(Term(entry["code"], entry["th"], entry["en"], patterns, extra))
    return tuple(out)


@cache
def _folded_codes(kind: str) -> tuple[str, ...]:
    return tuple(fold(term.code, brackets=True) for term in terms(kind))


def codes(kind: str) -> list[str]:
    return [term.code for term in terms(kind)]


def term(kind: str, code: str) -> Term | None:
    return next((t for t in terms(kind) if t.code == code), None)


def choices(kind: str) -> tuple[Term, ...]:
    """The terms an officer may choose (the template's dropdowns): not the old methods, not groups."""
    return tuple(t for t in terms(kind) if t.get("choice", True) and t.get("law", "2560") == "2560")


def classify(kind: str, text: str) -> str | None:
    """The code ``text`` names; ``None`` if none.

    Methods and statuses are read as whole phrases (:mod:`procdata.normalize.wording`;
    an ambiguous status is ``None`` here). Budget categories and sources: the code whose
    pattern first occurs in ``text`` (folded).
    """
    if kind == "method":
        return wording.read_method(text).code
    if kind == "status":
        return wording.read_status(text).code
    key = fold(text, brackets=True)
    if not key:
        return None
    for candidate, folded in zip(terms(kind), _folded_codes(kind), strict=True):
        if key == folded:
            return candidate.code
    for candidate in terms(kind):
        if any(pattern and pattern in key for pattern in candidate.patterns):
            return candidate.code
    return None


def closest(kind: str, text: str) -> str | None:
    """The known code nearest to an unknown value, to suggest as a fix."""
    found = classify(kind, text)
    if found:
        return found
    word = text.strip().lower()
    if _code_characters(kind).isdisjoint(word):  # nothing in common with any code: every ratio is 0
        return None
    matches = difflib.get_close_matches(word, codes(kind), n=1, cutoff=0.5)
    return matches[0] if matches else None


@cache
def _code_characters(kind: str) -> frozenset[str]:
    return frozenset("".join(codes(kind)))


def is_investment_category(code: str | None) -> bool | None:
    if code is None:
        return None
    found = term("category", code)
    return bool(found.get("investment")) if found else None

"""Thai 13-digit IDs: the taxpayer ID's check digit, and citizen IDs however people write them.

This module is the one place that says what such an ID looks like; reading
a winner's cell, checking taxpayer IDs, masking published text and checking
a published site all ask it.

A taxpayer ID (เลขประจำตัวผู้เสียภาษี) has 13 digits, the last a check digit:
``(11 - sum(d_i * (14 - i) for i = 1..12) mod 11) mod 10``. A juristic
person's starts with 0; any other is a natural person's, whose taxpayer ID is
their citizen ID: personal data under the PDPA (B.E. 2562).

In text an ID is written in ASCII or Thai digits, whole (``3500600111113``),
in the card's 1-4-5-2-1 grouping (``3 5006 00111 11 3``) or in any other
grouping, with spaces, dashes or dots between the digits
(``3-5006-00111-11-3``, ``3.5006.00111.11.3``, ``3 - 5006 - ...``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

DIGIT = "[0-9๐-๙]"
_SPACE = "[ \u00a0\u2007\u2009\u202f]"
_PUNCT = "[.\\-\u2010-\u2015_]"
# Between two groups of digits: up to two spaces, a dash, dot or underscore, up to two spaces.
_GAP = rf"(?:{_SPACE}{{1,2}}{_PUNCT}?{_SPACE}{{0,2}}|{_PUNCT}{_SPACE}{{0,2}})"
# Digits in groups, as far as the groups go: "1. 3 5006 00111 11 3" is one run of six groups.
_RUN = re.compile(rf"{DIGIT}+(?:{_GAP}{DIGIT}+)*")
_GROUP = re.compile(f"{DIGIT}+")
_TO_ASCII = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_NOT_DIGIT = re.compile("[^0-9]")


def _spans(text: str, accept: Callable[[str], bool] = lambda _: True) -> list[tuple[int, int]]:
    """Where 13-digit IDs that ``accept`` takes are written: whole groups of a run, 13 digits together.

    Whole groups only, so that ``1. 3500600111113`` (a numbered line) holds one and
    ``35006001111134`` (fourteen digits) none. Left to right, without overlaps.
    """
    found: list[tuple[int, int]] = []
    for run in _RUN.finditer(text):
        groups = [(g.start(), g.end()) for g in _GROUP.finditer(text, run.start(), run.end())]
        first = 0
        while first < len(groups):
            count, last = 0, first
            while last < len(groups) and count < 13:
                count += groups[last][1] - groups[last][0]
                last += 1
            span = (groups[first][0], groups[last - 1][1])
            if count == 13 and accept(text[span[0]:span[1]]):
                found.append(span)
                first = last
            else:
                first += 1
    return found


def digits(text: str) -> str:
    """The ASCII digits of ``text``, Thai digits included: ``"๓-๕๐๐๖"`` -> ``"35006"``."""
    return _NOT_DIGIT.sub("", text.translate(_TO_ASCII))


def check_digit_ok(tax_id: str) -> bool:
    """The 13th digit of a Thai taxpayer ID (13 ASCII digits) matches the first twelve."""
    if not re.fullmatch(r"[0-9]{13}", tax_id):
        return False
    total = sum(int(tax_id[i]) * (13 - i) for i in range(12))
    return (11 - total % 11) % 10 == int(tax_id[12])


def is_juristic(tax_id: str) -> bool:
    """A juristic person's taxpayer ID: 13 ASCII digits starting with 0 (published in full)."""
    return len(tax_id) == 13 and tax_id.isascii() and tax_id.isdigit() and tax_id[0] == "0"


def is_citizen_id(tax_id: str) -> bool:
    """A natural person's ID: 13 digits (ASCII or Thai, separators ignored), not starting with 0,
    with a valid check digit."""
    plain = digits(tax_id)
    return len(plain) == 13 and plain[0] != "0" and check_digit_ok(plain)


def find_ids(text: str) -> list[tuple[int, int]]:
    """Where a 13-digit ID is written in ``text`` (start, end), juristic or not, valid or not, in any spelling."""
    return _spans(text)


def find_citizen_ids(text: str) -> list[str]:
    """The citizen IDs written in ``text``, in any spelling, as 13 ASCII digits each."""
    return [digits(text[a:b]) for a, b in _spans(text, is_citizen_id)]


def replace_citizen_ids(text: str, replace: Callable[[str], str]) -> tuple[str, int]:
    """``text`` with each citizen ID replaced by ``replace(its 13 ASCII digits)``, and how many were."""
    out, count, position = [], 0, 0
    for start, end in _spans(text, is_citizen_id):
        out += [text[position:start], replace(digits(text[start:end]))]
        position, count = end, count + 1
    if not count:
        return text, 0
    out.append(text[position:])
    return "".join(out), count

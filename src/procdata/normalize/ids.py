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
# Between two digits of an ID: nothing, or up to two spaces, a dash, dot or underscore, up to two spaces.
_GAP = rf"{_SPACE}{{0,2}}[.\-\u2010-\u2015_]?{_SPACE}{{0,2}}"
# Thirteen digits and what may stand between them, not run on from more digits on either side
# (a fourteenth digit, or one after a separator, means a longer number, not an ID).
ID_IN_TEXT = re.compile(
    rf"(?<!{DIGIT})(?<!{DIGIT}{_SPACE})(?<!{DIGIT}[.\-\u2010-\u2015_])"
    rf"{DIGIT}(?:{_GAP}{DIGIT}){{12}}"
    rf"(?!{_GAP}{DIGIT})"
)
_TO_ASCII = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_NOT_DIGIT = re.compile("[^0-9]")


def digits(text: str) -> str:
    """The ASCII digits of ``text``, Thai digits included: ``"๓-๕๐๐๖"`` -> ``"35006"``."""
    return _NOT_DIGIT.sub("", text.translate(_TO_ASCII))


def check_digit_ok(tax_id: str) -> bool:
    """The 13th digit of a Thai taxpayer ID (13 ASCII digits) matches the first twelve."""
    if not re.fullmatch(r"[0-9]{13}", tax_id):
        return False
    total = sum(int(tax_id[i]) * (13 - i) for i in range(12))
    return (11 - total % 11) % 10 == int(tax_id[12])


def is_citizen_id(tax_id: str) -> bool:
    """A natural person's ID: 13 digits (ASCII or Thai, separators ignored), not starting with 0,
    with a valid check digit."""
    plain = digits(tax_id)
    return len(plain) == 13 and plain[0] != "0" and check_digit_ok(plain)


def find_ids(text: str) -> list[re.Match[str]]:
    """Every 13-digit ID written in ``text``, juristic or not, valid or not, in any spelling."""
    return list(ID_IN_TEXT.finditer(text))


def find_citizen_ids(text: str) -> list[re.Match[str]]:
    """The citizen IDs written in ``text``, in any spelling (see the module docstring)."""
    return [match for match in ID_IN_TEXT.finditer(text) if is_citizen_id(match.group())]


def replace_citizen_ids(text: str, replace: Callable[[str], str]) -> tuple[str, int]:
    """``text`` with each citizen ID replaced by ``replace(its 13 ASCII digits)``, and how many were."""
    count = 0

    def one(match: re.Match[str]) -> str:
        nonlocal count
        if not is_citizen_id(match.group()):
            return match.group()
        count += 1
        return replace(digits(match.group()))

    return ID_IN_TEXT.sub(one, text), count

"""Amounts and whole numbers as officers write them."""

from __future__ import annotations

import re

from procdata.errors import ParseError
from procdata.normalize.text import clean, thai_digits

_NOISE = re.compile(r"บาท|จำนวนเงิน|จํานวนเงิน|ราคา|thb|baht|\s", re.IGNORECASE)
_TRAILING_DASH = re.compile(r"\.?-+$|\.=+$|=+$")
_GROUPED = re.compile(r"^[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$")
_PLAIN = re.compile(r"^[+-]?[0-9]+(\.[0-9]+)?$|^[+-]?\.[0-9]+$")
# An amount written in words after the figure: "45,000 บาท (สี่หมื่นห้าพันบาทถ้วน)"
_BRACKETED = re.compile(r"\([^)]*\)")


def parse_amount(text: str) -> float | None:
    """``"45,000.-"``, ``"45,000 บาท"``, ``"๔๕,๐๐๐.๐๐"`` -> ``45000.0``.

    Empty text and a lone dash give ``None`` (no amount). Anything else that
    is not an amount raises ParseError("not_a_number").
    """
    raw = thai_digits(clean(text))
    raw = _BRACKETED.sub("", raw)
    raw = _NOISE.sub("", raw)
    if raw in ("", "-", "–", "—", "="):
        return None
    raw = _TRAILING_DASH.sub("", raw)
    if _GROUPED.match(raw):
        raw = raw.replace(",", "")
    if not _PLAIN.match(raw):
        raise ParseError("not_a_number", text)
    value = float(raw)
    if value != value or value in (float("inf"), float("-inf")):
        raise ParseError("not_a_number", text)
    return value


def parse_int(text: str) -> int | None:
    """A whole number such as a row number (``"๑"``, ``"1."``, ``"3.0"``), of 18 digits at most: a
    longer one is no row number, year or count, and no column of whole numbers could hold it."""
    raw = thai_digits(clean(text)).rstrip(".")
    if raw == "":
        return None
    if re.fullmatch(r"[0-9]+(\.0+)?", raw):
        digits = raw.split(".")[0].lstrip("0") or "0"
        if len(digits) <= 18:
            return int(digits)
    raise ParseError("not_an_integer", text)


def digits_only(text: str) -> str:
    """Keep ASCII digits of a Thai-or-ASCII identifier, dropping spaces, dashes of every kind
    (``6701–9123456`` typed with an en dash) and dots between digits (``67.019.123456``).

    A number Excel stored as a float (``"67019123456.0"``) loses its ``.0``.
    """
    raw = thai_digits(clean(text))
    if re.fullmatch(r"[0-9]+\.0+", raw):
        raw = raw.split(".")[0]
    return re.sub(r"[\s\-\u2010-\u2015\u2212]|(?<=[0-9])\.(?=[0-9])", "", raw)

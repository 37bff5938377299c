"""Cell parsers of the canonical table that are not in ``cells``: yes/no, fiscal
year, report month, bidders (JSON or parallel name/price cells), contract number.

Each takes the text of one cell and returns a value or raises
:class:`~procdata.errors.ParseError`.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from typing import Any

from procdata.errors import ParseError
from procdata.normalize import cells
from procdata.normalize.dates import find_month
from procdata.normalize.numbers import parse_amount, parse_int
from procdata.normalize.text import clean, one_line
from procdata.resources import data


@cache
def _booleans() -> tuple[frozenset[str], frozenset[str]]:
    words = data("words")["boolean"]
    return frozenset(words["true"]), frozenset(words["false"])


def boolean(text: str) -> bool | None:
    """A yes/no cell (words in ``data/words.toml``); None when empty."""
    key = one_line(text).lower()
    if key == "":
        return None
    true, false = _booleans()
    if key in true:
        return True
    if key in false:
        return False
    raise ParseError("not_a_boolean", text)


def fiscal_year_value(text: str) -> int | None:
    """A fiscal year in Buddhist Era: ``68`` -> 2568, ``2025`` -> 2568."""
    value = parse_int(text)
    if value is None:
        return None
    if value < 100:
        return 2500 + value
    if 1900 <= value <= 2300:
        return value + 543
    return value


def month_value(text: str) -> str | None:
    """A report month as ``YYYY-MM`` (CE), from ``2568-01``, ``2025-01`` or a Thai month name and year."""
    text = one_line(text)
    if text == "":
        return None
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}", text):
        year, month = int(text[:4]), int(text[5:])
        if 1 <= month <= 12:
            return f"{year - 543 if year > 2400 else year:04d}-{month:02d}"
    found = find_month(text)
    if found is None:
        raise ParseError("not_a_month", text)
    return found


def json_bidders(text: str) -> list[dict[str, Any]]:
    """Bidders written as canonical JSON: a list of objects, each bidder's name and price checked
    (and a price in text read) by :func:`_check_bid`. What no file could hold written back is no
    JSON bidders either (:func:`_written`): that cell is reported, not the whole file."""
    value = _loaded_bidders(text)
    _written(value, text)
    return value


def json_bidders_written(text: str) -> tuple[str, int]:
    """:func:`json_bidders`' bidders as :func:`dump_bidders` writes them, and their number: the one
    writing is also the check of what can be written."""
    value = _loaded_bidders(text)
    return _written(value, text), len(value)


def _loaded_bidders(text: str) -> list[dict[str, Any]]:
    """A JSON list of objects whose names and prices :func:`_check_bid` takes. Integers of more
    than 4,300 digits (which Python refuses to read) make it no JSON bidders."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # JSONDecodeError is a ValueError, as is the long integer
        raise ParseError("not_json_bidders", text) from None
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ParseError("not_json_bidders", text)
    for bid in value:
        _check_bid(bid, text)
    return value


# As dump_bidders writes, refusing the numbers JSON has no form for: NaN, Infinity, and a decimal past
# a float's range (1e400, which Python reads as Infinity) anywhere in the cell.
_WRITE = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(", ", ": ")).encode


def _written(value: list[dict[str, Any]], text: str) -> str:
    """``value`` as :func:`dump_bidders` writes it, or the cell's ``not_json_bidders`` when that is
    no JSON (NaN, Infinity) or no text a file can hold (an escaped half of a surrogate pair, "\\ud800")."""
    try:
        written = _WRITE(value)
        written.encode("utf-8")
    except (ValueError, UnicodeEncodeError):  # UnicodeEncodeError is a ValueError too
        raise ParseError("not_json_bidders", text) from None
    return written


class BadBid(ParseError):
    """A JSON list of bidders whose name or price is of no use (a list for a price): the cell's
    problem, not a text of names in brackets."""


def _check_bid(bid: dict[str, Any], text: str) -> None:
    """A bidder's name is text (or null) and its price a number (or null), as every step after this
    takes them. A price written as text ("9,000.00", "๙,๐๐๐ บาท") is read as an amount cell is and
    becomes that number; any other price or name is the cell's ``not_json_bidders``."""
    name, price = bid.get("name"), bid.get("price")
    if name is not None and not isinstance(name, str):
        raise BadBid("not_json_bidders", text)
    if isinstance(price, str):
        try:
            bid["price"] = parse_amount(price)
        except ParseError:
            raise BadBid("not_json_bidders", text) from None
    elif price is not None and (isinstance(price, bool) or not isinstance(price, int | float) or not _fits_a_float(price)):
        raise BadBid("not_json_bidders", text)


def _fits_a_float(number: int | float) -> bool:
    """An integer of 400 digits is JSON, but no amount: shown as one it would overflow."""
    try:
        return math.isfinite(float(number))
    except OverflowError:
        return False


def bids_from_cells(names: str, prices: str) -> list[dict[str, Any]]:
    """Bidders from two parallel cells, one name and one price per line."""
    name_list = cells.parse_names(names)
    price_list: list[float | None] = []
    for line in clean(prices).split("\n") if prices else []:
        try:
            price_list.append(parse_amount(line))
        except ParseError:
            price_list.append(None)
    width = max(len(name_list), len(price_list))
    return [
        {"name": name_list[i] if i < len(name_list) else "", "price": price_list[i] if i < len(price_list) else None}
        for i in range(width)
    ]


def contract_number(text: str) -> str:
    """The number part of a contract-number cell, without "สัญญาเลขที่" and the like."""
    try:
        return cells.parse_contract(text).number or text
    except ParseError:
        return text


def dump_bidders(bids: list[dict[str, Any]] | None) -> str | None:
    """Bidders as canonical JSON text (``columns.canonical_bidders`` recognises exactly this)."""
    if bids is None:
        return None
    return json.dumps(bids, ensure_ascii=False, separators=(", ", ": "))

"""Composite cells: several bidders in one cell, a winner with a price, a contract with a date."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from procdata.errors import ParseError
from procdata.normalize import ids
from procdata.normalize.dates import parse_date
from procdata.normalize.numbers import parse_amount
from procdata.normalize.text import clean, thai_digits


@dataclass(frozen=True)
class Bid:
    name: str
    price: float | None


_LEAD_NUMBER = re.compile(r"^\s*(?:\(?[0-9]{1,2}[.)]|\([0-9]{1,2}\)|[-•*])\s*(?=\D)")
_PRICE_TAIL = re.compile(
    r"(?:(?:เสนอ)?ราคา(?:ที่เสนอ|ที่ตกลง(?:ซื้อ|จ้าง)?(?:หรือจ้าง)?|เสนอ)?\s*:?\s*)?"
    r"([0-9][0-9,]*(?:\.[0-9]+)?)\s*(?:บาท)?\s*(?:\.?-+|\.?=+)?\s*(?:บาท)?\s*$"
)
_SEPARATORS = " \t/:-,|"
_TAX_ID_LABEL = re.compile(r"เลข(?:ประจำตัว)?(?:ผู้เสียภาษี(?:อากร)?|ประชาชน)\s*:?\s*$")


def _split_bid(line: str) -> Bid:
    line = _LEAD_NUMBER.sub("", line).strip()
    match = _PRICE_TAIL.search(line)
    price = None
    if match and (match.start() == 0 or not line[match.start() - 1].isdigit()):
        try:
            price = parse_amount(match.group(1))
        except ParseError:
            price = None
        if price is not None:
            line = line[: match.start()]
    name = line.strip(_SEPARATORS).strip()
    name = re.sub(r"\s*(?:เสนอ)?ราคา(?:ที่เสนอ)?\s*$", "", name).strip(_SEPARATORS)
    return Bid(name, price)


def parse_bidders(text: str) -> list[Bid]:
    """One bidder per line: ``1. หจก.สมบูรณ์ก่อสร้าง 8,198.00 บาท``, ``name / price``.

    A line with only a price belongs to the bidder above it (a wrapped cell).
    Semicolons also separate bidders.
    """
    bids: list[Bid] = []
    for line in re.split(r"[\n;]", thai_digits(clean(text))):
        if not line.strip():
            continue
        bid = _split_bid(line)
        if not bid.name and bids and bids[-1].price is None:
            bids[-1] = Bid(bids[-1].name, bid.price)
        elif not bid.name and bid.price is None:
            continue
        elif not bid.name and bids:
            continue  # a second price for the same bidder, e.g. "(ราคารวมภาษี)"
        elif bid.name and bids and bids[-1].price is None and bids[-1].name and not _LEAD_NUMBER.match(line) and bid.price is not None and not _looks_like_new_firm(bid.name):
            bids[-1] = Bid(f"{bids[-1].name} {bid.name}", bid.price)
        else:
            bids.append(bid)
    return bids


_FIRM_PREFIX = re.compile(r"^(?:หจก|บริษัท|บจก|ร้าน|นาย|นาง|น\.ส|นางสาว|สหกรณ์|ห้าง|บมจ|กลุ่ม)")


def _looks_like_new_firm(name: str) -> bool:
    return bool(_FIRM_PREFIX.match(name))


def parse_names(text: str) -> list[str]:
    """Names only, one per line (the name column of a split bidders header)."""
    return [_LEAD_NUMBER.sub("", line).strip() for line in clean(text).split("\n") if line.strip()]


@dataclass(frozen=True)
class Winner:
    name: str
    price: float | None
    tax_id: str | None


def parse_winner(text: str) -> Winner:
    """``หจก.ก ราคา 8,198.00 บาท`` -> name, agreed price and any 13-digit taxpayer ID in the cell."""
    raw = thai_digits(clean(text))
    tax_id = None
    if found := ids.find_ids(raw):  # a 13-digit ID in any spelling, with its label if it has one
        start, end = found[0]
        tax_id = ids.digits(raw[start:end])
        raw = (_TAX_ID_LABEL.sub("", raw[:start]) + raw[end:]).strip()
    bids = parse_bidders(raw)
    name = next((bid.name for bid in bids if bid.name), "")
    price = next((bid.price for bid in bids if bid.price is not None), None)
    return Winner(name, price, tax_id)


_CONTRACT_SPLIT = re.compile(r"\s*(?:ลงวันที่|ลว\s*\.?|วันที่|date)\s*", re.IGNORECASE)
_CONTRACT_PREFIX = re.compile(
    r"^(?:(?:สัญญา|ใบสั่ง|ข้อตกลง|บันทึกข้อตกลง)\S*\s*)?(?:เลขที่|เลข|ที่|no\.?)\s*:?\s*", re.IGNORECASE
)


@dataclass(frozen=True)
class Contract:
    number: str
    date: dt.date | None


def parse_contract(text: str) -> Contract:
    """``สัญญาจ้างเลขที่ ๒/๒๕๖๘ ลว. ๑๕ ต.ค. ๖๗`` -> ``("2/2568", 2024-10-15)``.

    Raises ParseError when a date is written but cannot be read.
    """
    raw = thai_digits(clean(text)).replace("\n", " ").strip()
    if not raw:
        return Contract("", None)
    parts = _CONTRACT_SPLIT.split(raw, maxsplit=1)
    number_part = parts[0]
    date = parse_date(parts[1]) if len(parts) > 1 and parts[1].strip() else None
    if len(parts) == 1:
        # "593/2569 15/01/2569" or a number only.
        tokens = raw.rsplit(" ", 1)
        if len(tokens) == 2:
            try:
                date = parse_date(tokens[1])
                number_part = tokens[0]
            except ParseError:
                date = None
    number = _CONTRACT_PREFIX.sub("", number_part.strip()).strip(" ,:")
    return Contract(number, date)

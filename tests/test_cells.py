"""Composite cells: bidders, winners, contracts, taxpayer IDs."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procdata.errors import ParseError
from procdata.normalize.cells import (
    Bid,
    parse_bidders,
    parse_contract,
    parse_winner,
)
from procdata.normalize.ids import check_digit_ok as tax_id_check_digit_ok


def test_bidders_one_per_line() -> None:
    cell = "1. หจก.สมบูรณ์ก่อสร้าง 8,198.00 บาท\n2. ร้านเจริญพาณิชย์ 8,500.00 บาท"
    assert parse_bidders(cell) == [Bid("หจก.สมบูรณ์ก่อสร้าง", 8198.0), Bid("ร้านเจริญพาณิชย์", 8500.0)]


def test_bidders_with_slash_and_thai_digits() -> None:
    cell = "หจก.ก / 45,000.-\nบริษัท ข จำกัด / ๔๖,๐๐๐.๐๐"
    assert parse_bidders(cell) == [Bid("หจก.ก", 45000.0), Bid("บริษัท ข จำกัด", 46000.0)]


def test_bidder_name_with_digits_keeps_them() -> None:
    assert parse_bidders("ร้าน 99 ช็อป ราคาที่เสนอ 1,500 บาท") == [Bid("ร้าน 99 ช็อป", 1500.0)]


def test_offered_price_words_are_not_part_of_the_name() -> None:
    assert parse_bidders("1. บริษัท อีสานบาดาล จำกัด เสนอราคา 495,000.00 บาท") == [Bid("บริษัท อีสานบาดาล จำกัด", 495000.0)]


def test_wrapped_price_joins_the_bidder_above() -> None:
    assert parse_bidders("1. หจก.ก\n8,198.00") == [Bid("หจก.ก", 8198.0)]


def test_bidder_without_price() -> None:
    assert parse_bidders("1. ร้านเจริญพาณิชย์\n2. ร้านดีดี") == [Bid("ร้านเจริญพาณิชย์", None), Bid("ร้านดีดี", None)]


def test_winner_with_price_and_tax_id() -> None:
    winner = parse_winner("บริษัท ก จำกัด เลขประจำตัวผู้เสียภาษี 0105551234567\n45,000 บาท")
    assert (winner.name, winner.price, winner.tax_id) == ("บริษัท ก จำกัด", 45000.0, "0105551234567")
    assert parse_winner("หจก.สมบูรณ์ก่อสร้าง ราคา 8,198.00 บาท").price == 8198.0


@pytest.mark.parametrize(
    ("cell", "number", "date"),
    [
        ("สัญญาเลขที่ 12/2568 ลว. 15 ม.ค. 2568", "12/2568", dt.date(2025, 1, 15)),
        ("สัญญาจ้างเลขที่ ๒/๒๕๖๘ ลว. ๑๕ ต.ค. ๖๗", "2/2568", dt.date(2024, 10, 15)),
        ("593/2569", "593/2569", None),
        ("J69/290", "J69/290", None),
        ("ใบสั่งซื้อเลขที่ 5/2568 ลงวันที่ 1 ต.ค. 2567", "5/2568", dt.date(2024, 10, 1)),
        ("บส.12/2568 15/01/2568", "บส.12/2568", dt.date(2025, 1, 15)),
        ("", "", None),
    ],
)
def test_contract(cell: str, number: str, date: dt.date | None) -> None:
    contract = parse_contract(cell)
    assert (contract.number, contract.date) == (number, date)


def test_contract_with_impossible_date_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        parse_contract("สัญญาเลขที่ 1/2568 ลว. 31 ก.พ. 2568")


def test_tax_id_check_digit() -> None:
    assert tax_id_check_digit_ok("0105551234567")
    assert not tax_id_check_digit_ok("0105551234568")
    assert not tax_id_check_digit_ok("12345")


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_cell_parsers_never_crash(text: str) -> None:
    parse_bidders(text)
    parse_winner(text)
    with contextlib.suppress(ParseError):
        parse_contract(text)

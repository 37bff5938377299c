"""Thai normalization: digits, amounts, dates, fiscal years, vocabularies, text."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procdata.errors import ParseError
from procdata.normalize import vocab
from procdata.normalize.dates import find_month, fiscal_year, fiscal_year_bounds, parse_date
from procdata.normalize.numbers import digits_only, parse_amount, parse_int
from procdata.normalize.text import clean, fix_sara_am, fold, thai_digits

D = dt.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15/01/2568", D(2025, 1, 15)),
        ("15/1/68", D(2025, 1, 15)),
        ("1 ม.ค. 68", D(2025, 1, 1)),
        ("2 ส.ค. 2568", D(2025, 8, 2)),
        ("19 ธันวาคม 2556", D(2013, 12, 19)),
        ("๕ ก.ค. ๒๕๖๗", D(2024, 7, 5)),
        ("11 พ.ค.69 เวลา 9.00น.", D(2026, 5, 11)),
        ("45672", D(2025, 1, 15)),
        ("45672.0", D(2025, 1, 15)),
        ("2025-01-15", D(2025, 1, 15)),
        ("2025-01-15 00:00:00", D(2025, 1, 15)),
        ("2568-01-15", D(2025, 1, 15)),
        ("1 มค 68", D(2025, 1, 1)),
        ("1 ม. ค. 68", D(2025, 1, 1)),
        ("3 มี.ค.2568", D(2025, 3, 3)),
        ("ลว. 15 ต.ค. 67", D(2024, 10, 15)),
        ("วันที่ 1 มีนาคม 2568", D(2025, 3, 1)),
        ("30 กันยายน 2568", D(2025, 9, 30)),
        ("15-01-2568", D(2025, 1, 15)),
        ("15.01.2025", D(2025, 1, 15)),
        ("", None),
        ("-", None),
    ],
)
def test_parse_date(text: str, expected: dt.date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(("text", "code"), [("31/02/2568", "impossible_date"), ("2025-02-30", "impossible_date"), ("abc", "not_a_date"), ("2568", "not_a_date"), ("15/13/2568", "impossible_date")])
def test_parse_date_errors(text: str, code: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_date(text)
    assert caught.value.code == code


def test_be_year_is_converted_before_typing() -> None:
    # strptime would accept 2567 as a CE year; procdata must not.
    assert parse_date("15/01/2567").year == 2024


@pytest.mark.parametrize(
    ("date", "year"),
    [(D(2024, 10, 1), 2568), (D(2024, 12, 31), 2568), (D(2025, 9, 30), 2568), (D(2025, 1, 1), 2568), (D(2025, 10, 1), 2569), (D(2024, 9, 30), 2567)],
)
def test_fiscal_year_october_belongs_to_next_year(date: dt.date, year: int) -> None:
    assert fiscal_year(date) == year


def test_fiscal_year_bounds() -> None:
    assert fiscal_year_bounds(2568) == (D(2024, 10, 1), D(2025, 9, 30))


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("สรุปผลการดำเนินการจัดซื้อจัดจ้างในรอบเดือน มกราคม 2568", "2025-01"),
        ("ต.ค.67", "2024-10"),
        ("ประจำเดือน มีนาคม พ.ศ. 2568", "2025-03"),
        ("เดือนธันวาคม ๒๕๖๗", "2024-12"),
        ("Sheet1", None),
    ],
)
def test_find_month(text: str, month: str | None) -> None:
    assert find_month(text) == month


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,234,567.00", 1234567.0),
        ("45,000.-", 45000.0),
        ("45,000 บาท", 45000.0),
        ("๔๕,๐๐๐.๐๐", 45000.0),
        ("45000", 45000.0),
        ("8198.5", 8198.5),
        ("45,000 บาท (สี่หมื่นห้าพันบาทถ้วน)", 45000.0),
        ("-500", -500.0),
        ("", None),
        ("-", None),
    ],
)
def test_parse_amount(text: str, value: float | None) -> None:
    assert parse_amount(text) == value


@pytest.mark.parametrize("text", ["abc", "1,2,3", "12a", "nan", "inf", "๔๕ห"])
def test_parse_amount_rejects(text: str) -> None:
    with pytest.raises(ParseError):
        parse_amount(text)


def test_thai_digits_and_ids() -> None:
    assert thai_digits("๐๑๒๓๔๕๖๗๘๙") == "0123456789"
    assert parse_int("๑") == 1
    assert digits_only("0-1055-51234-56-7") == "0105551234567"
    assert digits_only("67019123456.0") == "67019123456"
    # typed with an en dash, or grouped with dots: the number is there (else no key: monthly files of
    # one project were not merged, and the error said "11 digits, but ... has 11")
    assert digits_only("6701–9123456") == digits_only("67.019.123456") == digits_only("6701−9123456") == "67019123456"
    assert digits_only("ไม่มี") == "ไม่มี"


def test_clean_removes_invisible_and_stray_spaces() -> None:
    assert clean("  ก่อสร้าง\u200bถนน \u00a0 คสล.\r\n\n หมู่ 3  ") == "ก่อสร้างถนน คสล.\nหมู่ 3"


def test_fix_sara_am() -> None:
    assert fix_sara_am("รำยกำร") == "รายการ"
    assert fix_sara_am("เป็นผู้เสนอรำคำต่ำสุด") == "เป็นผู้เสนอราคาต่ำสุด"
    assert fix_sara_am("ดำเนินกำรจัดซื้อ") == "ดำเนินการจัดซื้อ"
    # Real text with both vowels is left alone.
    assert fix_sara_am("จำนวนรายการ") == "จำนวนรายการ"


def test_fold_matches_header_variants() -> None:
    assert fold("วงเงินที่จะซื้อ\nหรือจ้าง (บาท)") == fold("วงเงินที่จะซื้อหรือจ้าง")
    assert fold("ลำดับที่") == fold("ลำดับที่ ")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("เฉพาะเจาะจง", "specific"),
        ("วิธีเฉพาะเจาะจง", "specific"),
        ("e-bidding", "e_bidding"),
        ("(e bidding)", "e_bidding"),
        ("ประกวดราคาอิเล็กทรอนิกส์ (e-bidding)", "e_bidding"),
        ("ตลาดอิเล็กทรอนิกส์", "e_market"),
        ("e-market", "e_market"),
        ("สอบราคา", "price_inquiry"),
        ("คัดเลือก", "selection"),
        ("ตกลงราคา", "price_agreement"),
        ("กรณีพิเศษ", "special_case"),
        ("ประกวดราคา", "bidding"),
        ("specific", "specific"),
    ],
)
def test_methods(text: str, code: str) -> None:
    assert vocab.classify("method", text) == code


def test_statuses_and_categories() -> None:
    assert vocab.classify("status", "ยังไม่ลงนามในสัญญา") == "not_signed"
    assert vocab.classify("status", "อยู่ระหว่างระยะสัญญา") == "in_contract"
    assert vocab.classify("status", "สิ้นสุดระยะสัญญา") == "completed"
    assert vocab.classify("status", "ยกเลิกการดำเนินการ") == "cancelled"
    assert vocab.classify("category", "ค่าครุภัณฑ์") == "investment"
    assert vocab.classify("category", "งบดำเนินงาน") == "operating"
    assert vocab.classify("source", "เงินสะสม") == "accumulated_funds"
    assert vocab.classify("source", "ข้อบัญญัติงบประมาณรายจ่าย") == "annual_budget"
    assert vocab.classify("source", "เงินอุดหนุนเฉพาะกิจ") == "specific_grant"


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_date_parser_never_crashes(text: str) -> None:
    try:
        value = parse_date(text)
    except ParseError:
        return
    assert value is None or isinstance(value, dt.date)


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_amount_parser_never_crashes(text: str) -> None:
    try:
        value = parse_amount(text)
    except ParseError:
        return
    assert value is None or isinstance(value, float)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789๐๑๒๓๔๕๖๗๘๙/.- มคกพยธตสิีเ์ศาน,บท"))))
def test_thai_shaped_strings_never_crash(text: str) -> None:
    for parser in (parse_date, parse_amount, parse_int, find_month):
        with contextlib.suppress(ParseError):
            parser(text)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=D(1990, 1, 1), max_value=D(2200, 12, 31)))
def test_dates_round_trip_in_be(date: dt.date) -> None:
    assert parse_date(f"{date.day}/{date.month}/{date.year + 543}") == date
    assert parse_date(date.isoformat()) == date

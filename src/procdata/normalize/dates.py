"""Dates in every form Thai sheets use, to CE ``datetime.date``; and fiscal years.

Two-digit years are Buddhist Era; four-digit years above 2400 are BE, others CE.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from procdata.errors import ParseError
from procdata.normalize.text import clean, thai_digits

BE_OFFSET = 543
BE_FIRST, BE_LAST = 2400, 2800  # a four-digit Buddhist-Era year (the schema's range of a fiscal year)
EXCEL_EPOCH = dt.date(1899, 12, 30)
# Excel serials from 1982 to 2064: plausible procurement dates, and never a year.
SERIAL_RANGE = (30000, 60000)

_MONTHS = {
    1: ("มกราคม", "มกรา", "มค", "jan", "january"),
    2: ("กุมภาพันธ์", "กุมภา", "กพ", "feb", "february"),
    3: ("มีนาคม", "มีนา", "มีค", "mar", "march"),
    4: ("เมษายน", "เมษา", "เมย", "apr", "april"),
    5: ("พฤษภาคม", "พฤษภา", "พค", "may"),
    6: ("มิถุนายน", "มิถุนา", "มิย", "jun", "june"),
    7: ("กรกฎาคม", "กรกฏาคม", "กรกฎา", "กค", "jul", "july"),
    8: ("สิงหาคม", "สิงหา", "สค", "aug", "august"),
    9: ("กันยายน", "กันยา", "กย", "sep", "sept", "september"),
    10: ("ตุลาคม", "ตุลา", "ตค", "oct", "october"),
    11: ("พฤศจิกายน", "พฤศจิกา", "พย", "nov", "november"),
    12: ("ธันวาคม", "ธันวา", "ธค", "dec", "december"),
}
THAI_MONTHS_FULL = tuple(names[0] for _, names in sorted(_MONTHS.items()))
MONTH_BY_NAME = {name: number for number, names in _MONTHS.items() for name in names}
# Longest names first so that "มีนาคม" is not read as "มีนา" + "คม".
_MONTH_ALT = "|".join(sorted((re.escape(n) for n in MONTH_BY_NAME), key=len, reverse=True))

_ISO = re.compile(r"^([0-9]{4})\s*([-/.])\s*([0-9]{1,2})\s*\2\s*([0-9]{1,2})(?:[ T][0-9:.]+)?$")  # year first: 2568/06/30 too
_NUMERIC = re.compile(r"^([0-9]{1,2})\s*[/.\-]\s*([0-9]{1,2})\s*[/.\-]\s*([0-9]{2}|[0-9]{4})$")
_SERIAL = re.compile(r"^[0-9]{5}(\.[0-9]+)?$")
_TIME_TAIL = re.compile(r"\s*(เวลา|time|น\.|[0-9]{1,2}[.:][0-9]{2}\s*น).*$", re.IGNORECASE)
_WORDS = re.compile(r"^(?:ลงวันที่|วันที่|ลว\s*\.?|date)\s*", re.IGNORECASE)


def _month_of(token: str) -> int | None:
    return MONTH_BY_NAME.get(re.sub(r"[\s.]", "", token).lower())


_NAMED = re.compile(
    rf"^([0-9]{{1,2}})\s*((?:{_MONTH_ALT.replace(chr(92) + '.', '')})|[ก-๙a-z][ก-๙a-z.\s]*?)\s*\.?\s*([0-9]{{2}}|[0-9]{{4}})$",
    re.IGNORECASE,
)


def year_to_ce(year_text: str) -> int:
    """``"68"`` -> 2025, ``"2568"`` -> 2025, ``"2025"`` -> 2025."""
    year = int(year_text)
    if len(year_text) == 2:
        return 2500 + year - BE_OFFSET
    if BE_FIRST <= year <= BE_LAST:
        return year - BE_OFFSET
    if 1900 <= year <= 2300:
        return year
    raise ParseError("bad_year", year_text)


def _make(year: int, month: int, day: int, original: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ParseError("impossible_date", original) from None


def parse_date(text: str) -> dt.date | None:
    """Any date form of DOMAIN.md to a CE date; empty text gives ``None``.

    ``15/01/2568``, ``15/1/68``, ``1 ม.ค. 68``, ``19 ธันวาคม 2556``,
    ``๕ ก.ค. ๒๕๖๗``, ``11 พ.ค.69 เวลา 9.00น.``, ``45672`` (Excel serial),
    ``2025-01-15``. Raises ParseError("impossible_date") for 31/02 and
    ParseError("not_a_date") for anything else.
    """
    raw = thai_digits(clean(text)).replace("\n", " ").strip()
    if raw in ("", "-"):
        return None
    raw = _WORDS.sub("", raw)
    if match := _ISO.match(raw):
        year, month, day = int(match.group(1)), int(match.group(3)), int(match.group(4))
        if BE_FIRST <= year <= BE_LAST:
            year -= BE_OFFSET
        return _make(year, month, day, text)
    if _SERIAL.match(raw):
        serial = float(raw)
        if SERIAL_RANGE[0] <= serial <= SERIAL_RANGE[1]:
            return EXCEL_EPOCH + dt.timedelta(days=int(serial))
        raise ParseError("not_a_date", text)
    raw = _TIME_TAIL.sub("", raw).strip()
    if match := _NUMERIC.match(raw):
        day_text, month_text, year_text = match.groups()
        return _make(year_to_ce(year_text), int(month_text), int(day_text), text)
    if match := _NAMED.match(raw):
        day_text, month_name, year_text = match.groups()
        named = _month_of(month_name)
        if named is None:
            raise ParseError("not_a_date", text)
        return _make(year_to_ce(year_text), named, int(day_text), text)
    raise ParseError("not_a_date", text)


def fiscal_year(date: dt.date) -> int:
    """The Thai fiscal year (BE) of a date: October to December belong to the next year."""
    return date.year + BE_OFFSET + (1 if date.month >= 10 else 0)


def fiscal_year_bounds(year_be: int) -> tuple[dt.date, dt.date]:
    """First and last day of fiscal year ``year_be``: FY2568 = 2024-10-01..2025-09-30."""
    year_ce = year_be - BE_OFFSET
    return dt.date(year_ce - 1, 10, 1), dt.date(year_ce, 9, 30)


_MONTH_YEAR = re.compile(rf"({_MONTH_ALT.replace(chr(92) + '.', '')})\s*\.?\s*(?:พ\s*ศ\s*)?([0-9]{{4}}|[0-9]{{2}})(?![0-9])", re.IGNORECASE)


def find_month(text: str) -> str | None:
    """The report month (``YYYY-MM``, CE) named in a title line or a sheet name.

    ``"สรุปผลการดำเนินการจัดซื้อจัดจ้างในรอบเดือน มกราคม 2568"`` -> ``"2025-01"``;
    ``"ต.ค.67"`` -> ``"2024-10"``. ``None`` when no month and year are named.
    """
    raw = thai_digits(clean(text)).replace("\n", " ").lower().replace(".", "")
    match = _MONTH_YEAR.search(raw)
    if not match:
        return None
    month = _month_of(match.group(1))
    try:
        year = year_to_ce(match.group(2))
    except ParseError:
        return None
    return f"{year:04d}-{month:02d}" if month else None


# ---------------------------------------------------------------- dates typed by people
# Options and form fields (--as-of, --month, --fiscal-year) are read by the same rules
# as the cells of a sheet, so that 2568-06-30, 2025-06-30 and 30/6/2568 are one day.


def _option_error(option: str, value: object, code: str) -> Exception:
    from procdata.errors import ProcdataError

    return ProcdataError(f"option_{code}", option=option, value=value)


def read_day(value: dt.date | str, option: str = "--as-of") -> dt.date:
    """A day typed by a person, in any form :func:`parse_date` reads, CE or BE.

    ``2568-06-30``, ``2025-06-30``, ``30/6/2568`` and ``30 มิ.ย. 68`` are the
    same day. A ``date`` whose year is a Buddhist-Era year (above 2400) is
    taken as one, as in the data. Raises :class:`~procdata.errors.ProcdataError`
    (exit 2) naming ``option`` for an empty, unreadable or impossible date.
    """
    if isinstance(value, dt.date):
        day: dt.date | None = value
        if value.year >= 2400:  # a Buddhist-Era year in a date object, as the data parser reads it
            try:
                day = dt.date(value.year - BE_OFFSET, value.month, value.day)
            except ValueError:
                raise _option_error(option, value, "impossible_date") from None
    else:
        try:
            day = parse_date(str(value))
        except ParseError as error:
            raise _option_error(option, value, error.code) from None
    if day is None:
        raise _option_error(option, value, "not_a_date")
    if not 1900 <= day.year <= 2300:  # the years year_to_ce reads as CE
        raise _option_error(option, value, "bad_year")
    return day


def read_month(value: str, option: str = "--month") -> str:
    """A month typed by a person as ``YYYY-MM`` (CE): ``2568-01``, ``2025-01``, ``1/2568``, ``ม.ค. 68``."""
    raw = thai_digits(clean(str(value))).replace("\n", " ").strip()
    match = re.fullmatch(r"([0-9]{4})\s*[-/.]\s*([0-9]{1,2})|([0-9]{1,2})\s*[-/.]\s*([0-9]{4}|[0-9]{2})", raw)
    if match:
        year_text, month_text = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
        try:
            year = year_to_ce(year_text)
        except ParseError:
            raise _option_error(option, value, "bad_year") from None
        if not 1 <= int(month_text) <= 12:
            raise _option_error(option, value, "impossible_date")
        return f"{year:04d}-{int(month_text):02d}"
    found = find_month(raw)
    if found is None:
        raise _option_error(option, value, "not_a_month")
    return found


def latest_fiscal_year(years: Iterable[int]) -> int | None:
    """The latest of ``years`` that can be a fiscal year (Buddhist Era 2400 to 2800, the schema's range),
    None when none can: a year typed wrong (99999999) is reported at its cell, not taken as the year
    of the data (whose end is a date, and no date has such a year)."""
    return max((int(year) for year in years if BE_FIRST <= int(year) <= BE_LAST), default=None)


def read_fiscal_year(value: int | str, option: str = "--fiscal-year") -> int:
    """A fiscal year typed by a person, as a Buddhist-Era year: ``2568``, ``68`` or ``2025`` (CE) -> 2568."""
    raw = thai_digits(clean(str(value))).strip()
    raw = re.sub(r"^(?:ปีงบประมาณ|ปีงบ|พ\.?\s*ศ\.?|fy)\s*", "", raw, flags=re.IGNORECASE)
    if not re.fullmatch(r"[0-9]{2}|[0-9]{4}", raw):
        raise _option_error(option, value, "not_a_year")
    try:
        return year_to_ce(raw) + BE_OFFSET
    except ParseError:
        raise _option_error(option, value, "bad_year") from None

"""Messages in Thai (the default) and English, from ``data/messages.toml``.

Also the formatting people see: numbers with thousands separators and dates in
the Buddhist Era.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from procdata.resources import data

THAI_MONTHS_SHORT = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)


def message(code: str, lang: str = "th", **params: Any) -> str:
    """The message ``code`` in ``lang``, with ``params`` filled in."""
    entry = data("messages").get(code)
    if entry is None:
        return f"{code} {params}" if params else code
    template = entry.get(lang) or entry["en"]
    return template.format(**params)


def number(value: float | int | None, decimals: int = 2) -> str:
    """``1234567.5`` -> ``1,234,567.50``; empty for a missing value."""
    if value is None or value != value:  # NaN
        return ""
    return f"{value:,.{decimals}f}"


def be_date(value: dt.date | str | None) -> str:
    """A CE date (or ISO text) shown to people in the Buddhist Era: ``15 ม.ค. 2568``."""
    if value is None or value == "" or value != value:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return f"{value.day} {THAI_MONTHS_SHORT[value.month - 1]} {value.year + 543}"


def be_month(month: str) -> str:
    """A CE month ``2025-03`` shown to people in the Buddhist Era: ``มี.ค. 2568``."""
    return f"{THAI_MONTHS_SHORT[int(month[5:7]) - 1]} {int(month[:4]) + 543}"

"""Messages in Thai (the default) and English, from ``data/messages.toml``.

Also the formatting people see: numbers with thousands separators and dates in
the Buddhist Era.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from procdata.resources import data

THAI_MONTHS_SHORT = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)


def message(code: str, lang: str = "th", *, surface: str = "cli", **params: Any) -> str:
    """The message ``code`` in ``lang``, with ``params`` filled in.

    Advice names what to do where it is read: a command to type on the command
    line, a button or form in the web app. A message whose advice differs has
    a ``[code.web]`` variant in ``data/messages.toml``; ``surface="web"``
    chooses it (the plain message otherwise).
    """
    entry = data("messages").get(code)
    if entry is None:
        return f"{code} {params}" if params else code
    if surface != "cli" and isinstance(entry.get(surface), dict):
        entry = entry[surface]
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


_ISO = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[ T]([0-9]{2}:[0-9]{2})(?::[0-9]{2}(?:\.[0-9]+)?)?)?")


def shown_date(text: str, lang: str = "th") -> str:
    """ISO date or date-time text (a workbook's date cell as read) as people read it.

    ``2025-01-15`` -> ``15 ม.ค. 2568``, ``2025-01-15 14:30:00`` -> ``15 ม.ค. 2568 14:30``
    in Thai; English keeps ISO. Any other text comes back as it is.
    """
    found = _ISO.fullmatch(text)
    if found is None or lang != "th":
        return text
    try:
        day = be_date(found.group(1))
    except ValueError:  # 2025-02-31: not a date, text as written
        return text
    return f"{day} {found.group(2)}" if found.group(2) and found.group(2) != "00:00" else day

"""The officer's own budget categories: a small CSV in the workspace that beats inference.

Two columns, one item a line: an e-GP project number or an item name as the sheets
write it, and its budget category (งบลงทุน, งบดำเนินงาน, ค่าครุภัณฑ์, ... as
``data/budget.toml`` knows them). A first line whose second cell is a header
("หมวดงบประมาณ") is skipped. Saved from Excel as CSV UTF-8 or as Thai
Windows CSV (cp874): both are read.

    เลขที่โครงการหรือชื่อรายการ,หมวดงบประมาณ
    67119045213,งบลงทุน
    จัดซื้อชุดโต๊ะเก้าอี้นักเรียน,งบดำเนินงาน
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from procdata.errors import InputError
from procdata.normalize import vocab
from procdata.normalize.numbers import digits_only
from procdata.normalize.text import one_line
from procdata.read.delimited import detect_encoding, undecodable

OVERRIDES_FILE = "หมวดงบประมาณ.csv"  # beside procdata.toml ([workspace] categories)
MAX_BYTES = 5 << 20
PROJECT_DIGITS = 11


@dataclass
class Overrides:
    """Budget categories by e-GP project number and by item name (category codes)."""

    file: str = ""
    by_project: dict[str, str] = field(default_factory=dict)
    by_item: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.by_project) + len(self.by_item)


def load_overrides(path: Path | str) -> Overrides:
    """The overrides in ``path``; an empty set when there is no such file.

    A line whose category is unknown is an :class:`InputError` naming the file and line.
    """
    path = Path(path)
    display = str(path)
    if not path.is_file():
        return Overrides(display)
    raw = path.read_bytes()
    if len(raw) > MAX_BYTES:
        raise InputError("overrides_too_big", display)
    encoding = detect_encoding(raw[:65536])
    if encoding == "unknown":
        raise InputError("file_encoding", display)
    try:
        text = raw.decode(encoding).lstrip("\ufeff")
    except UnicodeDecodeError as error:
        raise undecodable(display, encoding, raw, error) from None
    found = Overrides(display)
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [one_line(cell) for cell in row]
        if len(cells) < 2 or (not cells[0] and not cells[1]):
            continue
        key, written = cells[0], cells[1]
        code = vocab.classify("category", written) if written else None
        if code is None:
            if number == 1 and _is_header(written):
                continue
            raise InputError("overrides_bad_category", display, line=number, value=written)
        digits = digits_only(key)
        if len(digits) == PROJECT_DIGITS and digits.isdigit():
            found.by_project[digits] = code
        elif key:
            found.by_item[key] = code
    return found


def _is_header(text: str) -> bool:
    from procdata.read.layout import match_header

    found = match_header(text)
    return (found is not None and found[0] == "budget_category") or "หมวด" in text or "category" in text.lower()

"""What each row under a table's header is: a record, the wrapped line of the
record above, a heading, a total, a signature, a repeated header, or the start
of the next table.

Rows are judged by their shape and their place, never by a word appearing
somewhere in an item's text:

- A numbered row, or one with an amount, a method, a contract, a status, ...
  (``CORE``), is a record, whatever words its item holds.
- A total or subtotal row (``รวม``, ``รวมเดือนตุลาคม``, ``รวมทั้งสิ้น 7 รายการ``,
  ``ยอดยกไป``) has no number, starts its label with a total word, and carries
  no method, contract or status: only sums. The table goes on after it.
- A signature line starts with ``ลงชื่อ``, ``ผู้รายงาน``, ... and has nothing a record has.
- A one-cell row naming a month or a budget category is a heading: the records
  under it take its month or category.
- After a total or a signature, rows that look like records are read as
  records; the others are reported one by one ("below the table").
- A header row like the table's own is a repeat after a page break; after a
  total, or a header of other columns, it starts the next table.

Most rows are plainly records and are told apart column-wise; only the rest
("suspects") are looked at one by one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from procdata.normalize import vocab
from procdata.normalize.columns import empty, matches, non_blank
from procdata.normalize.dates import find_month
from procdata.normalize.shapes import numbered as numbered_rows
from procdata.read.layout import IGNORE, MIN_HEADER_FIELDS, Layout, is_column_numbers, match_header
from procdata.resources import data

# Columns whose content makes a row a record of its own (rather than the
# wrapped continuation of the record above it).
CORE = (
    "seq", "budget_amount", "agreed_price", "reference_price", "project_id", "method",
    "contract_no", "fiscal_year", "contract_date", "status",
)
AMOUNTS = ("budget_amount", "reference_price", "agreed_price", "bidder_prices")
# What a record says beyond sums: a total row has none of these.
DETAILS = (
    "method", "status", "contract", "contract_no", "contract_date", "contract_end_date", "project_id",
    "selection_reason", "winner_tax_id", "budget_source",
)
_DIGIT = "[0-9๐-๙]"
_LEAD = r"^[\s(\[*•·\-–—.:]*"  # what may stand before a label's first word
_WORD = re.compile(r"\w")


@cache
def _total_start() -> str:
    words = data("words")["total"]["heads"] + data("words")["total"].get("carried", [])
    return f"{_LEAD}(?:{'|'.join(re.escape(w) for w in words)})"


@cache
def _note_start() -> re.Pattern[str]:
    words = data("words")["note"]["words"]
    return re.compile(_LEAD + "(?:" + "|".join(re.escape(w) for w in words) + ")")


@cache
def _signature_start() -> re.Pattern[str]:
    words = data("words")["signature"]["words"]
    return re.compile(_LEAD + "(?:" + "|".join(re.escape(w) for w in words) + ")")


def _is_title(text: str) -> bool:
    return any(word in text for word in data("words")["title"]["words"]) or bool(find_month(text))


@dataclass
class RowPlan:
    """The rows of one table, positions counted from its first data row."""

    kind: np.ndarray  # 1 a record starts here, 2 the wrapped line of the record above, 0 neither
    section_category: dict[int, str] = field(default_factory=dict)
    section_month: dict[int, str] = field(default_factory=dict)
    skips: list[tuple[int, str]] = field(default_factory=list)  # position, reason (message code)
    end: int = 0  # where the next table starts (or the number of rows)


def plan_rows(
    body: pd.DataFrame, texts: dict[str, pd.Series], layout: Layout, header: list[list[str]],
    new_layout: Callable[[int], Layout],
) -> RowPlan:
    """Sort the rows of ``body`` (``texts``: its table columns, stripped) as the module says.

    ``header`` holds the texts of the table's header rows; ``new_layout(position)`` is the
    layout of a header row found at a body position (to tell a repeat from another table).
    """
    n = len(body)
    blank = _blank(body, texts, layout)
    damaged = np.flatnonzero(_only_controls(body, texts, layout, blank))
    blank[damaged] = True  # a row of NUL bytes (a file cut or zeroed) is no record, and no word of the table
    numbered = numbered_rows(texts["seq"]) if "seq" in texts else np.zeros(n, dtype=bool)
    core = numbered.copy()
    for key in CORE:
        if key in texts and key != "seq":
            core |= ~empty(texts[key])
    # Numbered rows are records whatever they say: only the others are searched for a total
    # label, a header copy, or amounts written in words (a million numbered rows cost nothing here).
    maybe_header = np.zeros(n, dtype=bool)
    total_label = np.zeros(n, dtype=bool)
    same = np.zeros(n, dtype=bool)
    rows = np.flatnonzero(~numbered & ~blank)
    if len(rows):
        everything = len(rows) == n

        def part(series: pd.Series) -> pd.Series:
            return series if everything else series.iloc[rows]

        # A header row has words, not figures, in its amount columns ("วงเงิน (บาท)"); a record
        # has figures there, or nothing (a cancelled project): only the former are looked at.
        amounts = [part(texts[key]) for key in AMOUNTS if key in texts]
        figures = np.zeros(len(rows), dtype=bool)
        words = np.zeros(len(rows), dtype=bool) if amounts else np.ones(len(rows), dtype=bool)
        for column in amounts:
            figure = matches(column, _DIGIT)
            figures |= figure
            words |= ~figure & ~empty(column)
        maybe_header[rows] = words & ~figures
        labels = [texts[key] for key in ("seq", "item_name") if key in texts] + [body[c] for c in list(body.columns[:2])]
        found = np.zeros(len(rows), dtype=bool)
        for column in labels:
            found |= matches(part(column).astype("string[pyarrow]").fillna(""), _total_start())
        total_label[rows] = found
        same[rows] = _same_as_header({key: part(series) for key, series in texts.items()}, layout, header, len(rows))
    # A row needs a closer look unless it is plainly a record: numbered, or with a core value,
    # no total label, no words in its amount columns, and not a copy of the header.
    suspect = ~blank & (~core | (~numbered & (total_label | maybe_header)) | same)
    plan = RowPlan(np.where(core & ~blank, 1, 0))
    plan.end = n
    records_before = np.cumsum(core & ~blank & ~suspect)  # plain records up to each row
    state = "start"  # "in" (after a record), "after_total", "after_end" (after a signature), "heading"
    previous = -1
    last_record = -1
    for i in np.flatnonzero(suspect).tolist():
        if records_before[i] - (records_before[previous] if previous >= 0 else 0) > 0:
            state, last_record = "in", i - 1
        previous = i
        cells = [str(v).strip() for v in body.iloc[i].tolist()]
        filled = [t for t in cells if t]
        if not numbered[i] and total_label[i] and not _has_details(texts, i):
            plan.kind[i] = 0
            plan.skips.append((i, "total_row" if state not in ("after_total", "after_end") else "after_table"))
            state = "after_total"
            continue
        if same[i] or (maybe_header[i] and _header_like(cells)):
            if state in ("after_total", "after_end") or (not same[i] and new_layout(i).columns != layout.columns):
                plan.end = _start_of_next(plan, i, last_record, body)
                break
            plan.kind[i] = 0
            plan.skips.append((i, "repeated_header"))
            continue
        if is_column_numbers(cells):
            plan.kind[i] = 0
            plan.skips.append((i, "repeated_header"))
            continue
        if core[i]:
            state, last_record = "in", i
            continue
        if len(filled) == 1 and len(filled[0]) <= 60 and _heading(plan, i, filled[0]):
            state = "heading" if state not in ("after_total", "after_end") else state
            continue
        if state in ("after_total", "after_end"):
            plan.skips.append((i, "after_table"))
            continue
        if _note_start().match(filled[0]):
            plan.skips.append((i, "note"))
            continue
        if any(_signature_start().match(t) for t in filled) and not (state == "in" and _record_next(core, blank, i)):
            plan.skips.append((i, "signature"))
            state = "after_end"
            continue
        if state == "in" and not any(series.iat[i] for series in texts.values()):
            plan.skips.append((i, "outside_columns"))  # nothing in the table's columns to add to the record
        elif state == "in":
            plan.kind[i] = 2
        elif "item_name" in texts and texts["item_name"].iat[i]:
            plan.kind[i] = 1
            state, last_record = "in", i
        else:
            plan.skips.append((i, "no_item"))
    plan.skips = sorted(plan.skips + [(int(i), "control_only") for i in damaged])
    plan.kind[plan.end:] = 0
    return plan


def _blank(body: pd.DataFrame, texts: dict[str, pd.Series], layout: Layout) -> np.ndarray:
    """Rows with nothing written: not in the table's columns, nor in the others."""
    blank = np.ones(len(body), dtype=bool)
    for text in texts.values():
        blank &= empty(text)
    mapped = set(layout.columns.values())
    for column in body.columns:
        if column not in mapped and blank.any():
            blank &= ~non_blank(body[column])
    return blank


def _only_controls(body: pd.DataFrame, texts: dict[str, pd.Series], layout: Layout, blank: np.ndarray) -> np.ndarray:
    """Rows with something written whose every filled cell holds only control characters (NUL bytes of
    a file cut short or zeroed): read as a record, such a row was empty cells and errors. Told by the
    first byte of each value (a column whose values start with letters or digits clears its rows at
    once), then the few rows left cell by cell."""
    from procdata.normalize.text import CONTROL

    rows = ~blank
    mapped = set(layout.columns.values())
    columns = [*texts.values(), *(body[c] for c in body.columns if c not in mapped)]
    for column in columns:
        if not rows.any():
            return rows
        rows &= empty(column) | _starts_with_control(column)
    only = re.compile(f"(?:{CONTROL}|\\s)*")
    for at in np.flatnonzero(rows).tolist():
        cells = [str(column.iat[at]) for column in columns if isinstance(column.iat[at], str)]
        rows[at] = all(only.fullmatch(cell) for cell in cells)
    return rows


def _starts_with_control(column: pd.Series) -> np.ndarray:
    """Values whose first byte may start a control character: below 0x20, 0x7F, or the lead byte of
    the C1 controls (C2), of U+2028/2029 (E2) or of U+FFFE/FFFF (EF). Empty values: False."""
    import pyarrow as pa

    from procdata.normalize.columns import arrow, text_offsets

    array = arrow(column)
    parts = []
    for chunk in array.chunks if isinstance(array, pa.ChunkedArray) else [array]:
        data = chunk.buffers()[2] if len(chunk) else None
        if data is None or not pa.types.is_large_string(chunk.type):
            parts.append(np.zeros(len(chunk), dtype=bool))
            continue
        offsets = text_offsets(chunk)
        first = np.frombuffer(data, dtype=np.uint8).take(offsets[:-1], mode="clip") if len(data) else np.zeros(len(chunk), np.uint8)
        parts.append(_CONTROL_LEAD[first] & (offsets[1:] > offsets[:-1]))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)


_CONTROL_LEAD = np.zeros(256, dtype=bool)
_CONTROL_LEAD[:0x20] = True
_CONTROL_LEAD[[0x7F, 0xC2, 0xE2, 0xEF]] = True


def _record_next(core: np.ndarray, blank: np.ndarray, i: int) -> bool:
    """Whether the next row with anything in it is a record: then row ``i`` is no signature
    at the foot of the form but a wrapped line of the record above."""
    following = np.flatnonzero(~blank[i + 1:])
    return bool(len(following)) and bool(core[i + 1 + following[0]])


def _has_details(texts: dict[str, pd.Series], i: int) -> bool:
    """Whether a row says something beyond sums: a letter or a figure in a detail column ("-" is not)."""
    return any(key in texts and _WORD.search(texts[key].iat[i]) for key in DETAILS)


def _header_like(cells: list[str]) -> bool:
    keys = {m[0] for t in cells if (m := match_header(t)) and m[0] != IGNORE}
    return len(keys) >= MIN_HEADER_FIELDS


def _same_as_header(texts: dict[str, pd.Series], layout: Layout, header: list[list[str]], n: int) -> np.ndarray:
    """Rows that repeat a header row of the table: three or more cells equal to it."""
    found = np.zeros(n, dtype=bool)
    for row in header:
        same = np.zeros(n, dtype=int)
        for key, col in layout.columns.items():
            heading = row[col].strip() if col < len(row) else ""
            if heading and key in texts:
                same += texts[key].eq(heading).to_numpy(dtype=bool)
        found |= same >= MIN_HEADER_FIELDS
    return found


def _heading(plan: RowPlan, i: int, text: str) -> bool:
    """A one-cell heading naming a budget category or a month: noted for the records below."""
    category = vocab.classify("category", text)
    month = find_month(text)
    if category:
        plan.section_category[i] = category
    if month:
        plan.section_month[i] = month
    return bool(category or month)


def _start_of_next(plan: RowPlan, header: int, last_record: int, body: pd.DataFrame) -> int:
    """Where the next table starts: its header, or the title lines just above it."""
    start = header
    while start - 1 > last_record:
        cells = [str(v).strip() for v in body.iloc[start - 1].tolist()]
        filled = [t for t in cells if t]
        if filled and not (len(filled) == 1 and _is_title(filled[0])):
            break
        start -= 1
    for position in [p for p in plan.section_month if p >= start]:
        del plan.section_month[position]
    for position in [p for p in plan.section_category if p >= start]:
        del plan.section_category[position]
    plan.skips = [(p, reason) for p, reason in plan.skips if p < start]
    return start

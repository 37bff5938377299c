"""A table as an Excel workbook formatted for people, byte-identical from run to run.

Thai headers in bold on a frozen first row with filters; amounts with
thousands separators; dates stored as real dates and shown in the Buddhist Era
with Thai month names (number format ``[$-107041E]``: calendar 07 = Thai
Buddhist, locale 041E = Thai); investment items shaded; a second sheet
describes every column. Text that a spreadsheet would run as a formula gets
a leading apostrophe, as in the CSV.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from procdata.i18n import be_date, be_month, number
from procdata.publish.archive import workbook_bytes
from procdata.publish.formats import NO, YES, neutralise
from procdata.publish.model import Cell, Table

AMOUNT_FORMAT = "#,##0.00"
DATE_FORMAT = "[$-107041E]d mmm yyyy"
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
INVESTMENT_FILL = PatternFill("solid", fgColor="FFF2CC")
BOLD = Font(bold=True)
HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
TOP_WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
UNDERLINE = Border(bottom=Side(style="thin", color="808080"))
WIDTH_SAMPLE = 500  # column widths are measured on the first rows only: enough, and fast on long years


def display_width(text: str) -> int:
    """Columns a text needs on screen: Thai vowel and tone marks above or below take none."""
    longest = max((line for line in text.split("\n")), key=len, default="")
    return sum(1 for ch in longest if unicodedata.category(ch) not in ("Mn", "Me"))


def month_label(month: str | None) -> str:
    """``2025-03`` -> ``มี.ค. 2568``; none -> ``ไม่ระบุเดือน``."""
    if not month:
        return "ไม่ระบุเดือน"
    return be_month(month)


def _cell_value(value: Cell, kind: str) -> Cell:
    if value is None:
        return None
    if kind == "boolean":
        return YES if value else NO
    if kind in ("number", "integer", "date"):
        return value
    return neutralise(str(value))


def _fill_sheet(sheet: Worksheet, table: Table, rows: list[list[Cell]], investment: list[bool]) -> None:
    kinds = [c.type for c in table.columns]
    sheet.append([neutralise(h) for h in table.headers])
    for row in rows:
        sheet.append([_cell_value(v, k) for v, k in zip(row, kinds, strict=True)])
    widths = [min(max(display_width(h) // 2 + 2, 8), 40) for h in table.headers]
    for index, kind in enumerate(kinds, start=1):
        header = sheet.cell(row=1, column=index)
        header.font, header.fill, header.alignment, header.border = BOLD, HEADER_FILL, HEADER_ALIGN, UNDERLINE
        for r in range(2, len(rows) + 2):
            cell = sheet.cell(row=r, column=index)
            value = rows[r - 2][index - 1]
            if kind == "number":
                cell.number_format = AMOUNT_FORMAT
                shown = number(value) if isinstance(value, float | int) else ""  # type: ignore[arg-type]
            elif kind == "date":
                cell.number_format = DATE_FORMAT
                shown = be_date(value) if isinstance(value, dt.date) else ""
            elif kind == "integer":
                cell.number_format = "0"
                shown = str(value or "")
            else:
                cell.number_format = "@"
                shown = str(cell.value or "")
            cell.alignment = TOP_WRAP if kind == "string" else TOP
            if investment[r - 2]:
                cell.fill = INVESTMENT_FILL
            if r <= WIDTH_SAMPLE:
                widths[index - 1] = max(widths[index - 1], min(display_width(shown) + 2, 50))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.row_dimensions[1].height = 45
    sheet.freeze_panes = "A2"
    last = get_column_letter(max(len(kinds), 1))
    sheet.auto_filter.ref = f"A1:{last}{len(rows) + 1}"


def _about_sheet(book: Workbook, table: Table, about: list[tuple[str, str]]) -> None:
    sheet = book.create_sheet("คำอธิบาย")
    sheet.append([table.title()])
    sheet["A1"].font = Font(bold=True, size=14)
    for key, value in about:
        sheet.append([key, neutralise(value)])
    sheet.append([])
    sheet.append(["คอลัมน์", "ชนิดข้อมูล", "ความหมาย"])
    start = sheet.max_row
    for cell in sheet[start]:
        cell.font, cell.fill = BOLD, HEADER_FILL
    kinds = {"string": "ข้อความ", "number": "จำนวนเงิน (บาท)", "integer": "จำนวนเต็ม", "date": "วันที่", "boolean": "ใช่/ไม่ใช่"}
    for column in table.columns:
        sheet.append([neutralise(column.header), kinds[column.type], column.description])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = TOP_WRAP
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 40
    sheet.column_dimensions["C"].width = 80


def to_xlsx(table: Table, about: list[tuple[str, str]], when: dt.datetime) -> bytes:
    """The workbook: the table (and for a monthly layout one sheet per month), then a description sheet."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = table.spec.indicator if table.spec.layout == "table" else "ทั้งปี"
    investment = [v is True for v in table.records["is_investment"].tolist()]
    _fill_sheet(sheet, table, table.rows, investment)
    if table.spec.layout == "monthly":
        position = table.column("report_month")
        months = sorted({row[position] for row in table.rows} if position is not None else set(),
                        key=lambda m: m or "9999")  # type: ignore[return-value, arg-type]
        for month in months:
            picked = [i for i, row in enumerate(table.rows) if position is not None and row[position] == month]
            _fill_sheet(book.create_sheet(month_label(month)), table, [table.rows[i] for i in picked],  # type: ignore[arg-type]
                        [investment[i] for i in picked])
    _about_sheet(book, table, about)
    book.properties.creator = "procdata"
    book.properties.title = table.title()
    return workbook_bytes(book, when)

"""``procdata template``: an entry workbook that prevents errors as they are typed.

Two layouts: the familiar สขร.๑ (columns 6, 7 and 9 split into name | price
and number | date so that each cell can be validated, plus the O12 columns the
form lacks) and the 18-column ITA O12. Dropdowns come from the vocabularies,
amounts and dates are validated, and a help sheet explains it all in Thai.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from procdata.errors import OutputError, ProcdataError
from procdata.normalize import vocab
from procdata.normalize.dates import BE_OFFSET, THAI_MONTHS_FULL, read_month
from procdata.output import write_atomic
from procdata.publish.archive import workbook_bytes
from procdata.resources import data

LAYOUTS = ("sorkorror1", "o12")
DATE_FORMAT = "[$-th-TH,107]d mmm yyyy"  # shown in the Buddhist Era by Excel
AMOUNT_FORMAT = "#,##0.00"


@dataclass(frozen=True)
class Col:
    header: str
    sub: str = ""  # sub-header of a split column
    width: int = 14
    kind: str = "text"  # text | amount | date | id | list:<vocab> | whole


SORKORROR1 = [
    Col("ลำดับที่", width=7, kind="whole"),
    Col("งานที่จัดซื้อหรือจัดจ้าง", width=40),
    Col("วงเงินที่จะซื้อหรือจ้าง (บาท)", kind="amount"),
    Col("ราคากลาง (บาท)", kind="amount"),
    Col("วิธีซื้อหรือจ้าง", width=22, kind="list:method"),
    Col("รายชื่อผู้เสนอราคาและราคาที่เสนอ", "ชื่อ", width=30),
    Col("รายชื่อผู้เสนอราคาและราคาที่เสนอ", "ราคา", width=14),
    Col("ผู้ได้รับการคัดเลือกและราคาที่ตกลงซื้อหรือจ้าง", "ชื่อ", width=28),
    Col("ผู้ได้รับการคัดเลือกและราคาที่ตกลงซื้อหรือจ้าง", "ราคา", kind="amount"),
    Col("เหตุผลที่คัดเลือกโดยสรุป", width=24),
    Col("เลขที่และวันที่ของสัญญาหรือข้อตกลงในการซื้อหรือจ้าง", "เลขที่", width=14),
    Col("เลขที่และวันที่ของสัญญาหรือข้อตกลงในการซื้อหรือจ้าง", "วันที่", kind="date"),
    Col("เลขที่โครงการ", width=14, kind="id:11"),
    Col("เลขประจำตัวผู้เสียภาษี", width=16, kind="id:13"),
    Col("หมวดงบประมาณ", width=16, kind="list:category"),
    Col("แหล่งที่มาของงบประมาณ", width=22, kind="list:source"),
    Col("สถานะการจัดซื้อจัดจ้าง", width=20, kind="list:status"),
    Col("วันสิ้นสุดสัญญา", kind="date"),
]

O12 = [
    Col("ปีงบประมาณ", width=10, kind="whole"),
    Col("ประเภทหน่วยงาน", width=18), Col("กระทรวง", width=14), Col("ชื่อหน่วยงาน", width=24),
    Col("อำเภอ", width=12), Col("จังหวัด", width=12),
    Col("ชื่อรายการของงานที่ซื้อหรือจ้าง", width=40),
    Col("วงเงินงบประมาณที่ได้รับจัดสรร (บาท)", kind="amount"),
    Col("แหล่งที่มาของงบประมาณ", width=22, kind="list:source"),
    Col("สถานะการจัดซื้อจัดจ้าง", width=20, kind="list:status"),
    Col("วิธีการจัดซื้อจัดจ้าง", width=22, kind="list:method"),
    Col("ราคากลาง (บาท)", kind="amount"),
    Col("ราคาที่ตกลงซื้อหรือจ้าง (บาท)", kind="amount"),
    Col("เลขประจำตัวผู้เสียภาษี", width=16, kind="id:13"),
    Col("รายชื่อผู้ประกอบการที่ได้รับการคัดเลือก", width=28),
    Col("เลขที่โครงการ", width=14, kind="id:11"),
    Col("วันที่ลงนามในสัญญา", kind="date"),
    Col("วันสิ้นสุดสัญญา", kind="date"),
    Col("หมวดงบประมาณ", width=16, kind="list:category"),
]


def write_template(out: Path, *, layout: str = "sorkorror1", month: str | None = None, agency: str = "",
                   force: bool = False) -> Path:
    """Write the entry workbook to ``out`` (atomically); returns the path.

    An existing file (perhaps a month already filled in) is never replaced unless ``force``.
    ``month`` is read as people write it: ``2568-01``, ``1/2568``, ``ม.ค. 68``, ``2025-01``.
    """
    if out.exists() and not force:
        raise OutputError("output_exists", out=str(out))
    if out.suffix.lower() != ".xlsx":
        raise ProcdataError("template_bad_suffix", out=str(out))
    write_atomic(out, template_bytes(layout=layout, month=month, agency=agency))
    return out


def template_bytes(*, layout: str = "sorkorror1", month: str | None = None, agency: str = "") -> bytes:
    """The entry workbook as the bytes of an .xlsx file (the same every time for the same options)."""
    if layout not in LAYOUTS:
        raise ProcdataError("template_bad_layout", layout=layout, layouts=", ".join(LAYOUTS))
    from openpyxl import Workbook

    settings = data("template")
    book = Workbook()
    sheet = book.active
    lists = _lists_sheet(book, settings["lists_sheet"])
    if layout == "sorkorror1":
        _sorkorror1(sheet, settings, month, agency, lists)
    else:
        _o12(sheet, settings, lists)
    _help_sheet(book, settings)
    book.properties.creator = "procdata"
    return workbook_bytes(book, dt.datetime(2000, 1, 1))


def _lists_sheet(book, name: str) -> dict[str, str]:
    """A hidden sheet with one column per vocabulary; returns the range of each."""
    sheet = book.create_sheet(name)
    sheet.sheet_state = "hidden"
    ranges = {}
    for col, kind in enumerate(("method", "status", "category", "source"), start=1):
        labels = [term.th for term in vocab.choices(kind)]
        letter = chr(64 + col)
        sheet.cell(1, col, kind)
        for row, label in enumerate(labels, start=2):
            sheet.cell(row, col, label)
        ranges[kind] = f"'{name}'!${letter}$2:${letter}${len(labels) + 1}"
    return ranges


def _sorkorror1(sheet, settings: dict, month: str | None, agency: str, lists: dict[str, str]) -> None:
    from openpyxl.styles import Alignment, Font

    form = settings["sorkorror1"]
    if month:
        chosen = read_month(month)  # CE or BE, as people write it
        year, number = int(chosen[:4]) + BE_OFFSET, int(chosen[5:7])
        sheet.title = f"{_short_month(number)}{year % 100:02d}"
        title = form["title"].format(month=f"{THAI_MONTHS_FULL[number - 1]} {year}")
    else:
        sheet.title = "สขร1"
        title = form["no_month"]
    width = len(SORKORROR1)
    sheet.cell(1, width, form["form"]).alignment = Alignment(horizontal="right")
    sheet.cell(2, 1, title).font = Font(bold=True, size=14)
    sheet.cell(3, 1, agency or "(ชื่อหน่วยงาน)").font = Font(bold=True)
    top, sub = 5, 6
    _headers(sheet, SORKORROR1, top, sub)
    first = sub + 1
    if form.get("column_numbers"):
        numbers = _column_numbers(SORKORROR1)
        for col, text in enumerate(numbers, start=1):
            if text:
                sheet.cell(first, col, text).alignment = Alignment(horizontal="center")
        first += 1
    _validate(sheet, SORKORROR1, first, first + settings["rows"] - 1, lists)
    sheet.freeze_panes = sheet.cell(first, 3)


def _short_month(number: int) -> str:
    from procdata.i18n import THAI_MONTHS_SHORT

    return THAI_MONTHS_SHORT[number - 1]


def _column_numbers(columns: list[Col]) -> list[str]:
    """``(1)`` … ``(9)`` over the nine form columns; the extra columns get none."""
    out, number, previous = [], 0, None
    for col in columns[:12]:
        if col.header != previous:
            number += 1
            out.append(f"({number})")
        else:
            out.append("")
        previous = col.header
    return out + [""] * (len(columns) - 12)


def _o12(sheet, settings: dict, lists: dict[str, str]) -> None:
    sheet.title = settings["o12"]["sheet"]
    _headers(sheet, O12, 1, None)
    _validate(sheet, O12, 2, 1 + settings["rows"], lists)
    sheet.freeze_panes = "A2"


def _headers(sheet, columns: list[Col], top: int, sub: int | None) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    fill = PatternFill("solid", fgColor="DDEBF7")
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    index = 0
    while index < len(columns):
        col = columns[index]
        span = 1
        while index + span < len(columns) and col.sub and columns[index + span].header == col.header:
            span += 1
        first = index + 1
        cell = sheet.cell(top, first, col.header)
        for offset in range(span):
            for row in (top, sub) if sub else (top,):
                target = sheet.cell(row, first + offset)
                target.fill, target.border, target.alignment = fill, border, centre
                target.font = Font(bold=True)
            if sub and columns[index + offset].sub:
                sheet.cell(sub, first + offset, columns[index + offset].sub)
            sheet.column_dimensions[get_column_letter(first + offset)].width = columns[index + offset].width
        if sub and span > 1:
            sheet.merge_cells(start_row=top, start_column=first, end_row=top, end_column=first + span - 1)
        elif sub:
            sheet.merge_cells(start_row=top, start_column=first, end_row=sub, end_column=first)
        cell.alignment = centre
        index += span
    sheet.row_dimensions[top].height = 45


def _validate(sheet, columns: list[Col], first: int, last: int, lists: dict[str, str]) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    for number, col in enumerate(columns, start=1):
        letter = get_column_letter(number)
        area = f"{letter}{first}:{letter}{last}"
        rule = _rule(col, lists, f"{letter}{first}")
        if rule is not None:
            validation = DataValidation(**rule)
            validation.add(area)
            sheet.add_data_validation(validation)
        style = {"amount": AMOUNT_FORMAT, "date": DATE_FORMAT, "whole": "0"}.get(col.kind.split(":")[0], "@")
        for row in range(first, last + 1):
            cell = sheet.cell(row, number)
            cell.number_format = style
            if col.width >= 24:
                from openpyxl.styles import Alignment

                cell.alignment = Alignment(wrap_text=True, vertical="top")


def _rule(col: Col, lists: dict[str, str], top_left: str) -> dict | None:
    kind, _, arg = col.kind.partition(":")
    common = {"allow_blank": True, "showErrorMessage": True, "errorTitle": "procdata"}
    if kind == "list":
        return {**common, "type": "list", "formula1": f"={lists[arg]}", "error": "เลือกจากรายการเท่านั้น"}
    if kind == "amount":
        return {**common, "type": "decimal", "operator": "greaterThanOrEqual", "formula1": "0",
                "error": "กรอกจำนวนเงินเป็นตัวเลขไม่ติดลบ เช่น 45000"}
    if kind == "whole":
        return {**common, "type": "whole", "operator": "greaterThanOrEqual", "formula1": "0",
                "error": "กรอกเป็นจำนวนเต็ม"}
    if kind == "date":
        # Years up to 2700 so that a Buddhist-Era year typed into a CE Excel still
        # passes here; procdata reads years above 2400 as Buddhist Era.
        return {**common, "type": "date", "operator": "between", "formula1": "DATE(1990,1,1)",
                "formula2": "DATE(2700,12,31)", "error": "กรอกวันที่ เช่น 15/1/2568"}
    if kind == "id":
        return {**common, "type": "custom",
                "formula1": f'AND(LEN({top_left})={arg},ISNUMBER(VALUE({top_left})))',
                "error": f"กรอกตัวเลข {arg} หลัก (เป็นข้อความ ไม่ต้องมีขีด)"}
    return None


def _help_sheet(book, settings: dict) -> None:
    from openpyxl.styles import Font

    help_text = settings["instructions"]
    sheet = book.create_sheet(settings["help_sheet"], 1)
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 80
    sheet.cell(1, 1, help_text["title"]).font = Font(bold=True, size=14)
    row = 3
    for line in help_text["lines"]:
        sheet.cell(row, 1, line)
        row += 1
    row += 1
    sheet.cell(row, 1, help_text["example_title"]).font = Font(bold=True)
    for label, value in help_text["example"]:
        row += 1
        sheet.cell(row, 1, label)
        sheet.cell(row, 2, value)

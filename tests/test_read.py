"""Ingest: layouts, formats and encodings, row handling, investment flag, round trip."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from conftest import SORKORROR1_HEADER, write_xlsx
from procdata.csvtext import canonical_csv
from procdata.model import FIELDS
from procdata.read import delimited
from procdata.read.ingest import column_letter, ingest

TITLE = ["สรุปผลการดำเนินการจัดซื้อจัดจ้างในรอบเดือน มกราคม 2568"]


def records(path: Path) -> list[dict[str, object]]:
    result = ingest([path])
    assert not result.failures, result.failures
    return json.loads(result.records.to_json(orient="records", force_ascii=False))


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


def test_classic_sorkorror1(tmp_path: Path) -> None:
    rows = [
        [None] * 8 + ["แบบ สขร.๑"],
        TITLE,
        ["องค์การบริหารส่วนตำบลหนองบัว"],
        SORKORROR1_HEADER,
        [f"({n})" for n in "๑๒๓๔๕๖๗๘๙"],
        [1, "ก่อสร้างถนน คสล. หมู่ที่ 3", "450,000.-", 450000, "เฉพาะเจาะจง",
         "1. หจก.สมบูรณ์ก่อสร้าง 448,000.00 บาท\n2. ร้านเจริญพาณิชย์ 449,500.00 บาท",
         "หจก.สมบูรณ์ก่อสร้าง ราคา 448,000.00 บาท", "เป็นผู้เสนอรำคำต่ำสุด",
         "สัญญาจ้างเลขที่ ๒/๒๕๖๘ ลว. ๑๕ ม.ค. ๖๘"],
        [],
        ["๒", "จัดซื้อวัสดุสำนักงาน", "๔๕,๐๐๐.๐๐", None, "วิธีเฉพาะเจาะจง", "1. ร้านเจริญพาณิชย์ 44,000 บาท",
         "ร้านเจริญพาณิชย์\n44,000.00", "ราคาต่ำสุด", "ใบสั่งซื้อเลขที่ 5/2568 ลงวันที่ 20 ม.ค. 2568"],
        [None, None, None, None, None, "2. ร้านดีดี 44,500 บาท"],
        ["รวม", None, 495000],
        [None, "ลงชื่อ ............ ผู้รายงาน"],
    ]
    path = write_xlsx(tmp_path / "jan.xlsx", {"ม.ค.68": rows})
    result = ingest([path])
    first, second = json.loads(result.records.to_json(orient="records", force_ascii=False))
    assert first["item_name"] == "ก่อสร้างถนน คสล. หมู่ที่ 3"
    assert (first["budget_amount"], first["reference_price"], first["agreed_price"]) == (450000.0, 450000.0, 448000.0)
    assert (first["method"], first["method_text"]) == ("specific", "เฉพาะเจาะจง")
    assert first["bidder_count"] == 2
    assert json.loads(first["bidders"])[1] == {"name": "ร้านเจริญพาณิชย์", "price": 449500.0}
    assert (first["contract_no"], first["contract_date"]) == ("2/2568", "2025-01-15")
    assert first["selection_reason"] == "เป็นผู้เสนอราคาต่ำสุด"
    assert (first["fiscal_year"], first["report_month"], first["source_row"]) == (2568, "2025-01", 6)
    assert (first["is_investment"], first["investment_basis"]) == (True, "inferred:works/construction:ก่อสร้าง")
    # The continuation row (a second bidder on the next line) belongs to item 2.
    assert second["seq"] == 2 and second["bidder_count"] == 2 and second["source_row"] == 8
    assert (second["budget_amount"], second["agreed_price"]) == (45000.0, 44000.0)
    assert (second["is_investment"], second["investment_basis"]) == (False, "inferred:materials:วัสดุ")
    reasons = [(skip.row, skip.reason) for skip in result.skipped_rows]
    assert reasons == [(10, "total_row"), (11, "after_table")]
    assert result.sheets[0].columns["budget_amount"].letter == "C"
    assert result.sheets[0].columns["budget_amount"].header == "วงเงินที่จะซื้อ หรือจ้าง (บาท)"


def test_split_header_with_merged_cells(tmp_path: Path) -> None:
    top = ["ลำดับที่", "งานที่จัดซื้อหรือจัดจ้าง", "วงเงินที่จะซื้อหรือจ้าง", "ราคากลาง", "วิธีซื้อหรือจ้าง",
           "รายชื่อผู้เสนอราคาและราคาที่เสนอ", None, "ผู้ได้รับการคัดเลือกและราคาที่ตกลงซื้อหรือจ้าง", None,
           "เหตุผลที่คัดเลือกโดยสรุป", "เลขที่และวันที่ของสัญญาหรือข้อตกลงในการซื้อหรือจ้าง"]
    sub = [None] * 5 + ["ชื่อ", "ราคา", "ชื่อ", "ราคา", None, None]
    item = [1, "จัดซื้อครุภัณฑ์คอมพิวเตอร์", 48000, 48000, "เฉพาะเจาะจง",
            "1. บริษัท ขอนแก่นคอมพิวเตอร์ จำกัด\n2. ร้านไอทีช็อป", "47,500.00\n47,900.00",
            "บริษัท ขอนแก่นคอมพิวเตอร์ จำกัด", 47500, "เสนอราคาต่ำสุด", "สัญญาซื้อขายเลขที่ 1/2568 ลว. 10 ต.ค. 2567"]
    merges = ["F1:G1", "H1:I1", "A1:A2", "B1:B2", "C1:C2"]
    path = write_xlsx(tmp_path / "oct.xlsx", {"ต.ค.67": [top, sub, item]}, {"ต.ค.67": merges})
    result = ingest([path])
    (record,) = json.loads(result.records.to_json(orient="records", force_ascii=False))
    assert json.loads(record["bidders"]) == [
        {"name": "บริษัท ขอนแก่นคอมพิวเตอร์ จำกัด", "price": 47500.0},
        {"name": "ร้านไอทีช็อป", "price": 47900.0},
    ]
    assert (record["winner_name"], record["agreed_price"]) == ("บริษัท ขอนแก่นคอมพิวเตอร์ จำกัด", 47500.0)
    assert record["report_month"] == "2024-10"  # from the sheet name
    assert record["fiscal_year"] == 2568  # October belongs to the next fiscal year
    assert result.sheets[0].layout == "sorkorror1-split"
    assert result.sheets[0].columns["bidder_prices"].header == "รายชื่อผู้เสนอราคาและราคาที่เสนอ / ราคา"


O12_HEADER = [
    "ปีงบประมาณ", "ประเภทหน่วยงาน", "กระทรวง", "ชื่อหน่วยงาน", "อำเภอ", "จังหวัด",
    "ชื่อรายการของงานที่ซื้อหรือจ้าง", "วงเงินงบประมาณที่ได้รับจัดสรร (บาท)", "แหล่งที่มาของงบประมาณ",
    "สถานะการจัดซื้อจัดจ้าง", "วิธีการจัดซื้อจัดจ้าง", "ราคากลาง (บาท)", "ราคาที่ตกลงซื้อหรือจ้าง (บาท)",
    "เลขประจำตัวผู้เสียภาษี", "รายชื่อผู้ประกอบการที่ได้รับการคัดเลือก", "เลขที่โครงการ",
    "วันที่ลงนามในสัญญา", "วันสิ้นสุดสัญญา",
]
O12_ROW = [
    "2568", "องค์กรปกครองส่วนท้องถิ่น", "กระทรวงมหาดไทย", "อบต.หนองบัว", "เมืองขอนแก่น", "ขอนแก่น",
    "ก่อสร้างถนน คสล. สายบ้านโนน", "1,200,000.00", "ข้อบัญญัติงบประมาณรายจ่าย", "อยู่ระหว่างระยะสัญญา",
    "ประกวดราคาอิเล็กทรอนิกส์ (e-bidding)", "1,180,000.00", "1,150,000.00", "0403556001234",
    "หจก.สมบูรณ์ก่อสร้าง", "67109123456", "15/01/2568", "15/05/2568",
]


def _csv(rows: list[list[str]]) -> str:
    return "\n".join(",".join(f'"{cell}"' for cell in row) for row in rows) + "\n"


def test_o12_csv_in_cp874(tmp_path: Path) -> None:
    path = tmp_path / "o12.csv"
    path.write_bytes(_csv([O12_HEADER, O12_ROW]).encode("cp874"))
    (record,) = records(path)
    assert record["winner_tax_id"] == "0403556001234"
    assert (record["status"], record["status_text"]) == ("in_contract", "อยู่ระหว่างระยะสัญญา")
    assert (record["method"], record["budget_source"]) == ("e_bidding", "annual_budget")
    assert (record["contract_date"], record["contract_end_date"]) == ("2025-01-15", "2025-05-15")
    assert (record["project_id"], record["budget_amount"]) == ("67109123456", 1200000.0)
    assert record["source_row"] == 2 and record["source_sheet"] is None


def test_csv_with_bom_and_explicit_encoding(tmp_path: Path) -> None:
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + _csv([O12_HEADER, O12_ROW]).encode("utf-8"))
    assert records(bom)[0]["item_name"] == "ก่อสร้างถนน คสล. สายบ้านโนน"
    cp874 = tmp_path / "thai.csv"
    cp874.write_bytes(_csv([O12_HEADER, O12_ROW]).encode("cp874"))
    result = ingest([cp874], encoding="cp874")
    assert result.records["item_name"].tolist() == ["ก่อสร้างถนน คสล. สายบ้านโนน"]


@pytest.mark.parametrize("block", [777, 1000, 1500, 1 << 20])
def test_csv_cells_of_several_lines_are_read_whatever_the_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int) -> None:
    """Quoted line breaks read the same whether or not a block boundary falls inside them."""
    rows = [SORKORROR1_HEADER]
    for n in range(1, 40):
        bidders = "\n".join(f"{k}. ร้านที่ {k} {n * 1000 + k:,} บาท" for k in range(1, n % 4 + 2))
        rows.append([n, f"จัดซื้อวัสดุ รายการ {n}", f"{n * 1000}", "", "เฉพาะเจาะจง", bidders, f"ร้านที่ 1\n{n * 1000 + 1:,}", "ต่ำสุด", f"{n}/2568"])
    path = tmp_path / "lines.csv"
    path.write_text(_csv(rows), encoding="utf-8")
    monkeypatch.setattr(delimited, "CSV_BLOCK", block)
    chunkers: list[bool] = []
    arrow_csv = delimited._arrow_csv
    monkeypatch.setattr(delimited, "_arrow_csv", lambda *a, **k: (chunkers.append(k["newlines_in_values"]), arrow_csv(*a, **k))[1])
    monkeypatch.setattr(delimited, "_decode", None)  # never the csv module's slow path
    result = ingest([path])
    # One block: the fast chunker; a boundary inside a cell: Arrow says so and the quote-aware one reads it.
    assert chunkers == ([False] if block > path.stat().st_size else [False, True])
    assert not result.failures and not result.skipped_rows
    assert result.records["seq"].tolist() == list(range(1, 40))
    assert result.records["bidder_count"].tolist() == [n % 4 + 1 for n in range(1, 40)]
    assert json.loads(result.records["bidders"].iloc[2])[2] == {"name": "ร้านที่ 3", "price": 3003.0}


def test_a_quoted_line_break_keeps_its_cr_and_lf_wherever_a_block_ends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Arrow drops the LF of a quoted CR LF that its buffers split (apache/arrow#51368): the file it
    reads never ends a read between the two, so every block size gives the csv module's cells."""
    import csv

    from procdata.read.limits import current

    path = tmp_path / "crlf.csv"
    path.write_bytes('ลำดับ,งาน,ผู้เสนอราคา\r\n1,"ซ่อมถนน\r\nหมู่ 3","ร้าน ก\r\nร้าน ข"\r\n2,ถนน,"ร้าน ค\r\n"\r\n'.encode())
    expected = list(csv.reader(path.open(encoding="utf-8", newline="")))
    for block in range(30, path.stat().st_size + 2):
        monkeypatch.setattr(delimited, "CSV_BLOCK", block)
        try:
            frame = delimited._read_csv_arrow(path, ",", current())
        except Exception as error:  # a block too small for a row: Arrow says so, and the csv module reads the file
            assert "straddl" in str(error) or "block" in str(error), (block, error)
            continue
        assert frame.values.tolist() == expected, block


def test_html_saved_as_xls_keeps_leading_zeros(tmp_path: Path) -> None:
    header = "".join(f"<th>{h}</th>" for h in ["ลำดับ", "เลขที่โครงการ", "ชื่อโครงการ", "วงเงินงบประมาณ (บาท)", "วิธีการจัดหา", "ผู้ชนะการเสนอราคา", "เลขประจำตัวผู้เสียภาษี", "ราคาที่ตกลงซื้อหรือจ้าง (บาท)", "วันที่ลงนามสัญญา"])
    row = "".join(f"<td>{v}</td>" for v in ["1", "68019123456", "จัดซื้อครุภัณฑ์สำนักงาน", "85,000.00", "e-market", "บริษัท ก จำกัด", "0105551234567", "84,000.00", "03/02/2568"])
    html = f'<html><head><meta charset="utf-8"></head><body><table><tr><td colspan="9">รายงานโครงการ e-GP</td></tr><tr>{header}</tr><tr>{row}</tr></table></body></html>'
    path = tmp_path / "egp.xls"
    path.write_text(html, encoding="utf-8")
    (record,) = records(path)
    assert record["winner_tax_id"] == "0105551234567"
    assert (record["method"], record["contract_date"], record["fiscal_year"]) == ("e_market", "2025-02-03", 2568)
    assert record["source_row"] == 3


def test_numeric_tax_id_gets_its_zero_back_and_says_so(tmp_path: Path) -> None:
    rows = [O12_HEADER, [*O12_ROW[:13], 403556001234, *O12_ROW[14:]]]
    path = write_xlsx(tmp_path / "o12.xlsx", {"O12": rows})
    result = ingest([path])
    assert result.records["winner_tax_id"].tolist() == ["0403556001234"]
    assert [(i.code, i.column, i.row) for i in result.issues] == [("tax_id_leading_zero", "N", 2)]


def test_real_date_cells_and_serials(tmp_path: Path) -> None:
    rows = [O12_HEADER, [*O12_ROW[:16], dt.datetime(2025, 1, 15), 45792]]
    path = write_xlsx(tmp_path / "dates.xlsx", {"O12": rows})
    (record,) = records(path)
    assert (record["contract_date"], record["contract_end_date"]) == ("2025-01-15", "2025-05-15")


def test_two_tables_in_one_sheet_and_repeated_header(tmp_path: Path) -> None:
    item = [1, "จัดซื้อวัสดุสำนักงาน", 5000, 5000, "เฉพาะเจาะจง", "1. ร้าน ก 4,900 บาท", "ร้าน ก 4,900 บาท", "ต่ำสุด", "1/2568"]
    rows = [
        TITLE, SORKORROR1_HEADER, item, SORKORROR1_HEADER, [2, *item[1:]], ["รวม", None, 10000], [],
        ["สรุปผลการดำเนินการจัดซื้อจัดจ้างในรอบเดือน กุมภาพันธ์ 2568"], SORKORROR1_HEADER, [1, *item[1:]],
    ]
    path = write_xlsx(tmp_path / "q.xlsx", {"ไตรมาส": rows})
    result = ingest([path])
    assert result.records["report_month"].tolist() == ["2025-01", "2025-01", "2025-02"]
    assert result.records["source_row"].tolist() == [3, 5, 10]
    assert [(s.row, s.reason) for s in result.skipped_rows] == [(4, "repeated_header"), (6, "total_row")]


def test_a_numbered_row_is_a_record_whatever_its_words(tmp_path: Path) -> None:
    """"ลงชื่อ" (sign) and "รวม" (total) in a numbered item do not end the table, and a record after a total row is read."""
    rows = [
        TITLE, SORKORROR1_HEADER,
        [1, "จัดซื้อสมุดลงชื่อผู้มาติดต่อราชการ", 1200, None, "เฉพาะเจาะจง"],
        [2, "รวม", 800, None, "เฉพาะเจาะจง"],
        [3, "จัดซื้อวัสดุงานบ้านงานครัว", 3000, None, "เฉพาะเจาะจง"],
        [None, "รวม 3 รายการ", 5000],
        [4, "หลังแถวรวม", 100, None, "เฉพาะเจาะจง"],
    ]
    result = ingest([write_xlsx(tmp_path / "n.xlsx", {"ม.ค.68": rows})])
    assert result.records["seq"].tolist() == [1, 2, 3, 4]
    assert [(s.row, s.reason) for s in result.skipped_rows] == [(6, "total_row")]


def test_section_headings_declare_the_category(tmp_path: Path) -> None:
    rows = [
        TITLE, SORKORROR1_HEADER, ["งบลงทุน"],
        [1, "โครงการติดตั้งระบบกล้องวงจรปิด", 90000, None, "เฉพาะเจาะจง"],
        ["งบดำเนินงาน"], [2, "โครงการจัดงานวันเด็ก", 20000, None, "เฉพาะเจาะจง"],
    ]
    result = ingest([write_xlsx(tmp_path / "s.xlsx", {"ม.ค.68": rows})])
    frame = result.records
    assert frame["budget_category"].tolist() == ["investment", "operating"]
    assert frame["investment_basis"].tolist() == ["declared", "declared"]
    assert frame["is_investment"].tolist() == [True, False]


def test_unknown_item_is_unknown(tmp_path: Path) -> None:
    rows = [TITLE, SORKORROR1_HEADER, [1, "ค่าใช้จ่ายตามโครงการ", 20000, None, "เฉพาะเจาะจง"]]  # says nothing
    (record,) = records(write_xlsx(tmp_path / "u.xlsx", {"ม.ค.68": rows}))
    assert (record["is_investment"], record["investment_basis"], record["budget_category"]) == (None, "unknown", None)


def test_unparseable_cells_are_reported_not_guessed(tmp_path: Path) -> None:
    rows = [TITLE, SORKORROR1_HEADER, [1, "จัดซื้อวัสดุ", "ห้าพันบาท", None, "แบบใหม่", None, None, None, "สัญญา 1/2568 ลว. 31 ก.พ. 2568"]]
    result = ingest([write_xlsx(tmp_path / "bad.xlsx", {"ม.ค.68": rows})])
    found = sorted((i.code, i.column, i.row, i.field) for i in result.issues)
    assert found == [
        ("impossible_date", "I", 3, "contract_date"),
        ("not_a_number", "C", 3, "budget_amount"),
        ("unknown_method", "E", 3, "method"),
    ]
    (record,) = json.loads(result.records.to_json(orient="records", force_ascii=False))
    assert record["budget_amount"] is None and record["method"] is None


def test_sheets_without_a_table_are_skipped_and_said(tmp_path: Path) -> None:
    rows = [TITLE, SORKORROR1_HEADER, [1, "จัดซื้อวัสดุ", 5000, None, "เฉพาะเจาะจง"]]
    path = write_xlsx(tmp_path / "w.xlsx", {"ม.ค.68": rows, "หมายเหตุ": [["บันทึกการแก้ไข"]], "Sheet3": []})
    result = ingest([path])
    assert [(s.sheet, s.read, s.reason) for s in result.sheets] == [
        ("ม.ค.68", True, ""), ("หมายเหตุ", False, "sheet_no_table"), ("Sheet3", False, "sheet_empty"),
    ]


def test_canonical_csv_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "o12.csv"
    path.write_bytes(_csv([O12_HEADER, O12_ROW, [*O12_ROW[:6], "จัดซื้อวัสดุสำนักงาน", *O12_ROW[7:]]]).encode("utf-8"))
    first = ingest([path]).records
    canonical = tmp_path / "canonical.csv"
    canonical.write_bytes(canonical_csv(first))
    second = ingest([canonical]).records
    assert list(second.columns) == list(FIELDS)
    keep = [f for f in FIELDS if not f.startswith("source_")]
    pd.testing.assert_frame_equal(first[keep], second[keep])
    assert ingest([canonical]).sheets[0].layout == "canonical"


def test_folders_are_walked_in_order_and_failures_do_not_stop_the_run(tmp_path: Path) -> None:
    rows = [TITLE, SORKORROR1_HEADER, [1, "จัดซื้อวัสดุ", 5000, None, "เฉพาะเจาะจง"]]
    write_xlsx(tmp_path / "b.xlsx", {"ม.ค.68": rows})
    write_xlsx(tmp_path / "a.xlsx", {"ม.ค.68": [*rows[:2], [1, "จัดซื้อวัสดุสำนักงาน", 5000, None, "เฉพาะเจาะจง"]]})  # not a copy of b
    (tmp_path / "c.xlsx").write_bytes(b"")
    (tmp_path / "notes.docx").write_bytes(b"ignored: not a spreadsheet suffix")
    result = ingest([tmp_path])
    assert [Path(f).name for f in result.files] == ["a.xlsx", "b.xlsx", "c.xlsx"]
    assert [(Path(f.file).name, f.code) for f in result.failures] == [("c.xlsx", "file_empty")]
    assert len(result.records) == 2

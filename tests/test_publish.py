"""publish: the 100-item rule, O12 columns, status, privacy, O13, the data package, the zip."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from frictionless import validate

from procdata.publish import publish
from test_publish_helpers import JURISTIC, PERSON, project, read_csv, write_canonical, write_profile

D = dt.date
# DOMAIN.md, "ITA O12 dataset": the 18 columns, in this order, with these headers.
O12_HEADERS = [
    "ปีงบประมาณ", "ประเภทหน่วยงาน", "กระทรวง", "ชื่อหน่วยงาน", "อำเภอ", "จังหวัด",
    "ชื่อรายการของงานที่ซื้อหรือจ้าง", "วงเงินงบประมาณที่ได้รับจัดสรร (บาท)", "แหล่งที่มาของงบประมาณ",
    "สถานะการจัดซื้อจัดจ้าง", "วิธีการจัดซื้อจัดจ้าง", "ราคากลาง (บาท)", "ราคาที่ตกลงซื้อหรือจ้าง (บาท)",
    "เลขประจำตัวผู้เสียภาษี", "รายชื่อผู้ประกอบการที่ได้รับการคัดเลือก", "เลขที่โครงการ",
    "วันที่ลงนามในสัญญา", "วันสิ้นสุดสัญญา",
]


def run(tmp_path: Path, rows: list[dict[str, object]], **options: object):  # type: ignore[no-untyped-def]
    source = write_canonical(tmp_path / "input.csv", rows)
    config = write_profile(tmp_path, **options.pop("profile_values", {}))  # type: ignore[arg-type]
    options.setdefault("fiscal_year", 2568)
    options.setdefault("as_of", D(2025, 3, 31))
    return publish([source], out=tmp_path / "site", config=config, **options)  # type: ignore[arg-type]


def column(rows: list[list[str]], header: str) -> list[str]:
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]


def test_150_projects_give_the_right_100_in_the_right_order(tmp_path: Path) -> None:
    rows = []
    for n in range(1, 151):
        group = "investment" if n % 3 == 0 else "operating" if n % 3 == 1 else ("subsidy" if n % 2 else "central")
        budget = 1_000_000 - (n * 7919) % 997 * 1000 - n  # distinct, not in input order
        rows.append(project(n, budget_category=group, budget_amount=budget, reference_price=budget,
                            agreed_price=budget - 500, method="e_bidding"))
    result = run(tmp_path, rows)
    assert result.datasets[0].rows == 100 and result.datasets[0].available == 150
    rank = {"investment": 0, "operating": 1}
    expected = sorted(rows, key=lambda r: (rank.get(r["budget_category"], 2), -r["budget_amount"]))[:100]  # type: ignore[operator]
    published = read_csv(tmp_path / "site" / "o12.csv")
    assert column(published, "ชื่อรายการของงานที่ซื้อหรือจ้าง") == [r["item_name"] for r in expected]
    assert column(published, "วงเงินงบประมาณที่ได้รับจัดสรร (บาท)") == [f"{r['budget_amount']:.2f}" for r in expected]
    flags = column(published, "รายการงบลงทุน")
    assert flags == ["ใช่"] * 50 + ["ไม่ใช่"] * 50
    assert column(published, "หมวดงบประมาณ")[49:51] == ["งบลงทุน", "งบดำเนินงาน"]


def test_fewer_than_100_are_all_published(tmp_path: Path) -> None:
    run(tmp_path, [project(n) for n in range(1, 8)])
    assert len(read_csv(tmp_path / "site" / "o12.csv")) == 8


def test_o12_csv_has_bom_the_18_headers_and_extra_columns(tmp_path: Path) -> None:
    run(tmp_path, [project(1, budget_category="investment"), project(2)])
    raw = (tmp_path / "site" / "o12.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = read_csv(tmp_path / "site" / "o12.csv")[0]
    assert header[:18] == O12_HEADERS
    assert any("งบลงทุน" in h for h in header[18:]) and "หมวดงบประมาณ" in header[18:]
    row = read_csv(tmp_path / "site" / "o12.csv")[1]
    assert row[:6] == ["2568", "องค์กรปกครองส่วนท้องถิ่น", "กระทรวงมหาดไทย", "องค์การบริหารส่วนตำบลทดสอบ", "เมืองทดสอบ", "ทดสอบ"]
    assert row[16:18] == ["2025-01-15", "2025-06-30"]  # ISO, Common Era


def test_status_is_derived_from_contract_dates_where_the_sheet_is_silent(tmp_path: Path) -> None:
    rows = [
        project(1, contract_date="", contract_end_date="", winner_name="", winner_tax_id="", agreed_price=""),
        project(2, contract_date="2025-04-01", contract_end_date="2025-09-01"),  # signed after as-of
        project(3, contract_date="2025-01-15", contract_end_date="2025-03-31"),  # ends on as-of: still running
        project(4, contract_date="2024-11-01", contract_end_date="2025-03-30"),
        project(5, contract_date="2025-01-15", contract_end_date=""),
        project(6, status="cancelled", contract_date="2024-11-01", contract_end_date="2025-01-01"),
    ]
    result = run(tmp_path, rows)
    published = {r[6]: r for r in read_csv(tmp_path / "site" / "o12.csv")[1:]}
    status = {name[-1]: row[9] for name, row in published.items()}
    assert status == {
        "1": "ยังไม่ลงนามในสัญญา", "2": "ยังไม่ลงนามในสัญญา", "3": "อยู่ระหว่างระยะสัญญา",
        "4": "สิ้นสุดระยะสัญญา", "5": "อยู่ระหว่างระยะสัญญา", "6": "ยกเลิกการดำเนินการ",
    }
    assert result.datasets[0].derived_status == 5
    basis = {name[-1]: row[21] for name, row in published.items()}
    assert basis["6"] == "ระบุในแฟ้มต้นฉบับ" and basis["4"] == "คำนวณจากวันที่ลงนามและวันสิ้นสุดสัญญา ณ วันที่ 31 มี.ค. 2568"


def test_as_of_defaults_to_the_latest_date_in_the_data(tmp_path: Path) -> None:
    result = run(tmp_path, [project(1, report_month="2025-02", contract_date="2025-01-10"),
                            project(2, report_month="2024-12", contract_date="2024-12-01")], as_of=None)
    assert result.as_of == D(2025, 2, 28) and result.as_of_basis == "data"


def test_natural_persons_ids_are_masked_and_juristic_ids_are_not(tmp_path: Path) -> None:
    rows = [project(1, winner_tax_id=PERSON, winner_name=f"นายสมชาย ใจดี ({PERSON})"), project(2)]
    result = run(tmp_path, rows)
    published = read_csv(tmp_path / "site" / "o12.csv")
    ids = column(published, "เลขประจำตัวผู้เสียภาษี")
    masked = PERSON[0] + "x" * 9 + PERSON[-3:]
    assert sorted(ids) == sorted([masked, JURISTIC])
    assert f"นายสมชาย ใจดี ({masked})" in column(published, "รายชื่อผู้ประกอบการที่ได้รับการคัดเลือก")
    assert result.masked == 2
    site = tmp_path / "site"
    for name in ("o12.csv", "o12.json", "index.html", "datapackage.json"):
        assert PERSON not in (site / name).read_text(encoding="utf-8-sig"), name
    book = openpyxl.load_workbook(site / "o12.xlsx")
    assert PERSON not in [c.value for row in book["O12"].iter_rows() for c in row]


def test_the_profile_can_publish_ids_in_full(tmp_path: Path) -> None:
    result = run(tmp_path, [project(1, winner_tax_id=PERSON)], profile_values={"personal_ids": "full"})
    assert column(read_csv(tmp_path / "site" / "o12.csv"), "เลขประจำตัวผู้เสียภาษี") == [PERSON]
    assert result.masked == 0 and result.personal_ids == "full"


def test_o13_reports_the_previous_year(tmp_path: Path) -> None:
    rows = [project(1)] + [
        project(10 + n, fiscal_year=2567, report_month="2024-03", contract_date="2024-03-01", contract_end_date="2024-06-01",
                budget_category=category, method=method, budget_amount=budget, agreed_price=agreed, reference_price=budget)
        for n, (category, method, budget, agreed) in enumerate([
            ("investment", "e_bidding", 1_000_000, 900_000),
            ("investment", "selection", 600_000, 590_000),
            ("operating", "specific", 50_000, 49_000),
        ])
    ]
    result = run(tmp_path, rows)
    assert [(d.id, d.fiscal_year, d.rows) for d in result.datasets] == [("o12", 2568, 1), ("o13", 2567, 3)]
    o13 = read_csv(tmp_path / "site" / "o13.csv")
    assert column(o13, "ปีงบประมาณ") == ["2567"] * 3
    assert column(o13, "ผลต่างวงเงินงบประมาณกับราคาที่ตกลง (บาท)") == ["100000.00", "10000.00", "1000.00"]
    report = (tmp_path / "site" / "o13-report.html").read_text(encoding="utf-8")
    assert "1,650,000.00" in report and "1,539,000.00" in report and "111,000.00" in report  # totals, savings
    assert "58.5%" in report  # e-bidding's share of the agreed value: 900,000 / 1,539,000
    assert "ปัญหาและอุปสรรค" in report and "แนวทางการปรับปรุง" in report
    assert report.count("(รอเขียน)") == 2


def test_o13_sections_come_from_the_profile(tmp_path: Path) -> None:
    rows = [project(1), project(2, fiscal_year=2567, report_month="2024-03", contract_date="2024-03-01")]
    run(tmp_path, rows, profile_values={"problems": "ผู้ยื่นข้อเสนอน้อย <มาก>", "improvements": "ประกาศล่วงหน้า"})
    report = (tmp_path / "site" / "o13-report.html").read_text(encoding="utf-8")
    assert "ผู้ยื่นข้อเสนอน้อย &lt;มาก&gt;" in report and "ประกาศล่วงหน้า" in report and "(รอเขียน)" not in report


def test_without_last_years_data_o13_is_skipped_and_said(tmp_path: Path) -> None:
    result = run(tmp_path, [project(1)])
    assert [s.id for s in result.skipped] == ["o13"]
    assert not (tmp_path / "site" / "o13.csv").exists()


def test_the_data_package_passes_frictionless(tmp_path: Path) -> None:
    rows = [project(1, budget_category="investment"), project(2, winner_tax_id=PERSON),
            project(3, fiscal_year=2567, report_month="2024-03", contract_date="2024-03-01")]
    run(tmp_path, rows)
    report = validate(str(tmp_path / "site" / "datapackage.json"))
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "type", "note"])
    descriptor = json.loads((tmp_path / "site" / "datapackage.json").read_text(encoding="utf-8"))
    names = [r["path"] for r in descriptor["resources"]]
    assert names == ["o12.csv", "o12.xlsx", "o12.json", "o13.csv", "o13.xlsx", "o13.json", "ocds.json", "ckan.json"]
    tables = [r for r in descriptor["resources"] if r["path"].startswith("o1")]
    assert all(r["schema"]["fields"] and r["title"] and r["description"] for r in tables)
    assert all(r["title"] and r["description"] and r["mediatype"] == "application/json"
               for r in descriptor["resources"] if r["path"] in ("ocds.json", "ckan.json"))
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert descriptor["contributors"][0] == {"title": "องค์การบริหารส่วนตำบลทดสอบ", "role": "publisher"}
    assert descriptor["sources"] == [{"title": "input.csv"}]


def test_a_broken_file_fails_frictionless(tmp_path: Path) -> None:
    run(tmp_path, [project(1)])
    site = tmp_path / "site"
    (site / "o12.csv").write_bytes((site / "o12.csv").read_bytes().replace(b"2568,", b"25x8,", 1))
    assert not validate(str(site / "datapackage.json")).valid


def test_the_zip_holds_everything_sorted_with_fixed_times(tmp_path: Path) -> None:
    result = run(tmp_path, [project(1)])
    name = "องค์การบริหารส่วนตำบลทดสอบ-2568.zip"
    assert name in result.files
    with zipfile.ZipFile(tmp_path / "site" / name) as archive:
        entries = archive.infolist()
        assert [e.filename for e in entries] == sorted(f for f in result.files if f != name)
        assert {e.date_time for e in entries} == {(2025, 3, 31, 0, 0, 0)}
        assert archive.read("o12.csv") == (tmp_path / "site" / "o12.csv").read_bytes()


def test_xlsx_is_formatted_for_people(tmp_path: Path) -> None:
    run(tmp_path, [project(1, budget_category="investment", budget_amount=1234567.5), project(2)])
    book = openpyxl.load_workbook(tmp_path / "site" / "o12.xlsx")
    sheet = book["O12"]
    assert [c.value for c in sheet[1]][:18] == O12_HEADERS
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}3"
    amount = sheet.cell(2, 8)
    assert amount.value == 1234567.5 and amount.number_format == "#,##0.00"
    signed = sheet.cell(2, 17)
    assert signed.value == dt.datetime(2025, 1, 15) and "[$-107041E]" in signed.number_format  # Buddhist Era
    assert sheet.cell(2, 14).value == JURISTIC and sheet.cell(2, 14).data_type == "s"
    assert all((sheet.column_dimensions[c].width or 0) >= 8 for c in "ABCDEFGHIJKLMNOPQR")
    assert sheet.column_dimensions["G"].width > sheet.column_dimensions["A"].width
    assert "คำอธิบาย" in book.sheetnames
    assert book.properties.created == book.properties.modified == dt.datetime(2025, 3, 31)


def test_ita_2569_writes_monthly_summaries_and_last_years_report(tmp_path: Path) -> None:
    rows = [project(1, report_month="2024-11"), project(2, report_month="2025-01"),
            project(3, fiscal_year=2567, report_month="2024-03", contract_date="2024-03-01")]
    result = run(tmp_path, rows, profile_values={"profile": "ita-2569"})
    assert [(d.indicator, d.fiscal_year) for d in result.datasets] == [("O11", 2568), ("O12", 2567)]
    book = openpyxl.load_workbook(tmp_path / "site" / "o11.xlsx")
    assert book.sheetnames == ["ทั้งปี", "พ.ย. 2567", "ม.ค. 2568", "คำอธิบาย"]
    assert book["ม.ค. 2568"].cell(2, 3).value == "รายการทดสอบที่ 2"
    assert (tmp_path / "site" / "o12-report.html").exists()
    assert validate(str(tmp_path / "site" / "datapackage.json")).valid


def test_bidders_prices_written_as_text_are_published_as_amounts(tmp_path: Path) -> None:
    """The monthly summaries of ita-2569 show each bidder's price as an amount: a price a canonical
    file wrote as text ("9,000.00") is shown as its number, and one that is no amount (published
    with --force) is left out with the cell's problem, never an internal error."""
    rows = [project(1, bidders='[{"name": "ร้าน ก", "price": "9,000.00"}, {"name": "ร้าน ข", "price": 9500}]'),
            project(2, bidders='[{"name": "ร้าน ค", "price": ["9000"]}]')]
    source = write_canonical(tmp_path / "input.csv", rows, extra=("bidders",))
    config = write_profile(tmp_path, profile="ita-2569")
    result = publish([source], out=tmp_path / "site", config=config, fiscal_year=2568, as_of=D(2025, 3, 31), force=True)
    assert (result.datasets[0].indicator, result.datasets[0].fiscal_year) == ("O11", 2568)
    shown = column(read_csv(tmp_path / "site" / "o11.csv"), "รายชื่อผู้เสนอราคาและราคาที่เสนอ")
    assert shown == ["1. ร้าน ก 9,000.00 บาท\n2. ร้าน ข 9,500.00 บาท", ""]


def test_inputs_are_never_modified(tmp_path: Path) -> None:
    source = write_canonical(tmp_path / "input.csv", [project(1)])
    before = source.read_bytes()
    publish([source], out=tmp_path / "site", config=write_profile(tmp_path), as_of=D(2025, 3, 31))
    assert source.read_bytes() == before


def test_earlier_output_inside_an_input_folder_is_not_read_again(tmp_path: Path) -> None:
    folder = tmp_path / "work"
    folder.mkdir()
    write_canonical(folder / "input.csv", [project(1), project(2)])
    config = write_profile(tmp_path)
    for _ in range(2):
        result = publish([folder], out=folder / "site", config=config, as_of=D(2025, 3, 31))
        assert result.datasets[0].available == 2


def test_xlsx_bytes_do_not_depend_on_the_clock(tmp_path: Path) -> None:
    run(tmp_path, [project(1)])
    with zipfile.ZipFile(io.BytesIO((tmp_path / "site" / "o12.xlsx").read_bytes())) as book:
        assert {e.date_time for e in book.infolist()} == {(2025, 3, 31, 0, 0, 0)}
        assert b"2025-03-31T00:00:00Z" in book.read("docProps/core.xml")


@pytest.mark.parametrize("fiscal_year", [2570])
def test_a_year_without_records_is_a_clear_error(tmp_path: Path, fiscal_year: int) -> None:
    from procdata.errors import ProcdataError

    with pytest.raises(ProcdataError) as raised:
        run(tmp_path, [project(1)], fiscal_year=fiscal_year)
    assert raised.value.render("en") == (
        f"no records of fiscal year 2570 in {tmp_path / 'input.csv'} (years found: 2568); "
        "check --fiscal-year or add that year's files"
    )


def test_records_of_unknown_year_are_counted_not_dropped_silently(tmp_path: Path) -> None:
    from procdata.publish.text import publish_text

    undated = project(2, fiscal_year="", report_month="", contract_date="", contract_end_date="",
                      winner_name="", winner_tax_id="", agreed_price="")
    sources = [write_canonical(tmp_path / "dated.csv", [project(1)]), write_canonical(tmp_path / "undated.csv", [undated])]
    config = write_profile(tmp_path)
    refused = publish(sources, out=tmp_path / "site", config=config, as_of=D(2025, 3, 31))
    assert refused.refused and [p.field for p in refused.report.errors] == ["fiscal_year"]
    forced = publish(sources, out=tmp_path / "site", config=config, as_of=D(2025, 3, 31), force=True)
    assert forced.no_year == 1 and forced.datasets[0].rows == 1
    assert "  ไม่ได้ใช้ 1 รายการที่ไม่ทราบปีงบประมาณ" in publish_text(forced)

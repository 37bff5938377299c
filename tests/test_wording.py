"""Issue 10, points 1-3: e-GP's project and contract statuses, and the methods of the
Procurement Act, read as whole phrases; ambiguous statuses decided by each record's
evidence and reported; unknown statuses derived with a warning, not an error.
"""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import FIXTURES, REPO
from procdata.check import validate
from procdata.cli import app
from procdata.normalize import vocab
from procdata.normalize.wording import read_method, read_status
from procdata.publish import publish
from procdata.read.ingest import ingest

DATA = REPO / "src" / "procdata" / "data"
QUARTER = FIXTURES / "egp-quarter"
runner = CliRunner()


def _toml(name: str) -> dict:
    return tomllib.loads((DATA / name).read_text(encoding="utf-8"))


# --- point 1: the e-GP vocabulary, complete, each entry with where it comes from


@pytest.mark.parametrize(("text", "code"), [
    # e-GP project statuses (as e-GP, the government-spending data and ACT Ai show them)
    ("จัดทำสัญญา/PO แล้ว", "in_contract"), ("จัดทำสัญญา / PO แล้ว", "in_contract"), ("จัดทำสัญญา/POแล้ว", "in_contract"),
    ("แล้วเสร็จตามสัญญา", "completed"), ("สิ้นสุดสัญญา", "completed"),
    ("ยกเลิกประกาศเชิญชวน", "cancelled"), ("ยกเลิกสัญญา", "cancelled"), ("ยกเลิกโครงการ", "cancelled"),
    # e-GP contract statuses
    ("ส่งงานตามกำหนด", "completed"), ("ส่งงานล่าช้ากว่ากำหนด", "completed"), ("ส่งงานครบถ้วน", "completed"),
    # the ITA form's four
    ("ยังไม่ลงนามในสัญญา", "not_signed"), ("อยู่ระหว่างระยะสัญญา", "in_contract"),
    ("สิ้นสุดระยะสัญญา", "completed"), ("ยกเลิกการดำเนินการ", "cancelled"),
    ("ยกเลิก เนื่องจากไม่มีผู้ยื่นข้อเสนอ", "cancelled"),
])
def test_e_gp_and_ita_statuses_are_read(text: str, code: str) -> None:
    assert read_status(text).code == code


@pytest.mark.parametrize("text", ["ระหว่างดำเนินการ", "อยู่ระหว่างดำเนินการ"])
def test_in_progress_is_ambiguous_not_a_status_of_its_own(text: str) -> None:
    reading = read_status(text)
    assert reading.code is None and reading.ambiguous is not None
    assert (reading.ambiguous.with_contract, reading.ambiguous.without_contract) == ("in_contract", "not_signed")


def test_every_status_and_method_phrase_says_where_it_comes_from_and_reads_as_itself() -> None:
    for entry in _toml("statuses.toml")["status"]:
        for phrase in entry["phrases"]:
            assert phrase["source"], phrase
            assert read_status(phrase["text"]).code == entry["code"], phrase
    for entry in _toml("statuses.toml")["ambiguous"]:
        assert entry["source"] and read_status(entry["text"]).ambiguous
    for entry in _toml("methods.toml")["method"]:
        assert entry["source"], entry["code"]
        assert read_method(entry["code"]).code == entry["code"]
        assert read_method(entry["th"]).code == entry["code"]  # what procdata publishes reads back
        for phrase in entry["phrases"]:
            assert phrase["source"], phrase
            assert read_method(phrase["text"]).code == entry["code"], phrase


# --- point 3: methods as phrases of the Act and the old regulation, not loose substrings


@pytest.mark.parametrize(("text", "code"), [
    ("เฉพาะเจาะจง", "specific"), ("วิธีเฉพาะเจาะจง", "specific"), ("โดยวิธีเฉพาะเจาะจง", "specific"),
    ("เฉพาะเจาะจง มาตรา 56 (2) (ข)", "specific"), ("วิธีเฉพาะเจาะจง ตาม ม.56(2)(ข)", "specific"),
    ("e-bidding", "e_bidding"), ("E-Bidding", "e_bidding"), ("(e bidding)", "e_bidding"),
    ("ประกวดราคาอิเล็กทรอนิกส์ (e-bidding)", "e_bidding"), ("ประกาศเชิญชวนทั่วไป (e-bidding)", "e_bidding"),
    ("ตลาดอิเล็กทรอนิกส์ (e-market)", "e_market"), ("สอบราคา", "price_inquiry"), ("วิธีคัดเลือก", "selection"),
    ("ประกาศเชิญชวนทั่วไป", "open"),
    ("ตกลงราคา", "price_agreement"), ("วิธีตกลงราคา", "price_agreement"), ("ประกวดราคา", "bidding"),
    ("วิธีพิเศษ", "special"), ("กรณีพิเศษ", "special_case"), ("ประกวดราคานานาชาติ", "international_bidding"),
    ("ประกวดราคาด้วยวิธีการทางอิเล็กทรอนิกส์", "e_auction"),
])
def test_methods_are_read_as_phrases(text: str, code: str) -> None:
    assert read_method(text).code == code


@pytest.mark.parametrize("text", [
    "ประมูลพิเศษแบบใหม่", "จ้างเหมา", "ประกวดราคาพิเศษสุด", "พิเศษเฉพาะกิจ", "เฉพาะเจาะจงมาก", "walk_in",
])
def test_text_that_shares_a_word_with_a_method_is_no_method(text: str) -> None:
    assert read_method(text).code is None


def test_two_different_methods_or_the_e_gp_catch_all_are_not_a_method() -> None:
    assert read_method("เฉพาะเจาะจง/คัดเลือก").named == ("specific", "selection")
    generic = read_method("วิธีการจัดหา ประกาศเชิญชวนทั่วไป คัดเลือก เฉพาะเจาะจง")
    assert generic.code is None and generic.generic


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_reading_any_text_never_crashes(text: str) -> None:
    read_method(text)
    read_status(text)


def test_the_template_offers_only_the_methods_of_the_act() -> None:
    assert [t.code for t in vocab.choices("method")] == ["e_bidding", "e_market", "price_inquiry", "selection", "specific"]


def _canonical(path: Path, rows: list[dict[str, str]]) -> Path:
    base = {
        "fiscal_year": "2568", "report_month": "2025-01", "item_name": "จัดซื้อวัสดุสำนักงาน", "budget_amount": "9000",
        "method": "เฉพาะเจาะจง", "winner_name": "ร้านเจริญพาณิชย์", "agreed_price": "8500", "contract_no": "1/2568",
        "contract_date": "2025-01-10", "contract_end_date": "2025-01-20", "status": "สิ้นสุดระยะสัญญา",
        "budget_category": "operating", "investment_basis": "declared",
    }
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(base), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({**base, **row})
    return path


def test_an_unknown_method_is_an_error_at_its_cell_listing_the_methods(tmp_path: Path) -> None:
    report = validate([_canonical(tmp_path / "a.csv", [{"method": "ประมูลพิเศษแบบใหม่"}])])
    (problem,) = [p for p in report.problems if p.code == "unknown_method"]
    assert (problem.row, problem.column, problem.severity) == (2, "E", "error")
    assert "ประมูลพิเศษแบบใหม่" in problem.message
    for method in ("e-bidding", "e-market", "สอบราคา", "คัดเลือก", "เฉพาะเจาะจง"):
        assert method in problem.message
    records = ingest([tmp_path / "a.csv"]).records
    assert records["method"].isna().all()  # never a silent "other"


def test_explain_lists_every_method_with_its_spellings() -> None:
    result = runner.invoke(app, ["explain", "unknown_method"])
    assert result.exit_code == 0
    for entry in _toml("methods.toml")["method"]:
        assert f"[{entry['code']}]" in result.stdout
    assert "ประกวดราคาอิเล็กทรอนิกส์, e-bidding" in result.stdout


def test_an_old_method_in_a_record_under_the_act_is_a_warning(tmp_path: Path) -> None:
    path = _canonical(tmp_path / "a.csv", [
        {"method": "ตกลงราคา"},  # signed 2025: under the Act
        {"method": "ตกลงราคา", "fiscal_year": "2560", "report_month": "2017-05", "contract_date": "2017-05-10",
         "contract_end_date": "2017-05-20"},  # signed before 23 Aug 2017
    ])
    report = validate([path])
    assert [(p.row, p.code, p.severity) for p in report.problems if p.code == "method_old_regulation"] == [
        (2, "method_old_regulation", "warning"),
    ]
    assert report.valid


# --- points 1 and 2: ambiguous statuses by evidence, reported; unknown ones derived with a warning


def test_in_progress_is_read_by_the_record_s_evidence_and_the_choice_is_reported(tmp_path: Path) -> None:
    path = _canonical(tmp_path / "a.csv", [
        {"status": "ระหว่างดำเนินการ", "winner_name": "", "agreed_price": "", "contract_no": "", "contract_date": "",
         "contract_end_date": ""},
        {"status": "ระหว่างดำเนินการ", "contract_end_date": "2025-03-31"},  # still under contract at the data's date
        {"status": "อยู่ระหว่างดำเนินการ", "contract_no": "", "contract_date": "", "contract_end_date": ""},
    ])
    result = ingest([path])
    assert result.records["status"].tolist() == ["not_signed", "in_contract", "in_contract"]
    assert result.records["status_text"].tolist() == ["ระหว่างดำเนินการ", "ระหว่างดำเนินการ", "อยู่ระหว่างดำเนินการ"]
    readings = {(r.text, r.code, r.evidence, tuple(r.rows)) for r in result.resolutions}
    assert readings == {
        ("ระหว่างดำเนินการ", "not_signed", "none", (2,)),
        ("ระหว่างดำเนินการ", "in_contract", "contract", (3,)),
        ("อยู่ระหว่างดำเนินการ", "in_contract", "contract", (4,)),  # a winner alone is evidence
    }
    report = validate([path])
    assert report.valid and report.problems == []
    assert len(report.summary["resolved"]) == 3
    text = runner.invoke(app, ["validate", str(path)]).stdout
    assert 'คอลัมน์ K (status): "ระหว่างดำเนินการ" 1 รายการ อ่านเป็น ยังไม่ลงนามในสัญญา เพราะยังไม่มีเลขที่สัญญา' in text


def test_a_contract_status_decides_an_in_progress_project(tmp_path: Path) -> None:
    path = tmp_path / "egp.csv"
    path.write_text(
        "ลำดับ,รหัสโครงการ,ชื่อโครงการ,งบประมาณ(บาท),วิธีจัดซื้อฯ,สถานะโครงการ,สถานะสัญญา,ปีงบประมาณ\n"
        "1,68019054321,ซื้อวัสดุสำนักงาน,9000,เฉพาะเจาะจง,ระหว่างดำเนินการ,ส่งงานครบถ้วน,2568\n"
        "2,68019054322,ซื้อวัสดุไฟฟ้า,9000,เฉพาะเจาะจง,ระหว่างดำเนินการ,,2568\n",
        encoding="utf-8",
    )
    result = ingest([path])
    assert result.records["status"].tolist() == ["completed", "not_signed"]
    assert {(r.code, r.evidence) for r in result.resolutions} == {("completed", "contract_status"), ("not_signed", "none")}


def test_unknown_or_missing_status_is_derived_with_a_warning_only_the_underivable_is_an_error(tmp_path: Path) -> None:
    path = _canonical(tmp_path / "a.csv", [
        {"status": "รอตรวจรับ"},
        {"status": ""},
        {"status": "รอตรวจรับ", "contract_date": "เร็วๆ นี้"},
    ])
    report = validate([path])
    found = {(p.row, p.field, p.code, p.severity) for p in report.problems}
    assert (2, "status", "unknown_status", "warning") in found
    assert (3, "status", "status_blank", "warning") in found
    assert (4, "status", "status_not_derivable", "error") in found
    assert (4, "contract_date", "not_a_date", "error") in found


def test_the_quarter_with_every_e_gp_status_publishes_without_force(tmp_path: Path) -> None:
    result = publish([QUARTER], out=tmp_path / "site", config=REPO / "samples" / "procdata.toml")
    assert not result.refused and result.report.valid
    assert {p.code for p in result.report.problems} == {"unknown_status"}  # "รอตรวจรับ": a warning
    with (tmp_path / "site" / "o12.csv").open(encoding="utf-8-sig") as handle:
        rows = {row["เลขที่โครงการ"]: row for row in csv.DictReader(handle)}
    status = {pid: row["สถานะการจัดซื้อจัดจ้าง"] for pid, row in rows.items()}
    assert status == {
        "67109100011": "สิ้นสุดระยะสัญญา",  # แล้วเสร็จตามสัญญา (December)
        "67109100022": "อยู่ระหว่างระยะสัญญา",  # จัดทำสัญญา / PO แล้ว
        "67109100033": "สิ้นสุดระยะสัญญา",  # สิ้นสุดสัญญา
        "67109100044": "สิ้นสุดระยะสัญญา",
        "67109100055": "สิ้นสุดระยะสัญญา",
        "67119100066": "ยกเลิกการดำเนินการ",  # ยกเลิกประกาศเชิญชวน
        "67119100077": "ยกเลิกการดำเนินการ",  # ยกเลิกสัญญา
        "67119100088": "ยกเลิกการดำเนินการ",  # ยกเลิกโครงการ
        "67129100099": "อยู่ระหว่างระยะสัญญา",  # "รอตรวจรับ": derived from its dates at 31 Dec 2567
        "67129100100": "อยู่ระหว่างระยะสัญญา",  # ระหว่างดำเนินการ with a contract
    }
    basis = {pid: row["ที่มาของสถานะ"] for pid, row in rows.items()}
    assert basis["67129100099"].startswith("คำนวณจากวันที่ลงนาม")
    assert basis["67129100100"].startswith('แฟ้มต้นฉบับเขียนว่า "ระหว่างดำเนินการ" อ่านตามหลักฐาน')


def test_a_column_of_codes_is_kept_as_it_is_and_equals_the_plain_reading() -> None:
    import pandas as pd

    from procdata.normalize.builder import Builder, Context
    from procdata.normalize.procedure import method_columns, status_columns

    raw = pd.DataFrame({
        "method": pd.Series(["specific", "e_bidding", "specific"], dtype="string[pyarrow]"),
        "status": pd.Series(["completed", "in_contract", "completed"], dtype="string[pyarrow]"),
        "source_row": [2, 3, 4],
    })
    builder = Builder(raw, {}, Context("f.csv", ""))
    method, _ = method_columns(builder)
    empty = pd.Series(["", "", ""], dtype="string[pyarrow]")
    status, _ = status_columns(builder, contract_no=empty, contract_date=pd.Series([None] * 3, dtype="string[pyarrow]"), winner=empty)
    assert method is builder.text("method") and status is builder.text("status")  # the fast path: no copy
    written = raw.assign(method=raw["method"].str.upper(), status=raw["status"] + " ")  # not codes: the plain path
    plain = Builder(written, {}, Context("f.csv", ""))
    assert method_columns(plain)[0].tolist() == method.tolist()
    assert status_columns(plain, contract_no=empty, contract_date=pd.Series([None] * 3, dtype="string[pyarrow]"),
                          winner=empty)[0].tolist() == status.tolist()

"""Issue 10, point 5: the national e-GP contract data as the government publishes it
(data.go.th's yearly CSV in its FY2568 and FY2569 column names, the government-spending
API's JSON), every column with a canonical field mapped, the agency fields.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import FIXTURES, REPO
from procdata.check import validate
from procdata.cli import app
from procdata.model import FIELDS
from procdata.publish import publish
from procdata.read.ingest import ingest

NATIONAL = FIXTURES / "egp-national"
FILES = ["2568-egp-contract-1.csv", "2569-egp-contract-1.csv", "gprocurement-api.json"]
runner = CliRunner()


@pytest.mark.parametrize("name", FILES)
def test_every_record_gets_its_method_price_agency_province_and_investment_judgement(name: str) -> None:
    result = ingest([NATIONAL / name])
    records = result.records
    assert not result.failures and len(records) > 0
    assert records["method"].notna().all()
    assert records["agency_name"].notna().all() and records["agency_unit"].notna().all()
    assert records["province"].notna().all() and records["district"].notna().all()
    assert records["is_investment"].notna().all()
    assert records["investment_basis"].str.startswith("inferred:").all()
    signed = records["winner_name"].notna()
    assert records.loc[signed, "agreed_price"].notna().all()
    assert (result.sheets[0].layout, result.sheets[0].ignored_columns) == ("egp-national", [])
    assert not [i for i in result.issues if i.code == "unused_column"]


def test_the_fy2568_file_is_read_field_by_field() -> None:
    records = ingest([NATIONAL / "2568-egp-contract-1.csv"]).records
    road = records[records["project_id"] == "67109201884"].iloc[0]
    # the method in กลุ่มวิธีจัดซื้อฯ where วิธีจัดซื้อฯ holds e-GP's catch-all text
    assert (road["method"], road["method_text"]) == ("e_bidding", "ประกวดราคาอิเล็กทรอนิกส์ (e-bidding)")
    assert (road["budget_amount"], road["reference_price"], road["agreed_price"]) == (2450000.0, 2438000.0, 2180000.0)
    assert (road["contract_date"], road["contract_end_date"]) == ("2024-11-29", "2025-03-28")  # "29 พ.ย. 67"
    assert (road["agency_name"], road["province"], road["district"]) == ("องค์การบริหารส่วนตำบลโนนทอง", "ขอนแก่น", "เมืองขอนแก่น")
    assert road["agency_unit"].startswith("องค์การบริหารส่วนตำบลโนนทอง อำเภอเมืองขอนแก่น")
    assert (road["status"], road["status_text"]) == ("in_contract", "ระหว่างดำเนินการ")
    assert (road["winner_name"], road["winner_tax_id"], road["fiscal_year"]) == ("หจก.ทองคำก่อสร้าง", "0403556001124", 2568)
    cancelled = records[records["project_id"] == "68029076543"].iloc[0]  # its row ends early: no contract columns
    assert cancelled["status"] == "cancelled" and pd.isna(cancelled["contract_date"]) and pd.isna(cancelled["winner_name"])
    joint = records[records["project_id"] == "68039004411"].iloc[0]
    assert joint["winner_name"] == "กิจการร่วมค้า เอสเคทีคอนสตรัคชั่น" and pd.isna(joint["winner_tax_id"])


def test_the_fy2569_renamed_columns_are_read() -> None:
    records = ingest([NATIONAL / "2569-egp-contract-1.csv"]).records
    first = records.iloc[0]
    assert (first["item_name"].startswith("ซื้อวัสดุสำนักงาน"), first["budget_amount"], first["agreed_price"]) == (True, 9800.0, 9650.0)
    assert (first["method"], first["winner_name"], first["fiscal_year"]) == ("specific", "ร้านสมใจพาณิชย์", 2569)


def test_the_api_json_is_read_with_its_contracts() -> None:
    records = ingest([NATIONAL / "gprocurement-api.json"]).records
    split = records[records["project_id"] == "68039017765"].iloc[0]  # two contracts, two winners
    assert split["winner_name"] == "บริษัท อีสานวิศวกรรม จำกัด / บริษัท โคราชคอมพิวเตอร์ จำกัด"
    assert pd.isna(split["winner_tax_id"])  # two winners: no one taxpayer ID
    assert (split["contract_no"], split["contract_date"]) == ("ชย 88/2568 / ชย 89/2568", "2025-04-02")
    assert (split["agreed_price"], split["status"], split["method"]) == (598000.0, "completed", "selection")
    csv_records = ingest([NATIONAL / "2568-egp-contract-1.csv"]).records
    shared = sorted(set(records["project_id"]) & set(csv_records["project_id"]))
    for field in ("method", "agreed_price", "agency_name", "province", "is_investment", "budget_amount"):
        assert records.set_index("project_id").loc[shared, field].tolist() == \
            csv_records.drop_duplicates("project_id").set_index("project_id").loc[shared, field].tolist(), field


def test_validate_reads_the_national_files_without_errors() -> None:
    report = validate([NATIONAL])
    assert report.valid, [p.to_dict() for p in report.errors]
    # The rows of one project split between two winners are its contracts, not duplicates.
    assert not [p for p in report.problems if p.code == "duplicate_project"]
    # Contracts e-GP still calls signed whose end date had passed by the date of the data: one warning a file.
    assert {p.code for p in report.problems} == {"tax_id_stand_in", "contract_period_over"}


def test_an_unused_column_that_looks_like_it_matters_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "egp.csv"
    path.write_text(
        "ลำดับ,รหัสโครงการ,ชื่อโครงการ,งบประมาณ(บาท),วิธีจัดซื้อฯ,ปีงบประมาณ,ค่าปรับ (บาท),เลขที่ใบเสร็จ,ผู้ตรวจรับ,ข้อสังเกต\n"
        "1,68019000001,ซื้อวัสดุสำนักงาน,9000,เฉพาะเจาะจง,2568,0,R-0001,นายสมชาย,ส่งช้า 2 วัน\n",
        encoding="utf-8",
    )
    report = validate([path])
    unused = [(p.row, p.column, p.field, p.severity) for p in report.problems if p.code == "unused_column"]
    assert unused == [(1, "G", "agreed_price", "warning"), (1, "H", "project_id", "warning")]
    assert 'คอลัมน์ "ค่าปรับ (บาท)" ไม่ได้ถูกอ่านเป็นข้อมูลใดเลย' in report.problems[0].message
    # A column read for nothing that looks like nothing that matters stays a note of ingest.
    assert ingest([path]).sheets[0].ignored_columns == ["ค่าปรับ (บาท)", "เลขที่ใบเสร็จ", "ผู้ตรวจรับ", "ข้อสังเกต"]


def test_a_column_with_dates_or_methods_under_an_unknown_header_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "o12.csv"
    path.write_text(
        "ลำดับที่,งานที่จัดซื้อหรือจัดจ้าง,วงเงินที่จะซื้อหรือจ้าง,ปีงบประมาณ,ลงนาม,แบบ\n"
        "1,ซื้อวัสดุ,9000,2568,15/01/2568,เฉพาะเจาะจง\n2,ซื้อวัสดุไฟฟ้า,9000,2568,16/01/2568,เฉพาะเจาะจง\n",
        encoding="utf-8",
    )
    found = {(p.column, p.field) for p in validate([path]).problems if p.code == "unused_column"}
    assert found == {("E", "contract_date"), ("F", "method")}


def test_an_agency_s_own_files_leave_the_agency_fields_empty() -> None:
    records = ingest([REPO / "samples" / "o12-2568.csv"]).records  # its ชื่อหน่วยงาน, อำเภอ, จังหวัด columns name itself
    for field in ("agency_name", "agency_unit", "province", "district"):
        assert records[field].isna().all(), field


def test_a_list_of_several_agencies_keeps_each_record_s_agency(tmp_path: Path) -> None:
    path = tmp_path / "province.csv"  # a provincial office's list: O12-like columns, many agencies
    path.write_text(
        "ลำดับที่,ชื่อหน่วยงาน,อำเภอ,จังหวัด,งานที่จัดซื้อหรือจัดจ้าง,วงเงินที่จะซื้อหรือจ้าง,วิธีซื้อหรือจ้าง,ปีงบประมาณ\n"
        "1,องค์การบริหารส่วนตำบลหนองบัว,เมืองขอนแก่น,ขอนแก่น,จัดซื้อวัสดุสำนักงาน,9000,เฉพาะเจาะจง,2568\n"
        "2,เทศบาลตำบลบ้านโคก,ชุมแพ,ขอนแก่น,จัดซื้อวัสดุไฟฟ้า,9000,เฉพาะเจาะจง,2568\n",
        encoding="utf-8",
    )
    records = ingest([path]).records
    assert records["agency_name"].tolist() == ["องค์การบริหารส่วนตำบลหนองบัว", "เทศบาลตำบลบ้านโคก"]
    assert records["district"].tolist() == ["เมืองขอนแก่น", "ชุมแพ"]


def test_the_agency_fields_are_in_the_schema_and_the_canonical_files() -> None:
    spec = json.loads((REPO / "schemas" / "procurement.schema.json").read_text(encoding="utf-8"))
    names = [f["name"] for f in spec["fields"]]
    assert names == list(FIELDS)
    for field in ("agency_name", "agency_unit", "province", "district"):
        entry = spec["fields"][names.index(field)]
        assert entry["titles"]["th"] and entry["titles"]["en"] and entry["type"] == "string"


def test_published_agency_columns_use_the_record_s_own_agency(tmp_path: Path) -> None:
    result = publish([NATIONAL / "2568-egp-contract-1.csv"], out=tmp_path / "site",
                     config=REPO / "samples" / "procdata.toml", as_of=None)
    assert not result.refused
    with (tmp_path / "site" / "o12.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["ชื่อหน่วยงาน"] for row in rows} == {
        "องค์การบริหารส่วนตำบลโนนทอง", "เทศบาลตำบลบ้านโคก", "องค์การบริหารส่วนจังหวัดชัยภูมิ", "กรมทางหลวงชนบท",
    }
    assert {row["จังหวัด"] for row in rows} == {"ขอนแก่น", "ชัยภูมิ"}


@pytest.mark.parametrize(("content", "code"), [
    ("[" * 100_000, "file_damaged"),
    ('{"result": 5}', "file_no_table"),
    ('{"result": [}', "file_damaged"),
])
def test_broken_json_is_one_line_and_exit_2(tmp_path: Path, content: str, code: str) -> None:
    path = tmp_path / "api.json"
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert validate([path]).failures[0]["code"] == code

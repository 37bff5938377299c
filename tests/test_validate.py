"""Every check of `procdata validate`: a record that fails it and one that passes.

Records are written as procdata's canonical CSV (one valid base record, then
the changes under test), read back through ingest and validated, so each
problem is found where an officer would look: its CSV line and column.
"""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import FIXTURES
from procdata.check import Report, catalog, validate, validate_ingested
from procdata.check.rules import normalize_names
from procdata.normalize.dates import fiscal_year_bounds
from procdata.normalize.ids import check_digit_ok as tax_id_check_digit_ok
from procdata.read.ingest import ingest
from procdata.resources import schema

_spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "validate" / "make_fixtures.py")
assert _spec and _spec.loader
fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fixtures)
BASE: dict[str, str] = fixtures.CANONICAL_BASE
FIELDS: list[str] = fixtures.CANONICAL_FIELDS


def write(path: Path, *changes: dict[str, str], fields: list[str] = FIELDS) -> Path:
    """A canonical CSV: one record per change, each the valid base record with the change applied."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fields, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        for number, change in enumerate(changes):
            # Each record its own contract: records sharing a contract number and winner are one project (merged).
            writer.writerow({**BASE, "seq": str(number + 1), "source_row": str(number + 2),
                             "contract_no": f"{number + 1}/2568", **change})
    return path


def found(report: Report) -> set[tuple[int | None, str, str]]:
    return {(p.row, p.field, p.code) for p in report.problems}


def test_the_base_record_is_clean(tmp_path: Path) -> None:
    report = validate([write(tmp_path / "a.csv", {})])
    assert report.problems == []
    assert report.valid
    assert report.summary["records"] == 1


# (code, field, change that fails, change that passes)
CASES = [
    ("not_a_number", "budget_amount", {"budget_amount": "เก้าพัน"}, {"budget_amount": "9,000.-"}),
    ("not_an_integer", "seq", {"seq": "1.5"}, {"seq": "๑"}),
    ("not_a_date", "contract_date", {"contract_date": "เร็วๆ นี้"}, {"contract_date": "10/01/2568"}),
    ("impossible_date", "contract_date", {"contract_date": "2025-02-30"}, {"contract_date": "2025-02-28", "contract_end_date": "2025-03-01"}),
    ("bad_year", "contract_date", {"contract_date": "10/01/1800"}, {"contract_date": "10/01/68"}),
    ("not_a_month", "report_month", {"report_month": "เดือนหน้า"}, {"report_month": "ม.ค. 2568"}),
    ("not_a_boolean", "is_investment", {"is_investment": "บางที"}, {"is_investment": "ใช่"}),
    ("not_json_bidders", "bidders", {"bidders": '[{"name": "ร้าน'}, {"bidders": "[]"}),
    ("unknown_method", "method", {"method": "walk_in"}, {"method": "วิธีเฉพาะเจาะจง"}),
    ("unknown_status", "status", {"status": "finished"}, {"status": "สิ้นสุดระยะสัญญา"}),
    ("unknown_category", "budget_category", {"budget_category": "misc"}, {"budget_category": "งบดำเนินงาน"}),
    ("unknown_source", "budget_source", {"budget_source": "lottery"}, {"budget_source": "เงินสะสม"}),
    ("tax_id_leading_zero", "winner_tax_id", {"winner_tax_id": "403555008711"}, {"winner_tax_id": "0403555008711"}),
    ("required", "item_name", {"item_name": ""}, {"item_name": "จัดซื้อวัสดุ"}),
    ("required", "method", {"method": "", "method_text": ""}, {"method": "specific"}),
    ("negative_amount", "budget_amount", {"budget_amount": "-9000.00"}, {"budget_amount": "0"}),
    ("out_of_range", "fiscal_year", {"fiscal_year": "3000"}, {"fiscal_year": "2568"}),
    ("project_id_digits", "project_id", {"project_id": "6701912345"}, {"project_id": "67019123456"}),
    ("tax_id_digits", "winner_tax_id", {"winner_tax_id": "04035550087"}, {"winner_tax_id": ""}),
    ("bad_format", "investment_basis", {"investment_basis": "guessed"}, {"investment_basis": "inferred:วัสดุ"}),
    ("agreed_above_budget", "agreed_price", {"agreed_price": "9000.01"}, {"agreed_price": "9000.00"}),
    ("agreed_above_reference", "agreed_price", {"reference_price": "8000.00"}, {"reference_price": "8500.00"}),
    ("reference_above_budget", "reference_price", {"reference_price": "9500.00"}, {"reference_price": "9000.00"}),
    ("end_before_contract", "contract_end_date", {"contract_end_date": "2025-01-09"}, {"contract_end_date": "2025-01-10"}),
    ("outside_fiscal_year", "contract_date", {"contract_date": "2024-09-30"}, {"contract_date": "2024-10-01"}),
    ("outside_fiscal_year", "contract_date", {"contract_date": "2025-10-01", "contract_end_date": ""}, {"contract_date": "2025-09-30", "contract_end_date": ""}),
    ("outside_fiscal_year", "report_month", {"report_month": "2024-09"}, {"report_month": "2025-09"}),
    ("tax_id_check_digit", "winner_tax_id", {"winner_tax_id": "0403555008712"}, {"winner_tax_id": "3409900123451"}),
    ("method_above_ceiling", "method", {"budget_amount": "500000.01", "reference_price": "", "agreed_price": ""},
     {"budget_amount": "500000.00", "reference_price": "", "agreed_price": ""}),
    ("winner_not_bidder", "winner_name", {"winner_name": "ร้านรุ่งเรืองการค้า"}, {"winner_name": "ร้าน เจริญพาณิชย์"}),
    ("signed_no_winner", "winner_name", {"winner_name": ""}, {"winner_name": "", "contract_date": "", "contract_end_date": "", "status": "not_signed"}),
    ("signed_no_winner", "winner_name", {"winner_name": "", "contract_date": "", "contract_end_date": "", "status": "in_contract"}, {"winner_name": "", "contract_date": "", "contract_end_date": "", "status": ""}),
    ("signed_no_price", "agreed_price", {"agreed_price": ""}, {"agreed_price": "", "contract_date": "", "contract_end_date": "", "status": "cancelled"}),
    ("control_characters", "item_name", {"item_name": "จัดซื้อ\x0bวัสดุสำนักงาน\x1b[31m"}, {"item_name": "จัดซื้อ\tวัสดุสำนักงาน"}),
    # Issue 10: the words of e-GP and the Act, and the DLA's classification.
    ("method_old_regulation", "method", {"method": "ตกลงราคา", "method_text": ""}, {"method": "วิธีเฉพาะเจาะจง", "method_text": ""}),
    ("status_blank", "status", {"status": "", "status_text": ""}, {"status": "completed"}),
    ("status_not_derivable", "status", {"status": "finished", "contract_date": "เร็วๆ นี้"}, {"status": "finished"}),
    ("tax_id_stand_in", "winner_tax_id", {"winner_tax_id": "D888868001234"}, {"winner_tax_id": "0403555008711"}),
    ("investment_unknown", "item_name",
     {"item_name": "ค่าใช้จ่ายตามโครงการ", "budget_category": "", "is_investment": "", "investment_basis": ""},
     {"item_name": "จัดซื้อวัสดุสำนักงาน", "budget_category": "", "is_investment": "", "investment_basis": ""}),
]


@pytest.mark.parametrize(("code", "field", "failing", "passing"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_each_check_fails_and_passes(code: str, field: str, failing: dict[str, str], passing: dict[str, str], tmp_path: Path) -> None:
    report = validate([write(tmp_path / "a.csv", {}, failing, passing)])
    assert (3, field, code) in found(report), report.to_dict()
    assert not any(p.code == code for p in report.problems if p.row in (2, 4)), report.to_dict()
    problem = next(p for p in report.problems if p.row == 3 and p.code == code)
    assert problem.severity == catalog.check(code).severity
    assert problem.column == f"{chr(65 + FIELDS.index(field))}" and problem.header == field


def test_every_check_has_a_case_here_or_in_the_tests_below() -> None:
    # update_conflict is raised by the merge of monthly files: tests/test_merge.py
    # unused_column needs a column outside the canonical fields: tests/test_national.py
    # contract_period_over (one warning per sheet): tests/test_officer_path.py and test_one_report.py
    # the cells a workbook itself spoils (formula_no_value, broken_string, broken_style, cell_error): tests/test_trust.py
    tested = {case[0] for case in CASES} | {
        "missing_column", "fiscal_year_unknown", "duplicate_project", "update_conflict", "unused_column",
        "contract_period_over", "duplicate_file",  # duplicate_file: tests/test_cli_ingest.py
        "no_header", "control_only",  # a value in a column with no header, a row of NUL bytes: tests/test_trust.py
    }
    tested |= {"formula_no_value", "broken_string", "broken_style", "cell_error"}
    assert tested == set(catalog.checks())


def test_a_12_digit_taxpayer_id_is_a_lost_zero_only_when_the_zero_makes_it_valid(tmp_path: Path) -> None:
    report = validate([write(tmp_path / "a.csv", {"winner_tax_id": "403555008711"}, {"winner_tax_id": "403555008712"})])
    assert found(report) == {(2, "winner_tax_id", "tax_id_leading_zero"), (3, "winner_tax_id", "tax_id_digits")}
    short = next(p for p in report.problems if p.row == 3)
    assert (short.severity, short.value, short.column) == ("error", "403555008712", "Q")
    assert short.message == 'เลขประจำตัวผู้เสียภาษีต้องมี 13 หลัก แต่ "403555008712" มี 12 หลัก'


def test_duplicate_project_numbers_name_each_other(tmp_path: Path) -> None:
    same = {"project_id": "67019123456", "contract_no": "1/2568"}  # the same contract too: a duplicate, not a second contract
    report = validate([write(tmp_path / "a.csv", same, {"project_id": "67019123457"}, same)])
    duplicates = [p for p in report.problems if p.code == "duplicate_project"]
    assert [(p.row, p.column, p.severity) for p in duplicates] == [(2, "D", "error"), (4, "D", "error")]
    assert "แถว 4 (ในแฟ้มเดียวกัน)" in duplicates[0].message
    assert "แถว 2 (ในแฟ้มเดียวกัน)" in duplicates[1].message


def test_duplicates_across_files_count_within_one_report_month_only(tmp_path: Path) -> None:
    january = write(tmp_path / "jan.csv", {"project_id": "67019123456"})
    february = write(tmp_path / "feb.csv", {"project_id": "67019123456", "report_month": "2025-02", "contract_date": "2025-02-03", "contract_end_date": ""})
    again = write(tmp_path / "again.csv", {"project_id": "67019123456", "seq": "2"})  # the same project, not a copy of the file
    assert not [p for p in validate([january, february]).problems if p.code == "duplicate_project"]
    report = validate([january, again], lang="en")
    messages = [p.message for p in report.problems if p.code == "duplicate_project"]
    assert messages == [
        f"project number 67019123456 also appears at {again} row 2 (in the report of 2025-01); remove the duplicate or correct the number",
        f"project number 67019123456 also appears at {january} row 2 (in the report of 2025-01); remove the duplicate or correct the number",
    ]


def test_a_sheet_without_a_required_column_is_told_once(tmp_path: Path) -> None:
    fields = [f for f in FIELDS if f not in ("method", "method_text")]
    report = validate([write(tmp_path / "a.csv", {}, {}, {}, fields=fields)])
    assert [(p.row, p.column, p.field, p.code) for p in report.problems] == [(None, "", "method", "missing_column")]
    assert report.problems[0].message == "แผ่นงานนี้ไม่มีคอลัมน์วิธีการจัดซื้อจัดจ้าง (3 รายการไม่มีค่า) เพิ่มคอลัมน์ที่มีหัวว่า \"วิธีการจัดซื้อจัดจ้าง\""


def test_an_unknown_fiscal_year_says_how_to_give_it(tmp_path: Path) -> None:
    fields = ["item_name", "budget_amount", "method", "agreed_price"]
    path = write(tmp_path / "a.csv", {"agreed_price": "100"}, {"agreed_price": "200"}, fields=fields)
    report = validate([path])
    assert [(p.row, p.field, p.code, p.severity) for p in report.problems] == [(None, "fiscal_year", "fiscal_year_unknown", "error")]
    assert "--fiscal-year 2568" in report.problems[0].message and "2 รายการ" in report.problems[0].message
    assert validate([path], fiscal_year=2568).problems == []


def test_an_empty_fiscal_year_cell_is_required_where_the_column_exists(tmp_path: Path) -> None:
    report = validate([write(tmp_path / "a.csv", {"fiscal_year": "", "report_month": "", "contract_date": "", "contract_end_date": "", "status": ""})])
    assert found(report) == {(2, "fiscal_year", "required"), (2, "status", "status_blank")}


def test_a_cell_ingest_could_not_read_is_reported_once(tmp_path: Path) -> None:
    report = validate([write(tmp_path / "a.csv", {"method": "walk_in", "agreed_price": "แปดพัน"})])
    assert found(report) == {(2, "method", "unknown_method"), (2, "agreed_price", "not_a_number")}


def test_unknown_words_suggest_the_closest_known_value(tmp_path: Path) -> None:
    report = validate([write(tmp_path / "a.csv", {"method": "e-biding"})], lang="en")
    assert report.problems[0].message == (
        'unknown procurement method "e-biding" (did you mean "Electronic bidding (e-bidding)"?); '
        "use a method of the Procurement Act 2560: Electronic bidding (e-bidding), Electronic market (e-market), "
        "Price inquiry, Selection, Specific (direct)"
    )


def test_problems_are_sorted_by_file_sheet_row_and_column(tmp_path: Path) -> None:
    second = write(tmp_path / "b.csv", {"budget_amount": "-1"})
    first = write(tmp_path / "a.csv", {"agreed_price": "9999", "budget_amount": "x", "contract_no": "7/2568"}, {"project_id": "1"})
    report = validate([second, first])
    assert [(Path(p.file).name, p.row, p.column) for p in report.problems] == [
        ("b.csv", 2, "F"), ("a.csv", 2, "F"), ("a.csv", 2, "R"), ("a.csv", 3, "D"),
    ]


def test_composite_columns_locate_the_fields_they_hold() -> None:
    report = validate([FIXTURES / "validate" / "inputs" / "sorkorror1-errors.xlsx"])
    where = {(p.row, p.field): (p.column, p.header) for p in report.problems}
    assert where[(8, "winner_name")] == ("G", "ผู้ได้รับการคัดเลือกและราคาที่ตกลงซื้อหรือจ้าง")
    assert where[(10, "contract_date")] == ("I", "เลขที่และวันที่ของสัญญาหรือข้อตกลงในการซื้อหรือจ้าง")


def test_winner_names_are_compared_without_spacing_punctuation_and_legal_forms() -> None:
    import pyarrow as pa

    names = pa.array(["หจก. สมบูรณ์ก่อสร้าง", "ห้างหุ้นส่วนจำกัด สมบูรณ์ก่อสร้าง", "บริษัท ไทยพัฒนา จำกัด (มหาชน)",
                      "บมจ.ไทยพัฒนา", "น.ส.มาลี ศรีสุข", "นางสาวมาลี  ศรีสุข", "ร้านสำมำรถกำรค้ำ", "ร้านสามารถการค้า เสนอราคา"])
    assert normalize_names(names).to_pylist() == [
        "สมบูรณ์ก่อสร้าง", "สมบูรณ์ก่อสร้าง", "ไทยพัฒนา", "ไทยพัฒนา", "มาลีศรีสุข", "มาลีศรีสุข", "สามารถการค้า", "สามารถการค้า",
    ]


def test_the_vectorized_check_digit_agrees_with_the_one_in_cells(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    ids = ["".join(map(str, rng.integers(0, 10, 13))) for _ in range(300)] + ["0403555008711", "3409900123451"]
    report = validate([write(tmp_path / "a.csv", *({"winner_tax_id": i} for i in ids))])
    flagged = {p.row for p in report.problems if p.code == "tax_id_check_digit"}
    assert flagged == {n + 2 for n, i in enumerate(ids) if not tax_id_check_digit_ok(i)}
    assert 0 < len(flagged) < len(ids)


@pytest.mark.parametrize("year", [2566, 2567, 2568, 2569])
def test_fiscal_year_bounds_agree_with_normalize(year: int, tmp_path: Path) -> None:
    first, last = fiscal_year_bounds(year)
    dates = [first - pd.Timedelta(days=1), first, last, last + pd.Timedelta(days=1)]
    changes = [{"fiscal_year": str(year), "report_month": "", "contract_date": d.isoformat(), "contract_end_date": ""} for d in dates]
    report = validate([write(tmp_path / "a.csv", *changes)])
    assert sorted(p.row for p in report.problems if p.code == "outside_fiscal_year") == [2, 5]


def test_records_not_made_by_ingest_are_type_checked(tmp_path: Path) -> None:
    result = ingest([write(tmp_path / "a.csv", {}, {}, {}, {})])
    records = result.records.astype({"budget_amount": object, "contract_date": object, "is_investment": object, "bidders": object})
    records.loc[0, "budget_amount"] = "nine thousand"
    records.loc[1, "contract_date"] = "2025-02-30"
    records.loc[2, "is_investment"] = "perhaps"
    records.loc[3, "bidders"] = "ร้านเจริญพาณิชย์"
    result.records = records
    assert found(validate_ingested(result)) == {
        (2, "budget_amount", "not_a_number"), (3, "contract_date", "impossible_date"),
        (4, "is_investment", "not_a_boolean"), (5, "bidders", "not_json_bidders"),
    }


def test_every_schema_rule_has_a_check() -> None:
    for spec in schema("procurement")["fields"]:
        if spec["type"] in ("number", "integer", "date", "boolean", "array"):
            assert catalog.code_for(f"type:{spec['type']}", spec["name"]) in catalog.checks()
        for rule in spec.get("constraints", {}):
            assert catalog.code_for(rule, spec["name"]) in catalog.checks(), (spec["name"], rule)


def test_every_check_has_messages_explanations_and_fixes_in_both_languages() -> None:
    for check in catalog.checks().values():
        assert check.severity in ("error", "warning")
        for lang in ("th", "en"):
            for part in ("message", "explain", "fix"):
                assert len(check.text(part, lang)) > 10, (check.code, lang, part)


def test_to_dict_has_exactly_the_documented_keys(tmp_path: Path) -> None:
    report = validate([write(tmp_path / "a.csv", {"budget_amount": "-1"})])
    data = report.to_dict()
    assert list(data) == ["valid", "summary", "problems"]
    assert list(data["problems"][0]) == ["file", "sheet", "row", "column", "field", "code", "severity", "message", "value"]
    assert data["valid"] is False
    assert data["summary"]["errors"] == 1 and data["summary"]["codes"] == {"negative_amount": 1}


def test_an_unreadable_input_is_a_failure_not_a_problem(tmp_path: Path) -> None:
    report = validate([FIXTURES / "broken" / "empty.xlsx", write(tmp_path / "a.csv", {})])
    assert not report.valid and report.problems == []
    assert report.summary["files_unreadable"] == 1
    assert report.failures[0]["code"] == "file_empty"

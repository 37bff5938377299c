"""Updates of the same project across monthly files merge, the latest month winning."""

from __future__ import annotations

from pathlib import Path

from conftest import SAMPLES, SORKORROR1_HEADER, write_xlsx
from procdata.check.merge import merge_updates
from procdata.read.ingest import ingest

HEADER = [*SORKORROR1_HEADER[:1], "เลขที่โครงการ", *SORKORROR1_HEADER[1:], "สถานะการจัดซื้อจัดจ้าง", "วันสิ้นสุดสัญญา"]


def month_file(folder: Path, name: str, title: str, rows: list[list[object]]) -> Path:
    return write_xlsx(folder / name, {name.split(".")[0]: [[title], HEADER, *rows]})


def test_latest_month_wins_and_conflicts_are_named(tmp_path: Path) -> None:
    road = ["67109123456", "ก่อสร้างถนน คสล. หมู่ที่ 3", 500000, 495000, "e-bidding"]
    month_file(tmp_path, "1-oct.xlsx", "ประจำเดือน ตุลาคม 2567", [[1, *road, None, None, None, None, "ยังไม่ลงนามในสัญญา"]])
    month_file(tmp_path, "2-nov.xlsx", "ประจำเดือน พฤศจิกายน 2567", [
        [1, *road, "1. หจก.ก 480,000 บาท", "หจก.ก ราคา 480,000 บาท", "ต่ำสุด", "สัญญาจ้างเลขที่ 3/2568 ลว. 5 พ.ย. 2567", "อยู่ระหว่างระยะสัญญา", "5 ม.ค. 2568"],
        [2, None, "จัดซื้อวัสดุสำนักงาน", 5000, None, "เฉพาะเจาะจง", "ร้าน ข 4,900 บาท", "ร้าน ข 4,900 บาท", "ต่ำสุด", "ใบสั่งซื้อเลขที่ 9/2568", "สิ้นสุดระยะสัญญา"],
    ])
    month_file(tmp_path, "3-dec.xlsx", "ประจำเดือน ธันวาคม 2567", [
        [1, *road[:2], 510000, *road[3:], None, "หจก.ก ราคา 480,000 บาท", None, "3/2568", "สิ้นสุดระยะสัญญา"],
    ])
    records = ingest([tmp_path]).records
    assert len(records) == 4
    result = merge_updates(records)
    assert len(result.records) == 2
    road_row = result.records.iloc[0]
    assert (road_row["status"], road_row["report_month"], road_row["source_file"]) == ("completed", "2024-12", str(tmp_path / "3-dec.xlsx"))
    # Values the latest month left empty come from earlier months.
    assert (road_row["contract_date"], road_row["contract_end_date"], road_row["bidder_count"]) == ("2024-11-05", "2025-01-05", 1)
    assert road_row["budget_amount"] == 510000.0
    (conflict,) = result.conflicts
    assert (conflict.field, conflict.kept_value, conflict.other_value) == ("budget_amount", 510000.0, 500000.0)
    assert (Path(conflict.kept.file).name, Path(conflict.other.file).name) == ("3-dec.xlsx", "2-nov.xlsx")
    kept, folded = result.merged[0]
    assert Path(kept.file).name == "3-dec.xlsx" and [Path(s.file).name for s in folded] == ["1-oct.xlsx", "2-nov.xlsx"]


def test_contract_number_and_winner_identify_projects_without_a_number(tmp_path: Path) -> None:
    item = [None, "จัดซื้อวัสดุสำนักงาน", 5000, None, "เฉพาะเจาะจง", "ร้าน ข 4,900 บาท"]
    month_file(tmp_path, "a.xlsx", "ประจำเดือน ตุลาคม 2567", [[1, *item, "ร้าน ข ราคา 4,900 บาท", "ต่ำสุด", "9/2568", "อยู่ระหว่างระยะสัญญา"]])
    month_file(tmp_path, "b.xlsx", "ประจำเดือน พฤศจิกายน 2567", [[1, *item, "ร้าน  ข ราคา 4,900 บาท", "ต่ำสุด", "9/2568", "สิ้นสุดระยะสัญญา"]])
    month_file(tmp_path, "c.xlsx", "ประจำเดือน พฤศจิกายน 2567", [[1, *item, "ร้าน ค ราคา 4,900 บาท", "ต่ำสุด", "9/2568", "สิ้นสุดระยะสัญญา"]])
    result = merge_updates(ingest([tmp_path]).records)
    assert sorted(result.records["winner_name"]) == ["ร้าน ข", "ร้าน ค"]
    assert result.conflicts == []


def test_nothing_to_merge_returns_the_same_table(tmp_path: Path) -> None:
    records = ingest(["samples/o12-2568.csv"]).records if Path("samples").exists() else None
    if records is None:
        records = ingest([Path(__file__).parent.parent / "samples" / "o12-2568.csv"]).records
    result = merge_updates(records)
    assert result.records is records and result.merged == [] and result.conflicts == []


def test_conflicts_become_warnings_that_name_both_files(tmp_path: Path) -> None:
    from procdata.check.review import review

    test_latest_month_wins_and_conflicts_are_named(tmp_path)
    report = review(ingest([tmp_path]), lang="en").report
    (problem,) = [p for p in report.problems if p.code == "update_conflict"]
    assert (problem.code, problem.severity, problem.field, problem.row) == ("update_conflict", "warning", "budget_amount", 3)
    assert (problem.column, problem.header) == ("D", "วงเงินที่จะซื้อ หรือจ้าง (บาท)")  # the cell to fix, as validate shows it
    assert Path(problem.file).name == "3-dec.xlsx"
    assert problem.message == (
        f"Budget (baht) differs from {tmp_path / '2-nov.xlsx'} [2-nov] row 3 (500,000.00); "
        "the latest month's value (510,000.00) is used; check which value is right"
    )


def test_one_contract_number_won_by_one_firm_at_two_agencies_is_two_projects(tmp_path: Path) -> None:
    """Agencies number their contracts each on its own: "1/2568" of two agencies won by one firm (a
    national table) was merged into one project, and publish wrote one O12 row for the two. The
    agency's name, where records have one, is part of the key (compared folded: spacing aside)."""
    import csv

    from typer.testing import CliRunner

    from procdata.cli import app

    rows = list(csv.reader((SAMPLES / "canonical-sample.csv").open(encoding="utf-8-sig")))
    header, record = rows[0], rows[2]
    at = {name: n for n, name in enumerate(header)}
    paths = []
    for n, (agency, amount, month) in enumerate([("อบต. หนองบัว", "8500.00", "2024-10"), ("เทศบาลตำบลโนนสูง", "12000.00", "2024-11"),
                                                 ("อบต.หนองบัว", "8600.00", "2024-12")]):
        row = list(record)
        row[at["project_id"]] = ""
        row[at["agency_name"]], row[at["agency_unit"]], row[at["budget_amount"]], row[at["report_month"]] = agency, "", amount, month
        paths.append(tmp_path / f"agency{n}.csv")
        with paths[-1].open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([header, row])
    assert record[at["contract_no"]] and record[at["winner_name"]]
    merged = merge_updates(ingest(paths).records)
    assert len(merged.records) == 2  # หนองบัว's two months one project, โนนสูง's its own
    assert sorted(merged.records["budget_amount"].tolist()) == [8600.0, 12000.0]
    assert [(c.field, c.kept_value, c.other_value) for c in merged.conflicts] == [("budget_amount", 8600.0, 8500.0)]
    site = tmp_path / "site"
    result = CliRunner().invoke(app, ["publish", *map(str, paths[:2]), "--config", str(SAMPLES / "procdata.toml"),
                                      "--as-of", "2025-06-30", "--out", str(site)])
    assert result.exit_code == 0, result.output
    assert len((site / "o12.csv").read_text(encoding="utf-8-sig").splitlines()) == 1 + 2


def test_a_cell_that_is_no_project_number_does_not_make_records_one_project(tmp_path: Path) -> None:
    """ "ไม่มี", "N/A", "0" or a number short of a digit in the project number's cell (each an error of its
    own) made one project of every record holding it: four contracts of four agencies were merged as
    monthly updates (O12 would have kept two of them) and reported as conflicting. Such a cell is no key:
    the records are told apart by contract, winner and agency as records without a number are."""
    import csv

    from procdata.check.validate import validate

    rows = list(csv.reader((SAMPLES / "canonical-sample.csv").open(encoding="utf-8-sig")))
    header, record = rows[0], rows[2]
    at = {name: n for n, name in enumerate(header)}
    path = tmp_path / "national.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for n, number in enumerate(["ไม่มี", "ไม่มี", "N/A", "N/A", "0", "0", "6701912345", "6701912345"]):
            row = list(record)
            row[at["project_id"]], row[at["contract_no"]] = number, f"{10 + n}/2568"
            row[at["agency_name"]] = f"อบต.ที่ {n}"
            writer.writerow(row)
    merged = merge_updates(ingest([path]).records)
    assert len(merged.records) == 8 and not merged.conflicts
    report = validate([path], lang="en")
    assert report.summary["projects"] == 8
    codes = report.summary["codes"]
    assert codes["project_id_digits"] == 8 and "duplicate_project" not in codes and "update_conflict" not in codes


def test_a_conflict_within_one_sheet_names_the_other_row_alone(tmp_path: Path) -> None:
    """Two months of a national table in one file, a project in both with another amount: the
    warning names the other row, not the file it is already about (a 1M-row table's two million
    conflicts each named a 57-byte path twice). Between files, the file is still named. validate
    (column-wise) and review (one by one) write the same words."""
    import csv
    import json

    from typer.testing import CliRunner

    from procdata.check.review import review
    from procdata.cli import app

    rows = list(csv.reader((SAMPLES / "canonical-sample.csv").open(encoding="utf-8-sig")))
    header, record = rows[0], rows[3]
    at = {name: n for n, name in enumerate(header)}
    assert record[at["project_id"]]
    later = list(record)
    later[at["report_month"]], later[at["budget_amount"]] = "2024-12", "9100.00"
    earlier = list(record)
    earlier[at["report_month"]] = "2024-11"
    one = tmp_path / "national.csv"
    with one.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, earlier, later])
    for lang, words in (("en", "differs from row 2 ("), ("th", "ต่างจาก แถว 2 (")):
        (problem,) = [p for p in review(ingest([one]), lang=lang).report.problems if p.code == "update_conflict"]
        assert problem.row == 3 and words in problem.message and str(one) not in problem.message
        written = CliRunner().invoke(app, ["validate", str(one), "--format", "json", "--lang", lang])
        (shown,) = [p for p in json.loads(written.stdout)["problems"] if p["code"] == "update_conflict"]
        assert shown["message"] == problem.message
    other = tmp_path / "november.csv"
    with other.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, earlier])
    with one.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, later])
    (problem,) = [p for p in review(ingest([other, one]), lang="en").report.problems if p.code == "update_conflict"]
    assert f"differs from {other} row 2 (" in problem.message

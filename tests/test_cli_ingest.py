"""`procdata ingest` from the command line: outputs, summary, broken inputs, exit codes."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import FIXTURES, SAMPLES
from procdata.cli import app
from procdata.read.ingest import ingest
from procdata.recordjson import plain_canonical_json

runner = CliRunner()
BROKEN = FIXTURES / "broken"


def test_ingest_writes_csv_and_prints_a_thai_summary(repo_cwd: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.csv"
    result = runner.invoke(app, ["ingest", "tests/fixtures/formats/classic.xls", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "สรุปการอ่านแฟ้ม\n"
        "แฟ้ม 1 แฟ้ม (อ่านไม่ได้ 0) · แผ่นงานที่อ่าน 1 · ข้ามแผ่นงาน 0 · รายการ 2 · ข้ามแถว 1 · เซลล์ที่ต้องตรวจ 0\n"
        "  อ่าน tests/fixtures/formats/classic.xls [ก.พ.68] รูปแบบ sorkorror1 หัวตารางแถว 3 ได้ 2 รายการ\n"
        "  ข้ามแถว tests/fixtures/formats/classic.xls [ก.พ.68] แถว 6: แถวรวมยอด (รวม)\n"
        f"บันทึก 2 รายการลงใน {out}\n"
    )
    assert out.read_text(encoding="utf-8").startswith("fiscal_year,report_month,seq,project_id,item_name,")


def test_ingest_json_equals_the_library(repo_cwd: Path, tmp_path: Path) -> None:
    out = tmp_path / "q1.json"
    result = runner.invoke(app, ["ingest", "samples/sorkorror1-2568-q1.xlsx", "-o", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "sheets read 3 · sheets skipped 2 · records 18" in result.stdout
    assert "skipped samples/sorkorror1-2568-q1.xlsx [หมายเหตุ]: no table found" in result.stdout
    assert out.read_bytes() == plain_canonical_json(ingest(["samples/sorkorror1-2568-q1.xlsx"]).records)
    assert len(json.loads(out.read_text(encoding="utf-8"))) == 18


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.xlsx", "empty.xlsx: แฟ้มว่างเปล่า (0 ไบต์) บันทึกแฟ้มจาก Excel ใหม่อีกครั้ง"),
        ("truncated.xlsx", "truncated.xlsx: แฟ้มเสียหรือไม่สมบูรณ์"),
        ("encrypted.xlsx", "encrypted.xlsx: แฟ้มถูกตั้งรหัสผ่าน"),
        ("not-a-spreadsheet.xlsx", "not-a-spreadsheet.xlsx: ไม่ใช่แฟ้มตารางคำนวณ"),
        ("document.xlsx", "document.xlsx: ไม่ใช่แฟ้มตารางคำนวณ"),
        ("bomb.xlsx", "bomb.xlsx: แฟ้มนี้เมื่อแตกออกจะใหญ่ผิดปกติ"),
        ("report.pdf", "report.pdf: เป็นแฟ้ม PDF"),
        ("garbage.csv", "garbage.csv: อ่านตัวอักษรในแฟ้มไม่ได้ ลองระบุรหัสอักขระ เช่น --encoding cp874"),
    ],
)
def test_broken_files_give_one_line_and_exit_2(name: str, message: str, tmp_path: Path) -> None:
    started = time.monotonic()
    result = runner.invoke(app, ["ingest", str(BROKEN / name), "--out", str(tmp_path / "x.csv")])
    assert time.monotonic() - started < 30  # a guard against hangs, not a speed target
    assert result.exit_code == 2
    errors = result.stderr.splitlines()
    assert len(errors) == 1 and message in errors[0] and str(BROKEN / name) in errors[0]
    assert "Traceback" not in result.output


def test_broken_files_do_not_stop_the_others(repo_cwd: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    result = runner.invoke(app, ["ingest", "tests/fixtures/broken/truncated.xlsx", "tests/fixtures/formats/classic.ods", "--out", str(out), "--lang", "en"])
    assert result.exit_code == 2
    assert result.stderr.startswith("tests/fixtures/broken/truncated.xlsx: the file is damaged or incomplete")
    assert "1 file(s) could not be read (see above); the others were read" in result.stdout
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3  # header + 2 records


def test_when_no_file_could_be_read_the_summary_does_not_speak_of_others(repo_cwd: Path, tmp_path: Path) -> None:
    """It said "the others were read" when there were none."""
    broken = ["tests/fixtures/broken/truncated.xlsx", "tests/fixtures/broken/garbage.csv"]
    for inputs in (broken[:1], broken):
        result = runner.invoke(app, ["ingest", *inputs, "--out", str(tmp_path / "x.csv"), "--lang", "en"])
        assert result.exit_code == 2
        assert result.stdout.splitlines()[-1] == (
            f"no file could be read ({len(inputs)} in all, see above), so no record was read; fix them and run again")
        assert "the others were read" not in result.stdout
    result = runner.invoke(app, ["ingest", *broken, "--out", str(tmp_path / "x.csv")])
    assert result.stdout.splitlines()[-1].startswith("อ่านไม่ได้ทุกแฟ้ม (2 แฟ้ม")


def test_input_files_are_never_modified(repo_cwd: Path, tmp_path: Path) -> None:
    paths = sorted(Path("samples").glob("*.*"))
    before = {p: p.read_bytes() for p in paths}
    runner.invoke(app, ["ingest", "samples", "--out", str(tmp_path / "x.csv")])
    assert {p: p.read_bytes() for p in paths} == before


def test_missing_file_and_bad_suffix(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["ingest", str(tmp_path / "nope.xlsx")])
    assert missing.exit_code == 2
    assert missing.stderr == f"{tmp_path / 'nope.xlsx'}: ไม่พบแฟ้มนี้ ตรวจชื่อแฟ้มและโฟลเดอร์อีกครั้ง\n"
    suffix = runner.invoke(app, ["ingest", str(BROKEN / "empty.xlsx"), "--out", str(tmp_path / "x.txt"), "--lang", "en"])
    assert suffix.exit_code == 2
    assert suffix.stderr == f"{tmp_path / 'x.txt'}: the output file must end in .csv, .json or .parquet\n"


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = runner.invoke(app, ["ingest", str(BROKEN / "empty.xlsx"), "--out", str(tmp_path / "x.txt"), "--debug"])
    assert result.exit_code != 0
    assert result.exception is not None and type(result.exception).__name__ == "OutputError"


def test_encoding_override(tmp_path: Path, repo_cwd: Path) -> None:
    out = tmp_path / "x.csv"
    ok = runner.invoke(app, ["ingest", "samples/o12-2568.csv", "--encoding", "cp874", "--out", str(out)])
    assert ok.exit_code == 0
    bad = runner.invoke(app, ["ingest", "samples/o12-2568.csv", "--encoding", "utf-8", "--lang", "en"])
    assert bad.exit_code == 2
    assert bad.stderr == (
        "samples/o12-2568.csv: line 1 cannot be decoded as utf-8 (a damaged character, or the file uses another "
        "encoding); fix that line and save the file as CSV UTF-8, or if the whole file uses another encoding, "
        "try --encoding cp874\n"
    )


def test_output_is_written_atomically(tmp_path: Path, repo_cwd: Path) -> None:
    out = tmp_path / "x.csv"
    out.write_text("old", encoding="utf-8")
    runner.invoke(app, ["ingest", "tests/fixtures/formats/classic.ods", "--out", str(out)])
    assert out.read_text(encoding="utf-8").startswith("fiscal_year,")
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]  # no temporary left behind


@pytest.mark.parametrize("command", ["validate", "ingest"])
@pytest.mark.parametrize("contents", [[], ["report.pdf", "memo.docx", ".hidden.csv"]])
def test_a_folder_without_a_spreadsheet_is_said_so_not_checked_as_empty(
    tmp_path: Path, command: str, contents: list[str],
) -> None:
    """A folder holding no spreadsheet gave "0 files, 0 records: no problems, ready to publish" and exit 0:
    an officer who named the wrong folder was told all was well."""
    folder = tmp_path / "เดือนนี้"
    folder.mkdir()
    for name in contents:
        (folder / name).write_text("not a table", encoding="utf-8")
    out = tmp_path / "out.csv"
    args = [command, str(folder), "--lang", "en"] + (["--out", str(out)] if command == "ingest" else [])
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.stderr == f"no spreadsheet found in {folder}; name .xlsx, .xls, .ods or .csv files\n"
    assert "no problems" not in result.stdout and not out.exists()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_file_sent_twice_under_another_name_is_read_once_and_said_so(tmp_path: Path, workers: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file downloaded or sent again ("a (1).xlsx") is byte for byte the first: ingest wrote each of
    its items twice, validate said nothing for an O12 list and a duplicate_project error for each
    numbered item of a สขร.๑. Now it is read once, and a warning names both files. A file of the same
    size that differs (one byte) is read as usual. With ``workers`` 2 the files are read by a pool."""
    from procdata.read import run as read_run

    monkeypatch.setattr(read_run, "POOL_FILES", 2)
    monkeypatch.setattr(read_run, "cores", lambda: workers)
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a.xlsx").write_bytes((SAMPLES / "sorkorror1-2568-q1.xlsx").read_bytes())
    (folder / "b (1).xlsx").write_bytes((SAMPLES / "sorkorror1-2568-q1.xlsx").read_bytes())
    o12 = (SAMPLES / "o12-2568.csv").read_bytes()
    assert b"412,580.00" in o12
    (folder / "c.csv").write_bytes(o12)
    (folder / "d.csv").write_bytes(o12.replace(b"412,580.00", b"412,581.00", 1))  # same size, one amount differs
    (folder / "e.csv").write_bytes(o12)
    alone = json.loads(runner.invoke(app, ["validate", str(SAMPLES / "sorkorror1-2568-q1.xlsx"), str(folder / "c.csv"), str(folder / "d.csv"), "--format", "json"]).stdout)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    report = runner.invoke(app, ["validate", str(folder), "--format", "json", "--lang", "en"])
    found = json.loads(report.stdout)
    assert found["summary"]["files"] == 5 and found["summary"]["records"] == alone["summary"]["records"]
    assert found["summary"]["errors"] == alone["summary"]["errors"]
    copies = [(p["file"], p["value"], p["severity"]) for p in found["problems"] if p["code"] == "duplicate_file"]
    assert copies == [(str(folder / "b (1).xlsx"), str(folder / "a.xlsx"), "warning"), (str(folder / "e.csv"), str(folder / "c.csv"), "warning")]
    agencies = tmp_path / "agencies.json"
    runner.invoke(app, ["validate", str(folder), "--by-agency", str(agencies)])
    rows = json.loads(agencies.read_text(encoding="utf-8"))
    rows = rows["agencies"] if isinstance(rows, dict) else rows
    assert sum(row["warnings"] for row in rows) == found["summary"]["warnings"]  # each copy counted for its original's agency
    assert sum(row["records"] for row in rows) == found["summary"]["records"]
    text = runner.invoke(app, ["validate", str(folder), "--lang", "en"]).stdout
    assert f"this file is byte for byte the same as {folder / 'a.xlsx'}, so it was read once" in text
    assert "whole file: warning [duplicate_file]" in text

    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["ingest", str(folder), "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1 + alone["summary"]["records"]
    assert f"skipped {folder / 'e.csv'}: byte for byte the same as {folder / 'c.csv'}; read once" in result.output
    library = ingest([folder])
    assert len(library.records) == alone["summary"]["records"]
    assert library.copies == {str(folder / "b (1).xlsx"): str(folder / "a.xlsx"), str(folder / "e.csv"): str(folder / "c.csv")}
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_a_file_named_twice_is_read_once(tmp_path: Path) -> None:
    """The same file named twice (again, inside a folder also named, or through a link) was read twice:
    ingest wrote every item twice and validate reported each as a duplicate of itself."""
    folder = tmp_path / "เดือนนี้"
    folder.mkdir()
    table = folder / "o12-2568.csv"
    table.write_bytes((SAMPLES / "o12-2568.csv").read_bytes())
    link = tmp_path / "link.csv"
    link.symlink_to(table)
    once = runner.invoke(app, ["ingest", str(table), "--out", str(tmp_path / "once.csv")])
    assert once.exit_code == 0, once.output
    expected = (tmp_path / "once.csv").read_bytes()
    for number, named in enumerate([[table, table], [folder, table], [table, folder], [table, link]]):
        out = tmp_path / f"out-{number}.csv"
        result = runner.invoke(app, ["ingest", *map(str, named), "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert out.read_bytes() == expected
        report = runner.invoke(app, ["validate", *map(str, named), "--format", "json"])
        summary = json.loads(report.stdout)["summary"]
        assert (summary["files"], summary["records"], summary["errors"]) == (1, 14, 0)


def test_cells_that_could_not_be_read_are_said_to_be_empty_in_the_table_written(tmp_path: Path) -> None:
    """A cell ingest cannot read (an impossible date) is listed, and is empty in the table written, where
    a later validate of that table cannot find it ("ready to publish" for a table whose source has an
    error). So ingest says it once more, at the end, with the count and the table: an error's cells
    only (a warning such as an unused column loses nothing)."""
    import csv

    rows = list(csv.reader((SAMPLES / "canonical-sample.csv").open(encoding="utf-8-sig")))
    at = rows[0].index("contract_date")
    rows[3][at] = "2025-02-30"
    source = tmp_path / "source.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    out = tmp_path / "national.csv"
    result = runner.invoke(app, ["ingest", str(source), "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert result.stderr.endswith(f"1 cell(s) could not be read (listed above) and are left empty in {out}, where a later "
                                  "validate will not find them; fix them in the source files and ingest again\n")
    clean = runner.invoke(app, ["ingest", str(SAMPLES / "canonical-sample.csv"), "--out", str(tmp_path / "clean.csv")])
    assert clean.exit_code == 0 and "ingest" not in clean.stderr


def test_a_file_with_a_header_and_no_record_is_not_ready_to_publish(tmp_path: Path) -> None:
    """A header and no row said "no problems found, ready to publish", and publish then refused: with
    no record the verdict says there is nothing to publish yet. The exit code stays 0 (nothing is wrong
    in the file)."""
    path = tmp_path / "empty.csv"
    path.write_text((SAMPLES / "canonical-sample.csv").read_text(encoding="utf-8-sig").splitlines()[0] + "\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == [
        "checked 1 file(s), 0 records: 0 error(s) · 0 warning(s)",
        "not one procurement record in the files checked, so nothing to publish yet; check that these are the right files"
        " and that rows stand under the header",
    ]
    assert "ready to publish" in runner.invoke(app, ["validate", str(SAMPLES / "canonical-sample.csv"), "--lang", "en"]).stdout

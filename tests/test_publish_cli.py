"""`procdata publish` from the command line: exact output, refusals, errors and exit codes."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from procdata.cli import app
from test_publish_helpers import project, write_canonical, write_profile

runner = CliRunner()
ZIP = "องค์การบริหารส่วนตำบลหนองบัว-2568.zip"
FILES = (f"ckan.json, datapackage.json, index.html, o12.csv, o12.json, o12.xlsx, o13-report.html, o13.csv, o13.json, "
         f"o13.xlsx, ocds.json, {ZIP}")
UNREGISTERED = ("OCDS: ocds.json มี 30 รายการ ใช้คำนำหน้า ocds-000000 ซึ่งยังไม่ได้ลงทะเบียน ขอคำนำหน้าของหน่วยงานจาก "
                "Open Contracting Partnership แล้วกรอก [publish] ocid_prefix ใน procdata.toml")


def test_publish_the_samples(repo_cwd: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    args = ["publish", "samples/o12-2568.csv", "samples/o12-2567.xlsx", "--config", "samples/procdata.toml",
            "--fiscal-year", "2568", "--as-of", "2025-06-30", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"เผยแพร่ข้อมูลปีงบประมาณ 2568 ณ วันที่ 30 มิ.ย. 2568 (ตาม --as-of) ตามเกณฑ์ ita-2568 ลงในโฟลเดอร์ {out}\n"
        "  O12 ปีงบประมาณ 2568: 14 รายการ (จากทั้งหมด 14) · สถานะที่คำนวณจากวันที่ในสัญญา 0 · แฟ้ม o12.csv, o12.json, o12.xlsx\n"
        "  O13 ปีงบประมาณ 2567: 16 รายการ (จากทั้งหมด 16) · สถานะที่คำนวณจากวันที่ในสัญญา 0 · แฟ้ม o13-report.html, o13.csv, o13.json, o13.xlsx\n"
        "ปิดบังเลขประจำตัวประชาชนของบุคคลธรรมดา 2 รายการ (นโยบาย: ปิดบัง)\n"
        f"{UNREGISTERED}\n"
        f"แฟ้ม: {FILES}\n"
        f"เปิด {out / 'index.html'} ในเบราว์เซอร์เพื่อดูหน้าเว็บ แล้วนำทั้งโฟลเดอร์ (หรือแฟ้ม {ZIP}) ขึ้นเว็บไซต์ของหน่วยงาน\n"
    )
    assert sorted(p.name for p in out.iterdir()) == FILES.split(", ")
    again = runner.invoke(app, args)  # replacing earlier output is allowed
    assert again.exit_code == 0 and again.stdout == result.stdout


def test_publish_in_english_without_as_of(repo_cwd: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = runner.invoke(app, ["publish", "samples/sorkorror1-2568-q1.xlsx", "--config", "samples/procdata.toml",
                                 "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"published fiscal year 2568 as of 2024-12-31 (the latest date in the data) under criteria ita-2568 into {out}"
    assert lines[1].startswith("  O12 fiscal year 2568: 18 rows (of 18) · statuses derived from contract dates 18 ·")
    assert lines[2] == "  O13: no data of fiscal year 2567 among the inputs, so not written (add that year's files)"


def test_errors_refuse_with_exit_1_and_force_publishes(tmp_path: Path) -> None:
    source = write_canonical(tmp_path / "in.csv", [project(1), project(2, budget_amount="ประมาณ 5 หมื่น")])
    config = write_profile(tmp_path)
    out = tmp_path / "site"
    base = ["publish", str(source), "--config", str(config), "--as-of", "2025-03-31", "--out", str(out)]
    refused = runner.invoke(app, base)
    assert refused.exit_code == 1
    lines = refused.stdout.splitlines()
    assert lines[0] == "ไม่เผยแพร่: พบข้อผิดพลาด 1 รายการ แก้ไขในแฟ้มต้นฉบับแล้วสั่งใหม่ (หรือใช้ --force เพื่อเผยแพร่ทั้งที่มีข้อผิดพลาด)"
    assert lines[1].startswith(f"  {source} [-] แถว 3 คอลัมน์ F (budget_amount): ")
    assert "ประมาณ 5 หมื่น" in lines[1]
    assert not out.exists()
    forced = runner.invoke(app, [*base, "--force"])
    assert forced.exit_code == 0, forced.output
    assert forced.stdout.splitlines()[:2] == ["เผยแพร่ทั้งที่มีข้อผิดพลาด 1 รายการ (--force):", lines[1]]
    assert (out / "index.html").exists()


def test_a_missing_profile_key_is_one_line_and_exit_2(tmp_path: Path) -> None:
    source = write_canonical(tmp_path / "in.csv", [project(1)])
    config = write_profile(tmp_path)
    config.write_text(config.read_text(encoding="utf-8").replace('district = "เมืองทดสอบ"\n', ""), encoding="utf-8")
    result = runner.invoke(app, ["publish", str(source), "--config", str(config), "--out", str(tmp_path / "site")])
    assert result.exit_code == 2
    assert result.stderr == f'{config}: ยังไม่ได้กรอก agency.district เพิ่มบรรทัด district = "..." ในหัวข้อ [agency]\n'
    assert result.stdout == ""


def test_no_profile_in_the_folder(tmp_path: Path, monkeypatch: object) -> None:
    source = write_canonical(tmp_path / "in.csv", [project(1)])
    monkeypatch.chdir(tmp_path)  # type: ignore[attr-defined]
    result = runner.invoke(app, ["publish", str(source), "--out", "site", "--lang", "en"])
    assert result.exit_code == 2
    assert result.stderr == (
        f"no agency profile procdata.toml in {tmp_path}; create one with procdata init --name ... "
        "--district ... --province ..., or name it with --config\n"
    )


def test_bad_as_of_and_foreign_output_folder(tmp_path: Path) -> None:
    source = write_canonical(tmp_path / "in.csv", [project(1)])
    config = write_profile(tmp_path)
    bad = runner.invoke(app, ["publish", str(source), "--config", str(config), "--as-of", "31/03/2568", "--out", "x"])
    assert bad.exit_code == 2 and "2025-03-31" in bad.output
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "note.txt").write_text("keep", encoding="utf-8")
    refused = runner.invoke(app, ["publish", str(source), "--config", str(config), "--out", str(folder), "--lang", "en"])
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"{folder}: the folder holds other files and is not earlier procdata publish output, so it was not replaced; "
        "choose a new or empty folder for --out\n"
    )
    assert (folder / "note.txt").read_text(encoding="utf-8") == "keep"


def test_a_year_not_in_the_data(tmp_path: Path) -> None:
    source = write_canonical(tmp_path / "in.csv", [project(1)])
    config = write_profile(tmp_path)
    result = runner.invoke(app, ["publish", str(source), "--config", str(config), "--fiscal-year", "2569", "--out", str(tmp_path / "s")])
    assert result.exit_code == 2
    assert result.stderr == (
        f"ไม่พบรายการของปีงบประมาณ 2569 ใน {source} (ปีที่พบ: 2568) ตรวจ --fiscal-year หรือใส่แฟ้มของปีนั้น\n"
    )


def test_the_issues_minimal_profile_and_an_early_as_of(repo_cwd: Path, tmp_path: Path) -> None:
    config = tmp_path / "procdata.toml"
    config.write_text(
        '[agency]\nname = "องค์การบริหารส่วนตำบลหนองบัว"\ntype = "องค์กรปกครองส่วนท้องถิ่น"\nministry = "กระทรวงมหาดไทย"\n'
        'district = "เมืองขอนแก่น"\nprovince = "ขอนแก่น"\n[publish]\nprofile = "ita-2568"\n', encoding="utf-8")
    out = tmp_path / "site"
    result = runner.invoke(app, ["publish", "samples/o12-2568.csv", "samples/o12-2567.xlsx", "--config", str(config),
                                 "--fiscal-year", "2568", "--as-of", "2025-03-31", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[3] == "  2 รายการลงนามในสัญญาหลังวันที่ของข้อมูล (31 มี.ค. 2568) ตรวจว่า --as-of ถูกต้อง"
    assert sorted(p.name for p in out.iterdir()) == FILES.split(", ")


def test_only_unreadable_inputs_name_the_file(repo_cwd: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["publish", "tests/fixtures/broken/report.pdf", "--config", "samples/procdata.toml",
                                 "--out", str(tmp_path / "site"), "--lang", "en"])
    assert result.exit_code == 2
    assert result.stderr == (
        "tests/fixtures/broken/report.pdf: this is a PDF, which cannot be read as a table; "
        "use the original Excel (.xlsx) file\n"
    )
    assert not (tmp_path / "site").exists()

"""`procdata init`: writes a commented procdata.toml from flags, never overwriting by surprise."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from procdata.cli import app
from procdata.config import load_config

runner = CliRunner()


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_init_with_every_required_flag(folder: Path) -> None:
    result = runner.invoke(app, ["init", "--name", "องค์การบริหารส่วนตำบลหนองบัว", "--district", "เมืองขอนแก่น",
                                 "--province", "ขอนแก่น", "--email", "saraban@nongbua.go.th"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "สร้างโปรไฟล์หน่วยงาน procdata.toml แล้ว\n"
        "โฟลเดอร์ทำงาน: วางแฟ้มรายเดือนใน monthly ผลการเผยแพร่จะอยู่ใน site\n"
        "กรอกค่าที่จำเป็นครบแล้ว ขั้นต่อไป: วางแฟ้มรายเดือนในโฟลเดอร์แฟ้มรายเดือน แล้วสั่ง procdata status และ procdata publish\n"
    )
    assert (folder / "monthly").is_dir() and (folder / "site").is_dir()
    assert "procdata status" in (folder / "monthly" / "อ่านก่อน.txt").read_text(encoding="utf-8")
    config = load_config()
    assert config.path.resolve() == (folder / "procdata.toml").resolve()
    assert (config.agency.name, config.agency.type, config.agency.ministry) == (
        "องค์การบริหารส่วนตำบลหนองบัว", "องค์กรปกครองส่วนท้องถิ่น", "กระทรวงมหาดไทย")
    assert (config.profile, config.licence, config.personal_ids) == ("ita-2568", "CC-BY-4.0", "mask")
    text = (folder / "procdata.toml").read_text(encoding="utf-8")
    assert "# * ชื่อหน่วยงานเต็ม" in text and "(--district)" in text


def test_init_names_what_is_still_to_fill(folder: Path) -> None:
    result = runner.invoke(app, ["init", "--name", "อบต.ทดสอบ", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == [
        "workspace: drop monthly files into monthly; published files go to site",
        "still to fill in: agency.district, agency.province "
        "(edit the file, or run procdata init --force with --district ... --province ...)",
    ]
    assert (folder / "monthly").is_dir() and (folder / "site").is_dir()  # laid out even before the profile is complete
    publish = runner.invoke(app, ["publish", "x.csv", "--out", "site", "--lang", "en"])
    assert publish.exit_code == 2
    assert publish.stderr == (  # every missing value at once
        f'{folder / "procdata.toml"}: still empty: agency.district, agency.province; add these lines: '
        '[agency] district = "..."; [agency] province = "...", or run procdata init --force with the missing values\n'
    )


def test_init_refuses_to_overwrite_without_force(folder: Path) -> None:
    runner.invoke(app, ["init", "--name", "เดิม", "--district", "ก", "--province", "ข"])
    before = (folder / "procdata.toml").read_bytes()
    again = runner.invoke(app, ["init", "--name", "ใหม่"])
    assert again.exit_code == 2
    assert again.stderr == (
        "procdata.toml: มีแฟ้มโปรไฟล์หน่วยงานอยู่แล้ว ไม่เขียนทับ แก้ไขแฟ้มเดิม หรือใช้ --force เพื่อเขียนใหม่\n"
    )
    assert (folder / "procdata.toml").read_bytes() == before
    forced = runner.invoke(app, ["init", "--name", "ใหม่", "--district", "ก", "--province", "ข", "--force"])
    assert forced.exit_code == 0 and load_config().agency.name == "ใหม่"


def test_init_to_another_file_and_bad_values(folder: Path) -> None:
    target = folder / "agency" / "profile.toml"
    target.parent.mkdir()
    result = runner.invoke(app, ["init", "--config", str(target), "--name", "ก", "--district", "ข", "--province", "ค",
                                 "--profile", "ita-2569", "--personal-ids", "full", "--ocid-prefix", "ocds-abc123"])
    assert result.exit_code == 0, result.output
    config = load_config(target)
    assert (config.profile, config.personal_ids, config.ocid_prefix) == ("ita-2569", "full", "ocds-abc123")
    bad = runner.invoke(app, ["init", "--name", "ก", "--profile", "ita-2099", "--lang", "en"])
    assert bad.exit_code == 2
    assert bad.stderr == 'procdata.toml: publish.profile = "ita-2099" is not allowed; use: ita-2568, ita-2569\n'
    assert not (folder / "procdata.toml").exists()

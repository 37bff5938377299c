"""No command writes over one of its inputs, however it is named; template never replaces a file unasked."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SAMPLES
from procdata.cli import app

runner = CliRunner()


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "a.csv"
    path.write_bytes((SAMPLES / "o12-2568.csv").read_bytes())
    return path


def refused(args: list[str], source: Path, shown: str, given: str) -> None:
    before = source.read_bytes()
    result = runner.invoke(app, [*args, "--lang", "en"])
    assert result.exit_code == 2, result.output
    assert result.stderr == f"{shown}: this is an input being read ({given}) and is never overwritten; choose another output name\n"
    assert result.stdout == ""
    assert source.read_bytes() == before


@pytest.mark.parametrize("command", ["ingest", "validate"])
def test_the_output_cannot_be_the_input(command: str, source: Path) -> None:
    refused([command, str(source), "--out", str(source)], source, str(source), str(source))


@pytest.mark.parametrize("command", ["ingest", "validate"])
def test_nor_the_input_by_another_name(command: str, source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    refused([command, "a.csv", "--out", "sub/../a.csv"], source, "sub/../a.csv", "a.csv")  # a path through a folder
    (tmp_path / "link.csv").symlink_to(source)
    refused([command, "a.csv", "--out", "link.csv"], source, "link.csv", "a.csv")  # a symbolic link to it
    refused([command, "link.csv", "--out", "a.csv"], source, "a.csv", "link.csv")  # the input read through a link
    os.link(source, tmp_path / "hard.csv")
    refused([command, "a.csv", "--out", "hard.csv"], source, "hard.csv", "a.csv")  # the same file, linked
    refused([command, ".", "--out", "a.csv"], source, "a.csv", "a.csv")  # a file of a folder given as input


def test_other_outputs_are_written(source: Path, tmp_path: Path) -> None:
    before = source.read_bytes()
    result = runner.invoke(app, ["ingest", str(source), "--out", str(tmp_path / "all.csv")])
    assert result.exit_code == 0 and (tmp_path / "all.csv").is_file()
    result = runner.invoke(app, ["validate", str(source), "--out", str(tmp_path / "report.html"), "--format", "html"])
    assert result.exit_code == 0 and (tmp_path / "report.html").is_file()
    assert source.read_bytes() == before


def test_template_never_replaces_a_workbook_unless_forced(tmp_path: Path) -> None:
    filled = tmp_path / "2568-01.xlsx"
    made = runner.invoke(app, ["template", "--out", str(filled), "--month", "2568-01"])
    assert made.exit_code == 0, made.output
    filled.write_bytes(b"the officer's filled month")
    again = runner.invoke(app, ["template", "--out", str(filled), "--month", "2568-01"])
    assert again.exit_code == 2
    assert again.stderr == (
        f"{filled}: มีแฟ้มนี้อยู่แล้ว ไม่เขียนทับ เลือกชื่ออื่น หรือใช้ --force เพื่อเขียนทับ\n"
    )
    assert filled.read_bytes() == b"the officer's filled month"
    forced = runner.invoke(app, ["template", "--out", str(filled), "--month", "2568-01", "--force"])
    assert forced.exit_code == 0 and filled.read_bytes() != b"the officer's filled month"


def test_publish_never_writes_over_an_input(source: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    config = SAMPLES / "procdata.toml"
    first = runner.invoke(app, ["publish", str(source), "--config", str(config), "--out", str(site), "--as-of", "2025-06-30"])
    assert first.exit_code == 0, first.output
    published = site / "o12.csv"
    before = published.read_bytes()
    again = runner.invoke(app, ["publish", str(published), "--config", str(config), "--out", str(site), "--force", "--lang", "en"])
    assert again.exit_code == 2
    assert again.stderr == (
        f"{published}: this is an input being read ({published}) and is never overwritten; choose another output name\n"
    )
    assert published.read_bytes() == before

"""Text is cleaned once, where it enters: control characters in cells and in the agency profile, long names."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import openpyxl
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from procdata.cli import app
from procdata.normalize.text import CONTROL, clean, shorten_bytes, strip_controls
from procdata.publish.package import zip_name
from test_privacy import texts_of
from test_publish_helpers import project, write_canonical, write_profile

runner = CliRunner()
CONTROLS = ["\x0b", "\x0c", "\x1b[31m", "\x7f", "\x85", "\u2028", "\x01", "\x1f", "\x9f", "\ufffe", "\x08"]
# (a NUL byte makes a CSV binary: read/files refuses it as not a spreadsheet, one line and exit 2)
ANY_CONTROL = re.compile(CONTROL)


def test_control_characters_in_cells_are_removed_reported_and_never_published(tmp_path: Path) -> None:
    rows = [project(n, item_name=f"จัดซื้อ{c}วัสดุ {n}", winner_name=f"ร้าน{c}ก", contract_no=f"{n}/25{c}68")
            for n, c in enumerate(CONTROLS, start=1)]
    source = write_canonical(tmp_path / "in.csv", rows)
    config = write_profile(tmp_path)
    report = runner.invoke(app, ["validate", str(source), "--format", "json"])
    assert report.exit_code == 0, report.output  # warnings only
    found = [(p["row"], p["column"], p["field"]) for p in json.loads(report.stdout)["problems"] if p["code"] == "control_characters"]
    assert found == [(n + 1, letter, field) for n in range(1, len(CONTROLS) + 1)
                     for letter, field in (("E", "item_name"), ("K", "winner_name"), ("N", "contract_no"))]
    shown = json.loads(report.stdout)["problems"][0]["value"]
    assert shown == "จัดซื้อ␋วัสดุ 1" and not ANY_CONTROL.search(report.stdout)
    published = runner.invoke(app, ["publish", str(source), "--config", str(config), "--out", str(tmp_path / "site"),
                                    "--as-of", "2025-03-31"])
    assert published.exit_code == 0, published.output
    for path in (tmp_path / "site").iterdir():
        for where, text in texts_of(path).items():
            if not where.endswith(".xml") and not where.endswith((".csv", ".json", ".html")):
                continue
            assert not ANY_CONTROL.search(text.replace("\r\n", "\n")), where
    sheet = openpyxl.load_workbook(tmp_path / "site" / "o12.xlsx").active
    names = [row[6] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert {"จัดซื้อ วัสดุ 1", "จัดซื้อ[31mวัสดุ 3", "จัดซื้อวัสดุ 4"} <= set(names)  # a line break became a space


def test_control_characters_in_the_agency_profile_are_removed_and_said(tmp_path: Path) -> None:
    source = write_canonical(tmp_path / "in.csv", [project(1)])
    config = tmp_path / "procdata.toml"
    write_profile(tmp_path)
    text = config.read_text(encoding="utf-8").replace('name = "องค์การบริหารส่วนตำบลทดสอบ"',
                                                      'name = "องค์การบริหาร\\u000bส่วนตำบลทดสอบ\\u0000"')
    config.write_text(text.replace('problems = ""', 'problems = "บรรทัด\\u000cหนึ่ง\\n\\nย่อหน้าสอง"'), encoding="utf-8")
    result = runner.invoke(app, ["publish", str(source), "--config", str(config), "--out", str(tmp_path / "site"),
                                 "--as-of", "2025-03-31", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        f"{config}: removed control characters (invisible) from agency.name, report.problems; better fix them in the file too"
    )
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "องค์การบริหาร ส่วนตำบลทดสอบ" in page and not ANY_CONTROL.search(page)
    assert openpyxl.load_workbook(tmp_path / "site" / "o12.xlsx")["คำอธิบาย"]["B2"].value.startswith("องค์การบริหาร ส่วนตำบล")


def test_a_long_agency_name_gives_a_short_readable_file_name(tmp_path: Path) -> None:
    name = "องค์การบริหารส่วนตำบล" + "หนองบัวแดงน้ำใส" * 6  # 111 Thai letters: 333 bytes, more than a file name may have
    source = write_canonical(tmp_path / "in.csv", [project(1)])
    config = write_profile(tmp_path, name=name)
    result = runner.invoke(app, ["publish", str(source), "--config", str(config), "--out", str(tmp_path / "site"),
                                 "--as-of", "2025-03-31"])
    assert result.exit_code == 0, result.output
    (archive,) = [p.name for p in (tmp_path / "site").iterdir() if p.suffix == ".zip"]
    assert len(archive.encode("utf-8")) <= 160 and archive.endswith("-2568.zip")
    assert name.startswith(archive[: -len("-2568.zip")])  # the name's own beginning, readable
    assert json.loads((tmp_path / "site" / "datapackage.json").read_text(encoding="utf-8"))["title"].endswith(
        f"{name} ปีงบประมาณ พ.ศ. 2568")  # the full name where names are not file names


@given(st.text(min_size=1, max_size=120))
def test_shortened_names_are_whole_characters_within_the_limit(text: str) -> None:
    for limit in (1, 3, 10, 150):
        short = shorten_bytes(text, limit)
        assert len(short.encode("utf-8")) <= limit and text.startswith(short)
        after = text[len(short):]
        assert not after or unicodedata.category(after[0]) not in ("Mn", "Mc", "Me") or not short
    name = zip_name(text, 2568)
    assert len(name.encode("utf-8")) <= 170 and name.endswith("-2568.zip") and "/" not in name


@pytest.mark.parametrize("control", [*CONTROLS, "\x00"])
def test_clean_leaves_no_control_character(control: str) -> None:
    assert not ANY_CONTROL.search(clean(f"ก{control}ข")) and not ANY_CONTROL.search(strip_controls(f"ก{control}ข"))
    assert clean("ก\x0bข") == "ก\nข" and clean("ก\x00ข") == "กข"


@given(st.lists(st.text(alphabet=st.sampled_from(
    ["ก", "ข", "ำ", "่", "a", " ", "\n", "\t", "\r", "\u00a0", "\u0085", "\x0b", "\x1b", "\x7f", "\u2028", "\u2029",
     "\ufffe", "\uffff", "“", "—", "\x9f", "\x00", "ﻻ", "é", "あ", "😀", "~"]), max_size=12), max_size=8),
       st.sampled_from([1, 2, 3, 7, 1 << 18]))
def test_the_byte_test_for_control_characters_misses_none(values: list[str], block: int) -> None:
    from unittest import mock

    import pandas as pd

    from procdata.normalize import columns
    from procdata.normalize.text import has_controls

    series = pd.Series(values, dtype="string[pyarrow]")
    with mock.patch.object(columns, "_BLOCK", block):  # blocks that cut characters and values apart
        if any(has_controls(v) for v in values):
            assert columns.may_have_controls(series)  # never a miss; a false alarm only costs the exact test
        assert columns.may_have_controls(series[1:]) or not any(has_controls(v) for v in values[1:])  # a slice too
        pieces = pd.Series(pd.arrays.ArrowExtensionArray(pa.chunked_array(
            [pa.array(values[:2], type=pa.string()), pa.array(values[2:], type=pa.string())])))
        assert columns.may_have_controls(pieces) or not any(has_controls(v) for v in values)


@pytest.mark.parametrize("control", [*CONTROLS, "\u2029", "\uffff", "\x80"])
@pytest.mark.parametrize("around", ["จัดซื้อวัสดุ", "abc", "ค่า é", "ร้าน あ", "😀"])
def test_the_byte_test_finds_each_control_character_alone_in_any_text(control: str, around: str) -> None:
    """One control character among text of each kind of byte (ASCII, Thai, other lead bytes below
    and above Thai's), in a block of its own and in a big one."""
    from unittest import mock

    import pandas as pd

    from procdata.normalize import columns

    series = pd.Series([around, f"{around}{control}{around}", around], dtype="string[pyarrow]")
    for block in (3, 1 << 18):
        with mock.patch.object(columns, "_BLOCK", block):
            assert columns.may_have_controls(series), (control, block)


def test_the_byte_test_of_a_slice_reads_only_the_slice() -> None:
    import pandas as pd

    from procdata.normalize.columns import may_have_controls

    series = pd.Series(["ก\x1bข", "จัดซื้อวัสดุ", "ซ่อม\x7f", "ถนน\nคสล."], dtype="string[pyarrow]")
    assert may_have_controls(series) and may_have_controls(series[2:]) and may_have_controls(series[:1])
    # The cut-off values' bytes stay in the slice's buffer: a pass over all of them would raise a false alarm.
    assert not may_have_controls(series[1:2]) and not may_have_controls(series[3:]) and not may_have_controls(series[4:])


def test_the_byte_test_clears_plain_thai_without_a_regular_expression(monkeypatch: pytest.MonkeyPatch) -> None:
    import pandas as pd

    from procdata.normalize import builder, columns

    plain = pd.Series(["ก่อสร้างถนน คสล. หมู่ที่ 3", "จัดซื้อวัสดุ\nสำนักงาน", "e-bidding"] * 1000, dtype="string[pyarrow]")
    assert not columns.may_have_controls(plain)
    called = []
    monkeypatch.setattr(builder, "matches", lambda *a: called.append(a) or columns.matches(*a))
    frame = pd.DataFrame({"item_name": plain, "source_row": range(2, len(plain) + 2)})
    made = builder.Builder(frame, {}, builder.Context("f.csv", ""))
    assert made.text("item_name") is not None and called == []  # the fast path was taken
    frame.loc[5, "item_name"] = "จัดซื้อ\x0bวัสดุ"
    made = builder.Builder(frame, {}, builder.Context("f.csv", ""))
    assert made.text("item_name")[5] == "จัดซื้อ\nวัสดุ" and len(called) == 1 and len(made.issues) == 1

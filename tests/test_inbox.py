"""The monthly folder as files come and go, the profile as a form, and the sheet preview: the library under the web app."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SAMPLES, write_xlsx
from procdata.config import load_config
from procdata.errors import ConfigError, ProcdataError
from procdata.read.files import expand_inputs
from procdata.read.ingest import ingest
from procdata.read.preview import preview
from procdata.workspace.inbox import MAX_NAME_BYTES, add_file, inbox_files, remove_file, safe_name
from procdata.workspace.layout import init_workspace
from procdata.workspace.profile import form_values, missing_fields, save_profile, usable_config


@pytest.mark.parametrize(("given", "expected"), [
    ("o12-2568.xlsx", "o12-2568.xlsx"),
    ("../../etc/o12.csv", "o12.csv"),
    ("..\\..\\Windows\\สขร1.xlsx", "สขร1.xlsx"),
    ("/etc/passwd.csv", "passwd.csv"),
    ("C:\\Users\\พัสดุ\\ต.ค.67.XLSX", "ต.ค.67.xlsx"),
    (".hidden.csv", "hidden.csv"),
    ("...xlsx", "แฟ้ม.xlsx"),
    ("con.csv", "_con.csv"),
    ('a<b>:c"d|e?f*g\x00h\x1f.xlsx', "a_b__c_d_e_f_g_h_.xlsx"),
])
def test_safe_name_keeps_only_a_plain_name(given: str, expected: str) -> None:
    assert safe_name(given) == expected


@pytest.mark.parametrize("name", ["virus.exe", "notes.txt", "noextension", "", "../"])
def test_safe_name_refuses_what_ingest_does_not_read(name: str) -> None:
    with pytest.raises(ProcdataError) as caught:
        safe_name(name)
    assert caught.value.code == "upload_bad_type"


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=0, max_size=400), st.sampled_from([".xlsx", ".csv", ".XLS", ".ods", ".exe", ""]))
def test_any_name_becomes_a_plain_name_in_the_folder_or_a_clean_refusal(stem: str, suffix: str) -> None:
    try:
        name = safe_name(stem + suffix)
    except ProcdataError as error:
        assert error.code == "upload_bad_type"
        return
    assert "/" not in name and "\\" not in name and "\x00" not in name
    assert not name.startswith((".", " "))
    assert name not in ("", ".", "..")
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES
    assert Path(name).name == name


def test_add_file_never_overwrites_and_never_leaves_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "monthly"
    first = add_file(folder, "ต.ค.67.xlsx", b"first")
    second = add_file(folder, "../ต.ค.67.xlsx", b"second")
    third = add_file(folder, "ต.ค.67.xlsx", b"third")
    assert [p.name for p in (first, second, third)] == ["ต.ค.67.xlsx", "ต.ค.67 (2).xlsx", "ต.ค.67 (3).xlsx"]
    assert [p.read_bytes() for p in (first, second, third)] == [b"first", b"second", b"third"]
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["monthly", "ต.ค.67 (2).xlsx", "ต.ค.67 (3).xlsx", "ต.ค.67.xlsx"]


def test_a_removed_file_is_moved_not_deleted_and_no_longer_read(tmp_path: Path) -> None:
    folder = tmp_path / "monthly"
    path = add_file(folder, "o12-2568.csv", (SAMPLES / "o12-2568.csv").read_bytes())
    add_file(folder, "sorkorror1.xlsx", (SAMPLES / "sorkorror1-2568-q1.xlsx").read_bytes())
    before = ingest([folder])
    moved = remove_file(folder, "o12-2568.csv")
    assert moved == folder / ".removed" / "o12-2568.csv"
    assert moved.read_bytes() == (SAMPLES / "o12-2568.csv").read_bytes() and not path.exists()
    assert [f.name for f in inbox_files(folder)] == ["sorkorror1.xlsx"]
    after = ingest([folder])
    assert after.files == [str(folder / "sorkorror1.xlsx")]
    assert len(after.records) < len(before.records)
    # The same name taken out again is kept beside the first, numbered.
    add_file(folder, "o12-2568.csv", b"again")
    assert remove_file(folder, "o12-2568.csv") == folder / ".removed" / "o12-2568 (2).csv"
    assert moved.read_bytes() == (SAMPLES / "o12-2568.csv").read_bytes()


@pytest.mark.parametrize("name", ["../procdata.toml", "/etc/passwd", ".removed/o12-2568.csv", "nothing.xlsx", ""])
def test_only_a_listed_file_can_be_removed(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "monthly"
    add_file(folder, "o12-2568.csv", b"x")
    (tmp_path / "procdata.toml").write_text("x", encoding="utf-8")
    remove_file(folder, "o12-2568.csv")
    with pytest.raises(ProcdataError) as caught:
        remove_file(folder, name)
    assert caught.value.code == "inbox_no_such_file"
    assert (tmp_path / "procdata.toml").read_text(encoding="utf-8") == "x"


def test_hidden_folders_and_lock_files_are_not_inputs(tmp_path: Path) -> None:
    (tmp_path / ".removed").mkdir()
    (tmp_path / "sub").mkdir()
    for name in (".removed/a.csv", "sub/b.csv", "~$c.xlsx", ".d.csv", "e.csv"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert [Path(p).relative_to(tmp_path).as_posix() for p, _ in expand_inputs([tmp_path])] == ["e.csv", "sub/b.csv"]


def test_profile_form_values_missing_fields_and_saving(tmp_path: Path) -> None:
    path = tmp_path / "procdata.toml"
    assert form_values(path)["type"] == "องค์กรปกครองส่วนท้องถิ่น"  # the defaults init writes
    assert missing_fields(path) == ["name", "type", "ministry", "district", "province", "profile"]
    written, missing = save_profile(path, {"name": "องค์การบริหารส่วนตำบลหนองบัว"})
    assert written == path and missing == ["district", "province"]
    assert (tmp_path / "monthly").is_dir() and (tmp_path / "site").is_dir()  # laid out at once, as procdata init does
    assert usable_config(path).agency.district == "-"
    written, missing = save_profile(path, {"district": "เมืองขอนแก่น", "province": "ขอนแก่น", "problems": "ผู้รับจ้างน้อย"})
    assert missing == []
    config = load_config(path)
    assert (config.agency.name, config.agency.province, config.problems) == ("องค์การบริหารส่วนตำบลหนองบัว", "ขอนแก่น", "ผู้รับจ้างน้อย")
    assert (tmp_path / "monthly").is_dir() and (tmp_path / "site").is_dir()


def test_saving_the_profile_keeps_what_the_form_does_not_hold(tmp_path: Path) -> None:
    path = tmp_path / "procdata.toml"
    shutil.copy(SAMPLES / "procdata.toml", path)
    before = load_config(path)
    save_profile(path, {"phone": "043-111-222"})
    after = load_config(path)
    assert after.agency.phone == "043-111-222"
    assert (after.problems, after.improvements, after.profile, after.licence, after.personal_ids) == (
        before.problems, before.improvements, before.profile, before.licence, before.personal_ids)
    assert "\n" in after.problems  # several lines kept


def test_saving_the_profile_refuses_what_init_refuses_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "procdata.toml"
    shutil.copy(SAMPLES / "procdata.toml", path)
    before = path.read_bytes()
    for values in ({"email": "not-an-address"}, {"profile": "ita-1999"}, {"ocid_prefix": "abc"}):
        with pytest.raises(ConfigError) as web:
            save_profile(path, values)
        with pytest.raises(ConfigError) as cli:
            init_workspace(tmp_path / "other.toml", {**form_values(path), **values})
        assert (web.value.code, web.value.params["key"]) == (cli.value.code, cli.value.params["key"])
        assert path.read_bytes() == before


def test_preview_gives_cells_at_their_excel_positions(tmp_path: Path) -> None:
    rows = [["หัว", None, "C1"], [None, "B2"], *([["x"]] * 10), [None, None, None, "D13"]]
    path = write_xlsx(tmp_path / "a.xlsx", {"แผ่น1": rows, "ว่าง": []})
    sheet, empty = preview(path, "a.xlsx", max_rows=3, also_rows={13})
    assert sheet.name == "แผ่น1" and sheet.columns == ["A", "B", "C", "D"]
    assert [n for n, _ in sheet.rows] == [1, 2, 3, 13]
    assert sheet.rows[0][1][:3] == ["หัว", "", "C1"] and sheet.rows[1][1][1] == "B2" and sheet.rows[3][1][3] == "D13"
    assert (sheet.total_rows, sheet.total_columns, sheet.cut) == (13, 4, True)
    assert (empty.rows, empty.cut) == ([], False)

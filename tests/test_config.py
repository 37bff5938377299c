"""The agency profile procdata.toml: found, read, checked, and written."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procdata.config import Agency, find_config, load_config
from procdata.errors import ConfigError
from procdata.workspace.layout import QUALIFIED, init_workspace, set_values
from procdata.workspace.profile_text import render_config

MINIMAL = """\
[agency]
name = "องค์การบริหารส่วนตำบลหนองบัว"
type = "องค์กรปกครองส่วนท้องถิ่น"
ministry = "กระทรวงมหาดไทย"
district = "เมืองขอนแก่น"
province = "ขอนแก่น"
[publish]
profile = "ita-2568"
"""


def init_profile(path: Path, values: dict[str, str], *, force: bool = False) -> tuple[Path, list[str]]:
    done = init_workspace(path, values, force=force)
    return done.path, done.missing


def write(tmp_path: Path, text: str, name: str = "procdata.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as raised:
        load_config(write(tmp_path, text))
    return raised.value.render("en")


def test_the_keys_of_the_issue_are_enough(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, MINIMAL))
    assert config.agency == Agency("องค์การบริหารส่วนตำบลหนองบัว", "องค์กรปกครองส่วนท้องถิ่น", "กระทรวงมหาดไทย", "เมืองขอนแก่น", "ขอนแก่น")
    assert (config.profile, config.licence, config.personal_ids, config.ocid_prefix) == ("ita-2568", "CC-BY-4.0", "", "")


@pytest.mark.parametrize("key", ["name", "type", "ministry", "district", "province"])
def test_a_missing_agency_key_is_named_with_the_file(tmp_path: Path, key: str) -> None:
    text = "\n".join(line for line in MINIMAL.splitlines() if not line.startswith(f"{key} ="))
    assert error(tmp_path, text) == f'{tmp_path / "procdata.toml"}: agency.{key} is missing; add the line {key} = "..." under [agency]'


def test_an_empty_value_counts_as_missing(tmp_path: Path) -> None:
    assert "publish.profile is missing" in error(tmp_path, MINIMAL.replace('"ita-2568"', '"  "'))


def test_a_typo_is_named_with_the_key_it_resembles(tmp_path: Path) -> None:
    text = MINIMAL.replace("province =", "provice =")
    assert error(tmp_path, text) == f"{tmp_path / 'procdata.toml'}: unknown key agency.provice (known in this section: province)"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('personal_ids = "hide"', 'publish.personal_ids = "hide" is not allowed; use: mask | full'),
        ('ocid_prefix = "ocds-ab"', 'publish.ocid_prefix = "ocds-ab" is not allowed'),
        ('licence = "GPL"', 'publish.licence = "GPL" is not allowed; use: CC-BY-4.0, CC0-1.0, ODC-BY-1.0'),
    ],
)
def test_bad_publish_values_are_refused(tmp_path: Path, line: str, expected: str) -> None:
    assert expected in error(tmp_path, MINIMAL + line + "\n")


def test_an_unknown_criteria_profile_lists_the_known_ones(tmp_path: Path) -> None:
    assert 'publish.profile = "ita-2570" is not allowed; use: ita-2568, ita-2569' in error(tmp_path, MINIMAL.replace("ita-2568", "ita-2570"))


def test_a_bad_email_and_a_number_where_text_belongs(tmp_path: Path) -> None:
    assert 'agency.email = "saraban" is not allowed' in error(tmp_path, MINIMAL.replace("[publish]", 'email = "saraban"\n[publish]'))
    assert "agency.district must be text in quotes" in error(tmp_path, MINIMAL.replace('"เมืองขอนแก่น"', "5"))


def test_broken_toml_says_where(tmp_path: Path) -> None:
    message = error(tmp_path, MINIMAL.replace('name = "องค์การบริหารส่วนตำบลหนองบัว"', "name = องค์การ"))
    assert message.startswith(f"{tmp_path / 'procdata.toml'}: cannot read the agency profile (")
    assert "line 2" in message


def test_no_profile_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as raised:
        load_config()
    assert raised.value.code == "config_not_found"
    assert str(tmp_path) in raised.value.render("th") and "procdata init" in raised.value.render("th")
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path / "other.toml")
    assert raised.value.code == "config_missing_file"


def test_the_profile_is_found_in_the_folder_or_above(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, MINIMAL)
    inner = tmp_path / "monthly" / "2568"
    inner.mkdir(parents=True)
    monkeypatch.chdir(inner)
    assert find_config() == path.resolve()
    assert load_config().agency.province == "ขอนแก่น"


def test_a_file_saved_with_a_bom_reads(tmp_path: Path) -> None:
    path = tmp_path / "procdata.toml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode("utf-8"))
    assert load_config(path).agency.district == "เมืองขอนแก่น"


def test_the_written_profile_reads_back_with_every_value(tmp_path: Path) -> None:
    values = {
        "name": 'อบต. "ทดสอบ" \\ หนึ่ง', "district": "เมือง", "province": "ขอนแก่น", "website": "https://x.go.th",
        "email": "a@x.go.th", "phone": "043", "profile": "ita-2569", "licence": "CC0-1.0",
        "ocid_prefix": "ocds-abc123", "personal_ids": "full", "problems": "บรรทัดแรก\nบรรทัดสอง",
    }
    path, missing = init_profile(tmp_path / "procdata.toml", values)
    assert missing == []
    config = load_config(path)
    assert config.agency.name == 'อบต. "ทดสอบ" \\ หนึ่ง' and config.agency.website == "https://x.go.th"
    assert (config.profile, config.licence, config.ocid_prefix, config.personal_ids) == ("ita-2569", "CC0-1.0", "ocds-abc123", "full")
    assert config.problems == "บรรทัดแรก\nบรรทัดสอง"


def test_the_template_has_a_comment_for_every_key() -> None:
    text = render_config({})
    parsed = tomllib.loads(text)
    assert parsed["agency"]["type"] == "องค์กรปกครองส่วนท้องถิ่น" and parsed["agency"]["name"] == ""
    lines = text.splitlines()
    for number, line in enumerate(lines):
        if " = " in line and not line.startswith("#"):
            assert lines[number - 1].startswith("#") or " = " in lines[number - 1], line


def test_init_reports_what_is_still_missing_and_refuses_to_overwrite(tmp_path: Path) -> None:
    path, missing = init_profile(tmp_path, {"name": "อบต.ทดสอบ"})
    assert path == tmp_path / "procdata.toml"
    assert missing == ["agency.district", "agency.province"]
    before = path.read_bytes()
    with pytest.raises(ConfigError) as raised:
        init_profile(tmp_path, {"name": "อื่น"})
    assert raised.value.code == "config_exists" and path.read_bytes() == before
    init_profile(tmp_path, {"name": "อื่น", "district": "ก", "province": "ข"}, force=True)
    assert load_config(path).agency.name == "อื่น"


def test_init_refuses_bad_values_before_writing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        init_profile(tmp_path / "procdata.toml", {"name": "ก", "email": "not-an-email"})
    assert raised.value.params["key"] == "agency.email"
    assert not (tmp_path / "procdata.toml").exists()


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(QUALIFIED.values())), st.text(max_size=30), max_size=6))
def test_editing_the_profile_changes_exactly_the_values_given(values: dict[str, str]) -> None:
    text = (Path(__file__).parent.parent / "samples" / "procdata.toml").read_text(encoding="utf-8")
    edited = set_values(text, values)
    assert edited is not None
    expected = tomllib.loads(text)
    for name, value in values.items():
        section, key = name.split(".")
        expected.setdefault(section, {})[key] = value
    assert tomllib.loads(edited) == expected
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert [line for line in edited.splitlines() if line.startswith("#")] == comments  # every comment kept, in order


@pytest.mark.parametrize("odd", ["\x85#", "a\u2028# b", "\u2029", "\x0b\x0c\x1c", "\x9f"])
def test_values_with_characters_editors_take_for_line_breaks_are_written_escaped_and_edited_again(odd: str) -> None:
    """U+0085, U+2028, U+2029 and the C1 controls are allowed raw in TOML, but editors (and Python's
    splitlines) break lines there: they are written escaped, and a profile holding one raw (written by
    another tool) is still edited line by line as TOML reads it."""
    text = (Path(__file__).parent.parent / "samples" / "procdata.toml").read_text(encoding="utf-8")
    edited = set_values(text, {"agency.district": odd})
    assert edited is not None and tomllib.loads(edited)["agency"]["district"] == odd
    assert not any(c in edited for c in "\x85\u2028\u2029\x0b\x0c\x1c\x9f")
    raw = text.replace('district = "', 'district = "' + odd.replace("\x0b", "").replace("\x0c", "").replace("\x1c", ""), 1)
    again = set_values(raw, {"agency.district": "เมือง", "agency.name": "อบต.ทดลอง"})
    assert again is not None and tomllib.loads(again)["agency"]["district"] == "เมือง"
    assert tomllib.loads(again)["agency"]["name"] == "อบต.ทดลอง"

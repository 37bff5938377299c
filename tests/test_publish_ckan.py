"""ckan.json: data.go.th metadata with the portal's required fields and its exact choice strings."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from procdata.cli import app
from procdata.config import load_config
from procdata.publish import publish
from procdata.resources import data
from test_publish_helpers import project, write_canonical, write_profile

D = dt.date
RULES = data("ckan")
# Values the issue names from NECTEC's scheming file, spelled as the portal spells them.
PORTAL = {
    "data_type": "ข้อมูลระเบียน", "geo_coverage": "เทศบาล/อบต.", "update_frequency_unit": "เดือน",
    "data_category": "ข้อมูลสาธารณะ", "license_id": "Creative Commons Attributions",
}


def run(tmp_path: Path, rows: list[dict[str, object]] | None = None, **profile: str) -> tuple[dict[str, Any], Any]:
    rows = rows or [project(1), project(2, fiscal_year=2567, report_month="2024-03", contract_date="2024-03-01")]
    source = write_canonical(tmp_path / "input.csv", rows)
    config = write_profile(tmp_path, **profile)
    result = publish([source], out=tmp_path / "site", config=config, fiscal_year=2568, as_of=D(2025, 3, 31))
    return json.loads((tmp_path / "site" / "ckan.json").read_text(encoding="utf-8")), result


def test_every_required_field_is_filled_with_the_portals_choices(tmp_path: Path) -> None:
    metadata, result = run(tmp_path, email="saraban@test.go.th", website="https://www.test.go.th")
    assert result.ckan_missing == []
    packages = metadata["packages"]
    assert [p["name"] for p in packages] == ["test-go-th-o12-2568", "test-go-th-o13-2567"]
    o12, o13 = packages
    for package in packages:
        for key in RULES["required"]:
            assert package[key], key
        for key, value in PORTAL.items():
            if key != "update_frequency_unit":
                assert package[key] == value, key
        for key in ("data_type", "geo_coverage", "update_frequency_unit", "data_category", "license_id"):
            assert package[key] in RULES["choices"][key], key
        for key in ("objective", "data_format", "data_language"):
            assert package[key] and set(package[key]) <= set(RULES["choices"][key]), key
        assert package["maintainer"] == "องค์การบริหารส่วนตำบลทดสอบ"
        assert package["maintainer_email"] == "saraban@test.go.th"
        assert package["objective"] == ["กฎหมายที่เกี่ยวข้อง"]
        assert package["tag_string"] == ",".join(t["name"] for t in package["tags"])
        assert re.fullmatch("[a-z0-9_-]{2,70}", package["name"])
        for tag in package["tags"]:
            assert re.fullmatch(RULES["tag_pattern"], tag["name"]) and 2 <= len(tag["name"]) <= 100
        assert package["url"] == "https://www.test.go.th"
    assert o12["data_format"] == ["CSV", "JSON", "XLS"]
    assert (o12["update_frequency_unit"], o12["update_frequency_interval"]) == ("เดือน", "1")
    assert (o13["update_frequency_unit"], o13["update_frequency_interval"]) == ("ปี", "1")
    assert (o12["created_date"], o12["last_updated_date"]) == ("2024-10-01", "2025-03-31")
    assert (o13["created_date"], o13["last_updated_date"]) == ("2023-10-01", "2024-09-30")
    assert o12["title"] == "O12 รายการการจัดซื้อจัดจ้างหรือการจัดหาพัสดุ ประจำปีงบประมาณ พ.ศ. 2568 องค์การบริหารส่วนตำบลทดสอบ"
    assert "O12" in o12["tag_string"] and "O13" in o13["tag_string"]


def test_resources_are_the_published_files(tmp_path: Path) -> None:
    metadata, _ = run(tmp_path, email="a@test.go.th")
    o12, o13 = metadata["packages"]
    assert [(r["url"], r["format"]) for r in o12["resources"]] == [
        ("o12.csv", "CSV"), ("o12.xlsx", "XLSX"), ("o12.json", "JSON"), ("ocds.json", "JSON")]
    assert [r["url"] for r in o13["resources"]] == ["o13.csv", "o13.xlsx", "o13.json", "o13-report.html"]
    assert o13["data_format"] == ["CSV", "HTML", "JSON", "XLS"]
    for package in (o12, o13):
        for resource in package["resources"]:
            assert resource["name"] and (tmp_path / "site" / resource["url"]).is_file()


def test_with_a_site_url_resources_are_absolute(tmp_path: Path) -> None:
    metadata, _ = run(tmp_path, email="a@test.go.th", site_url="https://www.test.go.th/ita/2568/index.html",
                      ckan_organization="test-sao")
    o12 = metadata["packages"][0]
    assert o12["resources"][0]["url"] == "https://www.test.go.th/ita/2568/o12.csv"
    assert o12["owner_org"] == "test-sao" and o12["name"] == "test-sao-o12-2568"
    assert o12["url"] == "https://www.test.go.th/ita/2568/index.html"
    package = json.loads((tmp_path / "site" / "ocds.json").read_text(encoding="utf-8"))
    assert package["uri"] == "https://www.test.go.th/ita/2568/ocds.json"


@pytest.mark.parametrize(("licence", "license_id", "other"), [
    ("CC-BY-4.0", "Creative Commons Attributions", None),
    ("ODC-BY-1.0", "Open Data Common", None),
    ("CC0-1.0", "อื่นๆ", "Creative Commons Zero 1.0 Universal (CC0 1.0)"),
])
def test_licences_map_to_the_portals_choices(tmp_path: Path, licence: str, license_id: str, other: str | None) -> None:
    metadata, _ = run(tmp_path, email="a@test.go.th", licence=licence)
    package = metadata["packages"][0]
    assert package["license_id"] == license_id and package["license_id"] in RULES["choices"]["license_id"]
    assert package.get("license_id_other") == other


def test_the_ckan_section_overrides_the_defaults(tmp_path: Path) -> None:
    metadata, _ = run(tmp_path, email="a@test.go.th", maintainer="งานพัสดุ กองคลัง", maintainer_email="pasadu@test.go.th",
                      objective="พันธกิจหน่วยงาน", geo_coverage="ตำบล")
    package = metadata["packages"][0]
    assert (package["maintainer"], package["maintainer_email"]) == ("งานพัสดุ กองคลัง", "pasadu@test.go.th")
    assert (package["objective"], package["geo_coverage"]) == (["พันธกิจหน่วยงาน"], "ตำบล")


def test_a_missing_email_is_said_not_hidden(tmp_path: Path) -> None:
    metadata, result = run(tmp_path)
    assert metadata["packages"][0]["maintainer_email"] == ""
    assert result.ckan_missing == ["procdata-o12-2568.maintainer_email", "procdata-o13-2567.maintainer_email"]
    from procdata.publish.text import publish_text

    assert ("data.go.th: ckan.json ยังขาดค่าที่ต้องกรอก procdata-o12-2568.maintainer_email, "
            "procdata-o13-2567.maintainer_email") in publish_text(result)


def test_an_unregistered_prefix_is_said_in_the_notes(tmp_path: Path) -> None:
    unregistered, _ = run(tmp_path, email="a@test.go.th")
    assert "ocds-000000 ซึ่งยังไม่ได้ลงทะเบียน" in unregistered["packages"][0]["notes"]
    registered, _ = run(tmp_path, email="a@test.go.th", ocid_prefix="ocds-abc123")
    assert "ยังไม่ได้ลงทะเบียน" not in registered["packages"][0]["notes"]


def test_the_choices_file_names_its_source_and_holds_the_issues_examples() -> None:
    text = (Path(__file__).parent.parent / "src/procdata/data/ckan.toml").read_text(encoding="utf-8")
    assert "artarete01/ckanext-thai_gdc" in text and "ckan_dataset.json" in text
    choices = RULES["choices"]
    assert {"ข้อมูลระเบียน"} <= set(choices["data_type"])
    assert {"เทศบาล/อบต."} <= set(choices["geo_coverage"])
    assert {"เดือน"} <= set(choices["update_frequency_unit"])
    assert {"CSV", "XLS", "JSON"} <= set(choices["data_format"])
    assert {"ข้อมูลสาธารณะ"} <= set(choices["data_category"])
    assert {"Creative Commons Attributions"} <= set(choices["license_id"])
    assert {"พันธกิจหน่วยงาน", "กฎหมายที่เกี่ยวข้อง"} <= set(choices["objective"])
    assert {v["license_id"] for v in RULES["licences"].values()} <= set(choices["license_id"])
    assert {v["data_format"] for v in RULES["formats"].values()} <= set(choices["data_format"])


def test_init_asks_for_the_new_profile_fields(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, [
        "init", "--name", "อบต.ทดสอบ", "--district", "เมือง", "--province", "ขอนแก่น", "--email", "a@test.go.th",
        "--site-url", "https://www.test.go.th/ita/", "--ocid-prefix", "ocds-abc123", "--ckan-organization", "test-sao",
        "--maintainer", "งานพัสดุ", "--maintainer-email", "p@test.go.th", "--objective", "พันธกิจหน่วยงาน",
        "--geo-coverage", "ตำบล"])
    assert result.exit_code == 0, result.output
    config = load_config(tmp_path / "procdata.toml")
    assert config.site_url == "https://www.test.go.th/ita/" and config.ocid_prefix == "ocds-abc123"
    assert (config.ckan.organization, config.ckan.maintainer, config.ckan.maintainer_email) == (
        "test-sao", "งานพัสดุ", "p@test.go.th")
    assert (config.ckan.objective, config.ckan.geo_coverage) == ("พันธกิจหน่วยงาน", "ตำบล")
    text = (tmp_path / "procdata.toml").read_text(encoding="utf-8")
    for flag in ("--site-url", "--ckan-organization", "--maintainer", "--maintainer-email", "--objective", "--geo-coverage"):
        assert flag in text, flag  # each key documented with the flag that sets it


@pytest.mark.parametrize(("key", "value", "shown"), [
    ("objective", "เพื่อ ITA", 'ckan.objective = "เพื่อ ITA" is not allowed; use: ยุทธศาสตร์ชาติ |'),
    ("geo_coverage", "อบต.", 'ckan.geo_coverage = "อบต." is not allowed; use: ไม่มี |'),
    ("site_url", "www.test.go.th", 'publish.site_url = "www.test.go.th" is not allowed; use: https://www.example.go.th/ita/'),
    ("ckan_organization", "อบต ทดสอบ", 'ckan.organization = "อบต ทดสอบ" is not allowed; use: a-z 0-9 - _'),
])
def test_wrong_values_name_the_key_and_the_choices(tmp_path: Path, key: str, value: str, shown: str) -> None:
    path = write_profile(tmp_path, **{key: value})
    from procdata.errors import ConfigError

    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert shown in raised.value.render("en")

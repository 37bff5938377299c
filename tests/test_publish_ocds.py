"""ocds.json: an OCDS 1.1 release package valid against the official 1.1.5 schemas (vendored in the package)."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
import zipfile
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator
from referencing import Registry, Resource

from procdata.publish import publish
from test_publish_helpers import JURISTIC, PERSON, project, write_canonical, write_profile

D = dt.date
SCHEMAS = resources.files("procdata") / "schemas" / "ocds-1.1.5"
RELEASE_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
EXTENSION_FIELDS = {"category", "isInvestment", "investmentBasis"}


def schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch: how an OCDS extension's release-schema.json extends the release schema."""
    if not isinstance(patch, dict):
        return patch
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def validator(extended: bool = False, patch: dict[str, Any] | None = None) -> Draft4Validator:
    """The official release package schema, its $ref to the release schema resolved to the vendored file
    (with procdata's extension applied when ``extended``, or the extension ``patch`` as published)."""
    release = schema("release-schema.json")
    if extended:
        patch = json.loads((resources.files("procdata") / "data" / "ocds_extension" / "release-schema.json").read_text())
    if patch is not None:
        release = merge_patch(copy.deepcopy(release), patch)
    registry = Registry().with_resource(RELEASE_URL, Resource.from_contents(release))
    return Draft4Validator(schema("release-package-schema.json"), registry=registry,
                           format_checker=Draft4Validator.FORMAT_CHECKER)


def errors(package: dict[str, Any], extended: bool = False, patch: dict[str, Any] | None = None) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator(extended, patch).iter_errors(package)]


def codes(codelist: str) -> set[str]:
    with (SCHEMAS / "codelists" / codelist).open(encoding="utf-8") as handle:
        return {row["Code"] for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Any]:
    """The README's main command: this year's O12 and last year's results."""
    from conftest import REPO

    out = tmp_path_factory.mktemp("ocds") / "site"
    result = publish([REPO / "samples/o12-2568.csv", REPO / "samples/o12-2567.xlsx"], out=out,
                     config=REPO / "samples/procdata.toml", as_of=D(2025, 6, 30))
    return json.loads((out / "ocds.json").read_text(encoding="utf-8")), result


def run(tmp_path: Path, rows: list[dict[str, object]], **profile: str) -> dict[str, Any]:
    source = write_canonical(tmp_path / "input.csv", rows)
    config = write_profile(tmp_path, **profile)
    publish([source], out=tmp_path / "site", config=config, fiscal_year=2568, as_of=D(2025, 3, 31))
    return json.loads((tmp_path / "site" / "ocds.json").read_text(encoding="utf-8"))


def test_the_samples_are_valid_against_the_official_schemas(samples: tuple[dict[str, Any], Any]) -> None:
    package, _ = samples
    assert errors(package) == []
    assert errors(package, extended=True) == []
    assert package["version"] == "1.1" and package["publishedDate"] == "2025-06-30T00:00:00+07:00"


def test_one_release_per_record_of_the_published_years_with_distinct_ocids(samples: tuple[dict[str, Any], Any]) -> None:
    package, result = samples
    records = sum(d.available for d in result.datasets)
    assert records == 30 and len(package["releases"]) == records == result.releases
    assert len({r["ocid"] for r in package["releases"]}) == records
    assert all(r["ocid"].startswith("ocds-000000-") for r in package["releases"])


def test_amounts_are_thai_baht_and_codes_come_from_the_codelists(samples: tuple[dict[str, Any], Any]) -> None:
    package, _ = samples
    currencies = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "currency" in node:
                currencies.add(node["currency"])
                assert isinstance(node["amount"], float)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(package)
    assert currencies == {"THB"}
    releases = package["releases"]
    assert {t for r in releases for t in r["tag"]} <= codes("releaseTag.csv")
    assert {r["tender"]["status"] for r in releases} <= codes("tenderStatus.csv")
    assert {r["tender"]["procurementMethod"] for r in releases} <= codes("method.csv")
    assert {a["status"] for r in releases for a in r.get("awards", [])} <= codes("awardStatus.csv")
    assert {c["status"] for r in releases for c in r.get("contracts", [])} <= codes("contractStatus.csv")
    assert {role for r in releases for p in r["parties"] for role in p["roles"]} <= codes("partyRole.csv")
    assert {r["initiationType"] for r in releases} == {"tender"}


def test_a_record_becomes_a_release(tmp_path: Path) -> None:
    rows = [project(1, budget_category="investment", reference_price=120000, method="e_bidding",
                    contract_no="5/2568")]
    release = run(tmp_path, rows, ocid_prefix="ocds-abc123")["releases"][0]
    assert release["ocid"] == "ocds-abc123-68010000001"
    assert release["id"] == "ocds-abc123-68010000001-2025-03-31"
    assert release["date"] == "2025-03-31T00:00:00+07:00"
    assert release["tag"] == ["contract"]
    buyer = release["parties"][0]
    assert buyer["id"] == release["buyer"]["id"] and buyer["roles"] == ["buyer", "procuringEntity"]
    assert buyer["name"] == "องค์การบริหารส่วนตำบลทดสอบ"
    assert release["tender"] == {
        "id": "68010000001", "title": "รายการทดสอบที่ 1", "status": "complete",
        "procuringEntity": release["buyer"], "value": {"amount": 120000.0, "currency": "THB"},
        "procurementMethod": "open", "procurementMethodDetails": "ประกวดราคาอิเล็กทรอนิกส์ (e-bidding)",
    }
    assert release["planning"]["budget"] == {
        "description": "งบลงทุน · ข้อบัญญัติ/เทศบัญญัติงบประมาณรายจ่าย",
        "amount": {"amount": 100001.0, "currency": "THB"},
        "category": "investment", "isInvestment": True, "investmentBasis": "declared",
    }
    supplier = {"id": f"TH-TIN-{JURISTIC}", "name": "บริษัท ทดสอบ จำกัด"}
    assert release["awards"] == [{"id": "1", "title": "รายการทดสอบที่ 1", "status": "active",
                                  "value": {"amount": 90001.0, "currency": "THB"}, "suppliers": [supplier]}]
    assert release["contracts"] == [{
        "id": "5/2568", "awardID": "1", "title": "รายการทดสอบที่ 1", "status": "active",
        "value": {"amount": 90001.0, "currency": "THB"}, "dateSigned": "2025-01-15T00:00:00+07:00",
        "period": {"startDate": "2025-01-15T00:00:00+07:00", "endDate": "2025-06-30T23:59:59+07:00"},
    }]
    party = next(p for p in release["parties"] if p["id"] == supplier["id"])
    assert party["identifier"] == {"scheme": "TH-TIN", "id": JURISTIC, "legalName": "บริษัท ทดสอบ จำกัด"}
    assert party["roles"] == ["supplier"]


def test_the_stage_gives_the_tag_and_the_statuses(tmp_path: Path) -> None:
    rows = [
        project(1, contract_date="", contract_end_date="", winner_name="", winner_tax_id="", agreed_price="",
                contract_no=""),  # not signed, no winner: a tender
        project(2, contract_date="", contract_end_date="", contract_no=""),  # winner known, not signed: an award
        project(3),  # signed, running on 31 Mar 2025
        project(4, contract_date="2024-12-01", contract_end_date="2025-02-28"),  # ended before the as-of date
        project(5, status="cancelled", contract_date="", contract_end_date="", contract_no=""),
    ]
    releases = {r["tender"]["id"][-1]: r for r in run(tmp_path, rows)["releases"]}
    summary = {
        n: (r["tag"], r["tender"]["status"], [a["status"] for a in r.get("awards", [])],
            [c["status"] for c in r.get("contracts", [])])
        for n, r in releases.items()
    }
    assert summary == {
        "1": (["tender"], "active", [], []),
        "2": (["award"], "complete", ["active"], []),
        "3": (["contract"], "complete", ["active"], ["active"]),
        "4": (["contractTermination"], "complete", ["active"], ["terminated"]),
        "5": (["tenderCancellation"], "cancelled", ["cancelled"], []),
    }


def test_tenderers_come_from_the_bidders_and_the_winner_is_one_of_them(tmp_path: Path) -> None:
    source = tmp_path / "input.xlsx"
    from conftest import SORKORROR1_HEADER, write_xlsx

    write_xlsx(source, {"ม.ค. 68": [
        ["สรุปผลการดำเนินการจัดซื้อจัดจ้างในรอบเดือน มกราคม 2568"],
        SORKORROR1_HEADER,
        [1, "จัดซื้อวัสดุสำนักงาน", "45,000", "45,000", "เฉพาะเจาะจง",
         "1. ร้านเอ 44,000 บาท\n2. ร้านบี 44,500 บาท", "ร้านเอ ราคา 44,000 บาท", "ราคาต่ำสุด",
         "สัญญาเลขที่ 1/2568 ลว. 15 ม.ค. 2568"],
    ]})
    config = write_profile(tmp_path)
    publish([source], out=tmp_path / "site", config=config, as_of=D(2025, 1, 31))
    release = json.loads((tmp_path / "site" / "ocds.json").read_text(encoding="utf-8"))["releases"][0]
    assert release["tender"]["numberOfTenderers"] == 2
    assert release["tender"]["tenderers"] == [{"id": "tenderer-1", "name": "ร้านเอ"}, {"id": "tenderer-2", "name": "ร้านบี"}]
    assert release["awards"][0]["suppliers"] == [{"id": "tenderer-1", "name": "ร้านเอ"}]
    roles = {p["id"]: p["roles"] for p in release["parties"]}
    assert roles == {"buyer": ["buyer", "procuringEntity"], "tenderer-1": ["tenderer", "supplier"], "tenderer-2": ["tenderer"]}
    assert release["tender"]["procurementMethod"] == "direct"
    assert release["ocid"].startswith("ocds-000000-2568-")


def test_a_natural_persons_id_is_left_out_unless_the_policy_is_full(tmp_path: Path) -> None:
    rows = [project(1, winner_name="นายสมชาย ใจดี", winner_tax_id=PERSON)]
    masked = json.dumps(run(tmp_path, rows), ensure_ascii=False)
    assert PERSON not in masked and PERSON[1:-3] not in masked
    release = json.loads(masked)["releases"][0]
    supplier = release["awards"][0]["suppliers"][0]
    assert supplier == {"id": "supplier-1", "name": "นายสมชาย ใจดี"}
    assert "identifier" not in next(p for p in release["parties"] if p["id"] == "supplier-1")
    full = run(tmp_path, rows, personal_ids="full")["releases"][0]
    assert full["awards"][0]["suppliers"][0]["id"] == f"TH-TIN-{PERSON}"


def test_an_id_inside_text_is_masked_in_ocds_too(tmp_path: Path) -> None:
    rows = [project(1, item_name=f"จ้างเหมาบริการ นายเอ {PERSON}", winner_name=f"นายเอ ({PERSON})", winner_tax_id="")]
    text = json.dumps(run(tmp_path, rows), ensure_ascii=False)
    assert PERSON not in text and "3xxxxxxxxx" in text


def test_records_without_a_project_number_get_stable_distinct_derived_ids(tmp_path: Path) -> None:
    same = dict(project_id="", contract_no="", winner_name="", winner_tax_id="", agreed_price="", contract_date="",
                contract_end_date="", item_name="จัดซื้อวัสดุสำนักงาน", budget_amount=5000)
    rows = [project(1, **same), project(2, **same), project(3, project_id="", contract_no="9/2568")]
    first = [r["ocid"] for r in run(tmp_path, rows)["releases"]]
    second = [r["ocid"] for r in run(tmp_path, list(reversed(rows)))["releases"]]
    assert len(set(first)) == 3 and sorted(first) == sorted(second)
    repeat = next(o for o in first if o.endswith("-2"))
    assert repeat.removesuffix("-2") in first
    assert all(o.startswith("ocds-000000-2568-") for o in first)


def test_the_o12_ocid_column_is_the_release_ocid(tmp_path: Path) -> None:
    from test_publish_helpers import read_csv

    package = run(tmp_path, [project(1), project(2, project_id="")], ocid_prefix="ocds-abc123")
    rows = read_csv(tmp_path / "site" / "o12.csv")
    published = [row[rows[0].index("OCID")] for row in rows[1:]]
    assert sorted(published) == sorted(r["ocid"] for r in package["releases"])


def test_the_extension_schema_is_not_vacuous(samples: tuple[dict[str, Any], Any]) -> None:
    package = copy.deepcopy(samples[0])
    package["releases"][0]["planning"]["budget"]["isInvestment"] = "ใช่"
    package["releases"][1]["planning"]["budget"]["category"] = "capital"
    assert len(errors(package, extended=True)) == 2
    assert errors(package) == []  # the core schema alone allows any additional field


def test_the_vendored_schemas_carry_their_licence() -> None:
    assert "Apache License" in (SCHEMAS / "LICENSE").read_text(encoding="utf-8")
    assert "Open Contracting Partnership" in (SCHEMAS / "README.md").read_text(encoding="utf-8")
    assert schema("release-schema.json")["id"] == RELEASE_URL


def _standard_zip() -> bytes:
    """The standard as lib-cove-ocds reads it (a ZIP of the repository's schema folder), from the vendored files.

    The vendored copy lacks versioned-release-validation-schema.json, which only record packages
    use; an empty Draft 4 schema stands in for it, so the release package checks are the real ones.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("standard-1__1__5/", "")
        archive.writestr("standard-1__1__5/schema/versioned-release-validation-schema.json",
                         json.dumps({"$schema": "http://json-schema.org/draft-04/schema#"}))
        for name in ("release-schema.json", "release-package-schema.json"):
            archive.writestr(f"standard-1__1__5/schema/{name}", (SCHEMAS / name).read_bytes())
        for entry in sorted((SCHEMAS / "codelists").iterdir(), key=lambda e: e.name):
            archive.writestr(f"standard-1__1__5/schema/codelists/{entry.name}", entry.read_bytes())
    return buffer.getvalue()


def test_lib_cove_ocds_finds_no_errors_and_only_the_documented_extra_fields(samples: tuple[dict[str, Any], Any]) -> None:
    libcove = pytest.importorskip("libcoveocds.api", reason="lib-cove-ocds is not installed (pip install '.[test]')")
    from libcoveocds.config import LibCoveOCDSConfig

    config = LibCoveOCDSConfig({"standard_zip": _standard_zip(), "context": "api"})
    result = libcove.ocds_json_output(json_data=copy.deepcopy(samples[0]), lib_cove_ocds_config=config)
    assert result["validation_errors"] == []
    assert result["additional_closed_codelist_values"] == {}
    assert result["additional_checks"] == {}
    assert result["count"] == result["unique_ocids_count"] == 30
    # Its warnings: the fields procdata's extension adds (documented in data/ocds_extension), nothing else.
    extra = {(f["path"], f["field"]) for f in result["additional_fields"]}
    assert extra == {("/releases/planning/budget", name) for name in EXTENSION_FIELDS}
    open_codes = result["additional_open_codelist_values"]
    assert set(open_codes) <= {"releases/parties/identifier/scheme"}, open_codes


def test_the_page_and_the_data_package_list_the_ocds_and_ckan_files(tmp_path: Path) -> None:
    run(tmp_path, [project(1)])
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert '<a href="ocds.json" download>OCDS (JSON)</a>' in page
    assert '<a href="ckan.json" download>data.go.th / CKAN (JSON)</a>' in page
    descriptor = json.loads((tmp_path / "site" / "datapackage.json").read_text(encoding="utf-8"))
    listed = {r["path"]: r for r in descriptor["resources"]}
    for name in ("ocds.json", "ckan.json"):
        content = (tmp_path / "site" / name).read_bytes()
        assert listed[name]["bytes"] == len(content)
        assert listed[name]["hash"] == "sha256:" + __import__("hashlib").sha256(content).hexdigest()
    with zipfile.ZipFile(next((tmp_path / "site").glob("*.zip"))) as archive:
        assert {"ocds.json", "ckan.json"} <= set(archive.namelist())


# ---------------------------------------------------------------- the extension, declared where it is served

SITE = "https://www.nongbua.go.th/ita/2568/"


def published(tmp_path: Path, **profile: str) -> tuple[dict[str, Any], Any]:
    source = write_canonical(tmp_path / "input.csv", [project(1, budget_category="investment"), project(2)])
    config = write_profile(tmp_path, **profile)
    result = publish([source], out=tmp_path / "site", config=config, fiscal_year=2568, as_of=D(2025, 3, 31))
    return json.loads((tmp_path / "site" / "ocds.json").read_text(encoding="utf-8")), result


def test_with_a_site_url_the_extension_is_published_and_declared_by_its_absolute_url(tmp_path: Path) -> None:
    package, result = published(tmp_path, site_url=SITE + "index.html")
    assert package["extensions"] == [SITE + "extension.json"]
    site = tmp_path / "site"
    metadata = json.loads((site / "extension.json").read_text(encoding="utf-8"))
    # extension.json as OCDS reads it: names and descriptions by language, where its documentation is,
    # the versions it works with, and its schema patch, which sits beside it (as the registry's layout has it).
    assert set(metadata) >= {"name", "description", "documentationUrl", "compatibility", "schemas"}
    assert metadata["name"]["en"] and metadata["description"]["th"] and metadata["compatibility"] == ["1.1"]
    assert metadata["documentationUrl"] == {"en": SITE + "release-schema.json", "th": SITE + "release-schema.json"}
    assert metadata["schemas"] == ["release-schema.json"] and "codelists" not in metadata  # no empty list
    patch = json.loads((site / "release-schema.json").read_text(encoding="utf-8"))
    assert set(patch["definitions"]["Budget"]["properties"]) == EXTENSION_FIELDS
    # The package with the patch as published applied is valid; without it, the fields are merely additional.
    assert errors(package, extended=True) == [] and errors(package) == []
    assert errors(package, patch=patch) == []
    bad = copy.deepcopy(package)
    bad["releases"][0]["planning"]["budget"]["isInvestment"] = "ใช่"
    assert len(errors(bad, patch=patch)) == 1
    # Listed with the other files: the data package, the zip, the publish output.
    descriptor = json.loads((site / "datapackage.json").read_text(encoding="utf-8"))
    assert {"extension.json", "release-schema.json"} <= {r["path"] for r in descriptor["resources"]}
    with zipfile.ZipFile(next(site.glob("*.zip"))) as archive:
        assert {"extension.json", "release-schema.json"} <= set(archive.namelist())
    assert result.ocds_extension == SITE + "extension.json"
    from procdata.publish.text import publish_text

    assert f"ocds.json ประกาศส่วนขยาย OCDS ของ procdata ที่ {SITE}extension.json" in publish_text(result)


def test_without_a_site_url_the_extension_is_not_declared_and_the_output_says_why(tmp_path: Path) -> None:
    package, result = published(tmp_path)
    assert "extensions" not in package  # OCDS wants the URL of extension.json: none can be given yet
    assert not (tmp_path / "site" / "extension.json").exists()
    assert not (tmp_path / "site" / "release-schema.json").exists()
    assert result.ocds_extension == ""
    from procdata.publish.text import publish_text

    said = [line for line in publish_text(result).splitlines() if "ส่วนขยาย" in line]
    assert len(said) == 1 and said[0].startswith("OCDS: ocds.json ยังไม่ได้ประกาศส่วนขยาย OCDS ของ procdata")
    assert "กรอก [publish] site_url ใน procdata.toml" in said[0]
    web = [line for line in publish_text(result, surface="web").splitlines() if "ส่วนขยาย" in line]
    assert "site_url" not in web[0] and "กรอกช่อง ที่อยู่เว็บของโฟลเดอร์ที่เผยแพร่ ในโปรไฟล์หน่วยงาน" in web[0]
    assert errors(package) == []  # still valid: the core schema allows additional fields


def test_lib_cove_ocds_reads_the_served_extension_and_reports_no_additional_fields(tmp_path: Path) -> None:
    libcove = pytest.importorskip("libcoveocds.api", reason="lib-cove-ocds is not installed (pip install '.[test]')")
    from libcoveocds.config import LibCoveOCDSConfig

    from sitecheck_server import serve

    with serve(tmp_path / "site") as base:  # a real local web server: the site folder as a host serves it
        package, _ = published(tmp_path, site_url=base)
        assert package["extensions"] == [base + "extension.json"]
        config = LibCoveOCDSConfig({"standard_zip": _standard_zip(), "context": "api"})
        output = tmp_path / "cove"  # lib-cove writes the extended schema there (default: the working folder)
        output.mkdir()
        result = libcove.ocds_json_output(output_dir=str(output), json_data=copy.deepcopy(package),
                                          lib_cove_ocds_config=config)
    assert result["validation_errors"] == []
    assert result["extensions"]["invalid_extension"] == {}
    assert result["extensions"]["is_extended_schema"] is True
    assert [e["url"] for e in result["extensions"]["extensions"]] == [base + "extension.json"]
    extra = {(f["path"], f["field"]) for f in result["additional_fields"]}
    assert not extra & {("/releases/planning/budget", name) for name in EXTENSION_FIELDS}, extra


# ---------------------------------------------------------------- national data: each record's own buyer


def test_a_national_tables_releases_have_their_own_agency_as_buyer(tmp_path: Path) -> None:
    from conftest import FIXTURES, REPO

    publish([FIXTURES / "egp-national" / "2568-egp-contract-1.csv"], out=tmp_path / "site",
            config=REPO / "samples" / "procdata.toml")
    releases = json.loads((tmp_path / "site" / "ocds.json").read_text(encoding="utf-8"))["releases"]
    ids: dict[str, set[str]] = {}
    for release in releases:
        parties = {p["id"]: p for p in release["parties"]}
        assert len(parties) == len(release["parties"])  # each party once
        buyer = parties[release["buyer"]["id"]]
        assert "buyer" in buyer["roles"] and buyer["name"] == release["buyer"]["name"]
        assert buyer["name"] != "องค์การบริหารส่วนตำบลหนองบัว"  # not the profile's agency
        assert "contactPoint" not in buyer  # the profile's e-mail and phone are not another agency's
        ids.setdefault(buyer["name"], set()).add(buyer["id"])
        procuring = parties[release["tender"]["procuringEntity"]["id"]]
        assert "procuringEntity" in procuring["roles"]
    assert set(ids) == {"องค์การบริหารส่วนตำบลโนนทอง", "เทศบาลตำบลบ้านโคก", "องค์การบริหารส่วนจังหวัดชัยภูมิ", "กรมทางหลวงชนบท"}
    assert all(len(found) == 1 for found in ids.values())  # one stable id an agency, in every release
    assert len({next(iter(found)) for found in ids.values()}) == 4
    chaiyaphum = [r for r in releases if r["buyer"]["name"] == "องค์การบริหารส่วนจังหวัดชัยภูมิ"]
    address = next(p for p in chaiyaphum[0]["parties"] if p["id"] == chaiyaphum[0]["buyer"]["id"])["address"]
    assert address["region"] == "ชัยภูมิ" and address["locality"] == "เมืองชัยภูมิ"
    # A sub-unit of the agency (กองช่าง, กองคลัง) runs the procurement: the procuring entity, beside its buyer.
    units = {r["tender"]["procuringEntity"]["name"] for r in chaiyaphum}
    assert units == {"กองคลัง องค์การบริหารส่วนจังหวัดชัยภูมิ", "กองช่าง องค์การบริหารส่วนจังหวัดชัยภูมิ"}
    assert package_errors(releases) == []
    again = tmp_path / "again"
    again.mkdir()
    publish([FIXTURES / "egp-national" / "2568-egp-contract-1.csv"], out=again / "site",
            config=REPO / "samples" / "procdata.toml")
    second = json.loads((again / "site" / "ocds.json").read_text(encoding="utf-8"))["releases"]
    assert [r["buyer"] for r in second] == [r["buyer"] for r in releases]  # the same ids every time


def test_a_citizen_id_in_a_records_agency_fields_is_masked_in_its_parties(tmp_path: Path) -> None:
    source = tmp_path / "province.csv"
    header = ["fiscal_year", "report_month", "project_id", "item_name", "budget_amount", "method", "agency_name",
              "agency_unit", "province", "district"]
    rows = [["2568", "2025-01", "68010000001", "จัดซื้อวัสดุ", "5000", "specific", "เทศบาลตำบลก",
             f"งานพัสดุ นายเอ {PERSON}", "ขอนแก่น", "ชุมแพ"],
            ["2568", "2025-01", "68010000002", "จัดซื้อวัสดุ", "6000", "specific", "เทศบาลตำบลข", "", "ขอนแก่น", "พล"]]
    source.write_text("\n".join(",".join(row) for row in [header, *rows]) + "\n", encoding="utf-8")
    publish([source], out=tmp_path / "site", config=write_profile(tmp_path), as_of=D(2025, 1, 31))
    text = (tmp_path / "site" / "ocds.json").read_text(encoding="utf-8")
    assert PERSON not in text and PERSON[1:-3] not in text
    releases = json.loads(text)["releases"]
    assert {r["buyer"]["name"] for r in releases} == {"เทศบาลตำบลก", "เทศบาลตำบลข"}
    first = next(r for r in releases if r["buyer"]["name"] == "เทศบาลตำบลก")
    assert first["tender"]["procuringEntity"]["name"].startswith("งานพัสดุ นายเอ 3")  # the unit, its ID masked


def package_errors(releases: list[dict[str, Any]]) -> list[str]:
    return errors({"uri": "urn:x", "version": "1.1", "publishedDate": "2025-01-01T00:00:00+07:00",
                   "publisher": {"name": "x"}, "releases": releases})


def test_an_agencys_own_records_keep_the_profile_as_buyer_with_its_contact(tmp_path: Path) -> None:
    release = run(tmp_path, [project(1)])["releases"][0]
    buyer = next(p for p in release["parties"] if p["id"] == release["buyer"]["id"])
    assert buyer["name"] == "องค์การบริหารส่วนตำบลทดสอบ" and buyer["roles"] == ["buyer", "procuringEntity"]
    assert buyer["address"] == {"locality": "เมืองทดสอบ", "region": "ทดสอบ", "countryName": "ประเทศไทย"}


# ---------------------------------------------------------------- every method of methods.toml

# DOMAIN.md: open (e-bidding, e-market, สอบราคา, the open group, and the old regulation's open
# competitions), selective (คัดเลือก), direct (เฉพาะเจาะจง and the old ตกลงราคา, a purchase agreed
# with one seller), limited (the old special methods, and an old method not named).
OCDS_METHOD = {
    "e_bidding": "open", "e_market": "open", "price_inquiry": "open", "open": "open",
    "selection": "selective", "specific": "direct",
    "price_agreement": "direct", "bidding": "open", "international_bidding": "open", "e_auction": "open",
    "special": "limited", "special_case": "limited", "other": "limited",
}


def test_every_method_code_maps_to_the_ocds_codelist_as_the_domain_says() -> None:
    from procdata.resources import data

    methods = {m["code"]: m["ocds"] for m in data("methods")["method"]}
    assert methods == OCDS_METHOD  # a new method must be given its OCDS code here too
    assert set(methods.values()) <= codes("method.csv")


@pytest.mark.parametrize("method", sorted(OCDS_METHOD))
def test_every_method_code_becomes_its_procurement_method_in_a_release(tmp_path: Path, method: str) -> None:
    from procdata.normalize import vocab

    tender = run(tmp_path, [project(1, method=method)])["releases"][0]["tender"]
    assert tender["procurementMethod"] == OCDS_METHOD[method]
    assert tender["procurementMethodDetails"] == vocab.term("method", method).label("th")  # the Thai words


def test_a_cell_that_is_no_project_number_is_no_ocid(tmp_path: Path) -> None:
    """Published with --force, records whose project-number cell says "ไม่มี" (an error each) shared one
    ocid, "ocds-000000-ไม่มี": in OCDS, releases of one contracting process. Such a cell is no id: each
    record gets its own derived one, as a record with no number does."""
    rows = [project(n, project_id="ไม่มี", contract_no=f"{n}/2568") for n in (1, 2)] + [project(3, project_id="6701912345")]
    source = write_canonical(tmp_path / "input.csv", rows)
    publish([source], out=tmp_path / "site", config=write_profile(tmp_path), fiscal_year=2568, as_of=D(2025, 3, 31), force=True)
    ocids = [r["ocid"] for r in json.loads((tmp_path / "site" / "ocds.json").read_text(encoding="utf-8"))["releases"]]
    assert len(ocids) == 3 and len(set(ocids)) == 3
    assert all(o.startswith("ocds-000000-2568-") for o in ocids)

"""No full citizen ID anywhere in what publish writes, whatever its spelling and wherever it was typed.

IDs go in as people write them (whole, on the card's 1-4-5-2-1 grouping with
spaces, dashes or dots, in Thai digits, after a list number) in every text
a record carries, in the input file's own name and in the agency profile's
texts; every file written is then read back, the XLSX workbooks and the zip
opened entry by entry, and searched with a reading of IDs written apart from
procdata's own.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from procdata.cli import app
from procdata.config import Agency, load_config, safe_link
from procdata.errors import ConfigError
from test_publish_helpers import PERSON, project, write_canonical, write_profile
from test_publish_safety import citizen_ids_in

runner = CliRunner()
SECOND = "1103702011258"  # another natural person's ID with a valid check digit


def spellings(digits: str) -> list[str]:
    thai = digits.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    groups = [digits[0], digits[1:5], digits[5:10], digits[10:12], digits[12]]
    return [
        digits, " ".join(groups), "-".join(groups), ".".join(groups), " - ".join(groups), thai,
        f"1. {digits}", "  ".join(groups), "_".join(groups),
    ]


def texts_of(path: Path) -> dict[str, str]:
    """Every text inside ``path``: the file itself, or each entry of a zip (an .xlsx too), recursively."""
    data = path.read_bytes()
    return _texts(path.name, data)


def _texts(name: str, data: bytes) -> dict[str, str]:
    if data[:2] != b"PK":
        return {name: data.decode("utf-8", errors="replace")}
    out = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        out[f"{name}:entries"] = " ".join(archive.namelist())
        for entry in archive.namelist():
            out.update(_texts(f"{name}/{entry}", archive.read(entry)))
    return out


def test_no_full_citizen_id_in_any_file_or_zip_entry(tmp_path: Path) -> None:
    variants = spellings(PERSON) + spellings(SECOND)
    rows = [project(1, winner_tax_id=PERSON, winner_name="นายสมชาย ใจดี")]
    for n, written in enumerate(variants, start=2):
        field = ("winner_name", "item_name")[n % 2]
        rows.append(project(n, **{field: f"ข้อความ {written} ท้าย", "budget_category": "investment" if n % 3 else "operating"}))
    rows.append(project(50, fiscal_year=2567, report_month="2024-03", contract_date="2024-03-01",
                        budget_category="investment", winner_name=f"นาง ข {spellings(SECOND)[2]}", winner_tax_id=SECOND))
    source = write_canonical(tmp_path / f"สขร1 ผู้รับจ้าง {spellings(PERSON)[3]}.csv", rows)
    config = write_profile(tmp_path, problems=f"ผู้รับจ้าง {spellings(SECOND)[1]} ส่งงานล่าช้า",
                           improvements=f"ติดต่อ {PERSON}", phone=spellings(PERSON)[2])
    before = source.read_bytes()
    out = tmp_path / "site"
    result = runner.invoke(app, ["publish", str(source), "--config", str(config), "--out", str(out),
                                 "--as-of", "2568-03-31", "--force"])
    assert result.exit_code == 0, result.output
    assert source.read_bytes() == before
    found = {}
    for path in sorted(out.iterdir()):
        for where, text in texts_of(path).items():
            found.update({where: citizen_ids_in(text)} if citizen_ids_in(text) else {})
    assert found == {}
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert package["sources"] == [{"title": "สขร1 ผู้รับจ้าง 3xxxxxxxxx" + PERSON[-3:] + ".csv"}]  # base name, masked
    assert str(tmp_path) not in (out / "datapackage.json").read_text(encoding="utf-8")  # no folder of the officer's
    masked = int(result.stdout.split("ปิดบังเลขประจำตัวประชาชนของบุคคลธรรมดา ")[1].split()[0])
    assert masked >= len(variants) + 2


@pytest.mark.parametrize("website", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "vbscript:x",
                                     "file:///etc/passwd", "//evil.example", "https://"])
def test_a_link_that_is_not_http_is_refused(tmp_path: Path, website: str) -> None:
    config = write_profile(tmp_path, website=website)
    with pytest.raises(ConfigError) as raised:
        load_config(config)
    assert raised.value.params["key"] == "agency.website"
    result = runner.invoke(app, ["status", "--config", str(config), "--lang", "en"])
    assert result.exit_code == 2
    assert result.stderr == f'{config}: agency.website = "{website}" is not allowed; use: https://www.example.go.th\n'


def test_a_website_without_its_scheme_becomes_https(tmp_path: Path) -> None:
    assert load_config(write_profile(tmp_path, website="www.nongbua.go.th")).agency.website == "https://www.nongbua.go.th"
    assert safe_link("mailto:saraban@nongbua.go.th") == "mailto:saraban@nongbua.go.th"
    assert safe_link("mailto:x") == "" and safe_link("javascript:alert(1)") == ""


def test_a_profile_made_in_python_still_gets_no_unsafe_link(tmp_path: Path) -> None:
    import dataclasses

    from procdata.publish import publish

    source = write_canonical(tmp_path / "in.csv", [project(1)])
    config = load_config(write_profile(tmp_path))
    config = dataclasses.replace(config, agency=Agency(**{**dataclasses.asdict(config.agency), "website": "javascript:alert(1)"}))
    publish([source], out=tmp_path / "site", config=config, as_of="2025-03-31")
    for name in ("index.html", "datapackage.json", "o13-report.html"):
        path = tmp_path / "site" / name
        assert not path.exists() or "javascript:" not in path.read_text(encoding="utf-8"), name


def test_the_search_finds_ids_where_the_policy_publishes_them_in_full(tmp_path: Path) -> None:
    # The same search over a site published with personal_ids = "full": it must find them, inside the XLSX and zip too.
    rows = [project(1, winner_name=f"นาย ก {spellings(PERSON)[3]}"), project(2, budget_category="investment")]
    source = write_canonical(tmp_path / f"x {PERSON}.csv", rows)
    config = write_profile(tmp_path, personal_ids="full")
    result = runner.invoke(app, ["publish", str(source), "--config", str(config), "--out", str(tmp_path / "site"),
                                 "--as-of", "2025-03-31", "--force"])
    assert result.exit_code == 0, result.output
    where = {w for path in (tmp_path / "site").iterdir() for w, text in texts_of(path).items() if citizen_ids_in(text)}
    assert {"datapackage.json", "o12.csv", "o12.xlsx/xl/worksheets/sheet1.xml"} <= where
    assert any(w.endswith(".zip/o12.xlsx/xl/worksheets/sheet1.xml") for w in where)

"""`procdata check-site` against a real local web server serving a published site, then broken each way."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import REPO
from procdata.cli import app
from procdata.publish import publish
from procdata.sitecheck import check_site, read_targets
from procdata.sitecheck.fetch import Limits
from procdata.sitecheck.run import Target, compare_published, months_before
from sitecheck_server import free_port, serve

runner = CliRunner()
AS_OF = "2025-07-15"  # two weeks after the samples' date of data (30 Jun 2025)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The README's main command: the samples published once for this module."""
    out = tmp_path_factory.mktemp("published") / "site"
    publish([REPO / "samples/o12-2568.csv", REPO / "samples/o12-2567.xlsx"], out=out,
            config=REPO / "samples/procdata.toml", as_of=dt.date(2025, 6, 30))
    return out


@pytest.fixture
def site(published: Path, tmp_path: Path) -> Path:
    """A copy of the published site for one test to break: served at /ita/ of a small agency website."""
    root = tmp_path / "www"
    shutil.copytree(published, root / "ita")
    (root / "index.html").write_text(
        '<!DOCTYPE html><html lang="th"><head><meta charset="utf-8"><title>อบต.หนองบัว</title></head><body>'
        '<a href="/news.html">ข่าวประชาสัมพันธ์</a> <a href="ita/index.html">ข้อมูลการจัดซื้อจัดจ้าง (ITA)</a>'
        "</body></html>", encoding="utf-8")
    return root


def check(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["check-site", *args])
    return result.exit_code, result.stdout, result.stderr


def codes(report: dict, name: str) -> list[str]:  # type: ignore[type-arg]
    links = report["agencies"][0]["links"]
    return [p["code"] for link in links if link["name"] == name for p in link["problems"]]


def test_the_published_site_passes(site: Path) -> None:
    with serve(site) as base:
        code, out, err = check(f"{base}ita/index.html", "--as-of", AS_OF)
    assert (code, err) == (0, ""), out
    lines = out.splitlines()
    assert lines[0] == "ตรวจเว็บไซต์ 1 แห่ง ณ วันที่ 15 ก.ค. 2568 แบบที่ผู้ประเมิน ITA เห็น"
    assert "  ข้อมูล ณ วันที่ 30 มิ.ย. 2568 (จาก datapackage.json)" in lines
    assert "  ✓ O12 CSV o12.csv: ใช้ได้ (14 รายการ 23 คอลัมน์; ปีงบประมาณ 2568)" in lines
    assert "  ✓ O13 XLSX o13.xlsx: ใช้ได้ (16 รายการ 24 คอลัมน์; ปีงบประมาณ 2567)" in lines
    assert "  ✓ JSON ocds.json: ใช้ได้" in lines and "  ✓ JSON ckan.json: ใช้ได้" in lines
    assert lines[-1] == "  ผ่าน: ไม่พบปัญหา"


def test_the_json_report_is_the_librarys(site: Path) -> None:
    with serve(site) as base:
        url = f"{base}ita/index.html"
        code, out, _ = check(url, "--as-of", AS_OF, "--format", "json")
        library = check_site(read_targets([url]), as_of=dt.date(2025, 7, 15)).to_dict()
    assert code == 0
    assert json.loads(out) == library
    agency = library["agencies"][0]
    assert agency["valid"] and agency["data_as_of"] == "2025-06-30" and agency["profile"] == "ita-2568"
    assert sorted(link["name"] for link in agency["links"]) == [
        "ckan.json", "datapackage.json", "o12.csv", "o12.json", "o12.xlsx", "o13.csv", "o13.json", "o13.xlsx",
        "ocds.json"]


def test_from_the_home_page_the_links_are_found_like_the_assessor_would(site: Path) -> None:
    with serve(site) as base:
        report = check_site([Target("อบต.หนองบัว", base)], as_of=dt.date(2025, 7, 15))
    agency = report.agencies[0]
    assert agency.valid, agency.to_dict()
    assert agency.page == f"{base}ita/index.html"
    assert report.exit_code == 0


def test_a_deleted_csv_and_an_html_page_instead_of_the_xlsx_are_both_named(site: Path) -> None:
    (site / "ita" / "o12.csv").unlink()
    (site / "ita" / "o12.xlsx").write_text(
        "<!DOCTYPE html><html><head><title>404</title></head><body>ไม่พบหน้าที่ต้องการ</body></html>", encoding="utf-8")
    with serve(site) as base:
        code, out, _ = check(f"{base}ita/index.html", "--as-of", AS_OF)
        report = check_site(read_targets([f"{base}ita/index.html"]), as_of=dt.date(2025, 7, 15)).to_dict()
    assert code == 1
    assert "  ✗ O12 CSV o12.csv: ไม่พบแฟ้ม (HTTP 404) อัปโหลดแฟ้มนี้ขึ้นเว็บไซต์อีกครั้ง หรือแก้ลิงก์ให้ชี้ไปยังแฟ้มที่มีอยู่" in out
    assert ('  ✗ O12 XLSX o12.xlsx: ได้หน้าเว็บ HTML (เช่น หน้า "ไม่พบหน้า") แทนแฟ้ม XLSX ทั้งที่เว็บตอบว่าสำเร็จ '
            "อัปโหลดแฟ้ม XLSX จริงขึ้นเว็บไซต์อีกครั้ง") in out
    assert out.splitlines()[-1] == "  พบปัญหา 2 ข้อ"
    assert codes(report, "o12.csv") == ["site_http_error"] and codes(report, "o12.xlsx") == ["site_html_not_file"]


def test_nine_months_later_the_data_is_stale(site: Path) -> None:
    with serve(site) as base:
        code, out, _ = check(f"{base}ita/index.html", "--as-of", "2026-03-30", "--lang", "en")
    assert code == 1
    assert ("  ✗ the O12 data as of 2025-06-30 is more than 1 month(s) old at 2026-03-30 (not updated); "
            "publish the latest month and upload it") in out
    assert "  ✗ the O12 data is of fiscal year 2568, but at the check date it should be 2569 (not updated)" in out
    assert "  ✗ the O13 data is of fiscal year 2567, but at the check date it should be 2568 (not updated)" in out


def test_a_month_and_a_half_later_o12_is_stale_but_the_year_is_right(site: Path) -> None:
    with serve(site) as base:
        report = check_site(read_targets([f"{base}ita/"]), as_of=dt.date(2025, 8, 15))
    assert [p.code for p in report.agencies[0].problems] == ["site_stale"]


def test_an_unreachable_address_is_one_line_and_exit_2() -> None:
    url = f"http://127.0.0.1:{free_port()}/ita/index.html"
    code, out, err = check(url)
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"127.0.0.1: เข้าเว็บไซต์ {url} ไม่ได้ (ติดต่อเครื่องแม่ข่ายไม่ได้: ")
    assert "Traceback" not in err


def test_a_redirect_loop_is_named(site: Path) -> None:
    page = site / "ita" / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace('href="o12.csv"', 'href="/loop/o12.csv"'), encoding="utf-8")
    with serve(site) as base:
        code, _, err = check(f"{base}loop")
        report = check_site(read_targets([f"{base}ita/index.html"]), as_of=dt.date(2025, 7, 15))
    assert code == 2 and "ถูกส่งต่อ (redirect) วนซ้ำหรือมากเกินไป" in err
    loop = next(link for link in report.agencies[0].links if "/loop/" in link.url)
    assert [p.code for p in loop.problems] == ["site_redirects"]


def test_one_redirect_is_followed_and_counted(site: Path) -> None:
    with serve(site) as base:
        report = check_site(read_targets([f"{base}moved"]), as_of=dt.date(2025, 7, 15))
    # /moved leads to the home page, whose link leads on to the data page
    assert report.agencies[0].valid and report.agencies[0].page.endswith("/ita/index.html")


def test_a_slow_server_times_out(site: Path) -> None:
    page = site / "ita" / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace('href="o12.json"', 'href="/slow/ita/o12.json"'),
                    encoding="utf-8")
    with serve(site) as base:
        code, _, err = check(f"{base}slow/ita/index.html", "--timeout", "0.3")
        report = check_site(read_targets([f"{base}ita/index.html"]), as_of=dt.date(2025, 7, 15),
                            limits=Limits.default(read_timeout=0.3))
    assert code == 2 and "เว็บไซต์ตอบช้าเกินกำหนดเวลา" in err
    slow = next(link for link in report.agencies[0].links if "/slow/" in link.url)
    assert [p.code for p in slow.problems] == ["site_timeout"]


def test_a_certificate_no_one_trusts_is_a_tls_problem(site: Path) -> None:
    pytest.importorskip("trustme", reason="trustme is not installed (pip install '.[test]')")
    with serve(site, tls=True) as secure:
        code, _, err = check(f"{secure}ita/index.html", "--lang", "en")
        assert code == 2 and "the HTTPS (TLS) certificate is not valid" in err
        page = site / "ita" / "index.html"
        page.write_text(page.read_text(encoding="utf-8").replace('href="o12.json"', f'href="{secure}ita/o12.json"'),
                        encoding="utf-8")
        with serve(site) as plain:
            report = check_site(read_targets([f"{plain}ita/index.html"]), as_of=dt.date(2025, 7, 15))
    link = next(link for link in report.agencies[0].links if link.url.startswith("https://"))
    assert [p.code for p in link.problems] == ["site_tls"]  # same host, another port: still the main website


def test_a_response_larger_than_the_limit_is_not_read(site: Path) -> None:
    with serve(site) as base:
        report = check_site(read_targets([f"{base}big"]), as_of=dt.date(2025, 7, 15),
                            limits=Limits.default(max_bytes=1_000_000))
    agency = report.agencies[0]
    assert not agency.reachable and agency.unreachable is not None and agency.unreachable.code == "site_too_large"


def test_a_count_that_differs_from_the_page_and_an_edited_file(site: Path) -> None:
    page = site / "ita" / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("(14 รายการ)", "(15 รายการ)"), encoding="utf-8")
    csv_path = site / "ita" / "o13.csv"
    csv_path.write_bytes(csv_path.read_bytes().replace("บริษัท".encode(), "บจก.".encode(), 1))
    with serve(site) as base:
        report = check_site(read_targets([f"{base}ita/index.html"]), as_of=dt.date(2025, 7, 15)).to_dict()
    assert codes(report, "o12.csv") == codes(report, "o12.xlsx") == codes(report, "o12.json") == ["site_count_mismatch"]
    assert codes(report, "o13.csv") == ["site_hash_mismatch"]


def test_an_agencys_own_page_with_missing_columns_a_pdf_and_a_file_elsewhere(tmp_path: Path) -> None:
    root, other = tmp_path / "agency", tmp_path / "drive"
    root.mkdir()
    other.mkdir()
    (root / "o12-2568.csv").write_text("ปีงบประมาณ,ชื่อหน่วยงาน,ชื่อรายการของงานที่ซื้อหรือจ้าง\n2568,อบต.,จัดซื้อวัสดุ\n",
                                      encoding="utf-8")
    (root / "sorkorror1.pdf").write_bytes(b"%PDF-1.4")
    (other / "o13.xlsx").write_bytes((REPO / "samples/o12-2567.xlsx").read_bytes())
    with serve(other, host="localhost") as elsewhere:
        (root / "index.html").write_text(
            '<html><body><p>ข้อมูล ณ วันที่ 30 มิถุนายน 2568</p><ul>'
            '<li><a href="o12-2568.csv">O12 ข้อมูลการจัดซื้อจัดจ้าง (1 รายการ)</a></li>'
            '<li><a href="sorkorror1.pdf">สขร.1 เดือนมิถุนายน</a></li>'
            f'<li><a href="{elsewhere}o13.xlsx">O13 รายงานผลการจัดซื้อจัดจ้าง</a></li></ul></body></html>',
            encoding="utf-8")
        with serve(root) as base:
            report = check_site(read_targets([base]), as_of=dt.date(2025, 7, 15))
    agency = report.agencies[0]
    found = {link.name: [p.code for p in link.problems] for link in agency.links}
    assert found == {"o12-2568.csv": ["site_columns_missing"], "sorkorror1.pdf": ["site_not_machine_readable"],
                     "o13.xlsx": ["site_off_main_host"]}
    o12 = next(link for link in agency.links if link.name == "o12-2568.csv")
    assert o12.problems[0].params["count"] == 15 and o12.dataset == "O12"
    assert agency.data_as_of == dt.date(2025, 6, 30) and agency.data_as_of_source == "page"
    assert [p.code for p in agency.problems] == []


def test_a_page_without_data_links_says_so(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<html><body><a href='news.html'>ข่าว</a></body></html>", encoding="utf-8")
    with serve(tmp_path) as base:
        report = check_site(read_targets([base]), as_of=dt.date(2025, 7, 15))
    assert [p.code for p in report.agencies[0].problems] == ["site_no_data_links", "site_dataset_missing",
                                                              "site_dataset_missing"]
    assert report.exit_code == 1


def test_many_agencies_from_a_csv_with_a_summary_each(site: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(site, broken)
    (broken / "ita" / "o13.json").unlink()
    with serve(site) as good, serve(broken) as bad:
        agencies = tmp_path / "agencies.csv"
        agencies.write_text(
            "หน่วยงาน,url\n"
            f"อบต.หนองบัว,{good}ita/index.html\n"
            f"อบต.โคกสูง,{bad}\n"
            f"อบต.ไม่มีเว็บ,http://127.0.0.1:{free_port()}/\n", encoding="utf-8")
        code, out, _ = check(str(agencies), "--as-of", AS_OF, "--concurrency", "2")
    assert code == 1
    summary = out.split("สรุปรายหน่วยงาน\n", 1)[1].splitlines()
    assert summary == ["  อบต.หนองบัว: ผ่าน", "  อบต.โคกสูง: พบปัญหา 1 ข้อ", "  อบต.ไม่มีเว็บ: เข้าเว็บไซต์ไม่ได้"]


def test_a_list_of_only_unreachable_sites_exits_2(tmp_path: Path) -> None:
    agencies = tmp_path / "agencies.csv"
    agencies.write_text(f"ก,http://127.0.0.1:{free_port()}/\nข,http://127.0.0.1:{free_port()}/\n", encoding="utf-8")
    code, out, _ = check(str(agencies))
    assert code == 2 and "  ก: เข้าเว็บไซต์ไม่ได้" in out


def test_without_a_url_it_checks_the_profiles_site(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path_factory: pytest.TempPathFactory) -> None:
    from test_publish_helpers import write_profile

    with serve(site) as base:
        write_profile(tmp_path, site_url=f"{base}ita/index.html", website=base)
        monkeypatch.chdir(tmp_path)
        code, out, _ = check("--as-of", AS_OF)
    assert code == 0, out
    monkeypatch.chdir(tmp_path_factory.mktemp("no-profile"))
    code, _, err = check()
    assert code == 2 and "ไม่ได้ระบุเว็บไซต์ที่จะตรวจ" in err


def test_a_bad_list_and_a_bad_date_are_one_line(tmp_path: Path) -> None:
    agencies = tmp_path / "agencies.csv"
    agencies.write_text("อบต.หนองบัว\n", encoding="utf-8")
    code, _, err = check(str(agencies))
    assert code == 2 and err == f"{agencies}: แถวที่ 1 ไม่มี url ใช้รูปแบบ ชื่อหน่วยงาน,url\n"
    code, _, err = check("http://127.0.0.1:1/", "--as-of", "เมื่อวาน")
    assert code == 2 and "Traceback" not in err


def test_compare_published_says_which_files_match(site: Path, published: Path) -> None:
    (site / "ita" / "o12.csv").unlink()
    (site / "ita" / "o13.json").write_text("[]", encoding="utf-8")
    with serve(site) as base:
        result, states = compare_published(base, published, as_of=dt.date(2025, 7, 15))
    assert result.reachable
    state = dict(states)
    assert state["o12.csv"] == "missing" and state["o13.json"] == "different"
    assert state["o12.xlsx"] == state["ocds.json"] == state["datapackage.json"] == "same"


def test_months_before_keeps_the_day_or_the_months_end() -> None:
    assert months_before(dt.date(2025, 7, 15), 1) == dt.date(2025, 6, 15)
    assert months_before(dt.date(2025, 3, 31), 1) == dt.date(2025, 2, 28)
    assert months_before(dt.date(2025, 1, 10), 1) == dt.date(2024, 12, 10)


def test_status_says_whether_the_site_on_the_web_matches_what_was_published(site: Path, published: Path,
                                                                           tmp_path: Path) -> None:
    from procdata.config import load_config
    from procdata.render import status_text
    from procdata.workspace.status import status
    from test_publish_helpers import write_profile

    inputs = [REPO / "samples/o12-2568.csv", REPO / "samples/o12-2567.xlsx"]

    def web(config_folder: Path, offline: bool = False, **values: str):  # type: ignore[no-untyped-def]
        config = load_config(write_profile(config_folder, **values))
        result = status(inputs, config, fiscal_year=2568, as_of=dt.date(2025, 6, 30), site=published, offline=offline)
        return result.requirements[-1], status_text(result, "en")

    with serve(site) as base:
        url = f"{base}ita/index.html"
        matches, _ = web(tmp_path, site_url=url)
        assert (matches.code, matches.met, matches.skipped) == ("web_matches", True, False)
        assert matches.detail == f"เว็บไซต์ {url} ตรงกับที่เผยแพร่: 9 จาก 9 แฟ้มตรงกัน"
        (site / "ita" / "o12.csv").unlink()
        broken, text = web(tmp_path, site_url=url)
    assert not broken.met and broken.detail.endswith("ไม่พบบนเว็บ: o12.csv")
    assert "procdata check-site" in broken.todo
    offline, text = web(tmp_path, site_url=f"http://127.0.0.1:{free_port()}/ita/")
    assert offline.met and offline.skipped and "ข้ามการตรวจเว็บไซต์" in offline.detail
    told, text = web(tmp_path, offline=True, website="https://www.nongbua.go.th")
    assert told.skipped and "  – skipped: " in text and "(--offline)" in told.detail
    config = load_config(write_profile(tmp_path))  # no website: nothing to check
    result = status(inputs, config, fiscal_year=2568, as_of=dt.date(2025, 6, 30), site=published)
    assert "web_matches" not in [r.code for r in result.requirements]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=2048), ext=st.sampled_from(["csv", "xlsx", "json", "ods", "xls", "html", ""]))
def test_any_bytes_are_a_finding_never_a_crash(body: bytes, ext: str) -> None:
    from procdata.sitecheck import files
    from procdata.sitecheck.links import parse_page

    found = files.read(body, ext, {"ปีงบประมาณ"}, 1_000_000)
    assert isinstance(found.problem, str)
    page = parse_page("http://127.0.0.1/", body)
    assert all(link.url.startswith("http") for link in page.links)


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=300))
def test_any_page_text_gives_links_or_nothing(text: str) -> None:
    from procdata.sitecheck.links import parse_page

    page = parse_page("http://127.0.0.1/a/", f"<html><body>{text}<a href='{text[:40]}'>x</a></body></html>".encode())
    assert page.as_of is None or isinstance(page.as_of, dt.date)

"""The web app of ``procdata serve`` through Starlette's test client: every page and action, and its guard."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from conftest import SAMPLES, SORKORROR1_HEADER, write_xlsx
from procdata.check import validate
from procdata.config import load_config
from procdata.template import template_bytes
from procdata.web.app import create_app
from procdata.workspace.status import status
from test_validate_o12 import EXPECTED, HEADER, ROWS

BASE = "http://127.0.0.1:8765"
TITLE_WITHOUT_MONTH = ["สรุปผลการดำเนินการจัดซื้อจัดจ้าง องค์การบริหารส่วนตำบลบ้านไผ่"]


def settled(client: TestClient, url: str = "/") -> str:
    """The page once no long step is under way (the page shows a progress panel until then)."""
    for _ in range(200):
        page = client.get(url)
        assert page.status_code in (200, 400), page.text
        if 'class="progress"' not in page.text:
            return page.text
        time.sleep(0.1)
    raise AssertionError("a step never finished")


def token(client: TestClient) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").text)
    assert found
    return found.group(1)


def notices(page: str) -> list[str]:
    return re.findall(r'class="notice \w+"[^>]*>([^<]+)<', page)


def upload(client: TestClient, *files: tuple[str, bytes]) -> str:
    answer = client.post("/upload", data={"csrf": token(client)}, files=[("files", f) for f in files])
    assert answer.status_code == 200, answer.text
    return settled(client, str(answer.url).removeprefix(BASE))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copy(SAMPLES / "procdata.toml", tmp_path / "procdata.toml")
    return tmp_path


@pytest.fixture
def client(folder: Path) -> TestClient:
    return TestClient(create_app(folder), base_url=BASE)


@pytest.fixture(scope="module")
def bad_o12(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The officer's O12 workbook with sixteen problems of tests/test_validate_o12.py."""
    return write_xlsx(tmp_path_factory.mktemp("o12") / "o12.xlsx", {"O12": [HEADER, *ROWS]}).read_bytes()


def test_home_shows_the_year_month_by_month_and_the_checklist_as_status_does(client: TestClient, folder: Path) -> None:
    page = upload(client, ("o12-2568.csv", (SAMPLES / "o12-2568.csv").read_bytes()),
                  ("sorkorror1.xlsx", (SAMPLES / "sorkorror1-2568-q1.xlsx").read_bytes()))
    config = load_config(folder / "procdata.toml")
    # Its advice worded for the web app; the website is compared only when the officer asks.
    expected = status([config.inbox_path], config=config, surface="web", offline=True)
    assert f"ปีงบประมาณ {expected.fiscal_year} รายเดือน" in page
    for month in ("ต.ค. 2567", "พ.ย. 2567", "ธ.ค. 2567"):
        assert f"<td>{month}</td>" in page
    assert "ความพร้อมตามเกณฑ์ ITA" in page
    for requirement in expected.requirements:
        assert requirement.detail.replace('"', "&#34;") in page
    assert "องค์การบริหารส่วนตำบลหนองบัว" in page and 'lang="th"' in page


def test_english_with_lang_en(folder: Path) -> None:
    client = TestClient(create_app(folder, lang="en"), base_url=BASE)
    page = settled(client)
    assert 'lang="en"' in page and "Monthly files" in page and "Agency profile" in page
    assert "แฟ้มรายเดือน" not in page


def test_a_new_folder_starts_with_the_profile_form_and_saving_it_lays_out_the_workspace(tmp_path: Path) -> None:
    client = TestClient(create_app(tmp_path), base_url=BASE)
    page = settled(client)
    assert "ยังไม่มีโปรไฟล์หน่วยงานในโฟลเดอร์นี้" in page
    assert page.index('id="profile"') < page.index('id="files"')  # the form comes first
    answer = client.post("/profile", data={"csrf": token(client), "name": "เทศบาลตำบลบ้านไผ่", "district": "บ้านไผ่"})
    assert "ยังต้องกรอก: จังหวัด" in " ".join(notices(answer.text))
    answer = client.post("/profile", data={"csrf": token(client), "province": "ขอนแก่น"})
    config = load_config(tmp_path / "procdata.toml")
    assert (config.agency.name, config.agency.district, config.agency.province) == ("เทศบาลตำบลบ้านไผ่", "บ้านไผ่", "ขอนแก่น")
    assert (tmp_path / "monthly").is_dir() and (tmp_path / "site").is_dir()
    assert "บันทึกโปรไฟล์หน่วยงานลงในแฟ้ม procdata.toml แล้ว" in notices(answer.text)


def test_the_profile_form_refuses_what_the_cli_refuses(client: TestClient, folder: Path) -> None:
    before = (folder / "procdata.toml").read_bytes()
    answer = client.post("/profile", data={"csrf": token(client), "email": "ไม่ใช่อีเมล", "phone": "1"})
    assert answer.status_code == 400
    assert "agency.email" in answer.text and 'value="ไม่ใช่อีเมล"' in answer.text  # what was typed stays in the form
    assert (folder / "procdata.toml").read_bytes() == before


def test_upload_goes_into_monthly_under_a_new_name_when_taken(client: TestClient, folder: Path) -> None:
    content = (SAMPLES / "o12-2568.csv").read_bytes()
    upload(client, ("o12-2568.csv", content))
    page = upload(client, ("o12-2568.csv", b"other"), ("../../../escape.csv", b"third"))
    assert sorted(p.name for p in (folder / "monthly").iterdir() if p.suffix == ".csv") == [
        "escape.csv", "o12-2568 (2).csv", "o12-2568.csv"]
    assert (folder / "monthly" / "o12-2568.csv").read_bytes() == content
    assert "ได้รับแฟ้ม o12-2568.csv แล้ว บันทึกเป็น o12-2568 (2).csv เพราะมีแฟ้มชื่อเดิมอยู่แล้ว (ไม่เขียนทับ)" in notices(page)
    assert not (folder.parent / "escape.csv").exists() and not any(folder.parent.glob("escape*"))


def test_upload_refuses_what_is_not_a_spreadsheet(client: TestClient, folder: Path) -> None:
    page = upload(client, ("setup.exe", b"MZ"))
    assert any(n.startswith("setup.exe: ไม่ได้รับแฟ้มนี้") for n in notices(page))
    assert not any((folder / "monthly").glob("setup*"))


def test_problems_at_their_cells_grouped_by_file_as_validate_finds_them(client: TestClient, folder: Path, bad_o12: bytes) -> None:
    page = upload(client, ("o12-บ้านไผ่.xlsx", bad_o12), ("o12-2568.csv", (SAMPLES / "o12-2568.csv").read_bytes()))
    report = validate([folder / "monthly"])
    cells = re.findall(r'<td class="cell"[^>]*><a href="[^"]*">([A-Z]+[0-9]+)</a>', page)
    assert sorted(cells) == sorted(f"{p.column}{p.row}" for p in report.problems if p.row)  # a cell where a row is named
    assert {(row, column) for row, column, *_ in EXPECTED} == {(p.row, p.column) for p in report.problems
                                                               if p.file.endswith(".xlsx")}
    # The workbook's contract of 15/11/2568 (outside the year) makes the date of the data 30 Sep 2568, by which the
    # CSV's row 11, still "in contract", has ended: publish shows it ended, and validate says so, once for the sheet.
    ended = [(p.row, p.column, p.code, p.value) for p in report.problems if p.file.endswith(".csv")]
    assert ended == [(None, "J", "contract_period_over", "11")]
    assert "H3" in cells
    section = page[page.index("<summary><strong>o12-บ้านไผ่.xlsx</strong>"):]
    assert "ข้อผิดพลาด 12 คำเตือน 4" in section[:300]
    row = re.search(r'<tr class="error"[^>]*>\s*<td>O12</td>\s*<td class="cell"[^>]*><a [^>]*>H3</a></td>(.*?)</tr>', page, re.S)
    assert row and "&#34;หนึ่งแสน&#34; ไม่ใช่จำนวนเงิน" in row.group(1)  # what is wrong
    assert "แก้ช่องนั้นให้เหลือเฉพาะตัวเลขจำนวนเงิน" in row.group(1)  # how to fix it
    assert 'class="problems sortable"' in page and page.count('data-sort="cell"') == 2  # a table for each file


def test_a_check_reads_each_file_once_and_lists_merge_conflicts_at_their_cells(
    client: TestClient, folder: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from collections import Counter

    from procdata.web.jobs import Job
    from test_publish_helpers import project, write_canonical

    reads: Counter[str] = Counter()
    original = Job.on_file

    def counted(self: Job, name: str) -> None:
        reads[Path(name).name] += 1
        original(self, name)

    monkeypatch.setattr(Job, "on_file", counted)
    monthly = folder / "monthly"
    monthly.mkdir()
    write_canonical(monthly / "jan.csv", [project(1), project(2)])
    write_canonical(monthly / "feb.csv", [project(1, report_month="2025-02", budget_amount=150000),
                                          project(3, report_month="2025-02")])
    page = settled(client)
    assert reads == {"jan.csv": 1, "feb.csv": 1}  # one reading serves the months, the checklist and the problems
    # The budget of project 1 changed between January and February: a warning at February's cell,
    # naming January's file as the monthly folder lists it (not a path of this machine).
    section = page[page.index("<summary><strong>feb.csv</strong>"):page.index("<summary><strong>jan.csv</strong>")]
    row = re.search(r'<tr class="warning"[^>]*>\s*<td>[^<]*</td>\s*<td class="cell"[^>]*><a [^>]*>F2</a></td>(.*?)</tr>', section, re.S)
    assert row and "[update_conflict]" in row.group(1)
    assert "jan.csv แถว 2 (100,001.00)" in row.group(1) and str(folder) not in section
    listed = re.findall(r'<tr class="warning"', page)
    months = re.search(r'id="year".*?</table>', page, re.S)
    assert months
    rows = {cells[0]: cells[1:] for cells in re.findall(r"<tr[^>]*>\s*<td>([^<]*)</td>" + r"\s*<td class=\"num[^\"]*\">([^<]*)</td>" * 6, months.group(0))}
    assert rows["ม.ค. 2568"][-2:] == ("0", "2") and rows["ก.พ. 2568"][-2:] == ("0", "2")  # rows with errors, with warnings
    assert len(listed) == 5  # the conflict and the four blank statuses, each listed at its cell


COMMANDS = re.compile(r"procdata (?:init|ingest|validate|status|publish|template|check-site|explain)|--[a-z]")


def test_the_checklist_and_publish_advice_read_as_the_web_app_not_as_commands(
    client: TestClient, folder: Path, bad_o12: bytes,
) -> None:
    page = upload(client, ("o12-บ้านไผ่.xlsx", bad_o12))
    checklist = page[page.index('id="checklist"'):page.index('id="publish"')]
    assert "ดูเซลล์ที่ต้องแก้ในผลการตรวจด้านบน" in checklist  # todo_no_errors, as the web app says it
    assert "กดปุ่ม เผยแพร่" in checklist  # todo_dataset_published
    assert not COMMANDS.search(checklist), COMMANDS.search(checklist)
    answer = client.post("/publish", data={"csrf": token(client)})
    page = settled(client, str(answer.url).removeprefix(BASE))
    answer = client.post("/publish", data={"csrf": token(client), "force": "1", "confirm": "yes"})
    page = settled(client, str(answer.url).removeprefix(BASE))
    published = page[page.index('id="publish"'):]
    assert 'id="publish-done"' in published and not COMMANDS.search(published), COMMANDS.search(published)
    # The command line keeps its own words: the same requirement, as `procdata status` says it.
    config = load_config(folder / "procdata.toml")
    cli = next(r for r in status([config.inbox_path], config=config, offline=True).requirements if r.code == "no_errors")
    assert "procdata validate" in cli.todo


def test_every_web_wording_has_both_languages_the_same_placeholders_and_no_command() -> None:
    import string

    from procdata.resources import data

    variants = {code: entry["web"] for code, entry in data("messages").items() if "web" in entry}
    assert len(variants) >= 15
    for code, variant in variants.items():
        cli = data("messages")[code]
        for lang in ("th", "en"):
            fields = {name for _, name, _, _ in string.Formatter().parse(variant[lang]) if name}
            assert fields <= {name for _, name, _, _ in string.Formatter().parse(cli[lang]) if name}, (code, lang)
            assert not COMMANDS.search(variant[lang]), (code, lang)


def test_every_fix_the_problem_table_shows_names_no_command() -> None:
    from procdata.check.catalog import checks

    for code, found in checks().items():
        for lang in ("th", "en"):
            fix = found.text("fix", lang, "web")
            assert fix and not COMMANDS.search(fix), (code, lang, fix)
    for code, found in checks().items():
        for lang in ("th", "en"):
            wording = found.text("message", lang, "web")
            assert not COMMANDS.search(wording), (code, lang, wording)
    assert "--fiscal-year" in checks()["fiscal_year_unknown"].text("fix", "th")  # the command line keeps its own


def test_a_problem_the_command_line_words_with_an_option_reads_as_the_web_app(client: TestClient, tmp_path: Path) -> None:
    undated = [TITLE_WITHOUT_MONTH, SORKORROR1_HEADER,
               [1, "จัดซื้อวัสดุสำนักงาน", 5000, 5000, "เฉพาะเจาะจง", "ร้าน ก 5,000 บาท", "ร้าน ก ราคา 5,000 บาท",
                "เสนอราคาต่ำสุด", "ใบสั่งซื้อเลขที่ 1/2568"]]
    book = write_xlsx(tmp_path / "ไม่มีเดือน.xlsx", {"Sheet1": undated}).read_bytes()
    page = upload(client, ("ไม่มีเดือน.xlsx", book))
    assert "ไม่ทราบปีงบประมาณของ 1 รายการ" in page and "แล้วส่งแฟ้มอีกครั้ง" in page
    assert "--fiscal-year" not in page
    report = validate([tmp_path / "ไม่มีเดือน.xlsx"])
    assert any("--fiscal-year 2568" in p.message for p in report.problems)  # the command line's words stay its own


def test_the_file_page_shows_the_sheet_with_the_problem_cells_marked(client: TestClient, bad_o12: bytes) -> None:
    upload(client, ("o12-บ้านไผ่.xlsx", bad_o12))
    page = settled(client, "/files/o12-%E0%B8%9A%E0%B9%89%E0%B8%B2%E0%B8%99%E0%B9%84%E0%B8%9C%E0%B9%88.xlsx")
    marked = dict(re.findall(r'<td id="cell-O12-([A-Z]+[0-9]+)" class="marked (\w+)"', page))
    assert marked == {f"{column}{row}": severity for row, column, _, _, severity in EXPECTED}  # one problem a cell here
    assert marked["H3"] == "error" and marked["M8"] == "warning"
    assert "<td>หนึ่งแสน</td>" not in page and ">หนึ่งแสน</td>" in page
    assert "<th>R</th>" in page and "<th>18</th>" in page  # column letters and row numbers as Excel shows them


def test_the_preview_shows_a_workbooks_dates_as_the_officer_reads_them_at_their_cells(
    client: TestClient, tmp_path: Path,
) -> None:
    import datetime as dt

    typed = [[*r[:16], dt.datetime(2024, 11, 5), dt.datetime(2024, 11, 20, 14, 30)] for r in ROWS[:2]]
    workbook = write_xlsx(tmp_path / "dated.xlsx", {"O12": [HEADER, *typed]}).read_bytes()
    upload(client, ("dated.xlsx", workbook))
    page = settled(client, "/files/dated.xlsx")
    cells = dict(re.findall(r'<td id="cell-O12-([A-Z]+[0-9]+)"[^>]*>([^<]*)</td>', page))
    assert cells["H3"] == "หนึ่งแสน"  # the problem cell, marked where it is
    plain = re.findall(r"<tr><th>(\d+)</th>(.*?)</tr>", page, re.S)
    row2 = next(cols for number, cols in plain if number == "2")
    texts = re.findall(r"<td[^>]*>([^<]*)</td>", row2)
    assert texts[16:18] == ["5 พ.ย. 2567", "20 พ.ย. 2567 14:30"]  # columns Q and R: Buddhist Era, in Thai
    assert "2024-11-05" not in page
    assert texts[7] == "45,000.00" and len(texts) == 18  # nothing moved: H is still the budget, R the last column
    # A CSV holds text: its cells are shown as written, ISO dates included.
    from test_publish_helpers import project, write_canonical

    upload(client, ("canonical.csv", write_canonical(tmp_path / "canonical.csv", [project(1)]).read_bytes()))
    assert ">2025-01-15</td>" in settled(client, "/files/canonical.csv")


def test_removing_a_file_moves_it_to_removed(client: TestClient, folder: Path, bad_o12: bytes) -> None:
    upload(client, ("o12-บ้านไผ่.xlsx", bad_o12))
    answer = client.post("/remove", data={"csrf": token(client), "name": "o12-บ้านไผ่.xlsx"})
    assert (folder / "monthly" / ".removed" / "o12-บ้านไผ่.xlsx").read_bytes() == bad_o12
    assert not (folder / "monthly" / "o12-บ้านไผ่.xlsx").exists()
    assert "monthly/.removed/o12-บ้านไผ่.xlsx" in " ".join(notices(answer.text))
    page = settled(client)
    assert "ยังไม่มีแฟ้ม" in page and "#cell-O12-H3" not in page  # the link to the cell (a bare "H3" may be in the random CSRF token)
    answer = client.post("/remove", data={"csrf": token(client), "name": "../procdata.toml"})
    assert "ไม่พบแฟ้ม ../procdata.toml" in " ".join(notices(answer.text))
    assert (folder / "procdata.toml").is_file()


def test_the_template_download_is_the_library_workbook(client: TestClient, folder: Path) -> None:
    answer = client.get("/template", params={"layout": "sorkorror1", "month": "2025-01"})
    assert answer.status_code == 200
    assert answer.content == template_bytes(layout="sorkorror1", month="2025-01", agency=load_config(folder / "procdata.toml").agency.name)
    assert "attachment" in answer.headers["content-disposition"]
    assert client.get("/template", params={"layout": "o12"}).content == template_bytes(layout="o12", agency="องค์การบริหารส่วนตำบลหนองบัว")
    bad = client.get("/template", params={"month": "2568-13"})
    assert bad.status_code == 400 and "2568-13" in bad.text


def test_publish_refuses_on_errors_until_confirmed_twice_then_links_the_page_and_zip(client: TestClient, folder: Path, bad_o12: bytes) -> None:
    upload(client, ("o12-บ้านไผ่.xlsx", bad_o12))
    answer = client.post("/publish", data={"csrf": token(client)})
    page = settled(client, str(answer.url).removeprefix(BASE))
    assert 'id="publish-refused"' in page and "ยังไม่เผยแพร่: พบข้อผิดพลาด 12 รายการ" in page
    assert "o12-บ้านไผ่.xlsx · O12 · H3</a>: &#34;หนึ่งแสน&#34;" in page
    assert not (folder / "site" / "index.html").exists()
    # force without the confirmation box: still nothing
    answer = client.post("/publish", data={"csrf": token(client), "force": "1"})
    assert "ต้องติ๊กช่องยืนยัน" in " ".join(notices(answer.text))
    assert not (folder / "site" / "index.html").exists()
    answer = client.post("/publish", data={"csrf": token(client), "force": "1", "confirm": "yes"})
    page = settled(client, str(answer.url).removeprefix(BASE))
    assert 'id="publish-done"' in page and "(ทั้งที่มีข้อผิดพลาด 12 รายการ)" in page
    index = client.get("/site/index.html")
    assert index.status_code == 200 and index.content == (folder / "site" / "index.html").read_bytes()
    archive = re.search(r'<a href="(/site/[^"]+\.zip)" download', page)
    assert archive
    got = client.get(archive.group(1))
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    assert "o12.csv" in zipfile.ZipFile(io.BytesIO(got.content)).namelist()


def test_a_clean_year_publishes_at_once(client: TestClient, folder: Path) -> None:
    upload(client, ("o12-2568.csv", (SAMPLES / "o12-2568.csv").read_bytes()),
           ("o12-2567.xlsx", (SAMPLES / "o12-2567.xlsx").read_bytes()))
    answer = client.post("/publish", data={"csrf": token(client)})
    page = settled(client, str(answer.url).removeprefix(BASE))
    assert 'id="publish-done"' in page and "O12 ปีงบประมาณ 2568: 14 รายการ" in page
    assert 'href="/site/index.html"' in page


def test_the_website_is_contacted_only_when_the_officer_presses_the_button(folder: Path, tmp_path: Path) -> None:
    from sitecheck_server import Handler, serve

    www = tmp_path / "www"
    www.mkdir()
    with serve(www) as base:
        url = f"{base}ita/index.html"
        profile = folder / "procdata.toml"
        text = profile.read_text(encoding="utf-8")
        profile.write_text(text.replace('website = "https://www.nongbua.go.th"', f'website = "{url}"'), encoding="utf-8")
        client = TestClient(create_app(folder), base_url=BASE)
        Handler.requested.clear()
        upload(client, ("o12-2568.csv", (SAMPLES / "o12-2568.csv").read_bytes()),
               ("o12-2567.xlsx", (SAMPLES / "o12-2567.xlsx").read_bytes()))
        answer = client.post("/publish", data={"csrf": token(client)})
        settled(client, str(answer.url).removeprefix(BASE))
        shutil.copytree(load_config(profile).out_path, www / "ita")  # the officer uploads the site folder
        page = settled(client)
        checklist = page[page.index('id="checklist"'):page.index('id="publish"')]
        assert f"ยังไม่ได้ตรวจเว็บไซต์ {url}" in checklist and 'id="check-site-button"' in checklist
        assert Handler.requested == []  # pages, uploads and publish ask nothing of the website
        answer = client.post("/check-site", data={"csrf": token(client)})
        page = settled(client, str(answer.url).removeprefix(BASE))
        asked = len(Handler.requested)
        assert asked and "/ita/o12.csv" in Handler.requested
        checklist = page[page.index('id="checklist"'):page.index('id="publish"')]
        assert re.search(rf"เว็บไซต์ {re.escape(url)} ตรงกับที่เผยแพร่: (\d+) จาก \1 แฟ้มตรงกัน", checklist), checklist
        settled(client)  # the answer stands on reload, without asking again
        assert len(Handler.requested) == asked
    assert client.post("/check-site").status_code == 403  # a POST with its token, as every change


def test_publishing_with_no_files_says_what_to_do(client: TestClient) -> None:
    answer = client.post("/publish", data={"csrf": token(client)})
    page = settled(client, str(answer.url).removeprefix(BASE))
    assert "ยังไม่มีแฟ้มในโฟลเดอร์" in page


def test_progress_reports_the_step(client: TestClient) -> None:
    settled(client)
    job = client.get("/progress").json()
    assert set(job) >= {"id", "kind", "running", "done", "total", "current", "error"} and job["kind"] == "check"


# ---------------------------------------------------------------- the guard


@pytest.mark.parametrize("path", ["/profile", "/upload", "/remove", "/publish"])
def test_every_post_needs_the_csrf_token(client: TestClient, folder: Path, path: str) -> None:
    before = sorted(p.relative_to(folder) for p in folder.rglob("*"))
    for data in ({}, {"csrf": "forged"}):
        answer = client.post(path, data={**data, "name": "x", "province": "y"}, files=[("files", ("a.csv", b"x"))])
        assert answer.status_code == 403 and "รหัสยืนยันไม่ถูกต้อง" in answer.text
    assert sorted(p.relative_to(folder) for p in folder.rglob("*")) == before


def test_state_changes_are_posts_only(client: TestClient) -> None:
    for path in ("/profile", "/upload", "/remove", "/publish"):
        assert client.get(path).status_code == 405


def test_another_host_or_origin_is_refused(client: TestClient) -> None:
    assert client.get("/", headers={"host": "attacker.example"}).status_code == 400
    assert client.get("/", headers={"host": "localhost:8765"}).status_code == 200
    answer = client.post("/publish", data={"csrf": token(client)}, headers={"origin": "http://attacker.example"})
    assert answer.status_code == 403
    assert client.post("/publish", data={"csrf": token(client)}, headers={"origin": "null"}).status_code == 403


def test_an_upload_over_the_limit_is_refused_with_a_clear_message(folder: Path) -> None:
    client = TestClient(create_app(folder, max_body=10_000), base_url=BASE)
    answer = client.post("/upload", data={"csrf": token(client)}, files=[("files", ("big.csv", b"x" * 20_000))])
    assert answer.status_code == 413 and "แฟ้มใหญ่เกินไป: รับได้ไม่เกิน 10.0 KB" in answer.text
    chunked = client.post("/upload", content=iter([b"x" * 6_000, b"x" * 6_000]),
                          headers={"content-type": "multipart/form-data; boundary=b", "accept": "application/json"})
    assert chunked.status_code == 413 and "แฟ้มใหญ่เกินไป" in chunked.json()["error"]
    assert not any((folder / "monthly").glob("big*")) if (folder / "monthly").exists() else True
    assert "50 MB" in TestClient(create_app(folder), base_url=BASE).get("/").text


def test_every_page_has_a_strict_content_security_policy(client: TestClient) -> None:
    for path in ("/", "/static/app.js", "/nothing-here"):
        policy = client.get(path).headers["content-security-policy"]
        assert "default-src 'none'" in policy and "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert client.get("/").headers["x-content-type-options"] == "nosniff"


def test_nothing_served_names_another_site() -> None:
    root = Path(__file__).resolve().parent.parent / "src" / "procdata" / "web"
    for path in [*root.glob("templates/*.html"), *root.glob("static/*")]:
        text = re.sub(r'xmlns="[^"]*"', "", path.read_text(encoding="utf-8"))  # a namespace name, not a request
        assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.I), path
        assert "@import" not in text and "url(http" not in text, path


@pytest.mark.parametrize("path", ["/site/../procdata.toml", "/site/%2e%2e%2fprocdata.toml", "/files/../procdata.toml",
                                  "/files/%2e%2e/procdata.toml", "/static/../app.py", "/site/.hidden"])
def test_no_path_reaches_outside_the_folders(client: TestClient, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 404 and "[agency]" not in answer.text


def test_a_step_that_ends_while_the_page_renders_shows_its_progress_not_an_empty_page(
        client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page reads the run once: a check that finishes between reading its result and drawing
    the page (CI met this once) shows its progress, and the next page its result."""
    from procdata.web import context, views
    from procdata.web.app import Workspace

    upload(client, ("o12-2568.csv", (SAMPLES / "o12-2568.csv").read_bytes()))
    release, held_jobs, original = threading.Event(), [], Workspace._check

    def held(self, job, config, files, online):  # type: ignore[no-untyped-def]
        held_jobs.append(job)
        release.wait(10)
        return original(self, job, config, files, online)

    months = context.template_months

    def finish_meanwhile(overview):  # type: ignore[no-untyped-def]
        release.set()
        for job in held_jobs:
            assert job.wait(10)
        return months(overview)

    monkeypatch.setattr(Workspace, "_check", held)
    monkeypatch.setattr(views, "WAIT", 0.0)
    monkeypatch.setattr(context, "template_months", finish_meanwhile)
    answer = client.post("/upload", data={"csrf": token(client)}, files=[("files", ("again.csv", (SAMPLES / "o12-2568.csv").read_bytes()))])
    assert 'class="progress"' in answer.text
    assert "ผลการตรวจ" in settled(client)


def test_the_web_stack_is_not_imported_for_help() -> None:
    code = "import sys, procdata.cli; print(sorted(m for m in ('starlette', 'uvicorn', 'jinja2', 'multipart', 'pandas') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_long_step_shows_its_progress_until_done(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from procdata.web import views
    from procdata.web.app import Workspace

    upload(client, ("o12-2568.csv", (SAMPLES / "o12-2568.csv").read_bytes()))
    release, original = threading.Event(), Workspace._check

    def slow(self, job, config, files, online):  # type: ignore[no-untyped-def]
        release.wait(30)  # a long step: under way until the test has looked at its progress
        return original(self, job, config, files, online)

    monkeypatch.setattr(Workspace, "_check", slow)
    monkeypatch.setattr(views, "WAIT", 0.0)
    try:
        upload_answer = client.post("/upload", data={"csrf": token(client)}, files=[("files", ("again.csv", (SAMPLES / "o12-2568.csv").read_bytes()))])
        page = upload_answer.text
        job = re.search(r'<div class="progress" data-job="([0-9a-f]+)"', page)
        assert job and "กำลังอ่านและตรวจแฟ้ม" in page and "แฟ้มที่ " in page
        polled = client.get("/progress").json()
        assert polled["id"] == job.group(1) and polled["running"] and polled["total"] == 2  # two files, each read once
    finally:
        release.set()
    assert "ผลการตรวจ" in settled(client)
    assert client.get("/progress").json()["running"] is False

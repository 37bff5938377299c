"""index.html in a real headless Chromium (Debian's /usr/bin/chromium, driven by playwright).

Outside CI the test skips, saying why, when Chromium or playwright is missing;
under CI (``CI`` set) a missing browser fails the test instead.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from procdata.publish import publish
from test_publish_helpers import PERSON, project, write_canonical, write_profile

CHROMIUM = os.environ.get("PROCDATA_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
pytestmark = pytest.mark.browser


def _require_browser() -> None:
    missing = ""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        missing = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = missing or "the playwright package is not installed (pip install playwright)"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser test: {missing}")
        pytest.skip(missing)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("browser")
    rows = [
        project(n, item_name=f"ก่อสร้างถนน คสล. หมู่ที่ {n}" if n % 3 == 0 else f"จัดซื้อวัสดุสำนักงาน ชุดที่ {n}",
                budget_category="investment" if n % 3 == 0 else "operating", budget_amount=10_000 * n + 5,
                reference_price=10_000 * n + 5, agreed_price=9_000 * n)
        for n in range(1, 31)
    ]
    rows.append(project(31, item_name="<script>alert('x')</script> ซ่อมแซม", winner_tax_id=PERSON))
    rows.append(project(40, fiscal_year=2567, report_month="2024-03", contract_date="2024-03-01"))
    source = write_canonical(folder / "input.csv", rows)
    publish([source], out=folder / "site", config=write_profile(folder), as_of=dt.date(2025, 3, 31))
    return folder / "site"


@pytest.fixture(scope="module")
def page(site: Path):  # type: ignore[no-untyped-def]
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        tab = browser.new_page()
        tab.problems = []  # type: ignore[attr-defined]
        tab.requests = []  # type: ignore[attr-defined]
        tab.on("pageerror", lambda error: tab.problems.append(str(error)))  # type: ignore[attr-defined]
        tab.on("console", lambda m: tab.problems.append(m.text) if m.type == "error" else None)  # type: ignore[attr-defined]
        tab.on("dialog", lambda dialog: tab.problems.append("dialog: " + dialog.message))  # type: ignore[attr-defined]
        tab.on("request", lambda request: tab.requests.append(request.url))  # type: ignore[attr-defined]
        tab.goto((site / "index.html").as_uri())
        yield tab
        browser.close()


def visible_names(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.eval_on_selector_all(
        "#items tbody tr:not([hidden])", "rows => rows.map(r => r.cells[1].firstChild.textContent)")


def published_names(site: Path) -> list[str]:
    with (site / "o12.csv").open(encoding="utf-8-sig", newline="") as handle:
        return [row[6] for row in list(csv.reader(handle))[1:]]


def test_every_item_is_shown_in_published_order_with_investment_marked(page, site: Path) -> None:  # type: ignore[no-untyped-def]
    assert visible_names(page) == published_names(site)
    assert page.locator("#shown").inner_text() == "31"
    assert page.locator("#items tbody tr.investment").count() == 10
    assert page.locator("#items tbody tr.investment .badge").first.inner_text() == "งบลงทุน"
    assert page.locator("#as-of").inner_text() == "ข้อมูล ณ วันที่ 31 มี.ค. 2568"


def test_the_page_is_offline_and_runs_no_injected_script(page, site: Path) -> None:  # type: ignore[no-untyped-def]
    assert page.problems == []
    assert all(url.startswith("file://") for url in page.requests), page.requests
    assert "<script>alert('x')</script> ซ่อมแซม" in visible_names(page)
    assert PERSON not in page.content()


def test_typing_in_the_search_box_filters_the_rows(page, site: Path) -> None:  # type: ignore[no-untyped-def]
    page.fill("#search", "ถนน")
    expected = [name for name in published_names(site) if "ถนน" in name]
    assert visible_names(page) == expected and len(expected) == 10
    assert page.locator("#shown").inner_text() == "10"
    page.fill("#search", "ถนน 120,005")  # every term must match: the name and the amount shown
    assert visible_names(page) == ["ก่อสร้างถนน คสล. หมู่ที่ 12"]
    page.fill("#search", "ไม่มีรายการนี้")
    assert visible_names(page) == [] and page.locator("#shown").inner_text() == "0"
    page.fill("#search", "")
    assert len(visible_names(page)) == 31


def test_clicking_a_header_sorts_numbers_as_numbers(page) -> None:  # type: ignore[no-untyped-def]
    header = page.locator("#items thead th", has_text="วงเงินงบประมาณที่ได้รับจัดสรร")
    index = page.eval_on_selector_all("#items thead th", "cells => cells.map(c => c.textContent)").index(header.inner_text())

    def amounts() -> list[float]:
        texts = page.eval_on_selector_all(
            "#items tbody tr:not([hidden])", f"rows => rows.map(r => r.cells[{index}].textContent)")
        return [float(t.replace(",", "")) for t in texts]

    page.fill("#search", "")
    header.locator("button").click()
    assert amounts() == sorted(amounts()) and header.get_attribute("aria-sort") == "ascending"
    assert amounts()[:3] == [10005.0, 20005.0, 30005.0]
    header.locator("button").click()
    assert amounts() == sorted(amounts(), reverse=True) and header.get_attribute("aria-sort") == "descending"
    page.locator("#items thead th").first.locator("button").click()  # back to the published order


def test_every_download_link_resolves_to_a_file(page, site: Path) -> None:  # type: ignore[no-untyped-def]
    links = page.eval_on_selector_all("#downloads a", "anchors => anchors.map(a => a.href)")
    files = {Path(unquote(urlparse(link).path)) for link in links}
    assert {f.name for f in files} == {p.name for p in site.iterdir()} - {"index.html", ".procdata-manifest.json"}
    assert all(f.is_file() and f.parent == site for f in files)


# At a phone's width nothing but a data table may scroll sideways: the page itself, the headline figures, the
# charts, the search box, the downloads and the footer all fit; a data table scrolls inside its own frame.
FITS = """() => {
    const width = document.documentElement.clientWidth;
    const tables = [...document.querySelectorAll('table')];
    const wide = [];
    for (const element of document.querySelectorAll('body *')) {
        if (tables.some(table => table.contains(element))) continue;
        const box = element.getBoundingClientRect();
        if (box.width && (box.right > width + 0.5 || box.left < -0.5)) wide.push(element.tagName + '.' + element.className + ' ' + Math.round(box.right));
        if (element.scrollWidth > element.clientWidth + 1 && !element.querySelector('table') && getComputedStyle(element).overflowX !== 'visible')
            wide.push('scrolls: ' + element.tagName + '.' + element.className);
    }
    return {page: document.documentElement.scrollWidth, width, wide};
}"""


@pytest.mark.parametrize("name", ["index.html", "o13-report.html"])
def test_a_phone_width_page_scrolls_sideways_only_inside_data_tables(page, site: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    phone = page.context.browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True)
    try:
        phone.goto((site / name).as_uri())
        found = phone.evaluate(FITS)
        wide_table = phone.evaluate(
            "() => [...document.querySelectorAll('table')].some(t => t.parentElement.scrollWidth > t.parentElement.clientWidth)")
    finally:
        phone.close()
    assert found["width"] == 390
    assert found["page"] <= 390 and found["wide"] == [], found
    assert wide_table  # the data table is wider than a phone, and scrolls in its own frame

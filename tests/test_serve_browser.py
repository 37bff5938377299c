"""``procdata serve`` as the officer meets it: a real server process, driven in Debian's Chromium.

Upload a workbook with errors, see a problem at its cell, publish (refused,
then confirmed), follow the zip link; no page error, no request leaving the
machine, and the listening socket bound to loopback (read from the socket
table, never by sending traffic elsewhere).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from conftest import SAMPLES, write_xlsx
from test_publish_browser import ARGS, CHROMIUM, _require_browser
from test_validate_o12 import HEADER, ROWS

pytestmark = pytest.mark.browser


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def listening(port: int) -> list[str]:
    """The local addresses listening on ``port``, from the kernel's socket tables (/proc/net/tcp and tcp6)."""
    found = []
    for table, size in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        if not os.path.exists(table):
            continue
        with open(table, encoding="ascii") as lines:
            next(lines)
            for line in lines:
                fields = line.split()
                address, port_hex = fields[1].split(":")
                if fields[3] == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                    raw = bytes.fromhex(address)
                    if size == 8:
                        found.append(socket.inet_ntop(socket.AF_INET, raw[::-1]))
                    else:
                        words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
                        found.append(socket.inet_ntop(socket.AF_INET6, words))
    return found


SLOW = [str(Path(__file__).with_name("slow_serve.py"))]  # procdata serve with slow file reads


class Server:
    def __init__(self, folder: Path, port: int, *options: str, command: list[str] | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, *(command or ["-m", "procdata"]), "serve", "--port", str(port), "--no-browser", *options],
            cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        )
        assert self.process.stdout is not None
        self.first_line = self.process.stdout.readline().strip()

    def stop(self) -> str:
        self.process.send_signal(signal.SIGINT)
        try:
            _, err = self.process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
        return err


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path, int]]:
    _require_browser()
    folder = tmp_path_factory.mktemp("officer")
    shutil.copy(SAMPLES / "procdata.toml", folder / "procdata.toml")
    port = free_port()
    server = Server(folder, port)
    yield server, folder, port
    err = server.stop()
    assert "Traceback" not in err, err


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def test_the_first_line_is_the_url_and_the_socket_is_loopback_only(served: tuple[Server, Path, int]) -> None:
    server, _, port = served
    assert server.first_line == f"http://127.0.0.1:{port}/"
    assert listening(port) == ["127.0.0.1"]


def test_an_officer_uploads_sees_the_problem_cell_publishes_and_downloads_the_zip(
    served: tuple[Server, Path, int], browser: object, tmp_path: Path,
) -> None:
    server, folder, port = served
    origin = f"http://127.0.0.1:{port}"
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    context.set_default_timeout(60_000)  # on a loaded CI machine a check can take longer than Playwright's 30 s
    problems: list[str] = []
    elsewhere: list[str] = []

    def guard(route, request) -> None:  # type: ignore[no-untyped-def]
        if request.url.startswith(origin + "/") or request.url.startswith("data:"):
            route.continue_()
        else:
            elsewhere.append(request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type in ("error", "warning") else None)
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))

    page.goto(server.first_line)
    assert page.locator("h1").inner_text() == "องค์การบริหารส่วนตำบลหนองบัว"
    assert "ปีงบประมาณ" in page.inner_text("body")

    # Upload: choose the file; the page sends it with a progress bar and comes back with the check.
    bad = write_xlsx(tmp_path / "o12-เทศบาลบ้านไผ่.xlsx", {"O12": [HEADER, *ROWS]})
    with page.expect_navigation():
        page.set_input_files("#upload-files", str(bad))
    page.wait_for_selector("table.problems")
    cell = page.locator("table.problems td.cell", has_text="H3")
    assert cell.count() == 1
    assert "ไม่ใช่จำนวนเงิน" in cell.locator("xpath=..").inner_text()

    # Sorting by the cell column, descending, puts the last problem first.
    heading = page.locator("table.problems th[data-sort=cell]")
    heading.click()
    assert heading.get_attribute("aria-sort") == "descending"
    assert page.locator("table.problems tbody tr td.cell").first.inner_text() == "O17"

    # Drag-and-drop: a file dropped on the zone arrives like a chosen one.
    clean = (SAMPLES / "o12-2568.csv").read_bytes()
    with page.expect_navigation():
        page.evaluate(
            """(bytes) => {
                const file = new File([new Uint8Array(bytes)], "o12-2568.csv", {type: "text/csv"});
                const data = new DataTransfer();
                data.items.add(file);
                document.getElementById("drop").dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true}));
            }""",
            list(clean),
        )
    page.wait_for_selector("text=ได้รับแฟ้ม o12-2568.csv แล้ว")
    assert (folder / "monthly" / "o12-2568.csv").read_bytes() == clean

    # The preview of the sheet marks the cell.
    page.click("table.problems td.cell >> text=H3")
    page.wait_for_selector("table.grid")
    marked = page.locator("td.marked.error#cell-O12-H3")
    assert marked.inner_text() == "หนึ่งแสน"
    page.go_back()

    # Publish: refused with the errors shown, then confirmed explicitly.
    page.click("#publish-button")
    page.wait_for_selector("#publish-refused")
    assert "H3" in page.inner_text("#publish-refused")
    assert not (folder / "site" / "index.html").exists()
    page.check("#publish-anyway input[name=confirm]")
    page.click("#publish-anyway button")
    page.wait_for_selector("#publish-done", timeout=60_000)
    assert (folder / "site" / "index.html").is_file()

    # The zip link downloads the published zip.
    with page.expect_download() as waiting:
        page.click("#site-links a.zip")
    download = waiting.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.suffix == ".zip" and saved.read_bytes() == next((folder / "site").glob("*.zip")).read_bytes()
    assert {"o12.csv", "index.html", "datapackage.json"} <= set(zipfile.ZipFile(saved).namelist())

    # The site's page opens from the link, offline, with no error either.
    with context.expect_page() as opened:
        page.click("#site-index")
    preview = opened.value
    preview.on("pageerror", lambda error: problems.append(f"preview pageerror: {error}"))
    preview.wait_for_load_state()
    assert "องค์การบริหารส่วนตำบลหนองบัว" in preview.inner_text("body")
    page.screenshot(path=str(Path(os.environ.get("PROCDATA_SCREENSHOTS", tmp_path)) / "serve-home.png"), full_page=True)
    context.close()

    assert problems == []
    assert elsewhere == []
    assert all(urlparse(url).hostname == "127.0.0.1" for url in elsewhere)


def test_a_long_step_shows_its_progress_as_the_page_polls_then_its_result(
    browser: object, tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Three files that each take 2 s more to read: the check, then the publish, outlast the 2 s a page
    waits, so the page shows the progress panel; its script follows /progress (the bar and the words
    move on without a reload) and, once the step is done, shows the result."""
    folder = tmp_path_factory.mktemp("slow")
    shutil.copy(SAMPLES / "procdata.toml", folder / "procdata.toml")
    (folder / "monthly").mkdir()
    for name in ("o12-2568.csv", "o12-2567.xlsx", "sorkorror1-2568-q1.xlsx"):
        shutil.copy(SAMPLES / name, folder / "monthly" / name)
    port = free_port()
    server = Server(folder, port, command=SLOW, env={"PROCDATA_TEST_FILE_SECONDS": "2"})
    try:
        context = browser.new_context()  # type: ignore[attr-defined]
        context.set_default_timeout(60_000)
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
        page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type in ("error", "warning") else None)
        polled: list[str] = []
        page.on("request", lambda r: polled.append(r.url) if r.url.endswith("/progress") else None)

        for step, start, done in (("check", lambda: page.goto(server.first_line), "#problems"),
                                  ("publish", lambda: page.click("#publish-button"), "#publish-done")):
            start()
            panel = page.locator(".progress[data-job]")
            panel.wait_for()
            words = panel.locator(".progress-text")
            assert page.locator(".progress strong").first.inner_text() in ("กำลังอ่านและตรวจแฟ้ม…", "กำลังเผยแพร่…")
            first = int(panel.locator("progress").get_attribute("value") or 0)
            assert panel.locator("progress").get_attribute("max") == "3"
            page.evaluate("window.stillHere = true")  # gone once the page reloads
            # The script moves the bar on as the files are read, in the page's own words, without a reload.
            moved = panel.locator(f"progress:not([value='{first}'])")  # <progress> reflects its value as an attribute
            moved.wait_for(timeout=20_000)
            assert page.evaluate("window.stillHere") is True, step
            assert words.inner_text().startswith("แฟ้มที่ ") and words.inner_text().endswith(" จาก 3"), words.inner_text()
            page.wait_for_selector(done, timeout=60_000)  # then the result, after a reload
            assert page.evaluate("window.stillHere === undefined"), step
            if step == "check":
                assert page.locator(".progress[data-job]").count() == 0
                assert "ตรวจ 3 แฟ้ม" in page.inner_text("#problems")
        assert (folder / "site" / "index.html").is_file()
        assert len(polled) >= 2 and problems == []
        context.close()
    finally:
        err = server.stop()
    assert "Traceback" not in err, err

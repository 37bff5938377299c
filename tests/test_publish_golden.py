"""Golden tests: publishing the bundled samples gives the committed files.

Regenerate the goldens after an intended change with:
    PROCDATA_REGENERATE=1 PYTHONPATH=src python3 -m pytest tests/test_publish_golden.py
and review the diff before committing. Workbooks are compared through a text
dump of their cells and formats; zips through their entries.
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest

from conftest import FIXTURES
from procdata.publish import publish
from test_samples import assert_golden

GOLDEN = FIXTURES / "publish"
CASES = {
    # The README's main command: this year's O12 and last year's, at the date the O12 file states.
    "o12-pair": (["samples/o12-2568.csv", "samples/o12-2567.xlsx"], "samples/procdata.toml", dt.date(2025, 6, 30)),
    # The officer's quarterly สขร.๑ workbook: statuses derived from contract dates.
    "sorkorror1": (["samples/sorkorror1-2568-q1.xlsx", "samples/o12-2567.xlsx"], "samples/procdata.toml", dt.date(2025, 3, 31)),
    # The ITA 2569 profile: monthly summaries (O11) and last year's annual summary (O12).
    "ita-2569": (["samples/sorkorror1-2568-q1.xlsx", "samples/o12-2567.xlsx"], "tests/fixtures/publish/ita-2569.toml", None),
}
TEXT_FILES = (".csv", ".json", ".html")


def workbook_dump(path: Path) -> str:
    """Every non-empty cell with its number format, and the sheet settings people see."""
    book = openpyxl.load_workbook(path)
    lines = [f"properties: created={book.properties.created} modified={book.properties.modified}"]
    for sheet in book.worksheets:
        widths = {k: v.width for k, v in sorted(sheet.column_dimensions.items())}
        lines.append(f"## {sheet.title} freeze={sheet.freeze_panes} filter={sheet.auto_filter.ref} widths={widths}")
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    fill = cell.fill.fgColor.rgb if cell.fill.fill_type else "-"
                    lines.append(f"{cell.coordinate}\t{cell.value!r}\t{cell.number_format}\t{fill}")
    return "\n".join(lines) + "\n"


def package_dump(path: Path) -> str:
    """datapackage.json with the workbooks' sizes and hashes left out (they depend on the zlib build)."""
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        if resource["path"].endswith(".xlsx"):
            resource["bytes"] = resource["hash"] = "(xlsx: see the workbook dump)"
    return json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"


@pytest.mark.parametrize("case", sorted(CASES))
def test_samples_publish_as_committed(case: str, repo_cwd: Path, tmp_path: Path) -> None:
    inputs, config, as_of = CASES[case]
    result = publish(inputs, out=tmp_path / "site", fiscal_year=2568, as_of=as_of, config=config)
    assert not result.refused and not result.report.errors
    site = tmp_path / "site"
    golden = GOLDEN / case
    golden.mkdir(parents=True, exist_ok=True)
    for name in result.files:
        path = site / name
        if name == "datapackage.json":
            assert_golden(package_dump(path), golden / name)
        elif name.endswith(TEXT_FILES):
            assert_golden(path.read_text(encoding="utf-8"), golden / name)
        elif name.endswith(".xlsx"):
            assert_golden(workbook_dump(path), golden / f"{name}.txt")
        else:
            with zipfile.ZipFile(path) as archive:
                listing = "".join(f"{e.filename}\t{e.date_time}\n" for e in archive.infolist())
            assert_golden(listing, golden / f"{name}.txt")
    expected = {p.name for p in golden.iterdir()}
    written = {n if n.endswith((*TEXT_FILES, "datapackage.json")) else f"{n}.txt" for n in result.files}
    assert written == expected, "goldens without output (or output without goldens)"

"""publish is deterministic and atomic, refuses what it must, and makes hostile text inert."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procdata.errors import OutputError
from procdata.publish import publish, run
from test_publish_helpers import project, write_canonical, write_profile

D = dt.date
HOSTILE = [
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-2+3",
    "@SUM(A1)",
    "<script>alert('x')</script>",
    "</script><script>alert(1)</script>",
    "<img src=x onerror=alert(1)> & \"quotes\"",
]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def inputs(tmp_path: Path) -> tuple[Path, Path]:
    rows = [project(n, budget_category="investment" if n % 2 else "operating") for n in range(1, 6)]
    rows.append(project(9, fiscal_year=2567, report_month="2024-03", contract_date="2024-03-01"))
    return write_canonical(tmp_path / "input.csv", rows), write_profile(tmp_path)


def test_two_runs_are_byte_identical(tmp_path: Path) -> None:
    source, config = inputs(tmp_path)
    publish([source], out=tmp_path / "a", config=config, as_of=D(2025, 3, 31))
    publish([source], out=tmp_path / "b", config=config, as_of=D(2025, 3, 31))
    first, second = snapshot(tmp_path / "a"), snapshot(tmp_path / "b")
    assert first.keys() == second.keys() and len(first) == 12
    for name in first:
        assert first[name] == second[name], name


def test_a_failing_writer_leaves_the_folder_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source, config = inputs(tmp_path)
    out = tmp_path / "site"
    publish([source], out=out, config=config, as_of=D(2025, 3, 31))
    before = snapshot(out)
    calls = []

    def failing(path: Path, content: bytes) -> None:
        calls.append(path.name)
        if len(calls) == 4:
            raise OSError(28, "No space left on device")
        path.write_bytes(content)

    monkeypatch.setattr(run, "_write_file", failing)
    with pytest.raises(OutputError) as raised:
        publish([source], out=out, config=config, as_of=D(2025, 2, 28))
    assert "No space left on device" in raised.value.render("en")
    assert len(calls) == 4
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["input.csv", "procdata.toml", "site"]


def test_a_failing_builder_leaves_no_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source, config = inputs(tmp_path)

    def broken(*args: object, **kwargs: object) -> bytes:
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(run, "to_xlsx", broken)
    with pytest.raises(RuntimeError):
        publish([source], out=tmp_path / "site", config=config, as_of=D(2025, 3, 31))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["input.csv", "procdata.toml"]


def test_a_folder_of_other_files_is_not_replaced(tmp_path: Path) -> None:
    source, config = inputs(tmp_path)
    out = tmp_path / "documents"
    out.mkdir()
    (out / "letter.docx").write_bytes(b"keep me")
    with pytest.raises(OutputError) as raised:
        publish([source], out=out, config=config, as_of=D(2025, 3, 31))
    assert raised.value.code == "publish_out_not_ours"
    assert (out / "letter.docx").read_bytes() == b"keep me"


def test_an_output_folder_holding_the_inputs_is_refused(tmp_path: Path) -> None:
    source, config = inputs(tmp_path)
    with pytest.raises(OutputError) as raised:
        publish([source], out=tmp_path, config=config, as_of=D(2025, 3, 31))
    assert raised.value.code == "publish_out_holds_inputs"
    assert source.exists()


def test_errors_refuse_publishing_unless_forced(tmp_path: Path) -> None:
    rows = [project(1), project(2, budget_amount="ประมาณ 5 หมื่น")]
    source, config = write_canonical(tmp_path / "input.csv", rows), write_profile(tmp_path)
    refused = publish([source], out=tmp_path / "site", config=config, as_of=D(2025, 3, 31))
    assert refused.refused and refused.report.errors and not (tmp_path / "site").exists()
    assert refused.report.errors[0].value == "ประมาณ 5 หมื่น"
    forced = publish([source], out=tmp_path / "site", config=config, as_of=D(2025, 3, 31), force=True)
    assert not forced.refused and (tmp_path / "site" / "o12.csv").exists()
    assert forced.report.errors == refused.report.errors


def test_hostile_text_comes_out_inert(tmp_path: Path) -> None:
    rows = [project(n, item_name=text, winner_name=text) for n, text in enumerate(HOSTILE, start=1)]
    source, config = write_canonical(tmp_path / "input.csv", rows), write_profile(tmp_path, problems="<script>alert(2)</script>")
    rows.append(project(99, fiscal_year=2567, report_month="2024-03", contract_date="2024-03-01", item_name=HOSTILE[4],
                        budget_category="investment"))
    write_canonical(source, rows)
    publish([source], out=tmp_path / "site", config=config, as_of=D(2025, 3, 31), force=True)
    site = tmp_path / "site"

    with (site / "o12.csv").open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    names = [row[6] for row in table[1:]]
    for text in HOSTILE:
        expected = "'" + text if text[0] in "=+-@" else text
        assert expected in names
    assert not any(name.startswith(("=", "+", "-", "@")) for row in table for name in row)

    sheet = openpyxl.load_workbook(site / "o12.xlsx")["O12"]
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert all(c.data_type == "s" and not c.value.startswith(("=", "+", "-", "@")) for c in cells)
    assert "'=cmd|' /C calc'!A0" in [c.value for c in cells]

    data = json.loads((site / "o12.json").read_text(encoding="utf-8"))
    assert {r["ชื่อรายการของงานที่ซื้อหรือจ้าง"] for r in data} == set(HOSTILE)  # JSON keeps the text as it is

    for page in ("index.html", "o13-report.html"):
        html = (site / page).read_text(encoding="utf-8")
        assert html.count("<script>") == (1 if page == "index.html" else 0), page
        assert "<img" not in html and "</script><script>alert" not in html
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in (site / "o13-report.html").read_text(encoding="utf-8")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789๑๒๓-=+@ abcก\n\t"), max_size=60))
def test_no_citizen_id_survives_masking_and_no_cell_starts_a_formula(text: str) -> None:
    import re

    from procdata.publish.formats import neutralise
    from procdata.publish.privacy import Masker
    from procdata.publish.profile import load_profile

    masker = Masker(load_profile("ita-2568").privacy)
    masked, count = masker.text(text)
    assert masked is not None
    digits = "[0-9๐-๙]"
    assert not re.search(rf"(?<!{digits})[1-9๑-๙]{digits}{{12}}(?!{digits})", masked)
    assert masker.text(masked) == (masked, 0)  # masking twice changes nothing more
    assert count == 0 or masked != text
    assert not neutralise(text).startswith(("=", "+", "-", "@", "\t", "\r"))

"""publish is deterministic and atomic, refuses what it must, and makes hostile text inert."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from procdata.errors import OutputError
from procdata.publish import folder, publish, run
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
    assert first.keys() == second.keys() and len(first) == 13  # twelve files and the manifest
    for name in first:
        assert first[name] == second[name], name


def test_a_failing_writer_leaves_the_folder_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source, config = inputs(tmp_path)
    out = tmp_path / "site"
    publish([source], out=out, config=config, as_of=D(2025, 3, 31))
    (out / "signed.pdf").write_bytes(b"%PDF officer's")
    before = snapshot(out)
    calls = []
    write = folder._write_file

    def failing(path: Path, content: bytes) -> None:
        calls.append(path.name)
        if len(calls) == 4:
            raise OSError(28, "No space left on device")
        write(path, content)

    monkeypatch.setattr(folder, "_write_file", failing)
    with pytest.raises(OutputError) as raised:
        publish([source], out=out, config=config, as_of=D(2025, 2, 28))
    assert "No space left on device" in raised.value.render("en")
    assert len(calls) == 4
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["input.csv", "procdata.toml", "site"]  # nothing left beside


def test_a_failing_builder_leaves_no_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source, config = inputs(tmp_path)

    def broken(*args: object, **kwargs: object) -> bytes:
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(run, "to_xlsx", broken)
    with pytest.raises(RuntimeError):
        publish([source], out=tmp_path / "site", config=config, as_of=D(2025, 3, 31))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["input.csv", "procdata.toml"]


def test_the_officers_files_in_the_folder_are_kept_byte_for_byte(tmp_path: Path) -> None:
    source, config = inputs(tmp_path)
    out = tmp_path / "documents"
    (out / "pdf").mkdir(parents=True)
    (out / "letter.docx").write_bytes(b"keep me")
    (out / "pdf" / "2568-01.pdf").write_bytes(b"%PDF signed")
    first = publish([source], out=out, config=config, as_of=D(2025, 3, 31))
    assert first.kept == ["letter.docx", "pdf"]
    second = publish([source], out=out, config=config, as_of=D(2025, 2, 28))  # procdata's own files replaced
    assert second.kept == ["letter.docx", "pdf"]
    assert (out / "letter.docx").read_bytes() == b"keep me" and (out / "pdf" / "2568-01.pdf").read_bytes() == b"%PDF signed"
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([*second.files, ".procdata-manifest.json", "letter.docx", "pdf"])
    # beside it only the version before, kept until the next publish for readers still reading it
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [".documents.procdata-previous"]


def test_a_file_of_the_officers_under_a_name_procdata_writes_is_refused(tmp_path: Path) -> None:
    source, config = inputs(tmp_path)
    out = tmp_path / "documents"
    out.mkdir()
    (out / "index.html").write_bytes(b"<p>the agency's own page</p>")
    with pytest.raises(OutputError) as raised:
        publish([source], out=out, config=config, as_of=D(2025, 3, 31))
    assert raised.value.code == "publish_name_taken" and raised.value.params["names"] == "index.html"
    assert (out / "index.html").read_bytes() == b"<p>the agency's own page</p>" and len(list(out.iterdir())) == 1


def test_a_file_procdata_wrote_then_changed_by_hand_is_kept_under_another_name(tmp_path: Path) -> None:
    source, config = inputs(tmp_path)
    out = tmp_path / "site"
    publish([source], out=out, config=config, as_of=D(2025, 3, 31))
    (out / "index.html").write_bytes(b"<p>edited by hand</p>")
    result = publish([source], out=out, config=config, as_of=D(2025, 3, 31))
    assert result.edited == [("index.html", "index.edited.html")]
    assert (out / "index.edited.html").read_bytes() == b"<p>edited by hand</p>"
    assert (out / "index.html").read_bytes() != b"<p>edited by hand</p>"


def test_inputs_inside_the_folder_are_read_and_kept_but_never_written(tmp_path: Path) -> None:
    source, config = inputs(tmp_path)
    before = source.read_bytes()
    result = publish([source], out=tmp_path, config=config, as_of=D(2025, 3, 31))  # the input's own folder
    assert "input.csv" in result.kept and source.read_bytes() == before
    again = tmp_path / "o12.csv"  # procdata's own output, given back as an input: never overwritten
    kept = again.read_bytes()
    with pytest.raises(OutputError) as raised:
        publish([again], out=tmp_path, config=config, as_of=D(2025, 3, 31), force=True)
    assert raised.value.code == "output_is_input" and again.read_bytes() == kept


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


def citizen_ids_in(text: str) -> list[str]:
    """A reference reading, written apart from procdata.normalize.ids, character by character:
    groups of digits joined by what people type between them (up to two spaces, a dot, dash or
    underscore, up to two spaces); any whole groups in a row holding exactly 13 digits that make a
    natural person's ID with a valid check digit."""
    text = text.translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789"))
    runs: list[list[str]] = []
    i = 0
    while i < len(text):
        if not text[i].isascii() or not text[i].isdigit():
            i += 1
            continue
        groups = []
        while True:
            j = i
            while j < len(text) and text[j] in "0123456789":
                j += 1
            groups.append(text[i:j])
            k = j
            spaces = 0
            while k < len(text) and text[k] in " \u00a0" and spaces < 2:
                k, spaces = k + 1, spaces + 1
            if k < len(text) and text[k] in ".-_–":
                k += 1
                after = 0
                while k < len(text) and text[k] in " \u00a0" and after < 2:
                    k, after = k + 1, after + 1
            if k > j and k < len(text) and text[k] in "0123456789":
                i = k
                continue
            i = j
            break
        runs.append(groups)
    found = []
    for groups in runs:
        for first in range(len(groups)):
            for last in range(first, len(groups)):
                run = "".join(groups[first : last + 1])
                if len(run) == 13 and run[0] != "0":
                    total = sum(int(run[n]) * (13 - n) for n in range(12))
                    if (11 - total % 11) % 10 == int(run[12]):
                        found.append(run)
    return found


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.one_of(
        st.sampled_from(["3500600111113", "3 5006 00111 11 3", "3-5006-00111-11-3", "3.5006.00111.11.3",
                         "๓๕๐๐๖๐๐๑๑๑๑๑๓", "1 1037 02011 25 8", "1 1037 02011 25 9", "0403553001239"]),
        st.text(alphabet=st.sampled_from("0123456789๑๒๓-=+@. abcก\n\t"), max_size=20),
    ), max_size=5).map("".join)
)
@example("3 5006 00111 11 3001 1037 02011 25 8")  # a mask's kept digits joining the groups before into another
def test_no_citizen_id_survives_masking_and_no_cell_starts_a_formula(text: str) -> None:
    from procdata.profiles import load_profile
    from procdata.publish.formats import neutralise
    from procdata.publish.privacy import Masker

    masker = Masker(load_profile("ita-2568").privacy)
    masked, count = masker.text(text)
    assert masked is not None
    assert citizen_ids_in(masked) == []
    assert count <= len(citizen_ids_in(text)) and (count > 0) == bool(citizen_ids_in(text))
    assert masker.text(masked) == (masked, 0)  # masking twice changes nothing more
    assert not neutralise(text).startswith(("=", "+", "-", "@", "\t", "\r"))

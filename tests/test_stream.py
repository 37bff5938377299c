"""Long tables read in chunks, and many files read in parallel, give the report of one pass.

``read.stream`` reads a CSV or Parquet table a chunk at a time and
``check.run`` sends groups of files to worker processes; each is compared here
with reading everything at once (the plain route), including the tables that
must fall back to it: a total row, a wrapped line, a year that only the whole
table gives, bidders written differently from chunk to chunk.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SAMPLES
from procdata.check import validate
from procdata.check.render import report_json
from procdata.cli import app
from procdata.read import csvgrids
from procdata.read import run as read_run
from procdata.read import stream as stream_module
from procdata.read.ingest import ingest
from procdata.read.stream import NotStreamable, merged_issues, merged_sheets, stream
from test_validate import CASES, write

CHANGES = [case[2] for case in CASES] + [{}] * 20


def long_table(path: Path, copies: int = 12, extra: list[dict[str, str]] | None = None, base: list[dict[str, str]] = CHANGES) -> Path:
    """Every failing case of every check, many times over, with a few duplicate project numbers."""
    changes = [dict(change) for _ in range(copies) for change in base]
    for number in range(0, len(changes), 97):
        changes[number] = {**changes[number], "project_id": "67019123456"}
    return write(path, *changes, *(extra or []))


def streamed(path: Path, rows: int) -> pd.DataFrame:
    parts = list(stream(path, str(path), rows=rows))
    assert len(parts) >= 2  # read in several chunks indeed
    return parts


@pytest.mark.parametrize("rows", [37, 250, 333])
def test_a_table_read_in_chunks_is_the_table_read_whole(tmp_path: Path, rows: int) -> None:
    path = long_table(tmp_path / "national.csv")
    whole = ingest([path])
    parts = streamed(path, rows)
    pd.testing.assert_frame_equal(pd.concat([p.records for p in parts], ignore_index=True), whole.records)
    assert merged_issues([p.issues for p in parts]) == whole.issues
    assert merged_sheets([s for p in parts for s in p.sheets]) == whole.sheets


def whole_report(paths: list[Path], lang: str = "th") -> dict[str, object]:
    """The report of everything read at once, in this process."""
    from procdata.check.validate import validate_ingested

    return validate_ingested(ingest(paths), lang).to_dict()


def test_validate_in_chunks_reports_what_validate_whole_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = long_table(tmp_path / "national.csv")
    expected = whole_report([path])
    monkeypatch.setattr(stream_module, "STREAM_BYTES", 0)
    monkeypatch.setattr(stream_module, "CHUNK_ROWS", 200)
    chunks: list[int] = []
    threads: set[str] = set()
    original = stream_module.stream

    def counting(*args: object, **kwargs: object) -> object:
        for part in original(*args, **kwargs):  # type: ignore[arg-type]
            chunks.append(len(part.records))
            threads.add(threading.current_thread().name)
            yield part

    monkeypatch.setattr(stream_module, "stream", counting)
    assert validate([path]).to_dict() == expected
    assert len(chunks) > 2 and sum(chunks) == expected["summary"]["records"]  # the chunked route was taken
    assert threads == {"procdata-normalize-ahead"}  # each chunk normalized while the one before was checked


@pytest.mark.parametrize("extra", [
    [{"seq": "", "item_name": "รวม", "budget_amount": "", "reference_price": "", "agreed_price": "", "method": "",
      "method_text": "", "fiscal_year": "", "contract_no": "", "contract_date": "", "status": "", "project_id": "",
      "report_month": "", "contract_end_date": "", "winner_tax_id": ""}],
    [{"seq": "", "budget_amount": "", "reference_price": "", "agreed_price": "", "method": "", "method_text": "",
      "fiscal_year": "", "contract_no": "", "contract_date": "", "status": "", "project_id": ""}],
    [{"fiscal_year": "", "report_month": "", "contract_date": "", "contract_end_date": ""}],
    [{"bidders": "ร้านเจริญพาณิชย์ 9,000 บาท"}],
], ids=["total-row", "wrapped-line", "year-from-the-table", "bidders-as-text"])
def test_a_table_that_cannot_be_read_in_chunks_is_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: list[dict[str, str]]) -> None:
    # One fiscal year throughout (no case of a wrong one), so that the table would give it to a record lacking one.
    base = [change for change in CHANGES if "fiscal_year" not in change]
    path = long_table(tmp_path / "national.csv", copies=4, extra=extra, base=base)
    with pytest.raises(NotStreamable):
        list(stream(path, str(path), rows=100))
    expected = whole_report([path])
    monkeypatch.setattr(stream_module, "STREAM_BYTES", 0)
    monkeypatch.setattr(stream_module, "CHUNK_ROWS", 100)
    assert validate([path]).to_dict() == expected


def test_many_files_in_parallel_report_what_one_pass_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "agencies"
    folder.mkdir()
    for number in range(24):
        changes = [dict(c) for c in CHANGES[number % 7 :: 5]]
        changes.append({"project_id": "67019123456"})  # the same project in every file
        write(folder / f"agency-{number:02d}.csv", *changes)
    (folder / "broken.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    paths = sorted(p for p in folder.iterdir())
    expected = whole_report(paths, "en")
    pools: list[int] = []
    original = read_run.Pool.__init__

    def recording(self: object, workers: int) -> None:
        pools.append(workers)
        original(self, workers)  # type: ignore[arg-type]

    monkeypatch.setattr(read_run.Pool, "__init__", recording)
    monkeypatch.setattr(read_run, "GROUP_FILES", 3)
    assert validate([folder], lang="en", workers=2).to_dict() == expected
    assert pools == [2]  # the worker processes were used
    assert validate([folder], lang="en", workers=1).to_dict() == expected


def test_a_parquet_table_is_checked_as_its_csv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    source = long_table(tmp_path / "national.csv", copies=2)
    table = tmp_path / "national.parquet"
    result = CliRunner().invoke(app, ["ingest", str(source), "--out", str(table)])
    assert result.exit_code == 0, result.output
    as_csv = tmp_path / "again.csv"
    assert CliRunner().invoke(app, ["ingest", str(table), "--out", str(as_csv)]).exit_code == 0
    for chunked in (False, True):
        if chunked:
            monkeypatch.setattr(stream_module, "STREAM_BYTES", 0)
            monkeypatch.setattr(stream_module, "CHUNK_ROWS", 64)
        from_parquet = validate([table]).to_dict()
        from_csv = validate([as_csv]).to_dict()
        for problem in from_parquet["problems"] + from_csv["problems"]:
            problem.pop("file")
            problem["message"] = problem["message"].replace(str(table), "").replace(str(as_csv), "")
        assert from_parquet["problems"] == from_csv["problems"]
        assert from_parquet["summary"]["records"] == from_csv["summary"]["records"] == ingest([source]).records.shape[0]


@pytest.mark.parametrize("zone", ["Asia/Bangkok", "UTC"])
def test_a_parquet_written_by_pandas_with_typed_columns_reads_as_its_csv(tmp_path: Path, zone: str) -> None:
    """Parquet written by other tools: numbers typed, dates as timestamps, one with a time zone (read as
    its text with the zone's offset, every contract date was "not a date")."""
    source = SAMPLES / "canonical-sample.csv"
    typed = pd.read_csv(source, dtype={"winner_tax_id": str, "project_id": str})
    for name in ("contract_date", "contract_end_date"):
        typed[name] = pd.to_datetime(typed[name])
    typed["contract_date"] = typed["contract_date"].dt.tz_localize(zone)
    typed["contract_end_date"] = typed["contract_end_date"] + pd.Timedelta(hours=9)  # a time of day, no zone
    table = tmp_path / "typed.parquet"
    typed.to_parquet(table)
    got, expected = ingest([table]), ingest([source])
    assert not got.failures and not got.issues.runs
    columns = ["contract_date", "contract_end_date", "budget_amount", "fiscal_year", "winner_tax_id", "is_investment"]
    pd.testing.assert_frame_equal(got.records[columns], expected.records[columns])
    report = validate([table]).to_dict()
    assert report["summary"]["errors"] == 0, report["problems"]


def test_json_of_a_chunked_table_is_streamed_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    path = long_table(tmp_path / "national.csv", copies=3)
    expected = report_json(validate([path]))
    monkeypatch.setattr(stream_module, "STREAM_BYTES", 0)
    monkeypatch.setattr(stream_module, "CHUNK_ROWS", 50)
    result = CliRunner().invoke(app, ["validate", str(path), "--format", "json"])
    assert result.stdout == expected
    assert len(json.loads(result.stdout)["problems"]) == json.loads(expected)["summary"]["errors"] + json.loads(expected)["summary"]["warnings"]


@pytest.mark.parametrize("blank_first", [False, True], ids=["", "first-chunk-blank"])
@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_a_long_table_ingested_in_chunks_writes_the_table_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str, blank_first: bool,
) -> None:
    """``ingest --out FILE.json`` (and .csv) of a table read a chunk at a time writes what the whole
    table's records give: one JSON array, one header row, also when the first chunk holds no record
    (rows of empty cells under the header: the CSV had its header twice)."""
    from typer.testing import CliRunner

    from procdata.csvtext import plain_canonical_csv
    from procdata.recordjson import plain_canonical_json

    path = long_table(tmp_path / "national.csv", copies=3)
    if blank_first:
        header, *lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text(header + ("," * header.count(",") + "\n") * 120 + "".join(lines), encoding="utf-8")
        assert len(next(stream(path, str(path), rows=50)).records) == 0
    whole = ingest([path]).records
    monkeypatch.setattr(stream_module, "STREAM_BYTES", 0)
    monkeypatch.setattr(stream_module, "CHUNK_ROWS", 50)
    out = tmp_path / f"table{suffix}"
    result = CliRunner().invoke(app, ["ingest", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    expected = plain_canonical_json(whole) if suffix == ".json" else plain_canonical_csv(whole)
    assert out.read_bytes() == expected and len(whole) > 100


def _edge(name: str, header: str, lines: list[str]) -> bytes:
    """The table ``header`` + ``lines`` with one kind of edge a chunk boundary may fall on."""
    import csv
    import io

    blank = "," * header.count(",") + "\n"
    body = "".join(lines)

    def table(change: object) -> str:
        rows = list(csv.reader(io.StringIO(header + body)))
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(change(rows))  # type: ignore[operator]
        return out.getvalue()

    at = next(csv.reader([header])).index("contract_no")
    late = lines[150]

    def ambiguous(rows: list[list[str]]) -> list[list[str]]:
        """A status that means one thing or another: first with no contract, far below with one (read
        in another chunk), and with none again: the readings reported in one order whatever the chunks."""
        names = rows[0]
        for number, with_contract in ((10, False), (160, True), (170, False)):
            rows[number][names.index("status")] = "ระหว่างดำเนินการ"
            for field in ("contract_status", "contract_no", "contract_date", "contract_end_date", "winner_name"):
                if field in names and not with_contract:
                    rows[number][names.index(field)] = ""
        return rows

    def quoted_all(text: str) -> str:  # every cell in quote marks, as some writers put them
        out = io.StringIO()
        csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows(csv.reader(io.StringIO(text)))
        return out.getvalue()

    def shortened(line: str, cells: int = 3) -> str:  # a row that lost its last cells (e-GP leaves them out)
        return ",".join(next(csv.reader([line]))[:-cells]) + "\n"

    texts = {
        "blank-first": header + blank * 120 + body,
        "blank-middle": header + "".join(lines[:70]) + blank * 130 + "".join(lines[70:]),
        "header-again": header + "".join(lines[:100]) + header + "".join(lines[100:]),
        "header-at-boundary": header + "".join(lines[:49]) + header + "".join(lines[49:]),
        "total-row": header + body + "รวม" + blank,
        "no-final-newline": header + body.rstrip("\n"),
        "crlf": (header + body).replace("\n", "\r\n"),
        "bom": "\ufeff" + header + body,
        "blank-lines": header + "".join(line + "\n" if n % 40 == 0 else line for n, line in enumerate(lines)),
        "ragged-late": header + "".join(lines[:150]) + late.rstrip("\n") + ",extra\n" + "".join(lines[151:]),
        "quoted-newline-late": header + "".join(lines[:150]) + '"บรรทัด\nใหม่"' + late[late.index(","):] + "".join(lines[151:]),
        "month-heading-late": header + "".join(lines[:150]) + "เดือนมีนาคม 2568" + blank + "".join(lines[150:]),
        "column-missing": table(lambda rows: [r[:at] + r[at + 1 :] for r in rows]),
        "column-added": table(lambda rows: [r + (["note"] if n == 0 else [f"n{n}"]) for n, r in enumerate(rows)]),
        "columns-reordered": table(lambda rows: [list(reversed(r)) for r in rows]),
        "column-twice": table(lambda rows: [r + ([rows[0][4]] if n == 0 else ["x"]) for n, r in enumerate(rows)]),
        "short-late": header + "".join(lines[:150]) + shortened(late) + "".join(lines[151:]),
        "short-last": header + "".join(lines[:-1]) + shortened(lines[-1], 5).rstrip("\n"),
        "short-many": header + "".join(shortened(line, n % 4) if n % 7 == 3 else line for n, line in enumerate(lines)),
        "short-and-blank": header + "".join(lines[:49]) + "\n" + shortened(lines[49]) + "\n\n" + "".join(lines[50:]),
        "ambiguous-status": table(ambiguous),
        "title-line": "รายงานผลการจัดซื้อจัดจ้าง ปีงบประมาณ 2568\n" + header + body,
        "title-lines": "\ufeffรายงานผลการจัดซื้อจัดจ้าง,2568\r\n\r\n" + (header + body).replace("\n", "\r\n"),
        "title-quoted": '"รายงาน ""O12"""\n' + quoted_all(header + body),
    }
    if name == "bad-byte-late":
        return (header + "".join(lines[:150])).encode() + b"\xff\xfe," + "".join(lines[150:]).encode()
    return texts[name].encode("utf-8")


EDGES = [
    "blank-first", "blank-middle", "header-again", "header-at-boundary", "total-row", "no-final-newline", "crlf", "bom",
    "blank-lines", "ragged-late", "quoted-newline-late", "month-heading-late", "column-missing", "column-added",
    "columns-reordered", "column-twice", "bad-byte-late", "short-late", "short-last", "short-many", "short-and-blank",
    "ambiguous-status", "title-line", "title-lines", "title-quoted",
]


@pytest.mark.parametrize("edge", EDGES)
def test_a_table_with_an_edge_read_in_chunks_reports_and_writes_what_it_does_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edge: str,
) -> None:
    """Rows of empty cells, a header again, line ends, a BOM, a ragged row, columns missing, added,
    reordered or twice, a bad byte: wherever a chunk boundary falls, validate reports and ingest writes
    what reading the file whole gives (the CSV had its header twice after a first chunk of no record)."""
    from typer.testing import CliRunner

    base = long_table(tmp_path / "base.csv", copies=3)
    header, *lines = base.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "national.csv"
    path.write_bytes(_edge(edge, header, lines))
    runs = []
    for chunked in (False, True):
        if chunked:
            monkeypatch.setattr(stream_module, "STREAM_BYTES", 0)
            monkeypatch.setattr(stream_module, "CHUNK_ROWS", 50)
        out = tmp_path / f"out-{chunked}.csv"
        checked = CliRunner().invoke(app, ["validate", str(path), "--format", "json"])
        written = CliRunner().invoke(app, ["ingest", str(path), "--out", str(out)])
        runs.append((checked.exit_code, checked.stdout, checked.stderr, written.exit_code, written.stderr.replace(str(out), "OUT"),
                     out.read_bytes() if out.exists() else None))
    assert runs[0] == runs[1]
    assert runs[0][0] in (1, 2) and (runs[0][5] is not None) == (edge != "bad-byte-late")


@pytest.mark.parametrize("edge", ["title-line", "title-lines", "title-quoted"])
def test_title_lines_above_the_header_are_read_in_chunks_not_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forbid_whole_reads: Callable[[], None], edge: str,
) -> None:
    """Arrow's reader takes a row's length from its first line: a title line above the header stopped
    the stream, and a national table was read whole (1.15 GB: 4.8 GB, then the time limit). The title
    lines are read apart and put back above the header; no whole-file reader is reached."""
    base = long_table(tmp_path / "base.csv", copies=3)
    header, *lines = base.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "national.csv"
    path.write_bytes(_edge(edge, header, lines))
    expected = whole_report([path])
    monkeypatch.setattr(stream_module, "STREAM_BYTES", 0)
    monkeypatch.setattr(stream_module, "CHUNK_ROWS", 50)
    forbid_whole_reads()
    found = validate([path]).to_dict()
    assert found["summary"]["unreadable"] == [], found["summary"]["unreadable"]
    assert found == expected
    assert expected["summary"]["records"] > 150


def test_parquet_output_has_typed_columns_and_is_the_same_every_time(tmp_path: Path) -> None:
    import subprocess
    import sys

    import pyarrow.parquet as pq

    source = long_table(tmp_path / "national.csv", copies=1)
    outputs = []
    for number in range(2):  # two separate processes: nothing of one run leaks into the other
        out = tmp_path / f"national-{number}.parquet"
        subprocess.run([sys.executable, "-m", "procdata", "ingest", str(source), "--out", str(out)], check=True, capture_output=True)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    table = pq.read_table(tmp_path / "national-0.parquet")
    types = {field.name: str(field.type) for field in table.schema}
    assert (types["fiscal_year"], types["budget_amount"], types["contract_date"], types["is_investment"], types["item_name"]) == (
        "int64", "double", "date32[day]", "bool", "string")
    assert pq.ParquetFile(tmp_path / "national-0.parquet").metadata.row_group(0).column(0).compression == "ZSTD"
    records = ingest([source]).records
    assert table.num_rows == len(records)
    assert table.column("budget_amount").to_pylist() == [None if v != v else v for v in records["budget_amount"].tolist()]


@pytest.mark.parametrize("path", [
    *sorted((Path(__file__).parent / "fixtures" / "egp-national").glob("*.csv")),
    *sorted((Path(__file__).parent / "fixtures" / "validate" / "inputs").glob("*.csv")),
    Path(__file__).parent.parent / "samples" / "canonical-sample.csv",
    Path(__file__).parent / "fixtures" / "o12-2568-utf8bom.csv",
], ids=lambda p: p.name)
def test_every_csv_fixture_checked_in_chunks_is_checked_whole(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = whole_report([path])
    monkeypatch.setattr(stream_module, "STREAM_BYTES", 0)
    monkeypatch.setattr(stream_module, "CHUNK_ROWS", 3)
    assert validate([path]).to_dict() == expected


def test_a_table_bigger_than_the_memory_limit_is_read_in_chunks_not_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The memory limit guards a CSV read whole (refused before it is read); a long table read in
    chunks holds a chunk at a time, so its size is no reason to refuse it."""
    from typer.testing import CliRunner

    path = long_table(tmp_path / "national.csv", copies=40)
    assert path.stat().st_size > 1 << 20
    expected = whole_report([path])
    args = ["validate", str(path), "--format", "json", "--limit", "memory=1"]
    refused = json.loads(CliRunner().invoke(app, args).stdout)
    assert [entry["code"] for entry in refused["summary"]["unreadable"]] == ["limit_memory"]  # read whole: refused
    monkeypatch.setattr(stream_module, "STREAM_BYTES", 0)
    monkeypatch.setattr(stream_module, "CHUNK_ROWS", 500)
    result = CliRunner().invoke(app, args)
    assert json.loads(result.stdout) == expected
    assert expected["summary"]["records"] > 2000 and not expected["summary"]["files_unreadable"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["", " ", "[]", ' [{"name": "ก", "price": 1}]', "[x", "ก\n[", "\u00a0[", "x", " x "])),
                min_size=1, max_size=12))
def test_what_a_chunk_says_of_its_bidders_is_what_its_stripped_values_say(values: list[str | None]) -> None:
    """A chunk's bidders are JSON when every value with text, stripped, starts with "["; told from the
    values as they are when they all do (no stripped copy of a long column), from the stripped ones else."""
    body = pd.DataFrame({0: pd.array(values, dtype="string[pyarrow]")})
    records = pd.DataFrame({"fiscal_year": pd.array([2568] * len(values), dtype="Int64")})
    seen = stream_module._Seen()
    stream_module._note(seen, records, body, {"bidders": 0})
    stripped = [(v or "").strip() for v in values]
    filled = [v for v in stripped if v]
    assert seen.bidders == ({all(v.startswith("[") for v in filled)} if filled else set())


@settings(max_examples=150, deadline=None)
@given(lines=st.lists(st.one_of(st.just(""), st.lists(st.sampled_from(["ก", "x", '"a,b"', "", "12", '"ก\nข"', '"x\r\ny"']),
                                                  min_size=1, max_size=4).map(",".join)),
                      max_size=40),
       rows=st.sampled_from([1, 3, 7, 100]), block=st.sampled_from([32, 64, 1 << 20]), crlf=st.booleans(),
       together=st.sampled_from([1, 3, csvgrids.BLOCKS_TOGETHER]))
def test_short_rows_and_empty_lines_are_read_in_chunks_where_the_csv_module_reads_them(
    lines: list[str], rows: int, block: int, crlf: bool, together: int, tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """A row with fewer cells than the first line (put back in place, padded), an empty line (a row
    of empty cells: the rows below keep their numbers) and a cell of several lines (one row), wherever
    Arrow's blocks and the chunks fall:
    the rows are those of the csv module, row for row. No row is longer than the first: that one is
    read whole (``NotStreamable``). (A row longer than a block, 23 bytes here at most, is read whole too:
    Arrow's blocks are 4 MB.)"""
    import csv
    from unittest import mock

    header = "h1,h2,h3,h4"
    end = "\r\n" if crlf else "\n"
    path = tmp_path_factory.mktemp("short") / "t.csv"
    path.write_text(end.join([header, *lines]) + end, encoding="utf-8", newline="")
    expected = [row + [""] * (4 - len(row)) for row in csv.reader(path.open(encoding="utf-8", newline=""))]
    expected = [row if any(row) or len(row) == 4 else ["", "", "", ""] for row in expected]
    with mock.patch.object(csvgrids, "STREAM_BLOCK", block), mock.patch.object(csvgrids, "FIRST_ROWS", max(1, rows // 2)), \
            mock.patch.object(csvgrids, "BLOCKS_TOGETHER", together):
        frames = list(csvgrids.csv_grids(path, ",", rows))
    got = pd.concat(frames, ignore_index=True).values.tolist() if frames else []
    assert got == expected
    assert all(len(frame) == (rows if n else min(rows, max(1, rows // 2))) for n, frame in enumerate(frames[:-1]))


def test_blocks_are_put_together_before_the_rows_are_cut_into_chunks(tmp_path: Path) -> None:
    """Arrow parses the CSV in small blocks; their rows are put together BLOCKS_TOGETHER blocks at a time,
    so that a chunk's column is a few pieces, not one per block, and the rows stay those of the file."""
    from unittest import mock

    path = tmp_path / "t.csv"
    rows = [f"{n},ชื่อ {n},{n * 7}" for n in range(3000)]
    path.write_text("\n".join(["a,b,c", *rows]) + "\n", encoding="utf-8")
    with mock.patch.object(csvgrids, "STREAM_BLOCK", 1024), mock.patch.object(csvgrids, "FIRST_ROWS", 3001):
        one = list(csvgrids.csv_grids(path, ",", 3001))
        with mock.patch.object(csvgrids, "BLOCKS_TOGETHER", 1):
            apart = list(csvgrids.csv_grids(path, ",", 3001))
    assert len(one) == len(apart) == 1
    pieces = [frame[0].array._pa_array.num_chunks for frame in (one[0], apart[0])]
    assert pieces[1] > 40  # one piece per block of 1 KB
    assert pieces[0] == -(-pieces[1] // csvgrids.BLOCKS_TOGETHER)
    pd.testing.assert_frame_equal(one[0], apart[0])
    assert one[0].iloc[1:, 1].tolist() == [f"ชื่อ {n}" for n in range(3000)]


@pytest.fixture
def early_reading(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Chunked reading of small tables; records each CSV whose chunks are read (by ``prestart`` or by
    ``stream``); what was begun early and not taken is let go after the test."""
    monkeypatch.setattr(stream_module, "STREAM_BYTES", 0)
    monkeypatch.setattr(stream_module, "CHUNK_ROWS", 200)
    read: list[str] = []
    original = stream_module.csv_grids

    def counting(path: Path, *args: object) -> object:
        read.append(Path(path).name)
        return original(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(stream_module, "csv_grids", counting)
    yield read
    stream_module._let_go()


def test_a_table_whose_reading_began_before_the_command_is_checked_as_without_and_read_once(
    tmp_path: Path, early_reading: list[str],
) -> None:
    """``procdata validate FILE``'s chunks are read from before the command has loaded its modules
    (``read.stream.prestart``, from ``procdata.cli.main``): the report is the same, and the file is
    read once."""
    path = long_table(tmp_path / "national.csv")
    expected = validate([path]).to_dict()
    assert early_reading == ["national.csv"]
    early_reading.clear()
    stream_module.prestart(path)
    assert stream_module._early is not None and early_reading == ["national.csv"]
    assert validate([path]).to_dict() == expected
    assert stream_module._early is None and early_reading == ["national.csv"]  # taken, not read again


def test_a_reading_begun_early_for_another_file_or_another_way_is_let_go(tmp_path: Path, early_reading: list[str]) -> None:
    first = long_table(tmp_path / "first.csv")
    second = long_table(tmp_path / "second.csv", copies=6)
    expected = validate([second]).to_dict()
    early_reading.clear()
    for change in ("another file", "the file changed", "other limits"):
        stream_module.prestart(first)
        early = stream_module._early
        assert early is not None
        if change == "another file":
            assert validate([second]).to_dict() == expected
            assert early_reading == ["first.csv", "second.csv"]
        elif change == "the file changed":
            first.write_bytes(first.read_bytes() + b"\n")
            validate([first])
            assert early_reading == ["first.csv", "first.csv"]
        else:
            from procdata.read.limits import set_overrides

            set_overrides({"fields": 5000})
            try:
                validate([first])
            finally:
                set_overrides({})
            assert early_reading == ["first.csv", "first.csv"]
        assert stream_module._early is None and not early[1]._maker.is_alive()  # its thread has ended
        early_reading.clear()


def test_a_reading_begun_early_and_never_taken_ends_at_exit(tmp_path: Path, early_reading: list[str]) -> None:
    """The command stopped before it read the file (a wrong option): the thread is stopped at exit."""
    path = long_table(tmp_path / "national.csv")
    stream_module.prestart(path)
    assert stream_module._early is not None
    maker = stream_module._early[1]._maker
    stream_module._let_go()
    assert stream_module._early is None and not maker.is_alive()


def test_the_command_line_begins_a_long_table_early_and_checks_it_as_without(
    tmp_path: Path, early_reading: list[str],
) -> None:
    from typer.testing import CliRunner

    from procdata.cli import _prestart

    path = long_table(tmp_path / "national.csv")
    args = ["validate", str(path), "--format", "json"]
    runner = CliRunner()
    expected = runner.invoke(app, args)
    early_reading.clear()
    for skipped in (["--encoding", "utf-8"], ["--limit", "fields=5000"], [str(path)]):
        _prestart([*args, *skipped] if skipped[0].startswith("-") else [args[0], str(path), *skipped])
        assert stream_module._early is None and early_reading == []
    _prestart(args)
    assert early_reading == ["national.csv"]
    result = runner.invoke(app, args)
    assert (result.exit_code, result.output) == (expected.exit_code, expected.output)
    assert stream_module._early is None and early_reading == ["national.csv"]

"""calamine's parse started while a big .xlsx is scanned (``read/early.py``) reads every workbook as
the plain order does (scan, then calamine): the same sheets, problems, hidden rows and errors; it is the
path a big plain workbook takes; and a sheet that would have calamine allocate too much ends only the
reader, after which the workbook is read the plain way."""

from __future__ import annotations

import io
import os
import pickle
import random
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from mutate import ANY
from procdata.read import early as early_module
from procdata.read import messages, sandbox
from procdata.read import workbook as workbook_module
from procdata.read.limits import Limits
from procdata.read.reader import _as_columns
from procdata.read.workbook import read_workbook
from workbooks import cell, row, rows, sheet_xml, xlsx

REPO = Path(__file__).resolve().parent.parent
SAMPLES = sorted((REPO / "samples").glob("*.xlsx"))


def plain_rows(count: int, seed: int = 1) -> list[list[object]]:
    rnd = random.Random(seed)
    return [["ชื่อรายการ", "วงเงิน", "วันที่", "ผู้ขาย"]] + [
        [f"จัดซื้อวัสดุ {n} & อื่น ๆ", rnd.randint(1, 10**7) / 100, "15/01/2568", rnd.choice(["หจก. ก", "", "บริษัท ข"])]
        for n in range(count)
    ]


@pytest.fixture
def small_is_big(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Every workbook counts as big; records, for each workbook read, whether the early parse was used."""
    monkeypatch.setattr(early_module, "EARLY_MIN", 0)
    used: list[bool] = []
    original = workbook_module._read_sheets

    def spy(path: str, workbook: Any, found: Any, limits: Limits, deadline: Any) -> Any:
        used.append(found.early is not None)
        return original(path, workbook, found, limits, deadline)

    monkeypatch.setattr(workbook_module, "_read_sheets", spy)
    return used


def both_ways(path: Path) -> tuple[Any, Any]:
    def read(early: bool) -> Any:
        try:
            return read_workbook(str(path), "zip", Limits.default(), 20, early)
        except Exception as error:
            return type(error).__name__, getattr(error, "code", None), getattr(error, "params", None)

    return read(True), read(False)


def test_a_big_plain_workbook_is_parsed_while_it_is_scanned_and_read_alike(tmp_path: Path, small_is_big: list[bool]) -> None:
    path = tmp_path / "plain.xlsx"
    path.write_bytes(xlsx({"O12": sheet_xml(rows(plain_rows(500))), "หมายเหตุ": sheet_xml(rows([["x", 1]]))}))
    with_early, plain = both_ways(path)
    assert small_is_big == [True, False]  # the early parse was taken, then the plain order
    assert with_early == plain
    assert plain[0].rows[1][0] == "จัดซื้อวัสดุ 0 & อื่น ๆ" and len(plain[0].rows) == 501


def test_a_workbook_written_by_openpyxl_is_parsed_early_and_read_alike(tmp_path: Path, small_is_big: list[bool]) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    for values in plain_rows(300):
        book.active.append(values)
    path = tmp_path / "openpyxl.xlsx"
    book.save(path)
    with_early, plain = both_ways(path)
    assert small_is_big == [True, False]
    assert with_early == plain


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_the_bundled_workbooks_read_alike_with_an_early_parse(path: Path, small_is_big: list[bool]) -> None:
    with_early, plain = both_ways(path)
    assert with_early == plain
    assert small_is_big[0]


# Sheets the scan must change or report: the early parse is not used where a sheet is written again,
# and where it is used the problems, hidden rows and errors are the scan's, as in the plain order.
PROBLEMS = {
    "hidden row": (rows([["a", 1], ["b", 2], ["c", 3]], hidden=[2]), True),
    "formula without value": (row(1, ["a"]) + '<row r="2"><c r="A2"><f>SUM(B1:B9)</f></c></row>', True),
    "error value": ('<row r="1"><c r="A1" t="e"><v>#N/A</v></c><c r="B1"><v>2</v></c></row>', True),
    "shared string pointing nowhere": ('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>7</v></c></row>', False),
    "style pointing nowhere": (f'<row r="1">{cell("A1", "x", style=9)}{cell("B1", 1)}</row>', False),
    "row zero": ('<row r="1"><c r="A0"><v>1</v></c></row>', False),
    "not XML": ('<row r="1"><c r="A1"><v>1</v></row>', False),
}


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_sheets_with_problems_read_alike_with_an_early_parse(tmp_path: Path, small_is_big: list[bool], name: str) -> None:
    body, kept = PROBLEMS[name]
    path = tmp_path / "problem.xlsx"
    path.write_bytes(xlsx({"S": sheet_xml(body), "T": sheet_xml(rows([["ok", 1]]))}, strings=["a"]))
    with_early, plain = both_ways(path)
    assert with_early == plain
    assert small_is_big[0] == kept


_CHILD = """
import pickle, sys
from procdata.read import early
from procdata.read.reader import answer
from procdata.read.limits import Limits
early.EARLY_MIN = 0
for path in sys.argv[1:]:
    reply = answer(path, "zip", Limits.default(), 20, True)
    sys.stdout.buffer.write(pickle.dumps((path, reply)) + b"\\n--procdata-end--\\n")
    sys.stdout.buffer.flush()
"""


def read_early_in_children(paths: list[Path]) -> tuple[dict[str, Any], list[str]]:
    """Each workbook read in a child process with the early parse always on, as the reader does:
    the replies of those it read, and those whose reading ended the child (then read again plainly)."""
    replies: dict[str, Any] = {}
    ended: list[str] = []
    left = [str(p) for p in paths]
    while left:
        done = subprocess.run([sys.executable, "-c", _CHILD, *left], capture_output=True, cwd=REPO, timeout=300)
        for chunk in done.stdout.split(b"\n--procdata-end--\n"):
            if chunk:
                path, reply = pickle.loads(chunk)
                replies[path] = reply
        left = [p for p in left if p not in replies]
        if left:
            ended.append(left.pop(0))  # the file being read when the child ended
    return replies, ended


def test_mutated_workbooks_read_alike_with_an_early_parse(tmp_path: Path) -> None:
    """Flipped, cut, inserted and repeated bytes in the sheets of real and generated workbooks: with the
    early parse always on (in children, where calamine may abort), every reply equals the plain order's."""
    from procdata.read.reader import answer

    paths = []
    for seed in range(60):
        rnd = random.Random(seed)
        source = SAMPLES[seed % len(SAMPLES)].read_bytes()
        with zipfile.ZipFile(io.BytesIO(source)) as archive:
            parts = {info.filename: archive.read(info) for info in archive.infolist()}
        name = next(n for n in sorted(parts) if n.startswith("xl/worksheets/sheet"))
        parts[name] = ANY[rnd.choice(sorted(ANY))](parts[name], rnd)
        path = tmp_path / f"mutant-{seed}.xlsx"
        with zipfile.ZipFile(path, "w") as out:
            for part, data in parts.items():
                out.writestr(part, data)
        paths.append(path)
    replies, _ended = read_early_in_children(paths)
    assert len(replies) > 40
    for path in paths:
        plain = answer(str(path), "zip", Limits.default(), 20, False)
        if str(path) in replies:
            assert replies[str(path)] == plain, path


def far_apart_big_workbook(path: Path) -> None:
    """More worksheet XML than EARLY_MIN, and a cell at XFD1048576: calamine alone would ask for 512 GB."""
    body = rows(plain_rows(40_000))
    body += '<row r="1048576">' + cell("XFD1048576", "ข้อความหลงอยู่") + "</row>"
    path.write_bytes(xlsx({"O12": sheet_xml(body)}))
    with zipfile.ZipFile(path) as archive:
        assert sum(info.file_size for info in archive.infolist()) > early_module.EARLY_MIN


def test_cells_far_apart_in_a_big_workbook_end_the_early_parse_and_are_read_by_their_cells(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "far.xlsx"
    far_apart_big_workbook(path)
    expected = read_workbook(str(path), "zip", Limits.default(), 60, False)
    assert expected[0].row_numbers[-1] == 1048576 and expected[0].column_numbers[-1] == 16383
    _replies, ended = read_early_in_children([path])
    assert ended == [str(path)]  # calamine's rectangle ended the child under the early parse's cap...
    started: list[bool] = []

    class Reader(sandbox._Reader):
        def read(self, *args: Any, **kwargs: Any) -> Any:
            started.append(kwargs.get("early", False))
            return super().read(*args, **kwargs)

    monkeypatch.setattr(sandbox, "_Reader", Reader)
    monkeypatch.setattr(sandbox, "_reader", None)
    try:
        sheets = sandbox.read_isolated(path, path.name, "zip", Limits.default(), 60)
    finally:
        if sandbox._reader is not None:
            sandbox._reader.stop()
    assert started == [True, False]  # the early parse ended the first reader; a new one read it plainly
    assert sheets == [_as_columns(sheet) for sheet in expected]


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_a_workbook_read_in_the_reader_process_equals_one_read_here(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader sends Arrow text columns (read.columns) instead of the cells: the sheets are the same."""
    from procdata.read.files import read_sheets

    isolated = read_sheets(path, path.name)
    monkeypatch.setenv("PROCDATA_READ_IN_PROCESS", "1")
    here = read_sheets(path, path.name)
    assert len(isolated) == len(here)
    for a, b in zip(isolated, here, strict=True):
        assert a.frame.equals(b.frame) and list(a.frame.dtypes) == list(b.frame.dtypes)
        assert (a.name, a.merged, a.row_numbers, a.column_numbers, a.hidden, a.problems, a.error) == (
            b.name, b.merged, b.row_numbers, b.column_numbers, b.hidden, b.problems, b.error)


def serve_one_plain_workbook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run the reader's ``main`` in this process on one request for a plain 50-row workbook (no memory
    cap, the reply whole on the pipe); its reply."""
    from procdata.read import reader

    path = tmp_path / "plain.xlsx"
    path.write_bytes(xlsx({"O12": sheet_xml(rows(plain_rows(50)))}))
    requests = io.BytesIO()
    messages.send(requests, (str(path), "zip", Limits.default(), 20, False))
    requests.seek(0)
    replies = io.BytesIO()
    monkeypatch.setattr(reader, "cap_memory", lambda memory_mb: None)
    monkeypatch.setattr(reader, "spill_prefix", lambda pid: None)  # the reply whole on the pipe, read after main() ends
    monkeypatch.setattr(sys, "argv", ["reader", "2048"])
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(requests))
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(replies))
    reader.main()
    replies.seek(0)
    return messages.receive(replies)


def test_the_reader_reads_without_the_garbage_collector_and_turns_it_back_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The reader process answers a request with Python's cyclic collector off (its cell values hold no
    cycles, and the collector walked them again and again: about 0.2 s of 4.5 s on a 100,000-row
    workbook), and has it on again, and the garbage collected, once the reply is sent."""
    import gc

    from procdata.read import reader

    seen: list[bool] = []
    original = reader.answer

    def spy(*args: Any) -> Any:
        seen.append(gc.isenabled())
        return original(*args)

    monkeypatch.setattr(reader, "answer", spy)
    assert gc.isenabled()
    status, sheets = serve_one_plain_workbook(tmp_path, monkeypatch)
    assert seen == [False]
    assert gc.isenabled()
    assert status == "ok" and len(sheets[0].columns) == 4


def test_the_reader_lets_the_cell_values_go_after_the_reply_is_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Freeing a big sheet's cell values takes time the command would wait for: they are let go once
    the reply (Arrow columns) is on its way, not before."""
    from procdata.read import reader

    held_when_sent: list[int] = []
    original = reader.send

    def spy(stream: Any, reply: Any, spill: Any = None) -> None:
        held_when_sent.append(sum(len(cells) for cells in reader._SENT_AFTER))
        original(stream, reply, spill)

    monkeypatch.setattr(reader, "send", spy)
    status, sheets = serve_one_plain_workbook(tmp_path, monkeypatch)
    assert held_when_sent == [51]  # the header and 50 rows, still held while the reply was sent
    assert reader._SENT_AFTER == []
    assert status == "ok" and sheets[0].rows == [] and len(sheets[0].columns) == 4


def test_a_reply_spilled_to_shared_memory_is_the_reply_and_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader writes the big buffers of a reply (Arrow columns) to a new file of its user's alone
    (mode 0600, a random name) that the command maps and removes at once; where the file cannot be
    written, the reply goes down the pipe whole, alike."""
    import os
    import stat

    import pyarrow as pa

    reply = ("ok", [workbook_module.SheetData("O12", columns=[pa.array(["ชื่อ", "ซื้อวัสดุ"] * 1000, pa.large_string()),
                                                             pa.array(["1", ""] * 1000, pa.large_string())])])
    modes: list[int] = []
    original = os.fdopen

    def spy(handle: int, *args: Any, **kwargs: Any) -> Any:
        modes.append(stat.S_IMODE(os.fstat(handle).st_mode))
        return original(handle, *args, **kwargs)

    monkeypatch.setattr(os, "fdopen", spy)
    for spill in (tmp_path / "reply-", tmp_path / "no-such-folder" / "reply-"):
        pipe = io.BytesIO()
        messages.send(pipe, reply, str(spill))
        whole = len(pipe.getvalue()) > 20_000  # the columns went down the pipe
        assert whole == (spill.parent != tmp_path)
        pipe.seek(0)
        status, sheets = messages.receive(pipe)
        assert status == "ok" and [c.equals(e) for c, e in zip(sheets[0].columns, reply[1][0].columns, strict=True)] == [True, True]
    assert modes == [0o600]  # only the first could be written
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(messages.spill_prefix(0) is None, reason="no shared memory folder here: replies go down the pipe")
def test_the_reader_process_leaves_no_reply_in_shared_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A workbook read in the reader process comes back through shared memory and leaves nothing there,
    whether the reader goes on, or is stopped with a reply it was writing."""
    import mmap

    from procdata.read.files import read_sheets

    mapped: list[int] = []
    original = mmap.mmap

    def spy(fileno: int, length: int, **options: Any) -> mmap.mmap:
        mapped.append(fileno)
        return original(fileno, length, **options)

    monkeypatch.setattr(messages.mmap, "mmap", spy)
    path = tmp_path / "plain.xlsx"
    path.write_bytes(xlsx({"O12": sheet_xml(rows(plain_rows(2000)))}))
    sheets = read_sheets(path, path.name)
    assert len(sheets) == 1 and len(sheets[0].frame) == 2001
    assert len(mapped) == 1  # the reply came through a mapped file
    reader = sandbox._reader
    assert reader is not None and reader.alive()
    prefix = messages.spill_prefix(reader.process.pid) or ""
    assert not list(Path(prefix).parent.glob(Path(prefix).name + "*"))
    cut = Path(prefix + "x1y2.reply")
    cut.write_bytes(b"a reply cut off")  # as if the reader were stopped while writing one
    reader.stop()
    assert not cut.exists()
    sandbox._reader = None


def test_a_reply_that_cannot_be_sent_leaves_no_file(tmp_path: Path) -> None:
    """The command gone before the reply is written to the pipe (killed, or stopped waiting): the file
    of its buffers is removed with the error."""
    import pyarrow as pa

    class Gone(io.BytesIO):
        def write(self, data: Any) -> int:
            raise BrokenPipeError

    reply = ("ok", [workbook_module.SheetData("O12", columns=[pa.array(["ชื่อ"] * 1000, pa.large_string())])])
    with pytest.raises(BrokenPipeError):
        messages.send(Gone(), reply, str(tmp_path / "reply-"))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(messages.spill_prefix(0) is None, reason="no shared memory folder here: replies go down the pipe")
def test_replies_of_readers_that_are_gone_are_removed_when_a_reader_starts() -> None:
    """A command killed with its reader leaves the reply the reader had written; the next reader
    started removes it. Replies of readers still running are theirs and stay."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    stale = Path(messages.spill_prefix(gone.pid) or "").with_name(Path(messages.spill_prefix(gone.pid) or "").name + "abc.reply")
    live = Path((messages.spill_prefix(os.getpid()) or "") + "abc.reply")
    try:
        stale.write_bytes(b"cells")
        live.write_bytes(b"cells")
        messages.remove_stale()
        assert not stale.exists() and live.exists()
    finally:
        stale.unlink(missing_ok=True)
        live.unlink(missing_ok=True)

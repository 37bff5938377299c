"""A workbook named alone on the command line is handed to the reader process before the command has
loaded pandas (``read.sandbox.prestart``): it is read exactly as without, the answer is taken from that
reader rather than asked again, and anything else (another file, a folder, many files, a file that
is not a workbook) leaves the reader as it was."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from procdata.read import sandbox
from procdata.read.files import read_sheets
from procdata.read.limits import Limits
from test_early import far_apart_big_workbook

REPO = Path(__file__).resolve().parent.parent
WORKBOOKS = sorted((REPO / "samples").glob("*.xlsx"))


@pytest.fixture
def asks(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, bool]]]:
    """A fresh reader for the test, stopped after it; records each file the readers are asked for."""
    asked: list[tuple[str, bool]] = []

    class Reader(sandbox._Reader):
        def ask(self, path: str, kind: str, limits: Limits, seconds: float, early: bool = False) -> bool:
            asked.append((Path(path).name, early))
            return super().ask(path, kind, limits, seconds, early)

    if sandbox._reader is not None:
        sandbox._reader.stop()
    monkeypatch.setattr(sandbox, "_Reader", Reader)
    monkeypatch.setattr(sandbox, "_reader", None)
    monkeypatch.setattr(sandbox, "_asked", None)
    yield asked
    if sandbox._reader is not None:
        sandbox._reader.stop()


def sheets_of(path: Path) -> list[Any]:
    return [(s.name, s.frame.to_dict("list"), s.merged, s.row_numbers, s.column_numbers, s.hidden, s.problems, s.error)
            for s in read_sheets(path, path.name)]


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.name)
def test_a_workbook_handed_early_is_read_as_without_and_asked_once(path: Path, asks: list[tuple[str, bool]]) -> None:
    expected = sheets_of(path)
    sandbox._reader.stop()  # type: ignore[union-attr]
    asks.clear()
    sandbox.prestart([path])
    assert sandbox._asked is not None
    reader = sandbox._reader
    assert sheets_of(path) == expected
    assert asks == [(path.name, True)]  # the answer was the prestarted reader's, not asked for again
    assert sandbox._asked is None and sandbox._reader is reader


def test_another_file_read_first_is_read_as_without(asks: list[tuple[str, bool]]) -> None:
    first, second = WORKBOOKS[0], WORKBOOKS[1]
    expected = sheets_of(second), sheets_of(first)
    asks.clear()
    sandbox.prestart([first])
    assert (sheets_of(second), sheets_of(first)) == expected
    assert asks == [(first.name, True), (second.name, True), (first.name, True)]  # the first answer let go


def test_only_one_workbook_named_is_handed_early(tmp_path: Path, asks: list[tuple[str, bool]]) -> None:
    not_a_workbook = tmp_path / "text.xlsx"
    not_a_workbook.write_text("ชื่อรายการ,วงเงิน\n", encoding="utf-8")
    html_as_xls = REPO / "samples" / "egp-export-2568.xls"  # what e-GP exports: a web page
    for inputs in ([REPO / "samples"], WORKBOOKS[:2], [REPO / "samples" / "o12-2568.csv"], [not_a_workbook], [html_as_xls],
                   [tmp_path / "missing.xlsx"], [], None):
        sandbox.prestart(inputs)
        assert sandbox._asked is None and sandbox._reader is None and asks == []


def test_a_workbook_read_in_process_is_not_handed(monkeypatch: pytest.MonkeyPatch, asks: list[tuple[str, bool]]) -> None:
    monkeypatch.setenv("PROCDATA_READ_IN_PROCESS", "1")
    sandbox.prestart([WORKBOOKS[0]])
    assert sandbox._reader is None and asks == []


def test_a_reader_that_dies_of_a_workbook_handed_early_is_replaced(tmp_path: Path, asks: list[tuple[str, bool]]) -> None:
    """A cell at XFD1048576 ends the early parse (and the reader) under its memory cap: the workbook is
    then read plainly by a new reader, as when it is not handed early."""
    path = tmp_path / "far.xlsx"
    far_apart_big_workbook(path)
    expected = sheets_of(path)
    assert asks == [("far.xlsx", True), ("far.xlsx", False)]
    asks.clear()
    sandbox.prestart([path])
    assert sheets_of(path) == expected
    assert asks == [("far.xlsx", True), ("far.xlsx", False)]


def test_an_idle_reader_is_let_go_at_exit_and_ends_by_itself(asks: list[tuple[str, bool]]) -> None:
    """At the command's exit an idle reader is not waited for: its input closes and it exits."""
    sheets_of(WORKBOOKS[0])
    reader = sandbox._reader
    assert reader is not None and reader.alive()
    pid, stderr = reader.process.pid, Path(reader.stderr)
    sandbox._stop_reader()
    assert not stderr.exists()
    _, status = os.waitpid(pid, 0)  # it ends on its own (the test's process is its parent)
    assert os.waitstatus_to_exitcode(status) == 0


def test_a_reader_still_reading_at_exit_is_stopped(tmp_path: Path, asks: list[tuple[str, bool]]) -> None:
    """A workbook handed early whose answer the command never took (it stopped before reading it):
    the reader is stopped at exit, not left reading on its own."""
    path = tmp_path / "big.xlsx"
    far_apart_big_workbook(path)
    sandbox.prestart([path])
    reader = sandbox._reader
    assert reader is not None and sandbox._asked is not None
    sandbox._stop_reader()
    assert not reader.alive() and reader.process.returncode is not None and reader.process.returncode != 0


def test_the_command_line_hands_a_lone_workbook_before_its_options_are_parsed(
    tmp_path: Path, asks: list[tuple[str, bool]],
) -> None:
    """``procdata ingest|validate FILE ...`` starts the reader in ``procdata.cli.main`` (before typer
    parses the options); the command's own call then finds it asked and does not ask again."""
    from procdata.cli import _prestart

    path = WORKBOOKS[0]
    expected = sheets_of(path)
    sandbox._reader.stop()  # type: ignore[union-attr]
    sandbox._reader = None
    asks.clear()
    for command in ("ingest", "validate"):
        _prestart([command, str(path), "--out", str(tmp_path / "out.csv")])
        assert asks == [(path.name, True)]
        sandbox.prestart([path])  # the command's own call, once its options are parsed
        assert asks == [(path.name, True)]
        assert sheets_of(path) == expected
        assert asks == [(path.name, True)]
        asks.clear()


def test_the_command_line_leaves_other_forms_to_the_command(tmp_path: Path, asks: list[tuple[str, bool]]) -> None:
    """Anything but one workbook right after ``ingest`` or ``validate``, or with limits of its own, is
    left to the command, which knows its inputs and limits once typer has parsed them."""
    from procdata.cli import _prestart

    book, other = str(WORKBOOKS[0]), str(WORKBOOKS[1])
    for args in (
        [], ["ingest"], ["publish", book], ["explain", book], ["--lang", "en", "ingest", book], ["ingest", "--out", "x.csv", book],
        ["ingest", book, other], ["validate", book, "--limit", "memory=4096"], ["validate", book, "--limit=seconds=600"],
        ["ingest", str(tmp_path / "missing.xlsx")], ["ingest", str(REPO / "samples" / "o12-2568.csv")],
    ):
        _prestart(args)
        assert sandbox._asked is None and sandbox._reader is None and asks == [], args

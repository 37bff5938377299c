"""Options shared by several commands, defined once, and the single error handler."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    from procdata.config import Config

EXIT_OK, EXIT_PROBLEMS, EXIT_INPUT = 0, 1, 2
EXIT_INTERNAL = 3
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell reports for any command whose reader went away


class _State:
    lang = "th"
    debug = bool(os.environ.get("PROCDATA_DEBUG"))


state = _State()


def _set_lang(value: str | None) -> str:
    # Given before the command (procdata --lang en status) or after it (procdata status --lang en):
    # a command's own option, when not given, takes the language already chosen.
    if not value:
        return state.lang
    if value not in ("th", "en"):
        raise typer.BadParameter("th | en")
    state.lang = value
    return value


def _set_debug(value: bool) -> bool:
    state.debug = state.debug or value
    return state.debug


def _set_limits(values: list[str] | None) -> list[str] | None:
    from procdata.read.limits import NAMES, parse, set_overrides

    try:
        set_overrides(parse(values or []))
    except ValueError as error:
        from procdata.i18n import message

        raise typer.BadParameter(message("bad_limit_option", state.lang, value=str(error), names=", ".join(NAMES))) from None
    return values


Lang = Annotated[
    str,
    typer.Option("--lang", help="ภาษาของข้อความ th|en (ปกติ th) / language of messages (default th)",
                 callback=_set_lang, is_eager=True, show_default=False),
]
Debug = Annotated[
    bool,
    typer.Option("--debug", help="แสดง traceback เมื่อเกิดข้อผิดพลาด / show tracebacks", callback=_set_debug, is_eager=True),
]
Inputs = Annotated[
    list[Path] | None,
    typer.Argument(
        help="แฟ้มหรือโฟลเดอร์ (.xlsx .xls .ods .csv .html) ปกติ: โฟลเดอร์แฟ้มรายเดือนของโฟลเดอร์ทำงาน / "
        "files or folders (default: the workspace's monthly folder)",
        show_default=False,
    ),
]
ConfigPath = Annotated[
    Path | None,
    typer.Option("--config", help="แฟ้มโปรไฟล์หน่วยงาน (ปกติ procdata.toml ในโฟลเดอร์ที่ทำงาน) / agency profile"),
]
Encoding = Annotated[
    str | None,
    typer.Option("--encoding", help="รหัสอักขระของ CSV เช่น cp874 หรือ utf-8 (ปกติตรวจเอง) / CSV encoding override"),
]
Limit = Annotated[
    list[str] | None,
    typer.Option(
        "--limit", callback=_set_limits, metavar="NAME=N",
        help="เพิ่มขีดจำกัดการอ่านแฟ้ม เช่น --limit seconds=60 (ดู data/limits.toml) / raise a reading limit: "
        "sheets, rows, columns, cells, fields, seconds, memory (MB)",
    ),
]
FiscalYear = Annotated[
    str | None,
    typer.Option("--fiscal-year", help="ปีงบประมาณ เช่น 2568 หรือ 68 (พ.ศ.) หรือ 2025 (ค.ศ.) / fiscal year, BE or CE",
                 show_default=False),
]
AsOf = Annotated[
    str | None,
    typer.Option("--as-of", help="วันที่ของข้อมูล เช่น 2568-06-30, 30/6/2568 หรือ 2025-06-30 / date of the data, BE or CE",
                 show_default=False),
]
Force = Annotated[bool, typer.Option("--force", help="เขียนทับแฟ้มที่มีอยู่ / replace an existing file")]


def day_option(value: str | None, option: str = "--as-of") -> dt.date | None:
    """A date option read as the data's dates are (CE or BE, any form); the reading is echoed on stderr
    unless the value was already written as that ISO date."""
    if value is None:
        return None
    from procdata.i18n import be_date, message
    from procdata.normalize.dates import read_day

    day = read_day(value, option)
    if value.strip() != day.isoformat():
        echo_err(message("option_read_day", state.lang, option=option, value=value, shown=be_date(day), iso=day.isoformat()))
    return day


def year_option(value: str | None, option: str = "--fiscal-year") -> int | None:
    """A fiscal-year option as a Buddhist-Era year (``2568``, ``68``, ``2025`` CE); echoed unless written so."""
    if value is None:
        return None
    from procdata.i18n import be_date, message
    from procdata.normalize.dates import fiscal_year_bounds, read_fiscal_year

    year = read_fiscal_year(value, option)
    if value.strip() != str(year):
        first, last = fiscal_year_bounds(year)
        echo_err(message("option_read_fiscal_year", state.lang, option=option, value=value, year=year,
                         first=be_date(first) if state.lang == "th" else first.isoformat(),
                         last=be_date(last) if state.lang == "th" else last.isoformat()))
    return year


def month_option(value: str | None, option: str = "--month") -> str | None:
    """A month option as ``YYYY-MM`` (CE): ``2568-01``, ``1/2568``, ``ม.ค. 68``, ``2025-01``; echoed unless written so."""
    if value is None:
        return None
    from procdata.i18n import be_month, message
    from procdata.normalize.dates import read_month

    month = read_month(value, option)
    if value.strip() != month:
        echo_err(message("option_read_month", state.lang, option=option, value=value, shown=be_month(month), iso=month))
    return month


def inputs_or_inbox(inputs: list[Path] | None, config: Config | Path | str | None = None) -> list[Path]:
    """The inputs named, or the workspace's monthly folder, which must then hold a spreadsheet (an officer
    is told to put the month's files there, not to name files)."""
    from procdata.config import workspace_inputs
    from procdata.errors import ProcdataError

    found = workspace_inputs(inputs or None, config)
    if not inputs and not inputs_of(found):
        raise ProcdataError("workspace_inbox_empty", folder=str(found[0]))
    return found


def inputs_of(inputs: list[Path]) -> list[Path]:
    """The input files ``inputs`` name (folders expanded), for checking that no output is one of them."""
    from procdata.read.files import expand_inputs

    return [path for path, _ in expand_inputs(inputs)]


def echo_err(text: str) -> None:
    typer.echo(text, err=True)


class ProcdataGroup(TyperGroup):
    """Turns library errors into one line and an exit code; tracebacks only with --debug."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        # Each run starts in Thai without tracebacks; the options, before or after the command, change that.
        state.lang, state.debug = "th", bool(os.environ.get("PROCDATA_DEBUG"))
        from procdata.read.limits import set_overrides

        set_overrides({})  # and with the limits of data/limits.toml; --limit raises them
        try:
            return super().main(*args, **kwargs)
        finally:
            set_overrides({})  # a run's --limit ends with it (the library, or the next run in this process)

    def invoke(self, ctx: Any) -> Any:
        from procdata.errors import ProcdataError

        try:
            return super().invoke(ctx)
        except ProcdataError as error:
            if state.debug:
                raise
            echo_err(error.render(state.lang))
            raise typer.Exit(error.exit_code) from None
        except (typer.Exit, typer.Abort, SystemExit, GeneratorExit):
            raise
        except KeyboardInterrupt:
            echo_err("ยกเลิก / interrupted")
            raise typer.Exit(130) from None
        except BrokenPipeError:
            # The reader of the output stopped reading (`procdata validate ... | head`): what it took
            # is what it wanted. Quiet, as any command in a pipe; nothing more can reach stdout.
            _stdout_to_devnull()
            raise typer.Exit(EXIT_BROKEN_PIPE) from None
        except BaseException as error:  # calamine's PanicException is a BaseException
            # Usage errors belong to click (vendored by recent typer): it prints them itself.
            if state.debug or type(error).__module__.startswith(("click", "typer")):
                raise
            raise typer.Exit(_unforeseen(error)) from None


def _stdout_to_devnull() -> None:
    """Point standard output at the null device, so that flushing it at exit fails no more."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (a test's captured output)
        pass


def _unforeseen(error: BaseException) -> int:
    """One line for what nothing else caught: the file being read when it happened (exit 2), or a bug (exit 3)."""
    from procdata.errors import input_error, input_of
    from procdata.i18n import message
    from procdata.read.limits import current

    place = input_of(error)
    if place is not None:
        failure = input_error(error, place[0], place[1], memory=current().memory)
        echo_err(failure.render(state.lang))
        return failure.exit_code
    echo_err(message("internal_error", state.lang, error=f"{type(error).__name__}: {error}"))
    return EXIT_INTERNAL


PROGRESS_AFTER = 1.0  # seconds: shorter runs show no bar


class FileProgress:
    """The callbacks of a progress bar: a file started (``step(name)``), and records read so far of
    a long table (``step.rows(name, count)``)."""

    def __init__(self, bar: Any, task: Any, label: str) -> None:
        self.bar, self.task, self.label = bar, task, label
        self.started = 0

    def __call__(self, name: str) -> None:
        if self.started:
            self.bar.advance(self.task)
        self.started += 1
        self.bar.update(self.task, description=f"{self.label} {Path(name).name}")

    def rows(self, name: str, count: int) -> None:
        self.bar.update(self.task, description=f"{self.label} {Path(name).name} · {count:,}")


@contextmanager
def file_progress(inputs: list[Path], label: str) -> Iterator[FileProgress]:
    """A rich progress bar over the files that ``inputs`` name, on stderr.

    Yields the callbacks ingest calls as it starts each file (and as it reads
    each chunk of a long table). Shown only when stderr is a terminal (not in
    pipes, CI or tests) and the run lasts more than :data:`PROGRESS_AFTER`.
    """
    import threading

    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from procdata.read.files import expand_inputs

    console = Console(stderr=True)
    terminal = console.is_terminal
    total = sum(1 for _ in expand_inputs(inputs)) if terminal else 0
    bar = Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, disable=not terminal, transient=True,
    )
    task = bar.add_task(label, total=total)
    timer = threading.Timer(PROGRESS_AFTER, bar.start) if terminal else None
    if timer:
        timer.daemon = True
        timer.start()
    try:
        yield FileProgress(bar, task, label)
    finally:
        if timer:
            timer.cancel()
        bar.stop()

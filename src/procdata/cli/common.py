"""Options shared by several commands, defined once, and the single error handler."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

EXIT_OK, EXIT_PROBLEMS, EXIT_INPUT = 0, 1, 2
EXIT_INTERNAL = 3


class _State:
    lang = "th"
    debug = bool(os.environ.get("PROCDATA_DEBUG"))


state = _State()


def _set_lang(value: str) -> str:
    if value not in ("th", "en"):
        raise typer.BadParameter("th | en")
    state.lang = value
    return value


def _set_debug(value: bool) -> bool:
    state.debug = state.debug or value
    return value


Lang = Annotated[
    str,
    typer.Option("--lang", help="ภาษาของข้อความ th|en / language of messages", callback=_set_lang, is_eager=True),
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
FiscalYear = Annotated[
    int | None,
    typer.Option("--fiscal-year", help="ปีงบประมาณ พ.ศ. เช่น 2568 / fiscal year (BE)"),
]


def echo_err(text: str) -> None:
    typer.echo(text, err=True)


class ProcdataGroup(TyperGroup):
    """Turns library errors into one line and an exit code; tracebacks only with --debug."""

    def invoke(self, ctx: Any) -> Any:
        from procdata.errors import ProcdataError

        state.lang, state.debug = "th", bool(os.environ.get("PROCDATA_DEBUG"))
        try:
            return super().invoke(ctx)
        except ProcdataError as error:
            if state.debug:
                raise
            echo_err(error.render(state.lang))
            raise typer.Exit(error.exit_code) from None
        except (typer.Exit, typer.Abort):
            raise
        except KeyboardInterrupt:
            echo_err("ยกเลิก / interrupted")
            raise typer.Exit(130) from None
        except Exception as error:  # a bug: say so in one line, never a bare traceback
            # Usage errors belong to click (vendored by recent typer): it prints them itself.
            if state.debug or type(error).__module__.startswith(("click", "typer")):
                raise
            from procdata.i18n import message

            echo_err(message("internal_error", state.lang, error=f"{type(error).__name__}: {error}"))
            raise typer.Exit(EXIT_INTERNAL) from None


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

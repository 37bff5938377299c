"""The one exception hierarchy of procdata.

The library raises these; the CLI turns them into a one-line message and an
exit code in exactly one place (``procdata.cli.app``). Problems found *in the
data* are not exceptions: they are rows of a report.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from typing import Any


class ProcdataError(Exception):
    """Base class. ``code`` names a message in ``data/messages.toml``."""

    exit_code = 2

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(code)

    def render(self, lang: str = "th", surface: str = "cli") -> str:
        """The one-line message; ``surface="web"`` words its advice for the web app (see :func:`procdata.i18n.message`)."""
        from procdata.i18n import message

        return message(self.code, lang, surface=surface, **self.params)

    def __str__(self) -> str:
        return self.render("en")


class InputError(ProcdataError):
    """An input file cannot be read (missing, broken, encrypted, unsupported)."""

    def __init__(self, code: str, file: str, **params: Any) -> None:
        super().__init__(code, file=file, **params)
        self.file = file


class LimitError(InputError):
    """An input goes past one of the limits of ``data/limits.toml`` (raise it with ``--limit``)."""

    def __init__(self, file: str, name: str, limit: float, found: Any = None, sheet: str = "") -> None:
        from procdata.resources import data

        label = data("limits")["limits"][name]
        code = {"seconds": "limit_time", "memory": "limit_memory"}.get(name, "limit_exceeded")
        super().__init__(
            code, file, name=name, limit=f"{limit:,.0f}" if float(limit).is_integer() else f"{limit:,}",
            found=f"{found:,}" if isinstance(found, int) else str(found or ""),
            what_th=label["th"], what_en=label["en"], where=f" ({sheet})" if sheet else "",
        )
        self.name = name


class ConfigError(ProcdataError):
    """The agency profile or a criteria profile is missing or incomplete."""


class OutputError(ProcdataError):
    """An output cannot be written."""


class ParseError(ValueError):
    """A cell value cannot be understood. ``code`` says why, for the report."""

    def __init__(self, code: str, value: object = None) -> None:
        super().__init__(code)
        self.code = code
        self.value = value


# The input being read, for the one conversion point (``cli.common``) to name it when
# something unforeseen escapes a reader.
_reading: ContextVar[tuple[str, str] | None] = ContextVar("procdata_reading", default=None)

# Exceptions that are the user's or the system's, never a file's.
_NOT_A_FILE = (KeyboardInterrupt, SystemExit, GeneratorExit)


@contextmanager
def reading(file: str, sheet: str = "") -> Iterator[None]:
    """Mark ``file`` (and ``sheet``) as being read: :func:`current_input` names it meanwhile."""
    token = _reading.set((file, sheet))
    try:
        yield
    except BaseException as error:
        if not hasattr(error, "procdata_input"):  # the innermost place: the sheet when there is one
            with suppress(AttributeError, TypeError):
                error.procdata_input = (file, sheet)  # type: ignore[attr-defined]
        raise
    finally:
        _reading.reset(token)


def input_of(error: BaseException) -> tuple[str, str] | None:
    """The file and sheet that were being read when ``error`` was raised, if any."""
    return getattr(error, "procdata_input", None) or _reading.get()


def input_error(error: BaseException, file: str, sheet: str = "", memory: int = 0) -> InputError:
    """What a reader's exception means for the file it was reading, as one line
    (``memory``: the memory limit in MB, named when the error is running out of it).

    Whatever calamine, openpyxl, lxml, pyarrow or the csv module raise (calamine's
    ``PanicException`` is a ``BaseException``) is the file's damage or oddity, not a
    reason to stop: the file is unreadable, and the message says why and what to do.
    """
    if isinstance(error, InputError):
        return error
    if isinstance(error, MemoryError):
        return LimitError(file, "memory", memory, sheet=sheet)
    if isinstance(error, RecursionError):
        reason = "nested too deeply"
    else:
        reason = f"{type(error).__name__}: {error}".strip().rstrip(":")
    reason = " ".join(reason.split())[:160]
    if sheet:
        return InputError("sheet_unreadable_reason", file, sheet=sheet, reason=reason)
    return InputError("file_unreadable_reason", file, reason=reason)


def is_file_error(error: BaseException) -> bool:
    """Whether ``error`` may be turned into an input error (anything but the user's interrupt or an exit)."""
    return not isinstance(error, _NOT_A_FILE)

"""The reader process: ``python -m procdata.read.reader MEMORY_MB``.

Started by :mod:`procdata.read.sandbox`. Reads requests (a workbook's path,
its kind, the limits and the seconds it may take) from stdin and answers each
on stdout with its sheets or the reason it cannot read them, until stdin
closes. Its address space is capped at the memory limit, so that a workbook
asking calamine for too much memory ends this process, not the officer's command.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Any

from procdata.errors import InputError, LimitError
from procdata.read.columns import text_columns
from procdata.read.limits import Limits
from procdata.read.messages import receive, remove_spilled, send, spill_prefix
from procdata.read.workbook import SheetData, read_workbook


def cap_memory(memory_mb: int) -> None:
    """Cap this process's address space (where the system allows it; the time limit always holds)."""
    try:
        import resource
    except ImportError:  # Windows
        return
    cap = memory_mb << 20  # all of it: Python, lxml and calamine included
    try:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ValueError, OSError):
        pass


def answer(path: str, kind: str, limits: Limits, seconds: float, early: bool = False) -> tuple[str, Any]:
    """The reply to one request: ("ok", sheets) or ("error", (message code, parameters)).

    With ``early``, calamine may parse a big .xlsx while it is scanned (:mod:`procdata.read.early`)."""
    try:
        return "ok", [_as_columns(sheet) for sheet in read_workbook(path, kind, limits, seconds, early)]
    except InputError as error:
        return "error", (error.code, _params(error))
    except MemoryError:
        return "error", _memory(limits)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # calamine's PanicException is a BaseException
        reason = " ".join(f"{type(error).__name__}: {error}".split())[:160]
        return "error", ("file_unreadable_reason", {"reason": reason})


def _as_columns(sheet: SheetData) -> SheetData:
    """The sheet with its cells as Arrow text columns: a few buffers to send instead of a pickle of every
    value (the command's process makes its frame of them as it would of the rows). The cell values are
    kept in :data:`_SENT_AFTER` until the reply is sent: freeing a million of them takes 0.08 s that the
    command would wait for."""
    columns = text_columns(sheet.rows)
    if columns is not None:
        _SENT_AFTER.append(sheet.rows)
        sheet.rows, sheet.columns = [], columns
    return sheet


_SENT_AFTER: list[Any] = []  # cell values to let go once the reply is sent


def _params(error: InputError) -> dict[str, Any]:
    return {k: v for k, v in error.params.items() if k != "file"}


def _memory(limits: Limits) -> tuple[str, dict[str, Any]]:
    return "limit_memory", _params(LimitError("", "memory", limits.memory))


def main() -> None:
    cap_memory(int(sys.argv[1]) if len(sys.argv) > 1 else 2048)
    spill = spill_prefix(os.getpid())
    try:
        _serve(sys.stdin.buffer, sys.stdout.buffer, spill)
    finally:  # however this process ends (the command gone, Ctrl-C): no reply of its own left behind
        if spill is not None:
            remove_spilled(spill)


def _serve(requests: Any, replies: Any, spill: str | None) -> None:
    """Answer requests until the command closes the pipe (or stops reading replies)."""
    while True:
        try:
            path, kind, limits, seconds, early = receive(requests)
        except EOFError:
            return
        # No cyclic garbage collection while a workbook is read: its millions of cell values make
        # Python's collector walk them again and again, and they hold no cycles. Collected once the
        # reply is sent, when they are gone.
        gc.disable()
        reply = None
        try:
            reply = answer(path, kind, limits, seconds, early)
            try:
                send(replies, reply, spill)
            except MemoryError:
                send(replies, ("error", _memory(limits)))
        except BrokenPipeError:  # the command stopped waiting for this reply and is gone
            return
        finally:
            del reply
            _SENT_AFTER.clear()
            gc.enable()
            gc.collect()


if __name__ == "__main__":
    main()

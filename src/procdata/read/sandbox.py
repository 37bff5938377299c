"""Workbooks are read in a separate process, bounded in memory and time.

calamine is native code: a damaged workbook can make it panic, abort the whole
process ("memory allocation of 549755813888 bytes failed"), or run on for
minutes, and none of that can be caught or interrupted from Python. So the
officer's command hands each workbook to a reader process
(``python -m procdata.read.reader``, started on first use and kept for the
next files) whose address space is capped at the memory limit, and waits for
it no longer than the time left for the file. If the reader dies or overruns,
the file is unreadable with a one-line reason, the reader is replaced, and the
other files are read as usual.

Where no reader process can be started (or with ``PROCDATA_READ_IN_PROCESS=1``,
for debugging), workbooks are read in the command's own process, still scanned
and bounded by :mod:`procdata.read.xlsx` and :mod:`procdata.read.ods`.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from procdata.errors import InputError, LimitError
from procdata.read.early import may_have_started
from procdata.read.limits import Limits, current
from procdata.read.messages import receive, remove_spilled, remove_stale, send, spill_prefix
from procdata.read.workbook import SheetData, read_workbook


class _Reader:
    """One reader process and the pipes to it."""

    def __init__(self, memory_mb: int) -> None:
        self.memory_mb = memory_mb
        self.died = False
        remove_stale()
        handle, self.stderr = tempfile.mkstemp(prefix="procdata-reader-", suffix=".txt")
        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "procdata.read.reader", str(memory_mb)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=handle, env=env,
            )
        finally:
            os.close(handle)

    def read(self, path: str, kind: str, limits: Limits, seconds: float, early: bool = False) -> tuple[str, Any]:
        if not self.ask(path, kind, limits, seconds, early):
            return "error", self._death(limits)
        return self.reply(limits, seconds)

    def ask(self, path: str, kind: str, limits: Limits, seconds: float, early: bool = False) -> bool:
        """Hand the reader a workbook to read; False when it cannot be told."""
        assert self.process.stdin is not None
        self.died = False
        try:
            send(self.process.stdin, (path, kind, limits, seconds, early))
        except (OSError, ValueError):
            return False
        return True

    def reply(self, limits: Limits, seconds: float) -> tuple[str, Any]:
        """The reader's answer to what it was asked, waited for a little more than ``seconds``."""
        assert self.process.stdout is not None
        reply: list[Any] = []

        def wait() -> None:
            with contextlib.suppress(EOFError, OSError, ValueError, pickle.UnpicklingError):
                reply.append(receive(self.process.stdout))  # type: ignore[arg-type]

        waiter = threading.Thread(target=wait, daemon=True)
        waiter.start()
        # A little more than the file's time: the reader checks the deadline itself and says so.
        waiter.join(seconds + 2)
        if waiter.is_alive():
            self.stop()
            waiter.join(5)
            return "error", _limit("seconds", limits)
        if not reply:
            return "error", self._death(limits)
        return reply[0]

    def _death(self, limits: Limits) -> tuple[str, dict[str, Any]]:
        """Why the reader died: out of memory (the cap) or a crash in calamine."""
        self.died = True
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)
        said = Path(self.stderr).read_text(encoding="utf-8", errors="replace")
        code = self.process.returncode
        self.stop()
        if "memory allocation" in said or "MemoryError" in said or "Cannot allocate" in said:
            return _limit("memory", limits)
        last = next((line.strip() for line in reversed(said.splitlines()) if line.strip()), "")
        return "file_unreadable_reason", {"reason": f"the reader stopped: {last[:120] or f'exit {code}'}"}

    def alive(self) -> bool:
        return self.process.poll() is None

    def release(self) -> None:
        """Let an idle reader go without waiting: its end of input tells it to exit, which it does on
        its own (0.07-0.14 s after a big workbook, that the officer's command need not wait for)."""
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError, ValueError):
                stream.close()  # type: ignore[union-attr]
        Path(self.stderr).unlink(missing_ok=True)
        self.process.returncode = self.process.returncode or 0  # not waited for: no warning that it runs on

    def stop(self, wait: float = 0.5) -> None:
        """End the reader: its input closed, then killed if it has not ended within ``wait`` seconds."""
        if self.alive():
            with contextlib.suppress(OSError, ValueError):
                self.process.stdin.close()  # type: ignore[union-attr]
            try:
                self.process.wait(wait)
            except subprocess.TimeoutExpired:
                self.process.kill()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(5)
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError, ValueError):
                stream.close()  # type: ignore[union-attr]
        Path(self.stderr).unlink(missing_ok=True)
        spill = spill_prefix(self.process.pid)
        if spill is not None:  # a reply the reader was writing when it was stopped
            remove_spilled(spill)


def _limit(name: str, limits: Limits) -> tuple[str, dict[str, Any]]:
    error = LimitError("", name, getattr(limits, name))
    return error.code, {k: v for k, v in error.params.items() if k != "file"}


_lock = threading.Lock()
_reader: _Reader | None = None
_unavailable = False
_asked: tuple[str, str, Limits] | None = None  # the workbook the reader was handed before its turn (prestart)


def read_isolated(path: Path, display: str, kind: str, limits: Limits, seconds: float) -> list[SheetData]:
    """The sheets of the workbook at ``path``, read in the reader process (see the module)."""
    global _reader, _unavailable, _asked
    full = str(Path(path).resolve())  # the reader has its own working folder: it is given the full path
    with _lock:
        if _in_process_only():
            return _in_process(path, display, kind, limits, seconds)
        asked, _asked = _asked, None
        ready = _reader is not None and asked == (full, kind, limits)  # handed this file by prestart
        if asked is not None and not ready and _reader is not None:
            _reader.stop()  # it reads another file: its answer is not waited for
        if not ready and (_reader is None or not _reader.alive() or _reader.memory_mb != limits.memory):
            if _reader is not None:
                _reader.stop()
            try:
                _reader = _Reader(limits.memory)
            except OSError:
                _unavailable = True
                return _in_process(path, display, kind, limits, seconds)
        assert _reader is not None
        # calamine may parse a big .xlsx while it is scanned (read.early); a reader that dies of that
        # reads it again the plain way.
        started = time.monotonic()
        if ready:
            status, value = _reader.reply(limits, seconds)
        else:
            status, value = _reader.read(full, kind, limits, seconds, early=True)
        if _reader.died and may_have_started(str(path), kind):
            _reader = _Reader(limits.memory)
            left = max(seconds - (time.monotonic() - started), 0.1)
            status, value = _reader.read(full, kind, limits, left)
        if not _reader.alive():
            _reader = None
    return _answer((status, value), display)


def _answer(reply: tuple[str, Any], display: str) -> list[SheetData]:
    status, value = reply
    if status == "ok":
        return value  # type: ignore[no-any-return]
    code, params = value
    raise InputError(code, display, **params)


def prestart(inputs: Iterable[Path | str] | None) -> None:
    """When ``inputs`` is one workbook, start reading it in the reader process now: the reader loads
    Python and calamine and parses the workbook while the command loads pandas and the rest, about
    0.4 s sooner; :func:`read_isolated` then takes its answer. Nothing happens for other inputs (a
    folder's files are read by a pool of workers) or where workbooks are read in process."""
    from procdata.read.files import kind_of

    global _reader, _asked
    paths = [Path(path) for path in inputs or ()]
    if len(paths) != 1 or not paths[0].is_file():  # (a pipe would never open)
        return
    try:
        with paths[0].open("rb") as handle:
            kind = kind_of(paths[0], handle.read(8))
    except OSError:
        return  # reading it says why
    with _lock:
        if kind not in ("zip", "cfb") or _in_process_only():
            return
        limits = current()
        path = str(paths[0].resolve())
        if _asked == (path, kind, limits) and _reader is not None and _reader.alive():
            return  # asked already (procdata.cli.main, before the options were parsed)
        try:
            if _reader is None or not _reader.alive() or _reader.memory_mb != limits.memory:
                _reader = _Reader(limits.memory)
        except OSError:
            return  # read_isolated finds out again and reads in process
        if _reader.ask(path, kind, limits, limits.seconds, early=True):
            _asked = (path, kind, limits)


def _in_process_only() -> bool:
    """Whether workbooks are read in this process: no reader can be started, or asked not to."""
    return _unavailable or not sys.executable or bool(os.environ.get("PROCDATA_READ_IN_PROCESS"))


def _in_process(path: Path, display: str, kind: str, limits: Limits, seconds: float) -> list[SheetData]:
    try:
        return read_workbook(str(path), kind, limits, seconds)
    except InputError as error:
        raise InputError(error.code, display, **{k: v for k, v in error.params.items() if k != "file"}) from None


def _forget_reader() -> None:
    """In a process forked from this one (a worker of ``read.run``'s pool): no reader yet. The
    parent's reader talks to the parent; the child starts its own when it needs one."""
    global _reader, _lock, _asked
    _reader = None
    _asked = None
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_reader)


@atexit.register
def _stop_reader() -> None:
    if _reader is None:
        return
    if _asked is None and _reader.alive():  # idle: it exits when its input ends
        _reader.release()
    else:  # handed a workbook whose answer was never taken: stopped, not left reading, and not waited
        _reader.stop(wait=0)  # for (busy reading, it would not see its input close)

"""Messages between the command and its reader process (:mod:`procdata.read.sandbox`): a length,
then a pickle, on a pipe; a reply's big buffers (a sheet's Arrow columns) through a file in shared
memory that the command maps, private to the user and never left behind.
"""

from __future__ import annotations

import contextlib
import glob
import mmap
import os
import pickle
import struct
import tempfile
from typing import IO, Any

_LENGTH = struct.Struct("<Q")
_SHARED = "/dev/shm"  # memory shared between processes (Linux): the reader's replies spill there


def spill_prefix(pid: int) -> str | None:
    """How the files of the reader process ``pid``'s replies start (a random part and ".reply" follow),
    or None where there is no shared memory folder (the reply then goes down the pipe whole)."""
    if not (os.path.isdir(_SHARED) and os.access(_SHARED, os.W_OK)):
        return None
    return f"{_SHARED}/procdata-reader-{pid}-"


def remove_spilled(prefix: str) -> None:
    """Remove the reply files that start with ``prefix`` (ours: a reply cut off or never taken)."""
    for path in glob.glob(glob.escape(prefix) + "*.reply"):
        with contextlib.suppress(OSError):
            os.unlink(path)


def remove_stale() -> None:
    """Remove the reply files of readers that are gone: a command killed with its reader (a kill of
    the whole process group) leaves the reply it had not yet mapped, which nothing else would remove.
    Only this user's files, of processes that no longer run."""
    if spill_prefix(0) is None:
        return
    for path in glob.glob(f"{_SHARED}/procdata-reader-*-*.reply"):
        pid = os.path.basename(path).split("-")[2]
        try:
            if not pid.isdigit() or os.stat(path).st_uid != os.getuid() or _alive(int(pid)):
                continue
            os.unlink(path)
        except OSError:
            continue


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def send(stream: IO[bytes], value: Any, spill: str | None = None) -> None:
    """One message on a pipe: its length, then its pickle.

    With ``spill`` (how a file in shared memory is to start), the pickle's big buffers (a sheet's Arrow
    columns) are written to a new file of this user's alone (``mkstemp``: a random name, mode 0600,
    never through a link another user left) and only the rest goes down the pipe: the receiver maps
    the file instead of copying some 80 MB through a pipe 64 KB at a time (0.08 s instead of 0.28 s
    for the columns of a 100,000-row workbook). Where the file cannot be written (no room), the whole
    pickle is sent."""
    buffers: list[pickle.PickleBuffer] = []
    body = pickle.dumps(value, protocol=5, buffer_callback=buffers.append if spill else None)
    spilled: tuple[str, list[int]] | None = None
    if spill and buffers:
        path = None
        try:
            raws = [buffer.raw() for buffer in buffers]
            if not sum(raw.nbytes for raw in raws):
                raise BufferError  # nothing to map
            handle, path = tempfile.mkstemp(prefix=os.path.basename(spill), suffix=".reply", dir=os.path.dirname(spill))
            with os.fdopen(handle, "wb") as out:
                for raw in raws:
                    out.write(raw)
            spilled = (path, [raw.nbytes for raw in raws])
        except (OSError, BufferError):
            if path is not None:
                with contextlib.suppress(OSError):
                    os.unlink(path)
            body = pickle.dumps(value, protocol=5)
    head = pickle.dumps(spilled, protocol=5)
    try:
        stream.write(_LENGTH.pack(len(head)))
        stream.write(head)
        stream.write(_LENGTH.pack(len(body)))
        stream.write(body)
        stream.flush()
    except BaseException:
        if spilled is not None:  # the message did not get through (the command is gone): nobody will map it
            with contextlib.suppress(OSError):
                os.unlink(spilled[0])
        raise


def receive(stream: IO[bytes]) -> Any:
    """The next message on a pipe (EOFError when the other end is gone); a spilled file is mapped and
    removed at once (the mapping keeps its pages while the values use them)."""
    head = _read(stream)
    body = _read(stream)
    # From our own reader process: pickles it made, never the file's bytes.
    spilled = pickle.loads(head)
    if spilled is None:
        return pickle.loads(body)
    path, sizes = spilled
    try:
        with open(path, "rb") as handle:
            mapped = memoryview(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ))
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
    buffers, at = [], 0
    for size in sizes:
        buffers.append(mapped[at : at + size])
        at += size
    return pickle.loads(body, buffers=buffers)


def _read(stream: IO[bytes]) -> bytes:
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        raise EOFError
    size = _LENGTH.unpack(head)[0]
    body = stream.read(size)
    if len(body) < size:
        raise EOFError
    return body

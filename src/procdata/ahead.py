"""Work made a few items ahead on threads and handed back in order.

Writing a report or a table is a loop of slices: each slice's text is built by
Arrow's kernels, which run without Python's lock, then written. :func:`in_order`
builds the next slices on threads while the one before is written, so that a
long write uses both cores of an office machine; what it gives is what the plain
loop gives, in the same order (``tests/test_ahead.py``, and the writers' own
tests, which compare the bytes).

:class:`Ahead` does the same for the items of an iterator that must be made one
after the other (the chunks of a long table, each read after the one before): a
thread of its own makes them, one ahead of the one in use.
"""

from __future__ import annotations

import contextlib
import itertools
import queue
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    # Named in an annotation only: a long table's reading starts from read.stream before the rest of
    # the command is loaded, and needs no thread pool.
    from concurrent.futures import Future

Item = TypeVar("Item")
Made = TypeVar("Made")

THREADS = 2  # items made at once besides the one being used: the office machine's two cores


def in_order(func: Callable[[Item], Made], items: Iterable[Item], threads: int = THREADS) -> Iterator[Made]:
    """``func`` of each item, in the items' order, up to ``threads`` of them made at once on threads
    while the one before is used. A single item is made here, with no thread. Memory: ``threads``
    results besides the one in use. An error of ``func`` is raised where its item's result would be."""
    items = iter(items)
    head = list(itertools.islice(items, 2))
    if len(head) < 2:
        yield from map(func, head)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=threads) as pool:
        pending: deque[Future[Made]] = deque()
        for item in itertools.chain(head, items):
            pending.append(pool.submit(func, item))
            if len(pending) > threads:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


class Ahead(Generic[Item]):
    """The items of ``items`` made on a thread of its own from the moment this is made, and never
    more than ``ahead`` of them made (or being made) besides the one in use: the CSV is parsed while
    the chunk before is normalized, and a chunk is normalized while the one before is checked or
    written. What it gives is what ``items`` gives, in its order; an error of ``items`` is raised
    where its next item would be (``tests/test_ahead.py``).

    ``ahead`` is what the thread may hold when its items are used more slowly than they are made: a
    chunk of a long table each, some 250 MB at 200,000 rows. ``start`` more may be made before the
    first is used (a reader started before the command has loaded its modules reads the first chunks
    meanwhile), and are not made again once used."""

    def __init__(self, items: Iterator[Item], name: str = "procdata-ahead", ahead: int = 2, start: int = 0) -> None:
        self._waiting: queue.Queue[tuple[str, object]] = queue.Queue()
        self._room = threading.Semaphore(ahead + start)  # taken before an item is made, given back when one is used
        self._head_start = start
        self._stop = threading.Event()
        self._maker = threading.Thread(target=self._make, args=(items,), name=name, daemon=True)
        self._maker.start()

    def _make(self, items: Iterator[Item]) -> None:
        try:
            while True:
                while not self._room.acquire(timeout=0.1):
                    if self._stop.is_set():
                        return
                if self._stop.is_set():
                    return
                try:
                    item = next(items)
                except StopIteration:
                    break
                self._waiting.put(("item", item))
            self._waiting.put(("end", None))
        except BaseException as error:  # handed to the user of the items, who raises it
            self._waiting.put(("error", error))
        finally:
            # A generator left unfinished is closed here, on the thread that runs it, so that what it
            # holds open (a file, a reading of its own) is let go now.
            close = getattr(items, "close", None)
            if close is not None:
                close()

    def __iter__(self) -> Iterator[Item]:
        try:
            while True:
                kind, value = self._waiting.get()
                if kind == "end":
                    return
                if kind == "error":
                    raise value  # type: ignore[misc]
                if self._head_start:
                    self._head_start -= 1
                else:
                    self._room.release()  # the next may be made while this one is used
                yield value  # type: ignore[misc]
        finally:
            self.close()

    def close(self) -> None:
        """Stop making items: the one being made is finished, so that the thread does not outlive what it reads."""
        self._stop.set()
        if sys.is_finalizing():  # a reading left open until Python's end: its thread ends with the process
            return
        while self._maker.is_alive():
            with contextlib.suppress(queue.Empty):
                self._waiting.get(timeout=0.1)
        self._maker.join()

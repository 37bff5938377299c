"""Work made a few items ahead on threads and handed back in order.

Writing a report or a table is a loop of slices: each slice's text is built by
Arrow's kernels, which run without Python's lock, then written. :func:`in_order`
builds the next slices on threads while the one before is written, so that a
long write uses both cores of an office machine; what it gives is what the plain
loop gives, in the same order (``tests/test_ahead.py``, and the writers' own
tests, which compare the bytes).
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from typing import TypeVar

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

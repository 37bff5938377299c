"""``procdata.ahead``: what the plain loop gives, in its order, with items made ahead on threads
(``in_order``: a few at once; ``Ahead``: an iterator's items one after the other, on a thread of its own)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from procdata.ahead import Ahead, in_order


@pytest.mark.parametrize("count", [0, 1, 2, 3, 7, 50])
def test_each_item_in_order_as_the_plain_loop_gives_it(count: int) -> None:
    def slow(n: int) -> int:
        time.sleep(0.002 * ((n * 7) % 5))  # later items often done first
        return n * n

    assert list(in_order(slow, range(count))) == [n * n for n in range(count)]


def test_one_item_is_made_here_and_more_on_threads() -> None:
    where: list[str] = []

    def name(_: int) -> None:
        where.append(threading.current_thread().name)

    list(in_order(name, [1]))
    assert where == [threading.current_thread().name]
    where.clear()
    list(in_order(name, range(6)))
    assert len(where) == 6 and threading.current_thread().name not in where


def test_no_more_than_the_threads_are_made_ahead_of_the_one_in_use() -> None:
    made: list[int] = []
    items = in_order(lambda n: made.append(n) or n, range(100), threads=2)
    for used in items:
        time.sleep(0.001)
        assert max(made) <= used + 2


def test_an_error_is_raised_where_its_item_would_be() -> None:
    def fail_at_three(n: int) -> int:
        if n == 3:
            raise ValueError("three")
        return n

    got = []
    with pytest.raises(ValueError, match="three"):
        for value in in_order(fail_at_three, range(10)):
            got.append(value)
    assert got == [0, 1, 2]


def _counted(count: int, made: list[int], fail_at: int | None = None) -> Iterator[int]:
    """0 .. count-1, each noted in ``made`` as it is made; ``fail_at`` raises instead of that item."""
    for n in range(count):
        if n == fail_at:
            raise ValueError(f"at {n}")
        time.sleep(0.001 * ((n * 7) % 3))
        made.append(n)
        yield n


@pytest.mark.parametrize("count", [0, 1, 2, 5, 40])
def test_ahead_gives_the_items_in_their_order_made_on_a_thread_of_its_own(count: int) -> None:
    where: list[str] = []

    def items() -> Iterator[int]:
        for n in range(count):
            where.append(threading.current_thread().name)
            yield n

    assert list(Ahead(items(), "maker")) == list(range(count))
    assert set(where) <= {"maker"}


def test_ahead_makes_no_more_than_one_item_ahead_of_the_one_in_use() -> None:
    made: list[int] = []
    for used in Ahead(_counted(60, made)):
        time.sleep(0.002)  # the maker has time to run ahead, if it could
        # the item in use, one waiting, and one made but not yet handed over
        assert max(made) <= used + 2


def test_ahead_of_one_makes_the_next_item_only_while_one_is_in_use() -> None:
    made: list[int] = []
    for used in Ahead(_counted(60, made), ahead=1):
        time.sleep(0.002)
        assert max(made) <= used + 1  # the item in use, and the next one made or being made


def test_a_head_start_is_made_before_the_first_item_is_used_and_not_again() -> None:
    made: list[int] = []
    ahead = Ahead(_counted(60, made), ahead=1, start=1)
    deadline = time.monotonic() + 5
    while len(made) < 2 and time.monotonic() < deadline:  # the command loading its modules
        time.sleep(0.001)
    time.sleep(0.02)
    assert made == [0, 1]  # two made before any is used, and no more
    for used in ahead:
        time.sleep(0.002)
        assert max(made) <= used + 1 + (used == 0)
    assert made == list(range(60))


def test_ahead_raises_an_error_of_the_items_where_the_next_item_would_be() -> None:
    got: list[int] = []
    with pytest.raises(ValueError, match="at 4"):
        for value in Ahead(_counted(10, [], fail_at=4)):
            got.append(value)
    assert got == [0, 1, 2, 3]


def test_ahead_stopped_early_closes_its_items_on_their_thread_and_ends_that_thread() -> None:
    closed: list[str] = []

    def items() -> Iterator[int]:
        try:
            yield from range(1000)
        finally:
            closed.append(threading.current_thread().name)

    ahead = Ahead(items(), "maker")
    for value in ahead:
        if value == 3:
            break
    assert closed == ["maker"]  # let go by its own thread (a generator cannot be closed from another)
    assert not any(thread.name == "maker" for thread in threading.enumerate())


def test_an_error_while_the_items_are_used_stops_the_maker() -> None:
    made: list[int] = []
    with pytest.raises(KeyError):
        for value in Ahead(_counted(1000, made), "maker"):
            if value == 2:
                raise KeyError(value)
    assert max(made) <= 4
    assert not any(thread.name == "maker" for thread in threading.enumerate())

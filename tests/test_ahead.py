"""``procdata.ahead.in_order``: what the plain loop gives, in its order, a few items made ahead on threads."""

from __future__ import annotations

import threading
import time

import pytest

from procdata.ahead import in_order


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

"""Where an import's time goes: read, validate, pinyin keys, insert, digest.

A county server loads whole counties, a desk a township: `installer/dev.sh bench roster` prints
these stages so a slow step is seen by name, not guessed at. Costs two clock reads a row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from time import perf_counter
from typing import TypeVar

T = TypeVar("T")


class Stages:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = perf_counter()
        try:
            yield
        finally:
            self.add(name, perf_counter() - start)

    def timed(self, name: str, items: Iterable[T]) -> Iterator[T]:
        """The items, with the time spent producing them (reading the file) added to `name`."""
        it = iter(items)
        spent = 0.0
        try:
            while True:
                start = perf_counter()
                try:
                    item = next(it)
                except StopIteration:
                    return
                finally:
                    spent += perf_counter() - start
                yield item
        finally:
            self.add(name, spent)

    def rounded(self) -> tuple[tuple[str, float], ...]:
        return tuple((name, round(s, 3)) for name, s in self.seconds.items())

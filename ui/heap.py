"""Keep Python's garbage collector away from the roster.

A 100,000-person roster and its in-memory search index are ~670,000 objects that live all day.
Every full collection scans them all (measured here: ~420 ms, holding the GIL, so the GUI
thread stops with it), and while an import builds them they set off one full collection after
another: half of a 16 s import, and the longest GUI stalls of it. Building them leaves no
cyclic garbage at all (measured: gc.collect() found 0 unreachable objects afterwards).

So that work runs with automatic collection off and ends with gc.freeze(), which moves what
exists to a generation the collector never scans again; reference counting still frees it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def long_lived_objects() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    except BaseException:
        if enabled:
            gc.enable()  # what a failed import leaves behind is garbage: let it be collected
        raise
    gc.freeze()
    if enabled:
        gc.enable()


def warm_search_index(desk: object) -> None:
    """Build the roster's search index before the first keystroke needs it (on the database
    worker), and keep the collector off it for the rest of the day."""
    with long_lived_objects():
        desk.roster.index()  # type: ignore[attr-defined]


"""Keep Python's garbage collector away from the roster.

A 100,000-person roster and its in-memory search index are ~670,000 objects that live all day.
While an import builds them they set off one full collection after another (measured: about
half of a 16 s import), and every later full collection scans them all (~420 ms holding the GIL:
the desk's window freezes with it). Building them leaves no cyclic garbage (gc.collect() found
0 unreachable objects afterwards), so that work runs with automatic collection off and ends with
gc.freeze(), which moves what exists to a generation the collector never scans again;
reference counting still frees it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from app.storage.batches import short_gil_turns


@contextmanager
def long_lived_objects() -> Iterator[None]:
    """The roster built with the collector off, then frozen; and with short GIL turns, so the
    window and the searches typed meanwhile are not kept waiting (app/storage/batches.py)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        with short_gil_turns():
            yield
    except BaseException:
        if enabled:
            gc.enable()  # what a failed import leaves behind is garbage: let it be collected
        raise
    gc.freeze()
    if enabled:
        gc.enable()

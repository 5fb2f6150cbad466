"""While the roster or its search index is built, other threads get the GIL in short turns;
the switch interval is put back when the last such job ends, whatever order they end in."""

from __future__ import annotations

import sys
import threading

import pytest

from app.services.roster.heap import long_lived_objects
from app.storage.batches import SHORT_TURN_S, short_gil_turns


def test_overlapping_jobs_put_the_interval_back_only_when_the_last_ends() -> None:
    before = sys.getswitchinterval()
    assert before != pytest.approx(SHORT_TURN_S)
    index_built, import_may_end = threading.Event(), threading.Event()

    def an_import() -> None:  # starts while the index builds, ends after it
        with short_gil_turns():
            index_built.wait(10)
            assert sys.getswitchinterval() == pytest.approx(SHORT_TURN_S)  # the index build's end left it short
            import_may_end.set()

    with long_lived_objects():  # the index build
        assert sys.getswitchinterval() == pytest.approx(SHORT_TURN_S)
        other = threading.Thread(target=an_import)
        other.start()
    index_built.set()
    assert import_may_end.wait(10)
    other.join(10)
    assert sys.getswitchinterval() == before


def test_a_failed_build_puts_the_interval_back() -> None:
    before = sys.getswitchinterval()
    with pytest.raises(RuntimeError), long_lived_objects():
        raise RuntimeError("the roster file was unreadable")
    assert sys.getswitchinterval() == before

"""The 「培训」 mark on every paper printed from the practice village (app/training.py).

Receipts carry it in their ReceiptContext; PDFs get it from the report being built inside
`marked(...)`: a context variable, so the mark belongs to that one build (its thread and call),
never to the process, and a real village's report built beside it is never marked.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

TEXT = "【培训】练习用，不是正式凭证"
_MARK: ContextVar[bool] = ContextVar("training_mark", default=False)


@contextmanager
def marked(on: bool) -> Iterator[None]:
    token = _MARK.set(on)
    try:
        yield
    finally:
        _MARK.reset(token)


def current() -> str:
    return TEXT if _MARK.get() else ""

"""Warm the roster's search index off the GUI thread before the first keystroke needs it.

The roster service keeps the garbage collector off the index (app/services/roster/heap.py).
"""

from __future__ import annotations

from app.services.desk import Desk


def warm_search_index(desk: Desk) -> None:
    desk.roster.index()

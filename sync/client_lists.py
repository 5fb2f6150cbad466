"""What the desk's sync client does with the tax office's lists the county sends down (issue 25):
each goes through the desk's own door service, so a list from the county and a file loaded at the
desk meet one row rule (app/services/debit_lists.py)."""

from __future__ import annotations

from typing import Any

from app.services.desk import Desk
from sync import protocol as p


def apply_debit_lists(desk: Desk, lists: list[p.DebitListChange]) -> list[dict[str, Any]]:
    """The tax office's lists the county sent down, through the desk's own row checks (each list
    once: a list already journalled is taken as held)."""
    out = []
    for x in lists:
        taken, rejected = desk.door.import_county_list(x.id, list_kind=x.list_kind, day=x.day, file=x.file,
                                                       sha256=x.sha256, marks=[r.model_dump() for r in x.rows],
                                                       signature=x.signature)
        out.append({"id": x.id, "kind": x.list_kind, "taken": taken, "rejected": [str(r) for r in rejected]})
    return out

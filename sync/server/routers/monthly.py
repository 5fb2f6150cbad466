"""GET /staff/monthly/{township_code}: what the township counts each month (seed 004 镇级4、5),
for a county account or the township's own (issue 25); computed by sync/server/monthly.py."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from sync import protocol as p
from sync.server import monthly
from sync.server.core import ServerRefusal
from sync.server.deps import DB, CurrentStaff
from sync.server.routers.refusals import REFUSALS

router = APIRouter(prefix=f"{p.API}/staff", tags=["staff"], responses=REFUSALS)


@router.get("/monthly/{township_code}")
def township_monthly(s: DB, staff: CurrentStaff,
                     township_code: Annotated[str, Path(pattern=r"^\d{9}$")],
                     month: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")],
                     year: Annotated[int, Query(ge=2000, le=2100, description="benefit year")]) -> dict[str, Any]:
    """Payers and amounts per tier, the subsidy per category, the special groups and 到龄, for the
    villages of one township; ID numbers masked."""
    try:
        first = date(int(month[:4]), int(month[5:]), 1)
    except ValueError:
        raise ServerRefusal(400, "bad_month", f"月份「{month}」应为 YYYY-MM，如 2026-11") from None
    return monthly.township_counts(s, staff, township_code, first, year).to_json()

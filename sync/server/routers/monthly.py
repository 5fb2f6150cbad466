"""GET /staff/monthly/{township_code}: what the township counts each month (seed 004 镇级4、5),
for a county account or the township's own (issue 25); computed by sync/server/monthly.py, as
JSON for the /monthly page and as the desk's own workbook (.xlsx). GET /staff/places: the
townships and villages the account may see, by name, and the benefit years the county
configured, for the pages to name places and offer a choice."""

from __future__ import annotations

import io
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from sqlmodel import col, select

from app.domain.config import load_config_text
from sync import protocol as p
from sync.server import models as m
from sync.server import monthly
from sync.server.core import ServerRefusal
from sync.server.deps import DB, CurrentStaff
from sync.server.routers.refusals import REFUSALS
from sync.server.staff import visible_villages

router = APIRouter(prefix=f"{p.API}/staff", tags=["staff"], responses=REFUSALS)
TownshipCode = Annotated[str, Path(pattern=r"^\d{9}$")]
Month = Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")]
BenefitYear = Annotated[int, Query(ge=2000, le=2100, description="benefit year")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _first(month: str) -> date:
    try:
        return date(int(month[:4]), int(month[5:]), 1)
    except ValueError:
        raise ServerRefusal(400, "bad_month", f"月份「{month}」应为 YYYY-MM，如 2026-11") from None


@router.get("/places")
def places(s: DB, staff: CurrentStaff) -> dict[str, Any]:
    """{"townships": {code: name}, "villages": {code: name}, "years": [{year, start, end}]}: the
    places the account may see ("" when the county loaded no name), the configured benefit years
    with their collection windows (none before a configuration is loaded)."""
    villages = visible_villages(s, staff)
    codes = sorted({v.township_code for v in villages} | ({staff.township_code} if staff.township_code else set()))
    named = {t.code: t.name for t in s.exec(select(m.Township).where(col(m.Township.code).in_(codes))).all()}
    newest = s.exec(select(m.CountyConfigVersion).order_by(col(m.CountyConfigVersion.id).desc())).first()
    years = [] if newest is None else [
        {"year": y.year, "start": y.window_start.isoformat(), "end": y.window_end.isoformat()}
        for y in sorted(load_config_text(newest.text).years.values(), key=lambda y: y.year)]
    return {"townships": {c: named.get(c, "") for c in codes}, "villages": {v.code: v.name for v in villages},
            "years": years}


# Before the JSON route: its {township_code} would take "341824100.xlsx" and refuse it.
@router.get("/monthly/{township_code}.xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}})
def township_monthly_xlsx(s: DB, staff: CurrentStaff, township_code: TownshipCode, month: Month,
                          year: BenefitYear) -> Response:
    """The same counts as the desk's workbook, titled with the township's name."""
    from app.services.monthly import workbook

    counts = monthly.township_counts(s, staff, township_code, _first(month), year)
    town = s.get(m.Township, township_code)
    out = io.BytesIO()
    workbook(counts, village=(town.name if town and town.name else f"乡镇{township_code}")).save(out)
    name = f"月度统计-{township_code}-{month}-{year}年度.xlsx"
    return Response(out.getvalue(), media_type=XLSX,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


@router.get("/monthly/{township_code}")
def township_monthly(s: DB, staff: CurrentStaff, township_code: TownshipCode, month: Month,
                     year: BenefitYear) -> dict[str, Any]:
    """Payers and amounts per tier, the subsidy per category, the special groups and 到龄, the
    续费率 by age band, for the villages of one township; ID numbers masked."""
    return monthly.township_counts(s, staff, township_code, _first(month), year).to_json()

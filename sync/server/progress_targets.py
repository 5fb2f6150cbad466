"""The county's targets for progress and the names of its places (issue 24): which 参保率 and
续费率 a village, a township or the county is measured against (`ProgressTarget`, the newest row
of each scope and measure for a year, else the seeds' figures), and the 区划 list that names
townships and villages. Split from progress.py, which counts what the targets are compared with."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, col, select

from sync.server import models as m
from sync.server.core import ServerRefusal
from sync.server.db import among
from sync.server.progress import DEFAULT_TARGETS, MEASURES


def targets_for(s: Session, year: int) -> dict[str, dict[str, float]]:
    """scope -> measure -> percent in force for `year` (the newest row of each)."""
    out: dict[str, dict[str, float]] = {}
    for t in s.exec(select(m.ProgressTarget).where(m.ProgressTarget.year == year).order_by(col(m.ProgressTarget.id))).all():
        out.setdefault(t.scope, {})[t.measure] = t.percent_x100 / 100
    return out


def target_of(targets: dict[str, dict[str, float]], village_code: str) -> dict[str, float]:
    """The village's own target, else its township's, else the county's, else the default."""
    found = dict(DEFAULT_TARGETS)
    for scope in ("", village_code[:9], village_code):
        found.update(targets.get(scope, {}))
    return found


def set_target(s: Session, year: int, measure: str, percent: float, scope: str = "") -> m.ProgressTarget:
    if measure not in MEASURES:
        raise ServerRefusal(400, "bad_target", f"没有指标「{measure[:20]}」（可选：{'、'.join(MEASURES)}）")
    if not 0 < percent <= 100:
        raise ServerRefusal(400, "bad_target", f"目标 {percent} 不在 0–100% 之间")
    if scope and not (scope.isdigit() and len(scope) in (9, 12)):
        raise ServerRefusal(400, "bad_target", f"「{scope[:20]}」不是9位乡镇代码或12位村代码")
    if not 2000 <= year <= 2100:
        raise ServerRefusal(400, "bad_target", f"缴费年度 {year} 不对")
    if scope and not _known_place(s, scope):  # a mistyped code would be a target nothing ever meets
        raise ServerRefusal(400, "bad_target", f"县里没有代码为 {scope} 的{'乡镇' if len(scope) == 9 else '村'}"
                                               "（先用 places load 载入区划名称，或等该村的清册下发）")
    row = m.ProgressTarget(year=year, scope=scope, measure=measure, percent_x100=round(percent * 100),
                         set_at=datetime.now(UTC))
    s.add(row)
    return row


def _known_place(s: Session, code: str) -> bool:
    if len(code) == 9:
        return (s.get(m.Township, code) is not None
                or s.exec(select(m.Village.code).where(m.Village.township_code == code).limit(1)).first() is not None)
    return s.get(m.Village, code) is not None


def load_places(s: Session, lines: list[list[str]]) -> tuple[int, int]:
    """The county's 区划 list, rows of (代码, 名称): 9 digits a township, 12 digits a village.
    Returns (townships, villages) named. A bad row refuses the file, naming the row."""
    from sync.server.devices import ensure_village

    named = [0, 0]
    for number, cells in enumerate(lines, start=1):
        if not cells or not "".join(cells).strip() or (number == 1 and not cells[0].strip().isdigit()):
            continue  # blank lines and the header
        code, name = cells[0].strip(), (cells[1].strip() if len(cells) > 1 else "")
        if not name or not code.isdigit() or len(code) not in (9, 12):
            raise ServerRefusal(400, "bad_places", f"第{number}行：应为 9位乡镇代码或12位村代码, 名称（读到「{code[:20]}」）")
        if len(code) == 9:
            row = s.get(m.Township, code) or m.Township(code=code)
            row.name = name
            s.add(row)
            named[0] += 1
        else:
            ensure_village(s, code).name = name
            named[1] += 1
    return named[0], named[1]


def township_names(s: Session, codes: set[str]) -> dict[str, str]:
    return {t.code: t.name for t in s.exec(select(m.Township).where(among(s, col(m.Township.code), codes))).all()}

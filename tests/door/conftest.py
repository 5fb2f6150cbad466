"""A village with a grid member (网格员) and the 第二村民小组 given to them."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from app.domain.records import Role, UserInfo
from app.services.desk import Desk
from tests.conftest import HEAD_PIN

GRID_NAME, GRID_PIN = "周网格", "2468"


@pytest.fixture
def grid(desk: Desk) -> UserInfo:
    head = desk.users.authenticate("王村长", HEAD_PIN, roles=(Role.HEAD,))
    desk.users.add(GRID_NAME, "grid", GRID_PIN, by=head)
    desk.door.assign(head, member=GRID_NAME, group="第一村民小组")
    return desk.users.authenticate(GRID_NAME, GRID_PIN)


def write_list(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    """A tax office list as a .csv: ID, name, the day of the failed debit, the bank's words."""
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(["某县税务局批量扣款失败明细"])
        w.writerow(["序号", "身份证号码", "姓名", "扣款日期", "失败原因"])
        for n, row in enumerate(rows, 1):
            w.writerow([n, *row])
    return path


def day(text: str) -> date:
    return date.fromisoformat(text)

"""A long roster import reports how far it got, and 取消 leaves the roster as it was."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.services.desk import Desk
from tests.factories import VILLAGE, ZHANG, Resident, make_id, signed_agent, write_roster


class Cancelled(Exception):
    pass


def _big_roster(tmp_path: Path, n: int = 1200) -> Path:
    people = [Resident(make_id(date(1950 + i % 50, 1 + i % 12, 1 + i % 28), (i // 600) % 100), "张三",
                       pension_tier=None, household=f"{i:05d}") for i in range(n)]
    return write_roster(tmp_path / "big.csv", people)


def test_import_reports_progress_as_rows_are_read(desk: Desk, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    result = desk.roster.import_file(_big_roster(tmp_path), progress=lambda d, t: seen.append((d, t)), by=signed_agent(desk))
    assert result.imported == 1200
    assert [d for d, _ in seen[:-1]] == sorted(d for d, _ in seen[:-1]) and len(seen) >= 3
    assert seen[-1] == (1200, 1200)  # rows checked, just before they are written


def test_cancelling_midway_writes_nothing(desk: Desk, tmp_path: Path) -> None:
    desk.roster.import_file(write_roster(tmp_path / "first.csv", VILLAGE), by=signed_agent(desk))
    before = [p.id_number for p in desk.roster.search("张三丰")]
    assert before == [ZHANG.id_number]

    def cancel_at_500(done: int, total: int) -> None:
        if done >= 500:
            raise Cancelled

    with pytest.raises(Cancelled):
        desk.roster.import_file(_big_roster(tmp_path), progress=cancel_at_500, by=signed_agent(desk))
    assert all(p.name != "张三" for p in desk.roster.search("张三"))  # none of the big file
    assert [p.id_number for p in desk.roster.search("张三丰")] == before

"""Door-to-door rows edited with the sqlite3 shell are caught by verify: a visit's outcome
changed, a failed debit slipped in, a reason's row deleted; and the rows refuse UPDATE/DELETE."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.domain.records import UserInfo
from app.services.desk import Desk
from app.storage.db import DB_FILENAME
from tests.conftest import AGENT_PIN
from tests.door.conftest import day, write_list
from tests.factories import ZHANG, ZHANG_WIFE, edit_file


@pytest.fixture
def recorded(desk: Desk, grid: UserInfo, tmp_path: Path) -> Path:
    agent = desk.users.authenticate("李代收", AGENT_PIN)
    desk.door.import_debit_list(agent, write_list(tmp_path / "f.csv", [(ZHANG_WIFE.id_number, ZHANG_WIFE.name,
                                                                        "2026-11-19", "余额不足")]),
                                list_kind="failed", day=day("2026-11-20"))
    desk.door.record_reason(grid, ZHANG.id_number, 2027, "外出务工")
    desk.door.record_visit(grid, ZHANG.id_number, 2027, outcome="电话已通知")
    assert desk.verify().ok
    return desk.home / DB_FILENAME


def test_the_rows_refuse_update_and_delete(recorded: Path) -> None:
    for sql in ("UPDATE door_visit SET outcome = '已缴'", "DELETE FROM unpaid_reason", "DELETE FROM debit_mark"):
        with pytest.raises(sqlite3.IntegrityError, match="账本记录不可修改或删除"):
            edit_file(recorded, sql)


@pytest.mark.parametrize(("statements", "said"), [
    (("DROP TRIGGER door_visit_no_update", "UPDATE door_visit SET outcome = '已缴清'"), "走访表与日志第"),
    (("DROP TRIGGER unpaid_reason_no_delete", "DELETE FROM unpaid_reason"), "未缴原因表与日志第"),
    (("INSERT INTO debit_mark (journal_seq, row_no, list_kind, id_number, on_day, detail) "
      f"SELECT journal_seq, 2, 'failed', '{ZHANG.id_number}', '2026-11-01', '' FROM debit_mark",), "税务名单表与日志第"),
    (("INSERT INTO door_visit (journal_seq, id_number, year, visited_on, visitor, outcome, next_step) "
      f"VALUES (1, '{ZHANG.id_number}', 2027, '2026-11-20', '周网格', '假走访', NULL)",), "走访表有日志中没有的记录"),
])
def test_an_edit_is_caught(desk: Desk, recorded: Path, statements: tuple[str, ...], said: str) -> None:
    edit_file(recorded, *statements)
    result = desk.verify()
    assert not result.ok and said in str(result.reason), result

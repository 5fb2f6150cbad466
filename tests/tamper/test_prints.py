"""Every print of a receipt is journalled, so a copy (补打) — a second paper receipt for the same
cash — cannot be hidden by deleting its row from the print table."""

from __future__ import annotations

from app.domain.records import UserInfo
from app.services.desk import Desk
from tests.core.test_receipts import med
from tests.factories import ZHANG, edit_file


def test_a_hidden_reprint_is_caught(desk: Desk, agent: UserInfo) -> None:
    r = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    assert desk.receipts.record_print(r.number, ok=False, error="缺纸") == 0
    assert desk.receipts.record_print(r.number, ok=True) == 0
    assert desk.receipts.record_print(r.number, ok=True) == 1  # 补打
    assert desk.receipts.get(r.number).prints == 2
    assert desk.verify().ok
    edit_file(desk.db.path, "DROP TRIGGER print_event_no_delete", "DELETE FROM print_event WHERE copy_no = 1")
    result = desk.verify()
    assert not result.ok and f"收据 {r.number} 的打印记录（第 2 次）被删除" in (result.reason or "")


def test_a_print_row_added_by_hand_is_caught(desk: Desk, agent: UserInfo) -> None:
    r = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.receipts.record_print(r.number, ok=True)
    edit_file(desk.db.path, "INSERT INTO print_event (receipt_number, recorded_at, ok, copy_no) "
                            "SELECT receipt_number, recorded_at, ok, 5 FROM print_event")
    result = desk.verify()
    assert not result.ok and "不在日志中" in (result.reason or "")

"""Closing a day as one operation: the day due next, the settlement, its backup, what changed."""

from __future__ import annotations

from pathlib import Path

from app.domain.records import UserInfo
from app.services.backup import BACKUP_DIR_KEY
from app.services.desk import Desk
from app.services.sealing import desk_identities, unseal
from app.storage.verify import verify_database
from tests.core.test_receipts import med
from tests.factories import AYGUL, ZHANG, ZHANG_WIFE, FakeClock


def test_next_day_is_the_oldest_unsettled_then_today_then_nothing(desk: Desk, agent: UserInfo,
                                                                    head: UserInfo, clock: FakeClock) -> None:
    first_day = clock().date()
    nxt = desk.closing.next_day()
    assert (nxt.day, nxt.round_no, nxt.expected_fen, nxt.last_settled) == (first_day, 1, 0, None)
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    clock.next_day()  # the agent forgot to settle yesterday
    nxt = desk.closing.next_day()
    assert (nxt.day, nxt.expected_fen, nxt.receipts) == (first_day, 40000, 1)
    assert "应有现金 ¥400.00" in nxt.heading
    assert "再做一次日结（第2次）" in nxt.later_cash_note  # said before settling
    desk.closing.settle(first_day, agent=agent, head=head, counted_fen=40000)
    nxt = desk.closing.next_day()
    assert (nxt.day, nxt.last_settled) == (clock().date(), first_day)
    desk.closing.settle(clock().date(), agent=agent, head=head, counted_fen=0)
    nxt = desk.closing.next_day()
    assert nxt.day is None and nxt.heading == "今日已日结，没有待日结的现金" and nxt.later_cash_note == ""
    # Cash after today's settlement: today is due again, as its second round.
    desk.receipts.record(agent, [med(AYGUL)], cash_fen=40000)
    nxt = desk.closing.next_day()
    assert (nxt.day, nxt.round_no, nxt.expected_fen) == (clock().date(), 2, 40000)
    assert nxt.heading.startswith("第2次日结：") and "（第3次）" in nxt.later_cash_note


def test_settle_backs_up_to_the_configured_folder_and_says_so(desk: Desk, agent: UserInfo, head: UserInfo,
                                                              clock: FakeClock, tmp_path: Path) -> None:
    desk.setup.set_setting(BACKUP_DIR_KEY, str(tmp_path / "usb"))
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    result = desk.closing.settle(clock().date(), agent=agent, head=head, denominations={10000: 4})
    assert result.backup is not None and result.backup.parent == tmp_path / "usb"
    plain = tmp_path / "opened.sqlite3"  # sealed to this desk's key (tests/core/test_sealing.py)
    unseal(result.backup, plain, desk_identities(desk.home))
    assert verify_database(plain).ok  # the copy holds the settlement just made
    assert result.backup_problem is None
    assert result.summary.startswith(f"{clock().date().isoformat()} 已日结：应有 ¥400.00，清点 ¥400.00")
    assert f"已备份到 {result.backup}" in result.summary


def test_a_failed_backup_never_undoes_the_settlement(desk: Desk, agent: UserInfo, head: UserInfo,
                                                     clock: FakeClock, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the USB folder should be")
    desk.setup.set_setting(BACKUP_DIR_KEY, str(blocker / "usb"))
    desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000)
    result = desk.closing.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    assert result.backup is None and result.backup_problem and "备份" in result.backup_problem
    assert "警告：日结已完成" in result.summary
    assert desk.settlements.get(clock().date()).counted_fen == 40000


def test_no_backup_folder_set_settles_without_a_copy(desk: Desk, agent: UserInfo, head: UserInfo,
                                                      clock: FakeClock) -> None:
    result = desk.closing.settle(clock().date(), agent=agent, head=head, counted_fen=0)
    assert (result.backup, result.backup_problem) == (None, None)
    assert "备份" not in result.summary

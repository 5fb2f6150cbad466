"""After a day is closed a mistake is a refund request (退费申请); old data files upgrade."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from app.domain.records import UserInfo
from app.services import users
from app.services.desk import Desk
from app.services.errors import AuthError, InvalidInput, Refused
from app.storage.db import SCHEMA_VERSION
from tests.conftest import AGENT_PIN, HEAD_PIN
from tests.core.test_receipts import med
from tests.factories import ZHANG, ZHANG_WIFE, FakeClock

V1_FILE = Path(__file__).parent / "data" / "v1-village.sqlite3"


def test_refund_request_only_for_a_closed_day_with_head_confirmation(
        desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock) -> None:
    r = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    with pytest.raises(Refused, match="尚未日结：当天的错误请作废，不走退费"):
        desk.receipts.request_refund(r.number, reason="重复缴费", agent=agent, head=head)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    with pytest.raises(InvalidInput, match="原因必须填写"):
        desk.receipts.request_refund(r.number, reason="", agent=agent, head=head)
    with pytest.raises(Refused, match="需要村委会负责人确认"):
        desk.receipts.request_refund(r.number, reason="重复缴费", agent=agent, head=agent)
    refunded = desk.receipts.request_refund(r.number, reason="微信已缴，重复缴费", agent=agent, head=head)
    assert refunded.refund is not None
    assert (refunded.refund.amount_fen, refunded.refund.head) == (40000, "王村长")
    assert refunded.status == "valid"  # the cash was taken and settled; the county pays it back
    with pytest.raises(Refused, match="已经申请过退费"):
        desk.receipts.request_refund(r.number, reason="再来", agent=agent, head=head)
    assert desk.verify().ok


def test_nobody_is_both_agent_and_head_of_a_refund_and_a_head_not_for_their_own(
        second_head: tuple[Desk, UserInfo], clock: FakeClock) -> None:
    desk, second = second_head
    agent, head = desk.users.authenticate("李代收", AGENT_PIN), desk.users.authenticate("王村长", HEAD_PIN)
    mine = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    with pytest.raises(Refused, match="「王村长」不能既办理又确认同一笔退费申请"):
        desk.receipts.request_refund(mine.number, reason="重复缴费", agent=head, head=head)
    assert desk.receipts.get(mine.number).refund is None
    clock.next_day()
    theirs = desk.receipts.record(head, [med(ZHANG_WIFE)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=head, head=second, counted_fen=40000)
    with pytest.raises(Refused, match="「王村长」亲自收取了其中1张收据，不能确认自己的收据的退费申请"):
        desk.receipts.request_refund(theirs.number, reason="重复缴费", agent=agent, head=head)
    assert desk.receipts.get(theirs.number).refund is None
    assert desk.receipts.request_refund(theirs.number, reason="重复缴费", agent=agent,
                                        head=second).refund is not None


def test_a_voided_receipt_needs_no_refund(desk: Desk, agent: UserInfo, head: UserInfo,
                                          clock: FakeClock) -> None:
    r = desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000)
    desk.receipts.void(r.number, reason="收错人", agent=agent, head=head)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=0)
    with pytest.raises(Refused, match="已经作废，无需退费"):
        desk.receipts.request_refund(r.number, reason="x", agent=agent, head=head)


def test_a_file_saved_by_schema_version_1_upgrades_with_a_backup(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(V1_FILE, home / "daishou.sqlite3")
    assert sqlite3.connect(home / "daishou.sqlite3").execute("PRAGMA user_version").fetchone() == (1,)
    with Desk(home) as desk:
        assert SCHEMA_VERSION == 11
        # v5: the search-only indexes are gone; the one lookups by ID number use is kept.
        # v6: so are the two that a wider index on the same leading columns serves.
        indexes = {r[0] for r in sqlite3.connect(home / "daishou.sqlite3").execute(
            "SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "ix_person_pinyin_full" not in indexes and "ux_due" in indexes
        assert {"ix_receipt_day", "ix_receipt_line_id_number"}.isdisjoint(indexes)
        assert {"ix_receipt_day_seq", "ix_receipt_line_paid"} <= indexes
        assert "ix_due_year" not in indexes  # v9
        assert {"ix_door_visit_year", "ix_debit_mark_id_number"} <= indexes  # v10: door to door
        assert desk.roster.progress().year == 2027  # the newest year, found without it
        assert desk.roster.search("王")  # the roster saved by v1 is still found by name
        # v3: the settlement saved by v1 is the day's first (and only) round.
        assert [st.round_no for st in desk.settlements.all()] == [1]
        receipts = desk.receipts.list()
        assert [(r.number, r.status) for r in receipts] == [
            ("341824100201-01-000001", "valid"), ("341824100201-01-000002", "voided"),
            ("341824100201-01-000003", "valid")]
        assert receipts[0].countersign is not None and receipts[0].refund is None
        assert receipts[0].countersign.round_no == 1
        result = desk.verify()
        assert (result.ok, result.entries) == (True, 6)
        agent = desk.users.authenticate("李代收", "1234")
        # v4: the hash made at v1's cost is made again at today's cost once the PIN is known
        kdf = sqlite3.connect(home / "daishou.sqlite3").execute(
            "SELECT name, pin_kdf FROM user ORDER BY id").fetchall()
        assert kdf == [("李代收", users.KDF), ("王村长", "scrypt$16384$8$1")]
        # the v1 village head's 4-digit PIN must be changed before it countersigns anything
        with pytest.raises(AuthError, match="密码太短.*请在登录窗口输入两次新密码"):
            desk.users.authenticate("王村长", "5678")
        desk.users.change_pin("王村长", "5678", "567890")
        head = desk.users.authenticate("王村长", "567890")
        refunded = desk.receipts.request_refund(receipts[0].number, reason="县里通知重复缴费",
                                                agent=agent, head=head)
        assert refunded.refund is not None and desk.verify().ok
    backups = list((home / "backups").glob("daishou-v1-*.sqlite3"))
    assert len(backups) == 1
    assert sqlite3.connect(backups[0]).execute("PRAGMA user_version").fetchone() == (1,)

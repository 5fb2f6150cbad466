"""No day that cannot be closed: a head's own cash needs a second head; late cash is a second round."""

from __future__ import annotations

import json
import sqlite3

import pytest

from app.domain.canonical import GENESIS_HASH, canonical_json
from app.domain.records import Role, UserInfo
from app.services import receipts as receipts_module
from app.services.desk import Desk
from app.services.errors import Refused
from app.storage.journal import entry_hash
from tests.conftest import AGENT_PIN, HEAD_PIN
from tests.core.test_receipts import med
from tests.factories import AYGUL, ZHANG, ZHANG_WIFE, FakeClock


def journal_count(desk: Desk) -> int:
    with desk.db.read() as conn:
        return int(conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0])


def test_only_head_taking_cash_is_refused_before_anything_is_recorded(desk: Desk, head: UserInfo) -> None:
    before = journal_count(desk)
    with pytest.raises(Refused) as refused:
        desk.receipts.record(head, [med(ZHANG)], cash_fen=40000)
    message = refused.value.message
    assert "唯一的村委会负责人" in message and "无法日结" in message  # why
    assert "请由代收员收款" in message and "添加另一位村委会负责人" in message  # what to do
    assert journal_count(desk) == before and desk.receipts.list() == []


def test_head_takes_cash_once_a_second_head_exists(second_head: tuple[Desk, UserInfo], clock: FakeClock) -> None:
    desk, second = second_head
    agent, head = desk.users.authenticate("李代收", AGENT_PIN), desk.users.authenticate("王村长", HEAD_PIN)
    r = desk.receipts.record(head, [med(ZHANG)], cash_fen=40000)
    st = desk.settlements.settle(clock().date(), agent=agent, head=second, counted_fen=40000)
    assert st.receipt_numbers == (r.number,) and st.head == "赵村长"


def test_a_day_already_stuck_names_the_way_out_and_the_way_out_works(
        desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A ledger written by an older version, which let the only head take cash.
    with monkeypatch.context() as m:
        m.setattr(receipts_module, "check_head_may_take_cash", lambda agent, heads: None)
        desk.receipts.record(head, [med(AYGUL)], cash_fen=40000)
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    day = clock().date()
    with pytest.raises(Refused) as refused:
        desk.settlements.settle(day, agent=agent, head=head, counted_fen=80000)
    assert "亲自收取了其中1张收据" in refused.value.message
    assert "添加另一位村委会负责人账户" in refused.value.message
    # The way out as named needs an administrator: the head cannot make one (or a second head).
    with pytest.raises(Refused, match="添加管理员需要管理员确认"):
        desk.users.add("管理员", Role.ADMIN, "246800", by=head)


def test_the_way_out_works_through_an_administrator_the_head_did_not_add(
        second_head: tuple[Desk, UserInfo], clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    desk, second = second_head
    agent, head = desk.users.authenticate("李代收", AGENT_PIN), desk.users.authenticate("王村长", HEAD_PIN)
    own = desk.receipts.record(head, [med(AYGUL)], cash_fen=40000)
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    st = desk.settlements.settle(clock().date(), agent=agent, head=second, counted_fen=80000)
    assert own.number in st.receipt_numbers and st.difference_fen == 0


def test_late_villager_pays_into_a_second_settlement_of_the_same_day(
        desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock) -> None:
    day = clock().date()
    early = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    first = desk.settlements.settle(day, agent=agent, head=head, counted_fen=40000)
    assert (first.round_no, first.title) == (1, f"{day.isoformat()} 日结")
    clock.advance(hours=2)  # a villager comes after the day was settled
    late = desk.receipts.record(agent, [med(AYGUL)], cash_fen=50000)
    assert late.day == day
    # The late cash is on hand, unsettled, and the day is open again until it is settled.
    assert desk.settlements.cash_position().unsettled_fen == 40000
    assert desk.settlements.unsettled_days() == [day]
    assert desk.settlements.preview(day) == (40000, 1, 0)
    clock.next_day()
    with pytest.raises(Refused, match=f"{day.isoformat()} 的现金尚未日结"):
        desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000)
    with pytest.raises(Refused, match="请先日结更早的"):
        desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=0)
    second = desk.settlements.settle(day, agent=agent, head=head, counted_fen=40000)
    assert (second.round_no, second.title) == (2, f"{day.isoformat()} 第2次日结")
    assert (second.expected_fen, second.receipt_numbers) == (40000, (late.number,))
    assert [st.round_no for st in desk.settlements.rounds(day)] == [1, 2]
    assert desk.settlements.get(day).round_no == 2 and desk.settlements.get(day, 1) == first
    assert desk.receipts.get(early.number).countersign.round_no == 1  # type: ignore[union-attr]
    assert desk.receipts.get(late.number).countersign.round_no == 2  # type: ignore[union-attr]
    assert desk.settlements.cash_position().settled_not_remitted_fen == 80000
    assert desk.verify().ok
    # Both rounds are remitted as one day.
    remitted = desk.settlements.remit(amount_fen=80000, slip_no="B-1", day=clock().date(), by=agent)
    assert remitted.settled_days == (day,)
    assert desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000).day == clock().date()


def test_late_receipt_can_be_voided_in_its_open_round_and_the_round_still_settles(
        desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock) -> None:
    day = clock().date()
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.settlements.settle(day, agent=agent, head=head, counted_fen=40000)
    late = desk.receipts.record(agent, [med(AYGUL)], cash_fen=40000)
    assert desk.receipts.void(late.number, reason="收错人", agent=agent, head=head).void is not None
    second = desk.settlements.settle(day, agent=agent, head=head, counted_fen=0)
    assert (second.round_no, second.expected_fen, second.voids) == (2, 0, 1)
    with pytest.raises(Refused, match="之后没有新的收款"):
        desk.settlements.settle(day, agent=agent, head=head, counted_fen=0)
    assert desk.verify().ok


def test_verify_rejects_a_second_round_that_claims_receipts_of_the_first(
        desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock) -> None:
    day = clock().date()
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.settlements.settle(day, agent=agent, head=head, counted_fen=40000)
    desk.receipts.record(agent, [med(AYGUL)], cash_fen=40000)
    desk.settlements.settle(day, agent=agent, head=head, counted_fen=40000)
    assert desk.verify().ok
    # Rewrite the second round as if it had counted both receipts, hashes recomputed.
    conn = sqlite3.connect(desk.db.path)
    for trigger in ("journal_no_update", "settlement_no_update"):
        conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    prev = GENESIS_HASH
    for seq, body in conn.execute("SELECT seq, body FROM journal ORDER BY seq").fetchall():
        doc = json.loads(body)
        if doc["kind"] == "settlement" and doc["data"].get("round") == 2:
            doc["data"]["expected_fen"] = 80000
            body = canonical_json(doc)
        digest = entry_hash(prev, body)
        conn.execute("UPDATE journal SET body = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                     (body, prev, digest, seq))
        prev = digest
    conn.execute("UPDATE settlement SET expected_fen = 80000 WHERE round_no = 2")
    conn.commit()
    conn.close()
    result = desk.verify()
    assert not result.ok and "日结应收金额或次数与当日收据不符" in str(result.reason)


def test_command_line_settles_the_late_cash_as_round_two(tmp_path, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    from tests.core.test_cli import Cli
    from tests.factories import CONFIG_PATH, VILLAGE, write_roster

    cli = Cli(tmp_path / "home", clock)
    cli("init", "--village-code", "341824100201", "--village-name", "示范村", "--township-code",
        "341824100", "--device-no", "1")
    cli("user", "add", "--name", "李代收", "--role", "agent", stdin="1234\n")
    cli("user", "add", "--name", "王村长", "--role", "head", stdin="567890\n")
    cli("config", "import", str(CONFIG_PATH), "--by", "王村长", stdin="567890\n")
    cli.json("roster", "import", str(write_roster(tmp_path / "r.csv", VILLAGE)), "--by", "李代收", stdin="1234\n")
    day = clock().date().isoformat()
    settle = ("settle", "--date", day, "--counted", "400", "--agent", "李代收", "--head", "王村长")
    for person in (ZHANG, AYGUL):  # the second comes after the first settlement
        cli.json("receipt", "record", "--agent", "李代收", "--line", f"{person.id_number}:medical:2027",
                 "--cash", "400", stdin="1234\n")
        st = cli.json(*settle, stdin="1234\n567890\n")
        assert (st["date"], st["expected_fen"]) == (day, 40000)
    assert st["round"] == 2
    code, _, err = cli(*settle, stdin="1234\n567890\n")
    assert code == 1 and "已经日结，之后没有新的收款" in err
    assert cli("verify")[0] == 0

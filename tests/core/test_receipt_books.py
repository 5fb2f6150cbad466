"""统一票据 (002): the county's books of serials are registered; each receipt takes the next
serial as its 票号, a spoiled form takes one with its reason, and no serial is skipped, reused
or left unaccounted — on the desk, in the chain rules, in verify and in review."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from app.domain.chain import ChainError, ChainRules
from app.domain.records import UserInfo
from app.services.desk import Desk
from app.services.errors import InvalidInput, Refused
from app.services.review import review_file
from printing.escpos_receipt import render_receipt
from tests.conftest import HEAD_PIN
from tests.core.test_chain_rules import forged, journal
from tests.core.test_cli import Cli
from tests.core.test_receipts import med
from tests.factories import AYGUL, ZHANG, ZHANG_WIFE, FakeClock, edit_file, plain_backup
from tests.printing.escpos_decoder import decode


def test_without_books_receipts_keep_only_their_own_number(desk: Desk, agent: UserInfo) -> None:
    r = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    assert r.serial is None and "serial" not in json.loads(journal(desk)[-1][3])["data"]
    assert desk.receipt_books.status().books == []


def test_serials_are_taken_in_order_spoiled_with_a_reason_and_never_skipped(
        desk: Desk, agent: UserInfo, head: UserInfo, tmp_path: Path) -> None:
    with pytest.raises(Refused, match="负责人或管理员"):
        desk.receipt_books.add("0001201", "0001203", prefix="皖", by=agent)
    with pytest.raises(InvalidInput, match="位数相同"):
        desk.receipt_books.add("1201", "0001203", by=head)
    desk.receipt_books.add("0001201", "0001203", prefix="皖", by=head)
    with pytest.raises(Refused, match="重叠"):
        desk.receipt_books.add("0001203", "0001210", prefix="皖", by=head)
    first = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    second = desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000)
    assert (first.serial, second.serial) == ("皖0001201", "皖0001202")
    assert desk.receipts.get(first.number).serial == "皖0001201"
    assert desk.receipt_books.spoil(reason="卡纸撕坏", by=agent) == "皖0001203"
    with pytest.raises(Refused, match="统一票据已用完（最后一张 皖0001203）"):
        desk.receipts.record(agent, [med(AYGUL)], cash_fen=40000)
    desk.receipt_books.add("0001301", "0001302", prefix="皖", by=head)
    third = desk.receipts.record(agent, [med(AYGUL)], cash_fen=40000)
    assert third.serial == "皖0001301"
    st = desk.receipt_books.status()
    assert (st.used, st.remaining, st.next_serial, st.spoiled) == (4, 1, "皖0001302", [("皖0001203", "卡纸撕坏")])
    assert desk.verify().ok
    rules = ChainRules()
    for e in journal(desk):
        rules.feed(*e)
    assert rules.serials_used == 4
    flags = review_file(plain_backup(desk, tmp_path / "usb"), as_of=date(2026, 11, 20)).review.flags
    assert [(f.code, f.ref) for f in flags if f.code == "serial_spoiled"] == [("serial_spoiled", "皖0001203")]
    job = decode(render_receipt(third).replace(b"\x10\x04\x01", b""))
    assert "票号：皖0001301" in job.texts


def test_a_serial_changed_in_the_file_or_the_chain_is_caught(desk: Desk, agent: UserInfo, head: UserInfo) -> None:
    desk.receipt_books.add("0000001", "0000100", by=head)
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    entries = journal(desk)
    receipt = entries[-1]
    rules = ChainRules()
    for e in entries[:-1]:
        rules.feed(*e)
    with pytest.raises(ChainError) as caught:  # a serial skipped (its form kept back)
        rules.feed(*forged(receipt, lambda d: d.update(serial="0000002")))
    assert caught.value.code == "serial_gap"
    edit_file(desk.db.path, "DROP TRIGGER receipt_serial_no_update", "UPDATE receipt_serial SET serial = '0000050'")
    result = desk.verify()
    assert not result.ok and "统一票据 0000001" in (result.reason or "")


def test_the_command_line(desk: Desk, agent: UserInfo, clock: FakeClock) -> None:
    desk.close()
    run = Cli(desk.home, clock)
    code, out, err = run("receipt-book", "add", "--first", "000101", "--last", "000150", "--prefix", "皖",
                         "--by", "王村长", stdin=HEAD_PIN + "\n")
    assert code == 0, err
    assert "统一票据 皖000101–皖000150：已用 0 张" in out and "下一张 皖000101" in out
    r = run.json("receipt", "record", "--agent", "李代收", "--line", f"{ZHANG.id_number}:medical:2027",
                 "--cash", "400", stdin="1234\n")
    assert r["serial"] == "皖000101"
    code, out, err = run("receipt-book", "spoil", "--reason", "打印错位", "--by", "李代收", stdin="1234\n")
    assert code == 0 and "皖000102 已登记作废" in out, err
    st = run.json("receipt-book", "status")
    assert (st["used"], st["remaining"], st["next_serial"]) == (2, 48, "皖000103")

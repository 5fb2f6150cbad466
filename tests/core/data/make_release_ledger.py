"""Writes `release-ledger.sqlite3`: a ledger made by the release before entries became typed
classes (main at 1cabe81), kept as a file so every later version must verify and re-project it.

Run once with that release's code (`.venv/bin/python -m tests.core.data.make_release_ledger`);
the file is committed, and this script documents what it holds: several settled days (one in
two rounds), voids, a refund request, remittances, a month close, uniform receipt books with a
spoiled serial, a payment on the payer's behalf, prints and a reprint, a signature image, users
added, locked and with a changed PIN, configuration imports, settings, the roster and the
scanned 台账.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path

import keyring

from app.domain.records import PayerSignoff, Role
from app.services import users
from app.services.desk import Desk
from app.services.errors import DaishouError
from tests.conftest import AGENT_PIN, HEAD_PIN, set_up_village
from tests.core.test_receipts import med, pen
from tests.factories import AYGUL, CONFIG_PATH, WECHAT, ZHANG, ZHANG_MOTHER, ZHANG_WIFE, FakeClock
from tests.keyrings import MemoryKeyring

OUT = Path(__file__).with_name("release-ledger.sqlite3")


def build(out: Path) -> None:
    keyring.set_keyring(MemoryKeyring())
    users.KDF = "scrypt$1024$8$1"  # cheap PIN hashes: the file is about the ledger, not the KDF
    clock = FakeClock(datetime(2026, 11, 20, 9, 0))
    with tempfile.TemporaryDirectory() as tmp, Desk(Path(tmp) / "home", clock=clock) as desk:
        set_up_village(desk, Path(tmp))
        agent = desk.users.authenticate("李代收", AGENT_PIN)
        head = desk.users.authenticate("王村长", HEAD_PIN, roles=(Role.HEAD,))
        desk.setup.set_setting("printer.paper", "58")
        # Day 1: two receipts, one voided, a print and a reprint, settled.
        first = desk.receipts.record(agent, [med(ZHANG), pen(ZHANG)], cash_fen=100000)
        wrong = desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000)
        desk.receipts.record_print(first.number, ok=True)
        desk.receipts.record_print(first.number, ok=False, error="缺纸")
        desk.receipts.record_print(first.number, ok=True)
        clock.advance(minutes=20)
        desk.receipts.void(wrong.number, reason="收错了人", agent=agent, head=head)
        clock.now = clock.now.replace(hour=17)
        desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=90000,
                                denominations={10000: 9}, reason="少收一百元，已说明")
        # Late cash on the settled day: a second round.
        clock.advance(minutes=30)
        desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=50000)
        desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
        # Day 2: the county's uniform receipts are registered; a serial spoiled; a signature.
        clock.next_day()
        desk.receipt_books.add("0000501", "0000600", prefix="皖", by=head)
        desk.receipt_books.spoil(reason="卡纸", by=agent)
        desk.receipts.record(agent, [med(AYGUL), pen(AYGUL, 30000)], cash_fen=70000,
                             payer_signoff=PayerSignoff.SIGNATURE, signature_png=b"\x89PNG\r\n\x1a\nfake-signature")
        desk.receipts.record(agent, [med(ZHANG_MOTHER, 20000)], cash_fen=20000, override_reason="按低保户档次收取")
        with contextlib.suppress(DaishouError):  # a wrong PIN is journalled as a failed attempt
            desk.users.authenticate("李代收", "0000")
        desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=90000)
        desk.settlements.remit(amount_fen=180000, slip_no="YH-20261121-1", day=clock().date(), by=agent)
        # Day 3: a refund for a closed day's receipt; the county switches to paying on behalf.
        clock.next_day()
        desk.receipts.request_refund(first.number, reason="重复缴费，已从微信缴过", agent=agent, head=head)
        config = json.loads(CONFIG_PATH.read_text(encoding="utf-8"))
        config["after_cash"] = "pay_on_behalf"
        desk.setup.import_config(json.dumps(config, ensure_ascii=False), by=head)
        paid = desk.receipts.record(agent, [pen(ZHANG_WIFE, 20000)], cash_fen=20000)
        desk.receipts.record_paid_on_behalf(paid.number, voucher="320000123456", channel="电子税务局", by=agent)
        desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=20000)
        desk.users.change_pin("王村长", HEAD_PIN, "246813")
        head = desk.users.authenticate("王村长", "246813", roles=(Role.HEAD,))
        # The month closes with what is on hand; December goes on.
        clock.now = datetime(2026, 12, 1, 9, 0)
        desk.months.close("2026-11", agent=agent, head=head, counted_fen=10000,
                          reason="备用金垫付了一百元")
        desk.receipts.record(agent, [pen(WECHAT, 20000)], cash_fen=30000)
        desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=20000)
        # The signed 台账 scanned and sent to the tax office after the collection period.
        clock.now = datetime(2027, 7, 5, 9, 0)
        scan = Path(tmp) / "台账扫描.pdf"
        scan.write_bytes(b"%PDF-1.4\n% the signed ledger, scanned\n" + bytes(range(256)) * 4)
        desk.scans.record(2027, scan, sent_on=date(2027, 7, 5), by=agent)
        result = desk.verify()
        assert result.ok, result.reason
        out.unlink(missing_ok=True)
        src = sqlite3.connect(desk.db.path)
        dst = sqlite3.connect(out)
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)

"""代为缴费 (003 第三十条, a county whose configuration says the agent pays at once) on a real
(virtual) screen, by keys only: the agent opens the receipts (F3), picks the newest, F9, types
the tax system's voucher, Enter — the payment is in the journal and the 缴费证明 comes out of a
network printer (a socket on 127.0.0.1 that this test reads and decodes)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.domain.insurance import Insurance
from app.domain.printer_settings import PrinterSettings
from app.domain.records import Role
from app.services.desk import Desk
from app.services.receipts import LineRequest
from tests.e2e.conftest import RunningGui, Screen, read_ledger
from tests.gui.conftest import AGENT, AGENT_PIN, DEMO, HEAD, HEAD_PIN, FakeClock, make_demo_home
from tests.printing.escpos_decoder import decode
from tests.printing.loopback import NORMAL, LoopbackPrinter

HE = "341824195711015652"  # 何梅德 in the demo roster


@pytest.fixture
def printer() -> Iterator[LoopbackPrinter]:
    p = LoopbackPrinter(status=NORMAL)
    yield p
    p.close()


def payments(home: Path) -> list[tuple[object, ...]]:
    return read_ledger(home, "SELECT receipt_number, voucher, channel, amount_fen, agent FROM paid_on_behalf")


def test_the_agent_records_a_payment_on_the_payers_behalf_and_the_proof_prints(
        laptop: Screen, printer: LoopbackPrinter, tmp_path: Path) -> None:
    home = tmp_path / "home"
    make_demo_home(home, FakeClock())
    config = json.loads((DEMO / "county-config.json").read_text(encoding="utf-8"))
    config["after_cash"] = "pay_on_behalf"
    with Desk(home, clock=FakeClock()) as desk:
        head = desk.users.authenticate(HEAD, HEAD_PIN, roles=(Role.HEAD,))
        desk.setup.import_config(json.dumps(config, ensure_ascii=False), by=head)
        desk.setup.save_printer(PrinterSettings(printer.uri))
    with Desk(home) as desk:  # today's receipt, as F3 lists it (whatever today is: a reason if off-season)
        agent = desk.users.authenticate(AGENT, AGENT_PIN)
        number = desk.receipts.record(agent, [LineRequest(HE, Insurance.MEDICAL, 2027)], cash_fen=40000,
                                      override_reason="端到端测试").number
    gui = RunningGui(laptop, home, tmp_path / "gui.log")
    try:
        gui.sign_in(AGENT_PIN)
        gui.keys("F3")
        time.sleep(1.5)
        gui.keys("ctrl+End", "F9")
        gui.activate("登记代为缴费")
        gui.type("332016260000123")
        gui.keys("Return")
        deadline = time.monotonic() + 30
        while not payments(home) or not printer.prints:
            gui.alive()
            assert time.monotonic() < deadline, "no payment in the journal, or no proof on the printer"
            time.sleep(0.3)
        assert payments(home) == [(number, "332016260000123", "电子税务局", 40000, AGENT)]
        text = "".join(decode(printer.prints[-1]).texts)
        assert "城乡居民社会保险费代为缴费证明" in text and number in text and "何梅德" in text
        assert "缴费凭证号：332016260000123" in text
        time.sleep(1)
        gui.alive()
        laptop.image(tmp_path / "gui-paid-on-behalf.png")
    finally:
        gui.stop()
    with Desk(home) as desk:
        assert desk.verify().ok

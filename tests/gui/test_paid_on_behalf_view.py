"""代为缴费 in the 收据 screen (F3), offscreen: in a county that pays on the payer's behalf, the
agent types the tax system's voucher for a receipt and the 缴费证明 is printed."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from app.domain.records import Role
from tests.gui.conftest import DEMO, HEAD, HEAD_PIN, wait_idle
from tests.gui.test_today_settle import open_screen, take_cash


def test_the_voucher_is_recorded_and_the_proof_printed(qtbot, window, printer, errors) -> None:  # type: ignore[no-untyped-def]
    desk = window.ctx.desk
    today = open_screen(qtbot, window, Qt.Key.Key_F3)
    assert not today.paid_button.isVisibleTo(today)  # the demo county remits its cash
    config = json.loads((DEMO / "county-config.json").read_text(encoding="utf-8"))
    config["after_cash"] = "pay_on_behalf"
    desk.setup.import_config(json.dumps(config, ensure_ascii=False),
                             by=desk.users.authenticate(HEAD, HEAD_PIN, roles=(Role.HEAD,)))
    number = take_cash(window, "吴福福")
    wait_idle(qtbot, window.ctx.tasks)
    assert today.paid_button.isVisibleTo(today) and "待代为缴费 1 张" in today.cash.text()
    dialog = today.pay_on_behalf()
    assert dialog is not None
    dialog.voucher.setText("332016260000777")
    dialog.channel.setCurrentText("微信小程序")
    qtbot.keyClick(dialog.voucher, Qt.Key.Key_Return)
    wait_idle(qtbot, window.ctx.tasks)
    qtbot.waitUntil(lambda: len(printer.proofs) == 1)
    assert printer.proofs[0].number == number and printer.proofs[0].paid.voucher == "332016260000777"
    assert "已登记代为缴费，凭证号 332016260000777" in today.message.text()
    assert desk.receipts.unpaid_on_behalf() == []
    qtbot.waitUntil(lambda: "待代为缴费" not in today.cash.text())
    status = today.model.data(today.model.index(0, today.model.headers.index("状态")))
    assert status == "有效，已代缴（凭证号 332016260000777）"
    assert today.pay_on_behalf() is None and "已登记代为缴费" in today.message.text()  # not twice
    # F9 on it again prints its 缴费证明 again (the way the window offers when a print failed).
    assert "正在补打缴费证明" in today.message.text()
    qtbot.waitUntil(lambda: len(printer.proofs) == 2)
    assert desk.receipts.get(number).paid.voucher == "332016260000777"  # recorded once
    assert not errors

"""今日收据: every receipt of the day, reprint (a copy), void (reason + village head), cash on hand."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.money import format_fen
from app.domain.records import CashPosition, Receipt
from app.services.errors import DaishouError
from ui.context import WindowContext
from ui.desk_view import print_receipt
from ui.models import ReceiptTableModel
from ui.payment_panel import ERROR_STYLE, OK_STYLE
from ui.pin_dialog import HeadPinDialog
from ui.text_size import scaled


class TodayView(QWidget):
    def __init__(self, ctx: WindowContext, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = ReceiptTableModel(parent=self)
        self.table = QTableView(objectName="receiptsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.cash = QLabel(objectName="cashOnHand")
        scaled(self.cash, 1.4)
        self.message = QLabel(objectName="todayMessage", wordWrap=True)
        self.reprint_button = QPushButton("补打收据（Ctrl+P）", objectName="reprintButton")
        self.void_button = QPushButton("作废收据（Ctrl+Delete）", objectName="voidButton")
        self.reprint_button.clicked.connect(self.reprint)
        self.void_button.clicked.connect(self.void)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reprint_button)
        buttons.addWidget(self.void_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.cash)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.setFocusProxy(self.table)
        ctx.changes.receipts.connect(self.refresh)
        ctx.changes.ledger.connect(self.refresh)

    def refresh(self) -> None:
        desk = self.ctx.desk
        today = desk.clock().date()

        def fetch() -> tuple[list[Receipt], CashPosition]:
            return desk.receipts.list(today), desk.settlements.cash_position()

        self.ctx.tasks.run(fetch, self._show)

    def _show(self, result: tuple[list[Receipt], CashPosition]) -> None:
        receipts, cash = result
        selected = self.selected()
        self.model.set_receipts(receipts)
        valid = [r for r in receipts if not r.void]
        self.cash.setText(
            f"今日 {len(valid)} 张有效收据，合计 ¥{format_fen(sum(r.total_fen for r in valid))}　"
            f"手头现金 ¥{format_fen(cash.on_hand_fen)}（未日结 ¥{format_fen(cash.unsettled_fen)}，"
            f"已日结未解缴 ¥{format_fen(cash.settled_not_remitted_fen)}）")
        numbers = [r.number for r in receipts]
        row = numbers.index(selected.number) if selected and selected.number in numbers else len(numbers) - 1
        if row >= 0:
            self.table.selectRow(row)

    def selected(self) -> Receipt | None:
        row = self.table.currentIndex().row()
        return self.model.receipts[row] if 0 <= row < len(self.model.receipts) else None

    def _say(self, text: str, *, ok: bool = False) -> None:
        self.message.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)
        self.message.setText(text)

    # -- reprint -----------------------------------------------------------------------------
    def reprint(self) -> None:
        receipt = self.selected()
        if receipt is None:
            self._say("请先选择一张收据")
            return
        if receipt.void:
            self._say(f"收据 {receipt.number} 已作废，不能补打")
            return
        receipts = self.ctx.desk.receipts
        # Fetch it fresh: the print count decides whether the paper says 补打 (copy).
        self.ctx.tasks.run(lambda: receipts.get(receipt.number), self._print_fresh)

    def _print_fresh(self, receipt: Receipt) -> None:
        kind = "补打（副本）" if receipt.prints else "打印"
        self._say(f"收据 {receipt.number} 正在{kind}", ok=True)
        print_receipt(self.ctx, receipt, on_problem=self._say)

    # -- void --------------------------------------------------------------------------------
    def void(self) -> None:
        receipt = self.selected()
        if receipt is None:
            self._say("请先选择一张收据")
            return
        if receipt.void:
            self._say(f"收据 {receipt.number} 已经作废")
            return
        self.ask_head_and_void(receipt)

    def ask_head_and_void(self, receipt: Receipt) -> HeadPinDialog:
        detail = f"作废收据 {receipt.number}（{receipt.payer_name}，¥{format_fen(receipt.total_fen)}）。"
        dialog = HeadPinDialog(self.ctx.desk, self.ctx.tasks, purpose="作废收据", detail=detail,
                               exclude=receipt.agent, ask_reason=True, parent=self)
        receipts, agent = self.ctx.desk.receipts, self.ctx.user

        def confirmed(result: int) -> None:
            if result != QDialog.DialogCode.Accepted or dialog.head is None:
                return
            head, reason = dialog.head, dialog.reason.text().strip()
            self.ctx.tasks.run(lambda: receipts.void(receipt.number, reason=reason, agent=agent, head=head),
                               self._voided, on_error=self._refused)

        dialog.finished.connect(confirmed)
        dialog.open()
        return dialog

    def _voided(self, receipt: Receipt) -> None:
        self._say(f"收据 {receipt.number} 已作废（{receipt.void.reason if receipt.void else ''}）", ok=True)
        self.ctx.changes.receipts.emit()

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, DaishouError):
            self._say(exc.message)
        else:
            self.ctx.tasks.fault(exc)

"""收据 (F3): the receipts of any day (today first), each opened with its lines, sign-offs, override
reason and print history; reprint (a copy), void (reason + village head), 退费申请 for a closed
day, the day's 公示, and cash on hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from html import escape
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.ids import mask_id
from app.domain.money import format_fen
from app.domain.records import CashPosition, Receipt, UserInfo
from app.services.operations import OpResult, PrintFacts
from ui.context import WindowContext
from ui.message import MessageLine
from ui.models import ReceiptTableModel
from ui.pin_dialog import HeadPinDialog
from ui.placement import fit_to_contents
from ui.posting_evidence import evidence_button
from ui.print_jobs import fetch_for_print, print_receipt, send_to_printer
from ui.reports import save_report, write_in_report_folder
from ui.text_size import scaled
from ui.typed_qt import button, day_edit, named, qdate


class TodayView(QWidget):
    def __init__(self, ctx: WindowContext, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = ReceiptTableModel(parent=self)
        self.table = named(QTableView(), "receiptsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.cash = named(QLabel(), "cashOnHand")
        scaled(self.cash, 1.4)
        self.message = MessageLine("todayMessage")
        self.reprint_button = named(QPushButton("补打收据（Ctrl+P）"), "reprintButton")
        self.void_button = named(QPushButton("作废收据（Ctrl+Delete）"), "voidButton")
        self.reprint_button.clicked.connect(self.reprint)
        self.void_button.clicked.connect(self.void)
        self.detail_button = button("查看详情（回车）", "detailButton", self.show_detail)
        self.refund_button = button("退费申请", "refundButton", self.refund)
        self.posting_button = named(QPushButton("生成本日公示"), "postingButton")
        # clicked(bool) would pass `checked` as the folder: call it with no argument.
        self.posting_button.clicked.connect(lambda: self.posting())
        self.evidence_button = evidence_button(self)  # the posting's 佐证, beside it
        # 代为缴费 (第三十条): shown in a county whose configuration says the agent pays at once.
        self.paid_button = button("登记代为缴费并打印缴费证明（F9）", "paidButton", self.pay_on_behalf)
        self.paid_button.setVisible(False)
        self.paid_dialog: PaidOnBehalfDialog | None = None
        self.table.doubleClicked.connect(lambda _i: self.show_detail())
        self.table.activated.connect(lambda _i: self.show_detail())
        self.day = day_edit("receiptsDay")
        self.day.setDate(qdate(ctx.desk.clock().date()))
        self._follow_today = True  # until the agent picks another day, the list follows the clock
        self.day.dateChanged.connect(self._day_picked)
        today_button = named(QPushButton("今天"), "todayButton")
        today_button.clicked.connect(lambda: self.day.setDate(qdate(self.ctx.desk.clock().date())))
        pick = QHBoxLayout()
        pick.addWidget(QLabel("日期"))
        pick.addWidget(self.day)
        pick.addWidget(today_button)
        pick.addStretch(1)
        buttons = QHBoxLayout()
        for b in (self.detail_button, self.reprint_button, self.void_button, self.refund_button, self.paid_button,
                  self.posting_button, self.evidence_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.detail_dialog: ReceiptDetailDialog | None = None
        layout = QVBoxLayout(self)
        layout.addLayout(pick)
        layout.addWidget(self.cash)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.setFocusProxy(self.table)
        ctx.changes.receipts.connect(self.refresh)
        ctx.changes.ledger.connect(self.refresh)

    @property
    def shown_day(self) -> date:
        d = self.day.date()
        return date(d.year(), d.month(), d.day())

    def _day_picked(self, _d: QDate) -> None:
        self._follow_today = self.shown_day == self.ctx.desk.clock().date()
        self.message.clear()  # it spoke of a receipt or the 公示 of the day shown before
        self.refresh()

    def refresh(self) -> None:
        desk = self.ctx.desk
        if self._follow_today and self.shown_day != desk.clock().date():  # past midnight
            self.day.blockSignals(True)
            self.day.setDate(qdate(desk.clock().date()))
            self.day.blockSignals(False)
        day = self.shown_day

        def fetch() -> tuple[list[Receipt], CashPosition, bool]:
            return desk.receipts.list(day), desk.settlements.cash_position(), desk.setup.config.pays_on_behalf

        self.ctx.tasks.run(fetch, self._show)

    def _show(self, result: tuple[list[Receipt], CashPosition, bool]) -> None:
        receipts, cash, pays_on_behalf = result
        self.paid_button.setVisible(pays_on_behalf)
        selected = self.selected()
        self.model.set_receipts(receipts)
        valid = [r for r in receipts if not r.void]
        label = "今日" if self.shown_day == self.ctx.desk.clock().date() else f"{self.shown_day:%Y-%m-%d}"
        unpaid = sum(1 for r in valid if r.paid is None) if pays_on_behalf else 0
        self.cash.setText(
            (f"待代为缴费 {unpaid} 张　" if unpaid else "") +
            f"{label} {len(valid)} 张有效收据，合计 ¥{format_fen(sum(r.total_fen for r in valid))}　"
            f"手头现金 ¥{format_fen(cash.on_hand_fen)}（未日结 ¥{format_fen(cash.unsettled_fen)}，"
            f"已日结未解缴 ¥{format_fen(cash.settled_not_remitted_fen)}）")
        numbers = [r.number for r in receipts]
        row = numbers.index(selected.number) if selected and selected.number in numbers else len(numbers) - 1
        if row >= 0:
            self.table.selectRow(row)

    def selected(self) -> Receipt | None:
        row = self.table.currentIndex().row()
        return self.model.receipts[row] if 0 <= row < len(self.model.receipts) else None

    def chosen(self, *, voided: str | None = None) -> Receipt | None:
        """The selected receipt, or None after saying why not: none selected, or (with `voided`,
        what to say then) a voided one."""
        receipt = self.selected()
        if receipt is None:
            self.message.say("请先选择一张收据")
        elif voided is not None and receipt.void:
            self.message.say(f"收据 {receipt.number} {voided}")
            return None
        return receipt


    # -- reprint -----------------------------------------------------------------------------
    def reprint(self) -> None:
        receipt = self.chosen(voided="已作废，不能补打")
        if receipt is None:
            return
        # Fetch it fresh: the print count decides whether the paper says 补打 (copy).
        fetch_for_print(self.ctx, receipt.number, self._print_fresh)

    def _print_fresh(self, receipt: Receipt, facts: PrintFacts) -> None:
        kind = "补打（副本）" if receipt.prints else "打印"
        printing = f"收据 {receipt.number} 正在{kind}"
        self.message.say(printing, ok=True)

        def printed() -> None:  # unless something newer was said meanwhile
            if self.message.text() == printing:
                self.message.say(f"收据 {receipt.number} 已{kind}", ok=True)

        print_receipt(self.ctx, receipt, facts, on_problem=self.message.say, on_printed=printed)

    # -- void --------------------------------------------------------------------------------
    def void(self) -> None:
        receipt = self.chosen(voided="已经作废")
        if receipt is not None:
            self.ask_head_and_void(receipt)

    def ask_head_and_void(self, receipt: Receipt) -> HeadPinDialog:
        return self._countersigned(receipt, "作废收据", self.ctx.ops.void, self._voided)

    def _countersigned(self, receipt: Receipt, purpose: str, act: Callable[..., OpResult[Receipt]],
                       done: Callable[[Receipt], None]) -> HeadPinDialog:
        """A reason and the village head's PIN (never the collecting agent's), then `act` with
        the agent signed in and that head."""
        detail = f"{purpose}：收据 {receipt.number}（{receipt.payer_name}，¥{format_fen(receipt.total_fen)}）。"
        dialog = HeadPinDialog(self.ctx.desk, self.ctx.tasks, purpose=purpose, detail=detail,
                               exclude=receipt.agent, ask_reason=True, parent=self)
        agent = self.ctx.user

        def prepare(head: UserInfo) -> Callable[[], OpResult[Receipt]]:
            reason = dialog.reason.text().strip()
            return lambda: act(receipt.number, reason=reason, agent=agent, head=head)

        return dialog.countersign(prepare, done, changes=self.ctx.changes, on_error=self._refused)

    def _voided(self, receipt: Receipt) -> None:
        self.message.say(f"收据 {receipt.number} 已作废（{receipt.void.reason if receipt.void else ''}）", ok=True)

    # -- detail, 退费申请, 公示 --------------------------------------------------------------------
    def show_detail(self) -> None:
        receipt = self.chosen()
        if receipt is None:
            return
        receipts = self.ctx.desk.receipts
        self.ctx.tasks.run(lambda: (receipts.get(receipt.number), receipts.print_history(receipt.number)),
                           lambda found: self._open_detail(*found), on_error=self._refused)

    def _open_detail(self, receipt: Receipt, history: list[tuple[datetime, bool, int, str | None]]) -> None:
        self.detail_dialog = ReceiptDetailDialog(receipt, history, parent=self)
        self.detail_dialog.reprint_button.clicked.connect(self.reprint)
        self.detail_dialog.refund_button.clicked.connect(self.refund)
        self.detail_dialog.open()

    def refund(self) -> None:
        """退费申请 for a receipt of a closed day: the reason and the village head's PIN."""
        receipt = self.chosen()
        if receipt is None:
            return
        self.refund_dialog = self._countersigned(receipt, "退费申请", self.ctx.ops.request_refund,
                                                 self._refund_requested)

    def _refund_requested(self, receipt: Receipt) -> None:
        self.message.say(f"收据 {receipt.number} 已提交退费申请（{receipt.refund.reason if receipt.refund else ''}），"
                         "由县里退款；收据本身仍有效", ok=True)

    # -- 代为缴费 ----------------------------------------------------------------------------
    def pay_on_behalf(self) -> PaidOnBehalfDialog | None:
        """The voucher the tax system gave when the agent paid this receipt on the payer's
        behalf; then the 缴费证明 is printed for the payer."""
        receipt = self.chosen(voided="已作废")
        if receipt is None:
            return None
        if receipt.paid:  # recorded once; F9 again prints its 缴费证明 again (a printer that failed)
            self.message.say(f"收据 {receipt.number} 已登记代为缴费（凭证号 {receipt.paid.voucher}）：正在补打缴费证明",
                             ok=True)
            self._print_proof(receipt)
            return None
        dialog = PaidOnBehalfDialog(receipt, parent=self)
        ops, user = self.ctx.ops, self.ctx.user

        def done(result: int) -> None:
            if result != QDialog.DialogCode.Accepted:
                return
            voucher, channel = dialog.voucher.text(), dialog.channel.currentText()
            self.ctx.tasks.op(lambda: ops.record_paid_on_behalf(receipt.number, voucher=voucher,
                                                                channel=channel, by=user),
                              self._paid, changes=self.ctx.changes, on_error=self._refused)

        dialog.finished.connect(done)
        dialog.open()
        self.paid_dialog = dialog
        return dialog

    def _paid(self, receipt: Receipt) -> None:
        assert receipt.paid is not None
        self.message.say(f"收据 {receipt.number} 已登记代为缴费，凭证号 {receipt.paid.voucher}；正在打印缴费证明", ok=True)
        self._print_proof(receipt)

    def _print_proof(self, receipt: Receipt) -> None:
        def printed(error: str | None) -> None:
            if error:
                self.message.say(f"收据 {receipt.number} 已登记代为缴费，但缴费证明没有打印出来：{error}"
                                 "（检查打印机后，选中这张收据再按 F9 补打）")

        fetch_for_print(self.ctx, receipt.number, lambda fresh, facts: send_to_printer(
            self.ctx, fresh, facts, lambda printer, r, context: printer.print_proof(r, context), printed))

    def posting(self, folder: Path | None = None) -> None:
        """The day's 公示 as a PDF in the report folder, opened to print."""
        desk, day = self.ctx.desk, self.shown_day

        def build(where: Path) -> Path:
            return save_report(desk, "posting", (day, day), where, f"公示-{day.isoformat()}.pdf", today=desk.clock().date())

        write_in_report_folder(self, self.ctx, self.message, folder, build, self.posting,
                               title="选择保存公示的文件夹", not_made="没有选择文件夹，公示未生成")

    def _refused(self, exc: BaseException) -> None:
        self.message.refused(exc, self.ctx.tasks.fault)


class ReceiptDetailDialog(QDialog):
    """One receipt as recorded: lines, sign-offs, override reason, void or refund, every print."""

    def __init__(self, receipt: Receipt, history: list[tuple[datetime, bool, int, str | None]], *,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("receiptDetail")
        self.setWindowTitle(f"收据 {receipt.number}")
        r = receipt
        lines = "".join(
            f"<tr><td>{escape(ln.name)}</td><td>{mask_id(ln.id_number)}</td><td>{ln.insurance.label}</td>"
            f"<td>{ln.year}</td><td>{format_fen(ln.tier_fen).removesuffix('.00') if ln.tier_fen else ''}</td>"
            f"<td align=right>{format_fen(ln.amount_fen)}</td></tr>" for ln in r.lines)
        countersign = (f"{escape(r.countersign.head)} {r.countersign.at:%Y-%m-%d %H:%M}（第{r.countersign.round_no}次日结会签）"
                       if r.countersign else "未日结（日结时由村委会负责人会签）")
        prints = "".join(
            f"<li>{at:%Y-%m-%d %H:%M} {'补打第' + str(copy) + '次' if copy else '原件'}"
            f"{'' if ok else '，未打出：' + escape(error or '')}</li>" for at, ok, copy, error in history) or "<li>还没有打印</li>"
        extra = ""
        if r.override_reason:
            extra += f"<p>改动应缴金额的原因：{escape(r.override_reason)}</p>"
        if r.void:
            extra += (f"<p><b>已作废</b>：{escape(r.void.reason)}（{escape(r.void.agent)}办理，{escape(r.void.head)}会签，"
                      f"{r.void.at:%Y-%m-%d %H:%M}）</p>")
        if r.paid:
            extra += (f"<p><b>已代为缴费</b> ¥{format_fen(r.paid.amount_fen)}：{escape(r.paid.channel)} 凭证号 "
                      f"{escape(r.paid.voucher)}（{escape(r.paid.agent)}，{r.paid.at:%Y-%m-%d %H:%M}）</p>")
        if r.refund:
            extra += (f"<p><b>已申请退费</b> ¥{format_fen(r.refund.amount_fen)}：{escape(r.refund.reason)}"
                      f"（{escape(r.refund.agent)}申请，{escape(r.refund.head)}会签）</p>")
        self.text = named(QLabel(wordWrap=True), "receiptDetailText")
        self.text.setText(
            f"<p>收据号 {r.number}　{r.recorded_at:%Y-%m-%d %H:%M:%S}</p>"
            f"<p>缴费人：{escape(r.payer_name)}（{mask_id(r.payer_id_number)}）　签字：{r.payer_signoff.label}</p>"
            f"<table border=1 cellspacing=0 cellpadding=3><tr><th>参保人</th><th>证件号码</th><th>险种</th><th>年度</th>"
            f"<th>档次</th><th>金额</th></tr>{lines}</table>"
            f"<p>合计 ¥{format_fen(r.total_fen)}　实收 ¥{format_fen(r.cash_fen)}　找零 ¥{format_fen(r.change_fen)}</p>"
            f"<p>代收员：{escape(r.agent)}（{r.recorded_at:%Y-%m-%d %H:%M} 电子签名）</p>"
            f"<p>村委会负责人：{countersign}</p>{extra}<p>打印记录：</p><ul>{prints}</ul>"
            f"<p>校验码 {r.short_hash}</p>")
        self.reprint_button = named(QPushButton("补打"), "detailReprint")
        self.refund_button = named(QPushButton("退费申请"), "detailRefund")
        self.reprint_button.setEnabled(r.void is None)
        self.refund_button.setEnabled(r.void is None and r.refund is None and r.countersign is not None)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        for b in (self.reprint_button, self.refund_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addLayout(buttons)
        fit_to_contents(self)


class PaidOnBehalfDialog(QDialog):
    """The voucher number (缴费凭证号 / 电子税票号) and the channel of a payment made on the
    payer's behalf."""

    CHANNELS = ("电子税务局", "微信小程序", "社保缴费客户端", "POS机")

    def __init__(self, receipt: Receipt, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paidOnBehalf")
        self.setWindowTitle("登记代为缴费")
        self.voucher = named(QLineEdit(placeholderText="税务系统给出的缴费凭证号", maxLength=40), "paidVoucher")
        self.channel = named(QComboBox(editable=True), "paidChannel")
        self.channel.addItems(self.CHANNELS)
        ok = named(QPushButton("登记并打印缴费证明", default=True), "paidOk")
        ok.clicked.connect(self.accept)
        cancel = QPushButton("取消")
        cancel.clicked.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(QLabel(f"收据 {receipt.number}　{escape(receipt.payer_name)}　¥{format_fen(receipt.total_fen)}"))
        form.addRow("缴费凭证号", self.voucher)
        form.addRow("代缴渠道", self.channel)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(cancel)
        row.addWidget(ok)
        form.addRow(row)
        fit_to_contents(self, min_width=420)
        self.voucher.setFocus()

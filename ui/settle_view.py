"""日结 and 解缴: count the cash by denomination, explain a difference, the head countersigns;
then hand settled cash to the bank against a slip number."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.money import MoneyError, format_fen, parse_yuan
from app.domain.records import CashPosition, Remittance
from app.services.closing import NextDay, SettleResult
from app.services.months import MonthFigures
from app.services.settlement import DENOMINATIONS_FEN
from ui.context import WindowContext
from ui.file_dialogs import Kind
from ui.message import ERROR_STYLE, MessageLine
from ui.pin_dialog import HeadPinDialog
from ui.reports import open_files, resolve_folder, save_report
from ui.settle_papers import Papers, PapersBox, settled_papers
from ui.text_size import scaled
from ui.typed_qt import button, day_edit, named, pydate, qdate

_State = tuple[NextDay, CashPosition, list[Remittance], dict[str, dict[str, object]], MonthFigures | None, Papers]


def denomination_label(fen: int) -> str:
    return f"{fen // 100} 元" if fen >= 100 else f"{fen // 10} 角"


class SettleView(QWidget):
    def __init__(self, ctx: WindowContext, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.day: date | None = None
        self.settled_text = ""
        self.printed: tuple[Path, Path] | None = None
        self.expected = 0
        self.title = named(QLabel(), "settleTitle")
        scaled(self.title, 1.4, bold=True)
        self.note = named(QLabel(wordWrap=True), "settleNote")
        self.next: NextDay | None = None
        self._shown: tuple[object, ...] | None = None  # what the last refresh showed
        self.counts: dict[int, QSpinBox] = {}
        grid = QGridLayout()
        for n, fen in enumerate(DENOMINATIONS_FEN):
            box = named(QSpinBox(maximum=99999), f"count_{fen}")
            box.setSuffix(" 张")
            box.valueChanged.connect(self._recount)
            self.counts[fen] = box
            grid.addWidget(QLabel(denomination_label(fen)), n // 4 * 2, n % 4)
            grid.addWidget(box, n // 4 * 2 + 1, n % 4)
        self.counted = named(QLabel(), "countedLabel")
        self.difference = named(QLabel(), "differenceLabel")
        self.reason = named(QLineEdit(placeholderText="有差额时必须说明原因"), "settleReason")
        self.settle_button = button("日结并会签（Ctrl+J）", "settleButton", self.settle)
        self.message = MessageLine("settleMessage")
        self.last_settled: date | None = None
        self.print_button = button("打印日结单和台账（Ctrl+D）", "printDayButton", lambda: self.print_day())
        self.print_button.setEnabled(False)
        count_box = QGroupBox("按面额清点现金")
        cv = QVBoxLayout(count_box)
        cv.addLayout(grid)
        form = QFormLayout()
        form.addRow("清点合计", self.counted)
        form.addRow("差额", self.difference)
        form.addRow("差额原因", self.reason)
        cv.addLayout(form)
        cv.addWidget(self.settle_button)
        # the papers of any settled day and closed month (the day's button sits beside its list)
        self.papers = PapersBox(ctx, self.message, self.print_button, refused=self._refused)

        self.position = named(QLabel(), "cashPosition")
        self.remit_amount = named(QLineEdit(placeholderText="元"), "remitAmount")
        self.slip = named(QLineEdit(placeholderText="银行缴款单号"), "slipNo")
        self.remit_day = day_edit("remitDay")
        self.remit_button = button("登记解缴（Ctrl+R）", "remitButton", self.remit)
        self.remittances = named(QLabel(wordWrap=True), "remittanceList")
        remit_box = QGroupBox("解缴（现金交银行）")
        rf = QFormLayout(remit_box)
        rf.addRow(self.position)
        rf.addRow("解缴金额", self.remit_amount)
        rf.addRow("凭证号", self.slip)
        rf.addRow("解缴日期", self.remit_day)
        rf.addRow(self.remit_button)
        rf.addRow(self.remittances)

        # 月结: shown when a month with cash in it has ended and is not closed yet.
        self.month: MonthFigures | None = None
        self.month_figures = named(QLabel(wordWrap=True), "monthFigures")
        self.month_counted = named(QLineEdit(placeholderText="清点手头现金（元）"), "monthCounted")
        self.month_reason = named(QLineEdit(placeholderText="有差额时必须说明原因"), "monthReason")
        self.month_button = button("月结并会签（Ctrl+M）", "monthButton", self.close_month)
        self.month_box = QGroupBox("月结（日清月结：现金、账、票一致）")
        mf = QFormLayout(self.month_box)
        mf.addRow(self.month_figures)
        mf.addRow("清点手头现金", self.month_counted)
        mf.addRow("差额原因", self.month_reason)
        mf.addRow(self.month_button)
        self.month_box.setVisible(False)
        self.month_counted.returnPressed.connect(self.close_month)
        self.month_reason.returnPressed.connect(self.close_month)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.note)
        row = QHBoxLayout()
        row.addWidget(count_box, 3)
        row.addWidget(remit_box, 2)
        layout.addLayout(row)
        layout.addWidget(self.month_box)
        layout.addWidget(self.papers)
        layout.addWidget(self.message)
        layout.addStretch(1)
        # The agent starts by counting: F4 puts the cursor on the 100-yuan notes.
        self.setFocusProxy(self.counts[DENOMINATIONS_FEN[0]])
        self.reason.returnPressed.connect(self.settle)
        self.slip.returnPressed.connect(self.remit)
        ctx.changes.receipts.connect(self.refresh)
        ctx.changes.ledger.connect(self.refresh)

    # -- refresh -----------------------------------------------------------------------------
    def refresh(self) -> None:
        desk = self.ctx.desk

        def fetch() -> _State:
            # Which day (and round) is due is the core's choice (日清日结 in order), not the view's.
            return (desk.closing.next_day(), desk.settlements.cash_position(), desk.settlements.remittances(),
                    desk.sync.state().get("confirmations", {}), desk.months.due(), settled_papers(desk))

        self.ctx.tasks.run(fetch, self._show)

    def _show(self, result: _State) -> None:
        nxt, cash, remittances, confirmed, month, papers = result
        self._forget_if_changed((nxt.day, nxt.heading, nxt.expected_fen, cash.settled_not_remitted_fen,
                                 month.month if month else None))
        self._show_month(month)
        self.papers.show_papers(papers)
        self.next = nxt
        self.day, self.expected, self.last_settled = nxt.day, nxt.expected_fen, nxt.last_settled
        self.print_button.setEnabled(nxt.last_settled is not None)
        self.settle_button.setEnabled(nxt.day is not None)
        self.title.setText(nxt.heading)
        self.note.setText(nxt.later_cash_note)
        self.position.setText(f"已日结未解缴 ¥{format_fen(cash.settled_not_remitted_fen)}　"
                              f"累计已解缴 ¥{format_fen(cash.remitted_fen)}")
        self.remit_day.setDate(qdate(self.ctx.desk.clock().date()))
        # 入库: which slips the county has confirmed as paid in (they come down with sync)
        self.remittances.setText("\n".join(
            f"{r.day.isoformat()}　凭证 {r.slip_no}　¥{format_fen(r.amount_fen)}　"
            + (f"已入库（{confirmed[r.slip_no]['confirmed_on']}）" if r.slip_no in confirmed else "待县里确认入库")
            for r in remittances[-5:]))
        self._recount()

    def _forget_if_changed(self, shown: tuple[object, ...]) -> None:
        """What was typed and refused about the cash as it was (an amount to remit, the month's
        count, the error about them) is dropped once the day, the cash or the month changed."""
        if self._shown not in (None, shown):
            for field in (self.remit_amount, self.slip, self.month_counted, self.month_reason):
                field.clear()
            if self.message.styleSheet() == ERROR_STYLE:
                self.message.clear()
        self._shown = shown

    def counted_fen(self) -> int:
        return sum(fen * box.value() for fen, box in self.counts.items())

    def _recount(self) -> None:
        counted = self.counted_fen()
        self.counted.setText(f"¥{format_fen(counted)}")
        diff = counted - self.expected
        self.difference.setText("无差额" if diff == 0 else f"{'长款' if diff > 0 else '短款'} ¥{format_fen(abs(diff))}")
        self.difference.setStyleSheet("" if diff == 0 else ERROR_STYLE)


    # -- settle ------------------------------------------------------------------------------
    def settle(self) -> HeadPinDialog | None:
        if self.day is None:
            return None
        diff = self.counted_fen() - self.expected
        if diff and not self.reason.text().strip():
            self.message.say(f"清点现金与应有现金相差 ¥{format_fen(abs(diff))}，请先填写差额原因")
            self.reason.setFocus()
            return None
        day, counts = self.day, {fen: box.value() for fen, box in self.counts.items() if box.value()}
        counted, reason = self.counted_fen(), self.reason.text().strip() or None
        note = self.next.later_cash_note if self.next else ""
        dialog = HeadPinDialog(self.ctx.desk, self.ctx.tasks, purpose="日结", exclude=self.ctx.user.name,
                               detail=f"{day.isoformat()} 清点 ¥{format_fen(counted)}。{note}", parent=self)
        ops, agent = self.ctx.ops, self.ctx.user

        return dialog.countersign(
            lambda head: lambda: ops.settle(day, agent=agent, head=head, counted_fen=counted,
                                            denominations=counts, reason=reason),
            self._settled, changes=self.ctx.changes, on_error=self._refused)

    def _settled(self, result: SettleResult) -> None:
        for box in self.counts.values():
            box.setValue(0)
        self.reason.clear()
        self.settled_text = result.summary
        self.message.say(self.settled_text, ok=result.backup_problem is None)
        self.remit_amount.setFocus()  # what comes next: take the settled cash to the bank
        # Once the screen has refreshed from the settlement, or the refresh would clear what
        # the papers' outcome says.
        QTimer.singleShot(0, self, lambda: self.print_day(result.settlement.day))

    # -- the day's sheet and ledger ----------------------------------------------------------
    def print_day(self, day: date | None = None, folder: Path | None = None) -> None:
        """日结单 and 台账 of a settled day (the one chosen under 往日单据, else the last settled) as
        PDFs in the report folder, opened to print."""
        day = day or self.papers.chosen_day() or self.last_settled
        if day is None:
            self.message.say("还没有已日结的日期")
            return
        desk = self.ctx.desk

        def work(_progress: object) -> tuple[Path, Path] | None:
            where = resolve_folder(desk, folder)
            if where is None:
                return None
            stamp = f"{day.isoformat()}-设备{desk.setup.device.device_no}"
            return (save_report(desk, "settlement", (day, day), where, f"日结单-{stamp}.pdf", today=day),
                    save_report(desk, "ledger", (day, day), where, f"台账-{stamp}.pdf", today=day))

        self.ctx.tasks.run_long(work, lambda r: self._day_printed(day, r), parent=self,
                                label=f"正在生成 {day.isoformat()} 日结单和台账…",
                                on_error=self._refused, cancellable=False)

    def _day_printed(self, day: date, paths: tuple[Path, Path] | None) -> None:
        if paths is None:  # no report or backup folder set: ask once (it is remembered)
            folder = self.ctx.files.folder(self, "选择保存日结单和台账的文件夹", kind=Kind.REPORT)
            if folder is None:
                self.message.say("没有选择文件夹，日结单和台账未生成；可稍后按 Ctrl+D 再生成")
                return
            self.print_day(day, folder)
            return
        self.printed = paths
        opened = open_files(list(paths))
        done = f"日结单和台账已保存：{paths[0].parent}" + ("，请在打开的窗口中打印" if opened else "")
        self.message.say(f"{self.settled_text}\n{done}" if self.settled_text else done, ok=True)

    # -- 月结 ----------------------------------------------------------------------------------
    def _show_month(self, month: MonthFigures | None) -> None:
        self.month = month
        self.month_box.setVisible(month is not None)
        if month is None:
            return
        numbers = f"收据号 {month.first_number} 至 {month.last_number}" if month.first_number else "无收据"
        waiting = f"\n尚未日结：{'、'.join(month.unsettled_days[:3])}，请先日结。" if month.unsettled_days else ""
        self.month_figures.setText(
            f"{month.month}：收据 {month.receipts} 张（作废 {month.voids} 张，{numbers}），"
            f"实收 ¥{format_fen(month.collected_fen)}，日结 ¥{format_fen(month.settled_fen)}，"
            f"解缴 ¥{format_fen(month.remitted_fen)}；月末手头应有 ¥{format_fen(month.on_hand_fen)}"
            + (f"；统一票据 {month.serials} 张（{month.first_serial} 至 {month.last_serial}，作废 {month.serials_spoiled} 张）"
               if month.serials else "") + waiting)
        self.month_button.setText(f"{month.month} 月结并会签（Ctrl+M 输入清点金额，回车）")
        self.month_button.setEnabled(not month.unsettled_days)

    def start_month_close(self) -> None:
        """Ctrl+M: the cursor to the month's counted cash, when a month is waiting to be closed."""
        if self.month is None:
            self.message.say("没有待月结的月份：有收款的月份结束后（或当月最后一天）才能月结")
            return
        self.month_counted.setFocus()

    def close_month(self) -> HeadPinDialog | None:
        month = self.month
        if month is None:
            return None
        try:
            counted = parse_yuan(self.month_counted.text(), field="清点手头现金")
        except MoneyError as exc:
            self.message.say(str(exc))
            self.month_counted.setFocus()
            return None
        reason = self.month_reason.text().strip() or None
        if counted != month.on_hand_fen and not reason:
            self.message.say(f"清点手头现金与账面 ¥{format_fen(month.on_hand_fen)} 相差 "
                             f"¥{format_fen(abs(counted - month.on_hand_fen))}，请先填写差额原因")
            self.month_reason.setFocus()
            return None
        dialog = HeadPinDialog(self.ctx.desk, self.ctx.tasks, purpose="月结", exclude=self.ctx.user.name,
                               detail=f"{month.month} 清点手头现金 ¥{format_fen(counted)}", parent=self)
        ops, agent = self.ctx.ops, self.ctx.user

        return dialog.countersign(
            lambda head: lambda: ops.close_month(month.month, agent=agent, head=head, counted_fen=counted,
                                                 reason=reason),
            self._month_closed, changes=self.ctx.changes, on_error=self._refused)

    def _month_closed(self, f: MonthFigures) -> None:
        self.month_counted.clear()
        self.month_reason.clear()
        closed = f"{f.month} 已月结：清点 ¥{format_fen(f.counted_fen or 0)}，差额 ¥{format_fen(f.difference_fen or 0)}"
        self.message.say(closed, ok=True)
        # The 月结单 at once, as the day's sheet (and, as there, after the refresh).
        QTimer.singleShot(0, self, lambda: self.papers.print_month(f.month, lead=closed + "\n"))

    # -- remit -------------------------------------------------------------------------------
    def remit(self) -> None:
        try:
            amount = parse_yuan(self.remit_amount.text(), field="解缴金额", allow_zero=False)
        except MoneyError as exc:
            self.message.say(str(exc))
            self.remit_amount.setFocus()
            return
        slip, day = self.slip.text(), pydate(self.remit_day.date())
        ops, user = self.ctx.ops, self.ctx.user  # signed in at login
        self.ctx.tasks.op(lambda: ops.remit(amount_fen=amount, slip_no=slip, day=day, by=user),
                          self._remitted, changes=self.ctx.changes, on_error=self._refused)

    def _remitted(self, r: Remittance) -> None:
        self.settled_text = ""
        self.remit_amount.clear()
        self.slip.clear()
        self.message.say(f"已登记解缴 ¥{format_fen(r.amount_fen)}，凭证号 {r.slip_no}", ok=True)

    def _refused(self, exc: BaseException) -> None:
        self.message.refused(exc, self.ctx.tasks.fault)

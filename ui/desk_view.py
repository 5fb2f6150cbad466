"""The desk: find a person, see the household, tick who pays, take the cash, print the receipt.

Search runs on the database worker with latest-wins coalescing instead of a fixed debounce:
while one query runs, keystrokes only replace the pending one, so results follow typing with
no added delay and never pile up.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.money import MoneyError, format_fen
from app.domain.records import PayerSignoff, PersonInfo
from app.services.errors import CashConfirmationRequired, DaishouError, OverrideRequired
from app.services.operations import RecordedReceipt
from app.services.payment import PaymentDraft
from ui.alert_banner import AlertBanner
from ui.context import WindowContext
from ui.message import ERROR_STYLE
from ui.models import HouseholdModel, PersonTableModel
from ui.payment_panel import PaymentPanel
from ui.receipt_status import LastReceiptLine
from ui.text_size import scaled
from ui.tier_delegate import TierDelegate
from ui.typed_qt import button, named

SEARCH_LIMIT = 50
NO_HOUSEHOLD = "户内人员：请先查找并选择缴费人"

class DeskView(QWidget):
    import_requested = Signal()  # the empty-roster bar's button: the window opens the import

    def __init__(self, ctx: WindowContext, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._searching = False
        self._pending_query: str | None = None
        self._recording = False

        self.search = named(QLineEdit(), "searchEdit")
        self.search.setPlaceholderText("输入姓名、身份证号后几位或电话，回车选择（Ctrl+F）")
        self.search.setClearButtonEnabled(True)
        scaled(self.search, 1.6)
        self.search.setStyleSheet("padding: 4px")
        self.results_model = PersonTableModel(parent=self)
        self.results = self._table(self.results_model, "resultsTable")
        self.results.doubleClicked.connect(lambda _i: self.choose_selected())
        self.household_title = named(QLabel(NO_HOUSEHOLD), "householdTitle")
        self.whole_household = named(QPushButton("全户（F8）"), "wholeHouseholdButton")
        self.whole_household.setToolTip("勾选（或取消）本户所有可缴的项目")
        self.whole_household.clicked.connect(self.tick_household)
        self.whole_household.setEnabled(False)
        self.confirm_box: QMessageBox | None = None
        self.household_model = HouseholdModel(parent=self)
        self.household = self._table(self.household_model, "householdTable")
        self.household.setItemDelegate(TierDelegate(self.household_model, parent=self))
        self.household.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.household.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.household_model.dataChanged.connect(self._draft_changed)
        self.panel = PaymentPanel()
        self.receipt_line = LastReceiptLine(ctx, self.panel.message, parent=self)
        self.panel.record_requested.connect(self.record)

        # With no roster there is nobody to find: say so where the agent types, with the way on.
        self.empty_roster = named(QWidget(), "emptyRoster")
        er = QHBoxLayout(self.empty_roster)
        er.setContentsMargins(0, 0, 0, 0)
        self.empty_roster_text = named(QLabel("本机还没有征收清册，查不到任何人：请导入县里发的清册文件"
                                        "（或在设置 F6 中注册到县服务器，清册会自动下载）", wordWrap=True), "emptyRosterText")
        self.empty_roster_text.setStyleSheet(ERROR_STYLE)
        self.import_button = button("导入清册（Ctrl+I）", "emptyRosterImport", self.import_requested.emit)
        er.addWidget(self.empty_roster_text, 1)
        er.addWidget(self.import_button)
        self.empty_roster.hide()
        ctx.changes.roster.connect(self.check_roster)

        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        self.alert_banner = AlertBanner(ctx)  # what blocks or warns before a villager waits
        lv.addWidget(self.alert_banner)
        lv.addWidget(self.empty_roster)
        lv.addWidget(self.search)
        lv.addWidget(self.results, 2)
        title_row = QHBoxLayout()
        title_row.addWidget(self.household_title, 1)
        title_row.addWidget(self.whole_household)
        lv.addLayout(title_row)
        lv.addWidget(self.household, 3)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(self.panel)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QHBoxLayout(self)
        layout.addWidget(split)

        self.search.textChanged.connect(self._query_changed)
        self.search.returnPressed.connect(self.choose_selected)
        self.search.installEventFilter(self)
        self.setFocusProxy(self.search)

    def check_roster(self) -> None:
        roster = self.ctx.desk.roster
        self.ctx.tasks.run(roster.is_empty, self.empty_roster.setVisible)

    @staticmethod
    def _table(model: object, name: str) -> QTableView:
        view = named(QTableView(), name)
        view.setModel(model)  # type: ignore[arg-type]
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.verticalHeader().hide()
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        view.horizontalHeader().setSectionResizeMode(len(model.headers) - 1, QHeaderView.ResizeMode.Stretch)  # type: ignore[attr-defined]
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        return view

    # -- search ------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        # Up/Down in the search box walk the results, so the hands stay on the keyboard.
        if watched is self.search and isinstance(event, QKeyEvent) \
                and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and self.results_model.rowCount():
                row = self.results.currentIndex().row()
                row = max(0, min(self.results_model.rowCount() - 1,
                                 row + (1 if key == Qt.Key.Key_Down else -1)))
                self.results.selectRow(row)
                return True
        return super().eventFilter(watched, event)

    def _query_changed(self, text: str) -> None:
        self._pending_query = text
        if not self._searching:
            self._run_search()

    def _run_search(self) -> None:
        query, self._pending_query = self._pending_query or "", None
        self._searching = True
        roster = self.ctx.desk.roster
        self.ctx.tasks.run(lambda: roster.search(query, limit=SEARCH_LIMIT) if query.strip() else [],
                           self._show_results, on_error=self._search_failed)

    def _show_results(self, people: list[PersonInfo]) -> None:
        self._searching = False
        if self._pending_query is not None:  # typing went on: only the newest query matters
            self._run_search()
            return
        self.results_model.set_people(people)
        if people:
            self.results.selectRow(0)

    def _search_failed(self, exc: BaseException) -> None:
        self._searching = False
        self._pending_query = None
        self._refusal(exc)

    def choose_selected(self) -> None:
        row = self.results.currentIndex().row()
        if row < 0 or row >= len(self.results_model.people):
            return
        self.load_household(self.results_model.people[row].id_number)

    # -- household ---------------------------------------------------------------------------
    def load_household(self, id_number: str) -> None:
        desk = self.ctx.desk

        def fetch() -> tuple[object, list[PersonInfo]]:
            return desk.setup.config, desk.roster.household(id_number)

        self.ctx.tasks.run(fetch, lambda r: self._show_household(r, id_number), on_error=self._refusal)

    def _show_household(self, result: tuple[object, list[PersonInfo]], id_number: str) -> None:
        config, members = result
        self.clear_draft()  # a new payer starts clean: nothing of the last household carries over
        draft = PaymentDraft(config, members, chosen_id=id_number)  # type: ignore[arg-type]
        self.household_model.set_draft(draft)
        head = members[0].household_head if members else ""
        self.household_title.setText(
            f"户号 {members[0].household_no or '—'}　户主 {head}　共{len(members)}人：勾选本次缴费的人"
            if members else "户内人员：无")
        self.whole_household.setEnabled(not draft.nothing_to_pay)
        if draft.nothing_to_pay:
            self.panel.say(draft.nothing_to_pay_text())
        self._draft_changed()
        self.panel.cash.setFocus()

    def clear_draft(self) -> None:
        """A clean draft (new payer, Esc): no ticked line, cash, signature, tier or reason left."""
        if self.confirm_box is not None:
            self.confirm_box.close()
            self.confirm_box = None
        self.household_model.set_draft(None)
        self.household_title.setText(NO_HOUSEHOLD)
        self.whole_household.setEnabled(False)
        self.panel.reset()
        self.panel.show_last_change(None)
        self.panel.say("")

    def tick_household(self) -> None:
        """全户 (F8): tick every line of the household that can be paid, or untick them all."""
        draft = self.household_model.draft
        if draft is None:
            self.panel.say("请先查找并选择缴费人")
            return
        if draft.nothing_to_pay:
            self.panel.say(draft.nothing_to_pay_text())
            return
        draft.tick_household()
        self.household_model.set_draft(draft)
        self._draft_changed()

    def _draft_changed(self) -> None:
        draft = self.household_model.draft
        self.panel.set_total(draft.total_fen if draft else 0)

    # -- recording ---------------------------------------------------------------------------
    def record(self) -> None:
        """F12 / the record key: check what can be checked here, then let the core decide."""
        draft = self.household_model.draft
        if self._recording:
            return
        if draft is not None and draft.nothing_to_pay:
            self.panel.say(draft.nothing_to_pay_text())
            return
        if draft is None or not draft.chosen:
            self.panel.say("请先查找缴费人，并勾选本次缴费的人")
            self.search.setFocus()
            return
        try:
            cash = self.panel.cash_fen()
        except MoneyError as exc:
            self.panel.say(str(exc))
            self.panel.cash.setFocus()
            return
        if cash < draft.total_fen:
            self.panel.say(f"收取现金 ¥{format_fen(cash)} 少于合计 ¥{format_fen(draft.total_fen)}")
            self.panel.cash.setFocus()
            return
        kind = self.panel.signoff_kind
        if kind is PayerSignoff.SIGNATURE and self.panel.pad.is_empty:
            self.panel.say("选择了电子签名：请缴费人先在签名板上签名")
            return
        signature = self.panel.pad.to_png() if kind is PayerSignoff.SIGNATURE else None
        reason = self.panel.override.text().strip() or None
        if self.panel.override.isVisible() and not reason:
            self.panel.say("请填写收取原因")
            self.panel.override.setFocus()
            return
        # Implausible cash is the service's rule: it refuses with the question, asked then.
        self._submit(draft, cash, kind, signature, reason, confirmed=False)

    def _ask_cash(self, question: str) -> QMessageBox:
        """收 ¥50,000.00，找零 ¥49,600.00，确认？ — Enter and Esc both go back to fix the cash."""
        box = QMessageBox(QMessageBox.Icon.Warning, "核对现金", question,
                          QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("cashConfirmBox")
        box.setInformativeText("收到的现金远多于应收合计。请核对金额，确认无误再收款。")
        confirm = box.addButton("确认收款", QMessageBox.ButtonRole.AcceptRole)
        back = box.addButton("返回修改", QMessageBox.ButtonRole.RejectRole)
        confirm.setObjectName("confirmCashButton")
        back.setObjectName("backToCashButton")
        box.setDefaultButton(back)
        box.setEscapeButton(back)
        return box

    def _submit(self, draft: PaymentDraft, cash: int, kind: PayerSignoff, signature: bytes | None,
                reason: str | None, *, confirmed: bool) -> None:
        self.confirm_box = None
        if self._recording or self.household_model.draft is not draft:
            return  # the draft was cleared (Esc, new payer) while the question was open
        requests, payer = draft.requests(), draft.payer_id()
        ops, user = self.ctx.ops, self.ctx.user
        self._recording = True
        self.panel.record.setEnabled(False)

        def refused(exc: BaseException) -> None:
            if isinstance(exc, CashConfirmationRequired):  # 收 ¥50,000.00，找零 ¥49,600.00，确认？
                self._recording = False
                self.panel.record.setEnabled(True)
                self.confirm_box = self._ask_cash(exc.question)
                self.confirm_box.accepted.connect(
                    lambda: self._submit(draft, cash, kind, signature, reason, confirmed=True))
                self.confirm_box.rejected.connect(self.panel.cash.setFocus)
                self.confirm_box.open()
            else:
                self._record_refused(exc)

        self.ctx.tasks.op(
            lambda: ops.record_receipt(user, requests, cash_fen=cash, payer_id_number=payer,
                                       payer_signoff=kind, signature_png=signature,
                                       override_reason=reason, cash_confirmed=confirmed),
            self._recorded, changes=self.ctx.changes, on_error=refused)

    def _recorded(self, recorded: RecordedReceipt) -> None:
        receipt = recorded.receipt
        self._recording = False
        self.panel.record.setEnabled(True)
        self.household_model.set_draft(None)
        self.household_title.setText(NO_HOUSEHOLD)
        self.whole_household.setEnabled(False)
        self.panel.reset()
        self.panel.show_last_change(receipt.change_fen)
        self.search.clear()
        self.search.setFocus()
        self.receipt_line.recorded(recorded)  # says it, prints it, keeps the line true

    def _record_refused(self, exc: BaseException) -> None:
        self._recording = False
        self.panel.record.setEnabled(True)
        if isinstance(exc, OverrideRequired):  # a reason lifts it; the receipt is then flagged
            self.panel.show_override(True)
            self.panel.say(exc.message)
            self.panel.override.setFocus()
            return
        self._refusal(exc)

    def _refusal(self, exc: BaseException) -> None:
        if isinstance(exc, DaishouError):
            self.panel.say(exc.message)  # refusals in place, where the agent is looking
        else:
            self.ctx.tasks.fault(exc)


"""The status bar: online or offline, what waits to sync, the printer, today's cash."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from app.domain.money import format_fen
from app.domain.records import CashPosition, Receipt
from app.services.operations import OpResult
from ui.context import WindowContext
from ui.sync_worker import SyncStatus
from ui.typed_qt import named


class DeskStatus(QStatusBar):
    def __init__(self, ctx: WindowContext, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.user = named(QLabel(f"{ctx.user.role.label}：{ctx.user.name}"), "statusUser")
        self.network = named(QLabel("离线：未注册到县服务器"), "statusNetwork")
        self.outbox = named(QLabel("待上传：—"), "statusOutbox")
        self.printer = named(QLabel(), "statusPrinter")
        self.cash = named(QLabel(), "statusCash")
        for label in self._labels():
            self.addPermanentWidget(label)
        self.set_printer_state("")
        ctx.changes.receipts.connect(self.refresh)
        ctx.changes.ledger.connect(self.refresh)
        ctx.changes.settings.connect(lambda: self.set_printer_state(""))
        ctx.changes.printer_state.connect(self.set_printer_state)
        if ctx.sync is not None:
            ctx.sync.status.connect(self._sync_arrived)  # a bound slot: let go of when the bar goes
            if ctx.sync.last is not None:
                self.set_sync(ctx.sync.last)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        """Large text: the bar grows with its labels' font. Qt does not always lay the bar out
        again when the application font changes, and the labels were cut to the old height."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self.setMinimumHeight(max(label.sizeHint().height() for label in self._labels()) + 4)
            self.reformat()

    def _labels(self) -> tuple[QLabel, ...]:
        return self.user, self.network, self.outbox, self.printer, self.cash

    def _sync_arrived(self, found: SyncStatus) -> None:
        """What a sync found, shown here; what it changed (a roster pulled) told to the window
        by the task manager, like any operation's."""
        self.ctx.tasks.arrived(OpResult(found, found.changes), self.set_sync, changes=self.ctx.changes)

    def set_sync(self, found: SyncStatus) -> None:
        """在线 / 离线 with the reason (its whole text in the tooltip), what waits to go up, and
        when the last sync went through."""
        if found.online:
            self.network.setText("在线")
        elif not found.enrolled:
            self.network.setText("离线：未注册到县服务器")
        else:
            self.network.setText("离线：" + (found.message[:18] + "…" if len(found.message) > 18 else found.message))
        self.network.setToolTip(found.message)
        last = f"，上次同步 {found.last_sync}" if found.last_sync else ""
        self.outbox.setText(f"待上传 {found.waiting} 条{last}")

    def set_printer_state(self, state: str) -> None:
        description = self.ctx.printer.description
        self.printer.setText(f"打印机：{description}{'，' + state if state and description != '未设置' else ''}")

    def refresh(self) -> None:
        desk = self.ctx.desk

        def fetch() -> tuple[list[Receipt], CashPosition]:
            return desk.receipts.list(desk.clock().date()), desk.settlements.cash_position()

        self.ctx.tasks.run(fetch, self._show)

    def _show(self, result: tuple[list[Receipt], CashPosition]) -> None:
        receipts, cash = result
        today = sum(r.total_fen for r in receipts if not r.void)
        self.cash.setText(f"今日收款 ¥{format_fen(today)}　手头现金 ¥{format_fen(cash.on_hand_fen)}")

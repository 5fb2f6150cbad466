"""The banner at the top of the desk (and in the login box): what blocks taking cash today and
what warns, each with the key that fixes it, before a villager waits at the table.

It only draws app/services/desk_alerts.py; it reloads when the ledger or receipts change."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QLabel, QWidget

from app.services.desk_alerts import BLOCK, NEAR, Alert, desk_alerts
from ui.context import WindowContext

_STYLES = {
    BLOCK: "background: #b00020; color: white; padding: 6px; font-weight: bold",
    NEAR: "background: #fff3cd; color: #5c4400; padding: 6px; border: 1px solid #e0b000",
}
_DUE_STYLE = "background: #fde0dc; color: #8a0015; padding: 6px; border: 1px solid #c62828; font-weight: bold"


def alert_text(alerts: Sequence[Alert]) -> str:
    return "\n".join(("⛔ " if a.blocks else "⚠ ") + a.text for a in alerts)


def style_alerts(label: QLabel, alerts: Sequence[Alert]) -> None:
    """Show the alerts in `label` (hidden when there are none), coloured by the worst."""
    label.setVisible(bool(alerts))
    if not alerts:
        label.clear()
        return
    worst = min(alerts, key=lambda a: (BLOCK, "due", NEAR).index(a.level))
    label.setStyleSheet(_STYLES.get(worst.level, _DUE_STYLE))
    label.setText(alert_text(alerts))


class AlertBanner(QLabel):
    def __init__(self, ctx: WindowContext, *, parent: QWidget | None = None) -> None:
        super().__init__(parent, wordWrap=True)
        self.setObjectName("alertBanner")
        self.ctx = ctx
        self.alerts: list[Alert] = []
        self.hide()
        ctx.changes.ledger.connect(self.refresh)
        ctx.changes.receipts.connect(self.refresh)
        ctx.changes.settings.connect(self.refresh)

    def refresh(self) -> None:
        desk = self.ctx.desk
        self.ctx.tasks.run(lambda: desk_alerts(desk), self._show)

    def _show(self, alerts: list[Alert]) -> None:
        self.alerts = alerts
        style_alerts(self, alerts)

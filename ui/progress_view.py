"""进度: collected against due per insurance and per group, as bars and as numbers.

QtCharts is not in PySide6-Essentials, so the bars are drawn with QPainter: a few rectangles
are all an agent needs to see how far the village is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from ui.context import WindowContext
from ui.errors import show_error


@dataclass(frozen=True)
class ProgressRow:
    label: str  # "养老 2027", "第一村民小组"
    paid: int  # people (or lines) paid, by any channel
    due: int  # people (or lines) who should pay

    @property
    def ratio(self) -> float:
        return self.paid / self.due if self.due else 0.0


def progress_rows(desk: Any) -> list[ProgressRow] | None:
    """Rows from the roster service; None while the roster's progress() is not available."""
    progress = getattr(desk.roster, "progress", None)
    if progress is None:
        return None
    rows = []
    for item in progress():
        rows.append(ProgressRow(str(getattr(item, "label", "")), int(getattr(item, "paid", 0)),
                                int(getattr(item, "due", 0))))
    return rows


class BarChart(QWidget):
    def __init__(self, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("progressChart")
        self.rows: list[ProgressRow] = []
        self.setMinimumHeight(160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_rows(self, rows: list[ProgressRow]) -> None:
        self.rows = rows
        self.setMinimumHeight(40 + 34 * len(rows))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = painter.fontMetrics()
        label_w = max([metrics.horizontalAdvance(r.label) for r in self.rows] + [60]) + 16
        bar_x, bar_w = label_w, max(40, self.width() - label_w - 170)
        for n, row in enumerate(self.rows):
            y = 12 + n * 34
            painter.setPen(QColor("#222222"))
            painter.drawText(QRectF(0, y, label_w - 8, 24),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, row.label)
            painter.fillRect(QRectF(bar_x, y, bar_w, 24), QColor("#e0e0e0"))
            painter.fillRect(QRectF(bar_x, y, bar_w * min(row.ratio, 1.0), 24), QColor("#2e7d32"))
            painter.drawText(QRectF(bar_x + bar_w + 8, y, 160, 24), Qt.AlignmentFlag.AlignVCenter,
                             f"{row.paid}/{row.due}　{row.ratio:.0%}")
        painter.end()


class ProgressView(QWidget):
    def __init__(self, ctx: WindowContext, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.chart = BarChart()
        self.note = QLabel(objectName="progressNote", wordWrap=True)
        self.export_button = QPushButton("导出未缴名单（Ctrl+E）", objectName="exportUnpaid")
        self.export_button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("收缴进度（已缴人数 / 应缴人数，含其他渠道缴费）"))
        layout.addWidget(self.chart, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.export_button)
        ctx.changes.receipts.connect(self.refresh)
        ctx.changes.roster.connect(self.refresh)

    def refresh(self) -> None:
        self.ctx.tasks.run(lambda: progress_rows(self.ctx.desk), self._show,
                           on_error=lambda e: show_error(e, parent=self))

    def _show(self, rows: list[ProgressRow] | None) -> None:
        if rows is None:
            self.chart.set_rows([])
            self.note.setText("收缴进度和未缴名单由清册模块提供（roster.progress / unpaid），"
                              "该模块合并后在此显示。")
            return
        self.chart.set_rows(rows)
        self.note.setText("")

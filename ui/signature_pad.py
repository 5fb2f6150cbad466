"""A signature pad: the payer signs with mouse, pen or finger; the strokes become a PNG."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QImageWriter,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QTabletEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget


class SignaturePad(QWidget):
    changed = Signal()

    def __init__(self, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signaturePad")
        self.setMinimumSize(320, 110)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip("请缴费人在此签名（鼠标、手写笔或触摸）")
        self._strokes: list[QPainterPath] = []
        self._drawing = False

    # -- public ------------------------------------------------------------------------------
    @property
    def is_empty(self) -> bool:
        return not self._strokes

    def clear(self) -> None:
        self._strokes.clear()
        self.update()
        self.changed.emit()

    def add_stroke(self, points: list[QPointF]) -> None:
        """Draw a stroke programmatically (tests, and pens that deliver points in bulk)."""
        if not points:
            return
        path = QPainterPath(points[0])
        for p in points[1:]:
            path.lineTo(p)
        self._strokes.append(path)
        self.update()
        self.changed.emit()

    def to_png(self) -> bytes:
        """The signature on white, at the pad's size: what is stored with the receipt."""
        image = QImage(self.size(), QImage.Format.Format_Grayscale8)
        image.fill(QColor("white"))
        painter = QPainter(image)
        self._paint_strokes(painter)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        # QImage.save: its stub wants bytes for the format, the binding a str; the writer takes both
        QImageWriter(buffer, QByteArray(b"PNG")).write(image)
        return bytes(data.data())

    # -- drawing -----------------------------------------------------------------------------
    def _paint_strokes(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor("black"), 2.5, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                            Qt.PenJoinStyle.RoundJoin))
        for path in self._strokes:
            painter.drawPath(path)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        painter.setPen(QPen(QColor("#bbbbbb"), 1, Qt.PenStyle.DashLine))
        base = self.height() - 24
        painter.drawLine(16, base, self.width() - 16, base)
        if self.is_empty:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "缴费人在此签名")
        painter.setPen(QPen(QColor("#888888"), 1))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        self._paint_strokes(painter)
        painter.end()

    def _start(self, pos: QPointF) -> None:
        self._drawing = True
        self._strokes.append(QPainterPath(pos))

    def _extend(self, pos: QPointF) -> None:
        if self._drawing:
            self._strokes[-1].lineTo(pos)
            self.update()

    def _finish(self) -> None:
        if self._drawing:
            self._drawing = False
            self.changed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self._start(event.position())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._extend(event.position())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._finish()

    def tabletEvent(self, event: QTabletEvent) -> None:  # noqa: N802
        # A pen gives pressure and finer positions; accept so Qt does not synthesise mouse events.
        kind = event.type()
        if kind == QTabletEvent.Type.TabletPress:
            self._start(event.position())
        elif kind == QTabletEvent.Type.TabletMove:
            self._extend(event.position())
        elif kind == QTabletEvent.Type.TabletRelease:
            self._finish()
        event.accept()

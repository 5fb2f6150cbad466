"""The township reviewer's window. Review itself (flags, the 10% sample, the inspection report)
comes with the review feature; until then this window says so instead of pretending."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QMainWindow, QWidget

from ui.context import WindowContext
from ui.text_size import scaled


class ReviewWindow(QMainWindow):
    logout_requested = Signal()  # Ctrl+L: back to the login to switch user

    def __init__(self, ctx: WindowContext, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("代收 — 乡镇审核")
        self.resize(900, 560)
        text = QLabel(
            f"{ctx.user.name}（{ctx.user.role.label}），您好。\n\n"
            "审核模式（疑点数据、不少于10%的随机抽查、抽查报告）将随审核功能提供，尚未完成。\n"
            "乡镇审核员不能在本机收取现金。",
            objectName="reviewPlaceholder", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        scaled(text, 1.4)
        self.setCentralWidget(text)
        QShortcut(QKeySequence("Ctrl+L"), self, activated=self.logout_requested.emit)

    def start(self) -> None:
        """Nothing to load yet."""

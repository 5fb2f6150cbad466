"""Text sizes: the normal and large-text modes, and the few texts drawn larger than the rest.

Large-text mode used to raise only the application font: the search box, totals, titles and
messages had fixed point sizes in style sheets, so in large mode they stayed put while the rest
grew (the search box ended up smaller than a table row). Here every enlarged text is a factor of
the application font instead, set with `scaled()` and re-applied when the mode changes, so one
switch enlarges every text by the same ratio.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QWidget

BASE_POINT_SIZE = 10
LARGE_POINT_SIZE = 15
_SCALE, _BOLD = "daishouFontScale", "daishouFontBold"

W = TypeVar("W", bound=QWidget)


def scaled(widget: W, factor: float, *, bold: bool = False) -> W:
    """Draw `widget`'s text `factor` times the application's text size, in both modes."""
    widget.setProperty(_SCALE, factor)
    widget.setProperty(_BOLD, bold)
    _apply(widget)
    return widget


def _apply(widget: QWidget) -> None:
    base = QApplication.font()
    font = QFont(base)
    font.setPointSizeF(base.pointSizeF() * float(widget.property(_SCALE)))
    font.setBold(bool(widget.property(_BOLD)))
    widget.setFont(font)


def apply_text_size(large: bool) -> None:
    """Switch between normal and large text: the application font, then every scaled text."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    font = app.font()
    font.setPointSize(LARGE_POINT_SIZE if large else BASE_POINT_SIZE)
    app.setFont(font)
    for widget in app.allWidgets():
        if widget.property(_SCALE) is not None:
            _apply(widget)
        elif widget.styleSheet():
            # WORKAROUND: a widget with its own style sheet (a message's colour) keeps the font it
            # was polished with when the application font changes; polishing it again updates it.
            widget.setStyleSheet(widget.styleSheet())

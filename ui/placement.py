"""Every dialog opens wholly on the screen, title bar included.

The login sometimes opened with its title bar above the top of the screen, where it cannot be
grabbed or seen: a dialog is placed by Qt before the window manager has said how tall its
frame is, and it can grow after that (the village's name arrives from the database). An
application-wide filter looks again once a dialog is shown, and once more when its frame is
known, and moves it back inside the screen's free area (above a taskbar) when any edge is
outside.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLayout, QSizePolicy, QSpacerItem, QWidget

FRAME_SETTLES_MS = 300  # the window manager has drawn the frame by then


def inside(frame: QRect, free: QRect) -> QPoint:
    """Where the frame's top-left goes so that it lies within `free` (its top edge first)."""
    x = max(free.left(), min(frame.left(), free.right() + 1 - frame.width()))
    y = max(free.top(), min(frame.top(), free.bottom() + 1 - frame.height()))
    return QPoint(x, y)


def keep_on_screen(window: QWidget) -> None:
    if not window.isVisible() or window.isMaximized() or window.isFullScreen():
        return
    screen = window.screen() or QApplication.primaryScreen()
    if screen is None:
        return
    frame, free = window.frameGeometry(), screen.availableGeometry()
    if not free.contains(frame):
        window.move(inside(frame, free))  # a top-level's pos() is its frame's


def fit_to_contents(dialog: QDialog, *, min_width: int = 0) -> None:
    """A small dialog (a PIN, a voucher) is exactly as big as what it holds, and not resizable:
    a window manager then draws no resize handle, the empty strip that ran along the bottom of
    every dialog (openbox's theme draws one under each resizable window)."""
    layout = dialog.layout()
    if layout is None:
        return
    if min_width:
        layout.addItem(_Strut(min_width))
    layout.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)


class _Strut(QSpacerItem):
    def __init__(self, width: int) -> None:
        super().__init__(width, 0, QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)


class DialogsOnScreen(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Show and isinstance(watched, QDialog) and watched.isWindow():
            for delay in (0, FRAME_SETTLES_MS):
                QTimer.singleShot(delay, watched, lambda w=watched: keep_on_screen(w))
        return False


def install(app: QApplication) -> DialogsOnScreen:
    placement = DialogsOnScreen(app)
    app.installEventFilter(placement)
    return placement

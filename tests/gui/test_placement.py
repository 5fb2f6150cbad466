"""A dialog shown partly off the screen (the login's title bar was above its top) is moved back
inside the screen's free area."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication, QDialog

from ui.placement import inside, install


def test_a_dialog_opened_above_the_screen_is_moved_onto_it(qtbot, qapp: QApplication) -> None:  # type: ignore[no-untyped-def]
    placement = install(qapp)
    try:
        dialog = QDialog()
        qtbot.addWidget(dialog)
        dialog.resize(420, 260)
        dialog.move(100, -200)
        dialog.show()
        free = dialog.screen().availableGeometry()
        qtbot.waitUntil(lambda: free.contains(dialog.frameGeometry()))
        assert dialog.frameGeometry().top() >= free.top() and dialog.frameGeometry().left() == 100
    finally:
        qapp.removeEventFilter(placement)


def test_inside_keeps_what_fits_and_pulls_in_what_does_not() -> None:
    free = QRect(0, 0, 1366, 728)
    assert inside(QRect(100, 100, 400, 300), free) == QPoint(100, 100)
    assert inside(QRect(100, -30, 400, 300), free) == QPoint(100, 0)
    assert inside(QRect(1200, 600, 400, 300), free) == QPoint(966, 428)

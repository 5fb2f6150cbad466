"""Large-text mode: every text on the desk grows by the same ratio (messages, the search box,
totals included) and nothing is cut off on a 1366x768 screen above a taskbar."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QLineEdit,
    QTableView,
    QWidget,
)

from tests.gui.conftest import type_text, wait_idle
from tests.gui.test_desk import find_and_choose
from ui.text_size import LARGE_POINT_SIZE, apply_text_size

TEXT_WIDGETS = (QLabel, QLineEdit, QAbstractButton, QTableView)


@pytest.fixture
def large_afterwards_normal(qapp: QApplication) -> Iterator[None]:
    yield
    apply_text_size(False)  # the application font is shared by every later test


def texts(root: QWidget) -> list[QWidget]:
    return [w for w in root.findChildren(QWidget) if isinstance(w, TEXT_WIDGETS) and w.isVisible()
            and (not isinstance(w, QAbstractButton) or w.text())]  # not the search box's clear icon


def cut_off(widget: QWidget) -> str | None:
    """Why the widget's text does not fit in it, or None."""
    metrics = widget.fontMetrics()
    if isinstance(widget, QLabel) and not widget.text():
        return None  # an empty message line takes no room until it says something
    if isinstance(widget, QTableView):
        rows = widget.model().rowCount()
        short = [r for r in range(rows) if widget.rowHeight(r) < metrics.height()]
        return f"rows {short} shorter than a line" if short else None
    if widget.height() < metrics.height():
        return f"{widget.height()} px high for a {metrics.height()} px line"
    if isinstance(widget, QLabel) and widget.text() and "<" not in widget.text():
        if widget.wordWrap():
            need = widget.heightForWidth(widget.width())
            return f"needs {need} px, has {widget.height()}" if need > widget.height() else None
        width = max(metrics.horizontalAdvance(line) for line in widget.text().split("\n"))
        return f"needs {width} px wide, has {widget.width()}" if width > widget.width() + 1 else None
    if isinstance(widget, QAbstractButton) and widget.text():
        width = metrics.horizontalAdvance(widget.text().replace("&", ""))
        return f"needs {width} px wide, has {widget.width()}" if width > widget.width() else None
    return None


def test_large_text_enlarges_every_text_alike_and_cuts_nothing(qtbot, window, large_afterwards_normal,
                                                                errors) -> None:  # type: ignore[no-untyped-def]
    window.resize(1366, 700)  # 1366x728 above a Windows taskbar, less the title bar
    d = window.desk_view
    from tests.gui.test_today_settle import take_cash

    take_cash(window, "吴福福")  # a paid line: its status names the receipt, the longest text in the table
    find_and_choose(qtbot, window, "吴福福")  # with 胡珍敏 (低保): 应缴 beside the subsidy, the widest figures
    type_text(d.panel.cash, "50000")
    window.desk_view.record()  # the question about implausible cash ...
    qtbot.waitUntil(lambda: d.confirm_box is not None)
    assert d.confirm_box is not None
    d.confirm_box.reject()
    d.panel.say("收取现金 ¥50,000.00 少于合计？这是一条很长的提示信息，用来检查换行之后是否仍然完整显示在窗口中")
    qtbot.wait(50)
    normal = {w: w.font().pointSizeF() for w in texts(window)}
    before = QApplication.font().pointSizeF()
    assert d.search in normal and d.panel.message in normal and d.household in normal

    apply_text_size(True)
    qtbot.wait(100)
    wait_idle(qtbot, window.ctx.tasks)
    ratio = round(QApplication.font().pointSizeF() / before, 3)
    assert QApplication.font().pointSize() == LARGE_POINT_SIZE
    grown = {w.objectName() or type(w).__name__: round(w.font().pointSizeF() / size, 3)
             for w, size in normal.items()}
    assert {k: v for k, v in grown.items() if v != ratio} == {}
    assert d.search.font().pointSizeF() > d.household.font().pointSizeF()  # still the largest input
    assert not problems_on(window)
    # what the person owes stays in sight in the results, without scrolling sideways
    owed = d.results_model.headers.index("待缴")
    assert d.results.columnViewportPosition(owed) + d.results.columnWidth(owed) <= d.results.viewport().width()
    # and the household's lines fit across: no sideways scrollbar, the status whole in its tooltip
    qtbot.wait(50)
    assert d.household.horizontalScrollBar().maximum() == 0
    paid = next(r for r in range(d.household_model.rowCount()) if not d.household_model.draft.lines[r].payable)
    status = d.household_model.index(paid, d.household_model.STATUS)
    assert d.household_model.data(status, Qt.ItemDataRole.ToolTipRole) == d.household_model.data(status)
    # Every other screen too, as the agent walks through them with F3–F6.
    for key in (Qt.Key.Key_F3, Qt.Key.Key_F4, Qt.Key.Key_F5, Qt.Key.Key_F6):
        qtbot.keyClick(window, key)
        wait_idle(qtbot, window.ctx.tasks)
        qtbot.wait(50)
        assert not problems_on(window.tabs.currentWidget()), key
    assert not errors


def problems_on(root: QWidget) -> dict[str, str]:
    return {w.objectName() or f"{type(w).__name__}:{getattr(w, 'text', lambda: '')()}": why
            for w in texts(root) if (why := cut_off(w))}

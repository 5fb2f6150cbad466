"""The agent's and village head's window: one tab per task, a shortcut for every action."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QMainWindow,
    QTabWidget,
    QWidget,
)

from app.domain.records import Device, Role
from app.version import version
from ui.context import WindowContext
from ui.desk_view import DeskView
from ui.door_view import DoorView
from ui.heap import warm_search_index
from ui.help import show_help
from ui.progress_view import ProgressView
from ui.settings_view import SettingsView
from ui.settle_view import SettleView
from ui.status import DeskStatus
from ui.today_view import TodayView
from ui.training import title_prefix
from ui.typed_qt import named


class WindowKeysFirst(QObject):
    """The window's own keys come before an editor's. On a Linux desktop (X11 key bindings) a
    focused line edit, spin box or editable combo box takes Ctrl+E (end of line) and Ctrl+U
    (clear the line) as its own, so Ctrl+E 导出未缴名单 and Ctrl+U 打印未缴名单 did nothing while
    the cursor was in a field — and on the desk it always is (measured on an X screen; Windows
    has no such bindings). Ctrl+Delete stays the editor's (delete the next word)."""

    def __init__(self, keys: set[str], parent: QObject) -> None:
        super().__init__(parent)
        self.keys = keys

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            # Filtered out unaccepted: the editor does not claim the key, the window's shortcut runs.
            return QKeySequence(event.keyCombination()).toString() in self.keys
        return False


class MainWindow(QMainWindow):
    logout_requested = Signal()  # Ctrl+L: back to the login to switch user

    def __init__(self, ctx: WindowContext, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._keys: set[str] = set()  # every key of the window's shortcuts, as QKeySequence text
        self.setWindowTitle("代收")
        if ctx.device is not None:
            self._set_title(ctx.device)
        self.resize(1280, 800)
        self.desk_view = DeskView(ctx)
        self.today_view = TodayView(ctx)
        self.settle_view = SettleView(ctx)
        self.progress_view = ProgressView(ctx)
        self.desk_view.import_requested.connect(lambda: self._on(self.progress_view, self.progress_view.import_roster))
        self.settings_view = SettingsView(ctx)
        self.door_view = DoorView(ctx)  # issue 25: door to door
        self.tabs = named(QTabWidget(), "mainTabs")
        self.screens: list[tuple[QWidget, str, str]] = [
            (self.desk_view, "收款（F2）", "F2"), (self.today_view, "收据（F3）", "F3"),
            (self.settle_view, "日结与解缴（F4）", "F4"), (self.progress_view, "进度（F5）", "F5"),
            (self.settings_view, "设置（F6）", "F6"), (self.door_view, "入户（F7）", "F7"),
        ]
        for widget, title, key in self.screens:
            self.tabs.addTab(widget, title)
            self._shortcut(key, partial(self.show_screen, widget))
        if ctx.user.role is Role.GRID:
            # A grid member takes no cash, and follows up only the households given to them: the
            # cash screens are not theirs, nor 进度's whole-village unpaid list with its phones.
            for widget in (self.desk_view, self.today_view, self.settle_view, self.progress_view):
                self.tabs.setTabVisible(self.tabs.indexOf(widget), False)
        self.setCentralWidget(self.tabs)
        self.status = DeskStatus(ctx)
        self.setStatusBar(self.status)
        self.tabs.currentChanged.connect(self._screen_changed)

        d = self.desk_view
        self._shortcut("F12", self._record)
        self._shortcut("Ctrl+Return", self._record)
        self._shortcut("Ctrl+F", lambda: self.show_screen(d))
        self._shortcut("Escape", self._escape)
        self._shortcut("F8", lambda: self._on(d, d.tick_household))
        self._shortcut("Ctrl+P", lambda: self._on(self.today_view, self.today_view.reprint))
        self._shortcut("Ctrl+Delete", lambda: self._on(self.today_view, self.today_view.void))
        self._shortcut("F9", self._pay_on_behalf)
        self._shortcut("Ctrl+J", lambda: self._on(self.settle_view, self.settle_view.settle))
        self._shortcut("Ctrl+R", lambda: self._on(self.settle_view, self.settle_view.remit))
        self._shortcut("Ctrl+D", lambda: self._on(self.settle_view, self.settle_view.print_day))
        self._shortcut("Ctrl+M", lambda: self._on(self.settle_view, self.settle_view.start_month_close))
        self._shortcut("Ctrl+Y", lambda: self._on(self.settle_view, self.settle_view.papers.print_month))
        self._shortcut("Ctrl+L", self.logout_requested.emit)
        self._shortcut("F1", self.show_help)
        p = self.progress_view
        self._shortcut("Ctrl+E", lambda: self._on(p, p.export_unpaid))
        self._shortcut("Ctrl+U", lambda: self._on(p, p.print_unpaid))
        self._shortcut("Ctrl+I", lambda: self._on(p, p.import_roster))
        self._shortcut("Ctrl+N", lambda: self._on(p, p.monthly.print_pdf))
        self._shortcut("Ctrl+Shift+N", lambda: self._on(p, p.monthly.export_xlsx))
        self._shortcut("Ctrl+S", lambda: self._on(self.settings_view, self.settings_view.save))
        self._shortcut("Ctrl+T", lambda: self._on(self.settings_view, self.settings_view.test_print))
        self._shortcut("Ctrl+B", lambda: self._on(self.settings_view, self.settings_view.paper.start_book))
        self._shortcut("Ctrl+G", lambda: self._on(self.settings_view, self.settings_view.paper.start_spoil))
        self._shortcut("Ctrl+W", lambda: self._on(self.door_view, self.door_view.record_visit))
        self._shortcut("Ctrl+K", lambda: self._on(self.door_view, self.door_view.print_list))
        self._shortcut("Ctrl+O", lambda: self._on(self.door_view, self.door_view.import_list))
        self._shortcut("Ctrl+H", lambda: self._on(self.door_view, self.door_view.open_grid))
        keys_first = WindowKeysFirst(self._keys - {QKeySequence("Ctrl+Delete").toString()}, self)
        for kind in (QLineEdit, QAbstractSpinBox, QComboBox):
            for editor in self.findChildren(kind):
                editor.installEventFilter(keys_first)

    def _shortcut(self, key: str, slot: Callable[[], object]) -> None:
        self._keys.add(QKeySequence(key).toString())
        shortcut = QShortcut(QKeySequence(key), self)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(slot)

    def _on(self, screen: QWidget, action: Callable[[], object]) -> None:
        """An action's shortcut works from anywhere: it opens its screen first."""
        if self.tabs.currentWidget() is not screen:
            self.show_screen(screen)
        action()

    def show_help(self) -> None:
        names = {self.desk_view: "desk", self.today_view: "today", self.settle_view: "settle",
                 self.progress_view: "progress", self.settings_view: "settings", self.door_view: "door"}
        self.help_box = show_help(names.get(self.tabs.currentWidget(), ""), self)

    def _pay_on_behalf(self) -> None:
        # Only in a county whose configuration says the agent pays at once (the button is shown).
        if self.ctx.desk.setup.config.pays_on_behalf:
            self._on(self.today_view, self.today_view.pay_on_behalf)

    def _record(self) -> None:
        if self.tabs.currentWidget() is self.desk_view:
            self.desk_view.record()

    def _escape(self) -> None:
        # Esc always brings the agent back to an empty search on the desk, with a clean draft.
        self.show_screen(self.desk_view)
        self.desk_view.clear_draft()
        self.desk_view.search.clear()
        self.desk_view.search.setFocus()

    def show_screen(self, widget: QWidget) -> None:
        if not self.tabs.isTabVisible(self.tabs.indexOf(widget)):
            widget = self.door_view  # a grid member's keys for the cash screens lead to their own
        self.tabs.setCurrentWidget(widget)
        widget.setFocus()

    def _screen_changed(self, _index: int) -> None:
        widget = self.tabs.currentWidget()
        refresh = getattr(widget, "refresh", None)
        if refresh is not None:
            refresh()
        if widget is self.desk_view:  # back on the desk: the banner says today's state
            self.desk_view.alert_banner.refresh()
        widget.setFocus()

    def _set_title(self, device: Device) -> None:
        self.ctx.device = device
        self.setWindowTitle(f"{title_prefix(self.ctx.desk.home)}代收 — {device.village_name}（{device.village_code}）设备{device.device_no}"
                            f" — 版本 {version()}")

    def start(self) -> None:
        """Load what the first screen and the status bar show; the search box has the focus."""
        if self.ctx.device is None:
            setup = self.ctx.desk.setup
            self.ctx.tasks.run(lambda: setup.device, self._set_title)
        self.status.refresh()
        self.desk_view.alert_banner.refresh()
        self.desk_view.check_roster()
        if self.ctx.user.role is Role.GRID:
            self.show_screen(self.door_view)
            self.door_view.refresh()
        else:
            self.show_screen(self.desk_view)
        # The index takes seconds at 100,000 people; until it is ready searches are answered by
        # a scan. It is built off the database worker, so a search never queues behind it.
        self.warm_index()
        self.ctx.changes.roster.connect(self.warm_index)  # a roster imported or pulled

    def warm_index(self) -> None:
        desk = self.ctx.desk
        self.ctx.tasks.run(lambda: warm_search_index(desk), background=True, io=True)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if self.ctx.tasks.busy:
            self.statusBar().showMessage("正在保存，请稍候再关闭…", 3000)
            event.ignore()
            return
        super().closeEvent(event)

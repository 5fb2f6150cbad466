"""Start-up: the setup wizard on first run, then login, then the window for the user's role.

DeskApp owns the one window; nothing is global, so tests start as many as they like.

Qt's "quit when the last window closes" cannot be used here: between the login closing and the
desk window appearing (the window's data loads on the database worker) no window is visible, and
Qt would end the program with code 0 right after a correct PIN. So DeskApp decides alone when the
program ends (`quit_requested`): when the user cancels the wizard or the login, or closes the desk
window; every transition shows the next window before it closes the previous one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QLibraryInfo, QLocale, QObject, QTimer, QTranslator, Signal
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow

from app.domain.printer_settings import PrinterSettings
from app.domain.records import Device, Role, UserInfo
from app.services.desk import Desk
from app.services.setup_flow import Step, WizardFlow
from app.training import prepare_training
from ui.context import WindowContext
from ui.errors import show_error
from ui.file_dialogs import FileChooser
from ui.heap import warm_search_index
from ui.login import LoginDialog
from ui.main_window import MainWindow
from ui.printer import ReceiptPrinter, printer_from_settings
from ui.qt_chinese import GapsTranslator
from ui.review_window import ReviewWindow
from ui.sync_worker import SyncWorker
from ui.tasks import TaskManager
from ui.text_size import apply_text_size
from ui.training import mark_window
from ui.wizard import SetupWizard

PrinterFactory = Callable[[PrinterSettings], ReceiptPrinter]


def install_translations(app: QApplication) -> QTranslator | None:
    """Qt's own dialogs (open file, message box buttons) in Chinese, from the qtbase translation
    PySide6 ships; returns the translator, or None when it is missing (English buttons, no crash)."""
    import PySide6

    translator = QTranslator(app)
    chinese = QLocale(QLocale.Language.Chinese, QLocale.Country.China)
    # Qt's own folder; in the PyInstaller bundle, the copy installer/daishou.spec puts beside PySide6.
    folders = (QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath),
               str(Path(PySide6.__file__).parent / "Qt" / "translations"))
    if not any(translator.load(chinese, "qtbase", "_", folder) for folder in folders):
        return None
    app.installTranslator(translator)
    app.installTranslator(GapsTranslator(translator))  # what qtbase_zh_CN leaves in English (ui/qt_chinese.py)
    return translator


class DeskApp(QObject):
    window_opened = Signal(object)  # the QMainWindow shown after login
    quit_requested = Signal()  # the user ended the program (cancelled, or closed the window)

    def __init__(self, desk: Desk, *, printer_factory: PrinterFactory = printer_from_settings,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.printer_factory = printer_factory
        self.tasks = TaskManager(on_error=self._fault, parent=self)
        self.wizard: SetupWizard | None = None
        self.login: LoginDialog | None = None
        self.window: QMainWindow | None = None
        self._leaving: QMainWindow | None = None  # closed by a logout, not by the user
        self.sync = SyncWorker(desk, parent=self)

    @staticmethod
    def _fault(exc: BaseException) -> None:
        show_error(exc, parent=QApplication.activeWindow())

    def start(self) -> None:
        desk = self.desk

        def probe() -> tuple[bool, bool, str | None]:
            initialised = desk.setup.initialised
            has_users = bool(desk.users.list()) if initialised else False
            return initialised, has_users, desk.setup.get_setting("ui.large_text")

        self.tasks.run(probe, self._begin)
        self.sync.start()

    def _begin(self, state: tuple[bool, bool, str | None]) -> None:
        initialised, has_users, large = state
        apply_text_size(large == "1")
        if initialised and has_users:
            self.show_login()
        else:
            self.show_wizard(Step.USERS if initialised else Step.DEVICE)

    def show_wizard(self, start: Step = Step.DEVICE) -> SetupWizard:
        self.wizard = SetupWizard(self.desk, self.tasks, WizardFlow(start=start))
        self.wizard.completed.connect(self.show_login)
        self.wizard.rejected.connect(self.quit_requested)
        self.wizard.show()
        return self.wizard

    def show_login(self) -> LoginDialog:
        # Typing a name and PIN takes the agent seconds: build the roster's search index
        # meanwhile, so the first search at the desk does not wait for it.
        desk = self.desk
        self.tasks.run(lambda: warm_search_index(desk), background=True, io=True)
        self.login = LoginDialog(self.desk, self.tasks)
        self.login.logged_in.connect(self.open_window)
        self.login.training_requested.connect(self.enter_training)
        self.login.rejected.connect(self.quit_requested)
        self.login.show()
        return self.login

    def enter_training(self) -> None:
        """培训模式 from the login: the practice village (app/training.py) replaces this desk for
        the rest of the session; its login appears before the real one goes, so a window is
        always on screen. It never syncs: no sync worker is started for it."""
        home, clock = self.desk.home, self.desk.clock
        self.tasks.run(lambda: prepare_training(home, clock), self._switch_to_training)

    def _switch_to_training(self, practice: Path) -> None:
        real, real_login = self.desk, self.login
        self.sync.stop()
        self.desk = Desk(practice, clock=real.clock)
        self.sync = SyncWorker(self.desk, parent=self)
        self.tasks.run(real.close)  # on the database worker, after whatever it was doing
        self.show_login()
        if real_login is not None:
            real_login.done(QDialog.DialogCode.Accepted)  # not rejected: that would end the program

    def open_window(self, user: UserInfo) -> None:
        """Load what the window needs before it exists (device for the title, printer settings),
        on the database worker like every other read; then build and show it."""
        setup = self.desk.setup
        self.tasks.run(lambda: (setup.device, setup.printer(), setup.settings()),
                       lambda loaded: self._open_window(user, *loaded))

    def _open_window(self, user: UserInfo, device: Device, printer: PrinterSettings,
                     settings: dict[str, str] | None = None) -> QMainWindow:
        setup, tasks = self.desk.setup, self.tasks

        def remember(key: str, value: str) -> None:  # the folder a file dialog was last used in
            tasks.run(lambda: setup.set_setting(key, value), lambda _r: None)

        ctx = WindowContext(self.desk, self.tasks, user, self.printer_factory(printer), device=device,
                            sync=self.sync, files=FileChooser(settings, remember))
        window: MainWindow | ReviewWindow
        window = ReviewWindow(ctx) if user.role is Role.TOWNSHIP else MainWindow(ctx)
        window.logout_requested.connect(self.logout)
        mark_window(window, self.desk.home)
        self.window = window
        window.installEventFilter(self)
        window.showMaximized()
        window.start()
        # Only now that the window is on screen may the login go away.
        if self.login is not None:
            self.login.done(QDialog.DialogCode.Accepted)
        self.window_opened.emit(window)
        return window

    def logout(self) -> LoginDialog | None:
        """Switch user (Ctrl+L): the window closes, then the login appears (DeskApp, not Qt,
        decides when the program ends, so the moment between is safe). Not while a save is
        running: the window refuses to close then."""
        window = self.window
        if window is not None:
            self._leaving = window
            if not window.close():
                return None
        self.window = None
        return self.show_login()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Close and watched is self.window:
            # The window may refuse to close (a save still running): look once the event is done.
            QTimer.singleShot(0, lambda w=watched: self._window_closed(w))
        return False

    def _window_closed(self, window: QObject) -> None:
        if isinstance(window, QMainWindow) and not window.isVisible() and window is not self._leaving:
            self.quit_requested.emit()

    def shutdown(self) -> None:
        self.sync.stop()
        self.tasks.shutdown()

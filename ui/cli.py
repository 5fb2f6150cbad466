"""`daishou gui [--home DIR]`: open the window (plugged into the command line by entry point)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from app.cli.common import Context


def register(sub: Any) -> None:
    p = sub.add_parser("gui", help="打开代收窗口")
    # Also accepted after the command; a separate dest keeps it from hiding `daishou --home DIR gui`.
    p.add_argument("--home", dest="gui_home", help="data folder (default: $DAISHOU_HOME or the user data folder)")
    p.set_defaults(handler=_gui)


def _gui(args: argparse.Namespace, ctx: Context) -> int:
    if args.gui_home:
        args.home = args.gui_home
    desk = ctx.desk(args)
    return run(desk)


def run(desk: Any, argv: list[str] | None = None) -> int:
    from PySide6.QtWidgets import QApplication

    from ui.app import DeskApp, install_translations
    from ui.qt_chinese import prefer_chinese_locale

    with prefer_chinese_locale():  # the file dialogs' dates and sizes (ui/qt_chinese.py)
        app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("代收")
    # DeskApp decides when the program ends: see ui/app.py.
    app.setQuitOnLastWindowClosed(False)
    install_translations(app)
    from ui.placement import install as dialogs_on_screen

    dialogs_on_screen(app)  # a dialog's title bar never above the screen (the login's was)
    from ui.errors import install_excepthook

    install_excepthook()
    desk_app = DeskApp(desk)
    desk_app.quit_requested.connect(app.quit)
    desk_app.start()
    from ui.inventory import install

    install(desk_app)  # the end-to-end tests' list of buttons (only with DAISHOU_TEST_INVENTORY)
    try:
        return int(app.exec())
    finally:
        desk_app.shutdown()
        # WORKAROUND: left to Python's teardown, windows (a logged-out desk, its dialogs) were
        # destroyed after QApplication in no fixed order, and about one exit in three ended in
        # "shared QObject was deleted directly" and a segfault (tests/e2e/test_money_flow.py).
        # Delete them here, while the application still exists.
        import shiboken6

        for widget in app.topLevelWidgets():
            if shiboken6.isValid(widget) and widget.parent() is None:
                shiboken6.delete(widget)

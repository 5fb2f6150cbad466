"""Screenshots of each main screen on the demo village: `xvfb-run python -m ui.screenshots --out docs/img`.

Builds a throw-away demo home (the bundled county configuration and roster), records a few
receipts, and saves docs/img/gui-<screen>.png for the README and docs/gui.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QElapsedTimer, QEvent, QPointF
from PySide6.QtWidgets import QApplication, QWidget

from app.domain.insurance import Insurance
from app.domain.records import Role
from app.services.desk import Desk
from app.services.receipts import LineRequest
from app.services.setup_flow import WizardFlow
from ui.context import WindowContext
from ui.login import LoginDialog
from ui.main_window import MainWindow
from ui.printer import NoPrinter
from ui.tasks import TaskManager
from ui.wizard import SetupWizard

DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo"


class _Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 10, 15, 9, 30)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


def _settle(tasks: TaskManager, ms: int = 150) -> None:
    # Screenshots only: let queued results arrive before grabbing (never done in the app itself).
    timer = QElapsedTimer()
    timer.start()
    while tasks.busy or timer.elapsed() < ms:
        QCoreApplication.processEvents()


def _save(widget: QWidget, out: Path, name: str, tasks: TaskManager) -> Path:
    _settle(tasks)
    path = out / f"gui-{name}.png"
    widget.grab().save(str(path))
    sys.stdout.write(f"{path}\n")
    return path


def build_demo(home: Path, clock: _Clock) -> Desk:
    desk = Desk(home, clock=clock)
    desk.setup.init(village_code="341824100201", village_name="示范村", township_code="341824100",
                    device_no=1, township_name="示范镇")
    desk.setup.import_config((DEMO / "county-config.json").read_text(encoding="utf-8"))
    desk.users.add("李代收", Role.AGENT, "1234")
    desk.users.add("王村长", Role.HEAD, "567890")
    agent = desk.users.authenticate("李代收", "1234")
    desk.roster.import_file(DEMO / "roster-2027.csv", by=agent)
    for name in ("吴福福", "覃敏兰", "曾秀龙"):
        person = desk.roster.search(name)[0]
        desk.receipts.record(agent, [LineRequest(person.id_number, Insurance.MEDICAL, 2027)], cash_fen=50000)
    # A morning's work spread over the groups, so the progress bars have something to show.
    unpaid = [p for p in desk.roster.unpaid(2027) if "孙兰军" not in (p.name, p.household_head)]
    for due in unpaid[::6]:
        lines = [LineRequest(due.id_number, d.insurance, 2027, d.tier_fen) for d in due.dues]
        desk.receipts.record(agent, lines, cash_fen=due.total_fen)
    return desk


def _report(exc: BaseException) -> None:
    sys.stderr.write(f"error: {exc}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="docs/img")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])  # noqa: F841 - kept alive to the end
    with tempfile.TemporaryDirectory() as tmp:
        wizard_home, home = Path(tmp) / "new", Path(tmp) / "demo"
        tasks = TaskManager(on_error=_report)
        with Desk(wizard_home) as empty:
            wizard = SetupWizard(empty, tasks, WizardFlow())
            wizard.fields["village_code"].setText("341824100201")
            wizard.fields["village_name"].setText("示范村")
            wizard.fields["township_code"].setText("341824100")
            wizard.show()
            _save(wizard, out, "wizard", tasks)
            wizard.close()
        desk = build_demo(home, _Clock())
        login = LoginDialog(desk, tasks)
        login.show()
        _save(login, out, "login", tasks)
        login.close()
        ctx = WindowContext(desk, tasks, desk.users.authenticate("李代收", "1234"), NoPrinter())
        window = MainWindow(ctx)
        window.resize(1280, 760)
        window.show()
        window.start()
        d = window.desk_view
        d.search.setText("孙兰军")
        _settle(tasks)
        d.choose_selected()
        _settle(tasks)
        d.panel.cash.setText("1000")
        d.panel.pad.add_stroke([QPointF(30, 70), QPointF(60, 40), QPointF(90, 75), QPointF(130, 35),
                                QPointF(170, 70), QPointF(230, 50)])
        _save(window, out, "desk", tasks)
        for screen, name in ((window.today_view, "today"), (window.settle_view, "settle"),
                             (window.progress_view, "progress"), (window.settings_view, "settings")):
            window.show_screen(screen)
            _settle(tasks)
            if name == "settle":
                # Ten yuan short of what the day's receipts say, to show a difference and its reason.
                expected = sum(r.total_fen for r in desk.receipts.list(_Clock()().date()) if not r.void)
                counted = expected - 1000
                for denom in (10000, 5000, 2000, 1000):
                    window.settle_view.counts[denom].setValue(counted // denom)
                    counted %= denom
                window.settle_view.reason.setText("找零时多找了十元")
            _save(window, out, name, tasks)
        window.close()
        tasks.shutdown()
        desk.close()
        # Top-level widgets without a parent would otherwise be torn down by the interpreter
        # after Qt's own objects, in no particular order (a segfault at exit, half the time).
        for widget in (wizard, login, window):
            widget.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

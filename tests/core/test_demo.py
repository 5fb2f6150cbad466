"""The README's first command on a machine without a display runs the scripted demo day. It
must work whatever day it is run: the bundled county window (2026-09-01 to 2027-06-30) is
widened for the demo village, and a demo home made earlier gets it widened again."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from datetime import date, datetime
from pathlib import Path

import pytest

from app import demo
from app.services.desk import Desk


@pytest.mark.parametrize("day", [date(2026, 11, 20), date(2026, 7, 15), date(2027, 8, 1), date(2029, 3, 10)],
                         ids=["in-window", "between-windows", "after-the-window", "years-later"])
def test_the_scripted_day_runs_on_any_day(tmp_path: Path, day: date) -> None:
    out = io.StringIO()
    with redirect_stdout(out):
        demo.scripted(tmp_path / "home", clock=lambda: datetime.combine(day, datetime.min.time()).replace(hour=10))
    transcript = out.getvalue()
    # every command succeeded but the one the demo shows refused: the same person paid twice
    assert transcript.count("退出码") == 1 and "不能重复收取" in transcript, transcript
    assert f"{day.isoformat()} 已日结" in transcript and "已登记解缴" in transcript
    assert "账本完好" in transcript
    assert (tmp_path / "home" / "ledger.pdf").exists() and (tmp_path / "home" / "receipt.bin").exists()


def test_a_demo_home_made_earlier_has_its_window_widened_again(tmp_path: Path) -> None:
    home = tmp_path / "home"
    made = datetime(2026, 11, 20, 10)
    assert demo.prepare(home, clock=lambda: made) is True
    later = datetime(2028, 1, 5, 10)
    assert demo.prepare(home, clock=lambda: later) is False
    with Desk(home, clock=lambda: later) as desk:
        config = desk.setup.config
        assert config.years[max(config.years)].in_window(later.date())
        assert desk.verify().ok

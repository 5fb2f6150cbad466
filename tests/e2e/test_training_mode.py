"""培训模式 on a real (virtual) screen (issue 26): Alt+T at the login opens the practice village's
login, the agent signs in, and the window says 【培训模式】 in its title with an orange frame and
banner; the real village's ledger is not touched and the program never exits by itself."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from PySide6.QtGui import QImage

from app.demo import AGENT, AGENT_PIN
from tests.e2e.conftest import RunningGui, Screen
from tests.gui.conftest import FakeClock, make_demo_home


def orange_pixels(shot: QImage, xs: range, ys: range) -> int:
    """Pixels of ui/training.py's colour (#e67e22) in the region."""
    return sum(1 for x in xs for y in ys
               if abs((c := shot.pixelColor(x, y)).red() - 0xe6) < 20 and abs(c.green() - 0x7e) < 20
               and abs(c.blue() - 0x22) < 25)


def test_training_from_the_login(laptop: Screen, tmp_path: Path) -> None:
    home = tmp_path / "home"
    make_demo_home(home, FakeClock())
    ledger = home / "daishou.sqlite3"
    before = hashlib.sha256(ledger.read_bytes()).hexdigest()
    gui = RunningGui(laptop, home, tmp_path / "gui.log")
    try:
        gui.activate("代收 — 登录")
        time.sleep(1)
        laptop.shot(tmp_path / "gui-login-training-button.png")
        gui.keys("alt+t")
        laptop.wait_window("登录（培训模式）", timeout=60)
        gui.alive()
        login_shot = laptop.image(tmp_path / "gui-training-login.png")
        assert orange_pixels(login_shot, range(0, 1366, 3), range(0, 768, 3)) > 300, "no orange banner at the login"
        gui.sign_in(AGENT_PIN, name=AGENT, window="【培训模式】代收")
        time.sleep(1.5)
        gui.alive()
        window = laptop.wait_window("【培训模式】代收")
        x, y, w, h = laptop.geometry(window)
        assert w > 1000 and h > 600  # maximised, as the desk always is
        shot = laptop.image(tmp_path / "gui-training-desk.png")
        # The banner at the foot of the window and the frame round it.
        assert orange_pixels(shot, range(0, 1366, 2), range(y + h - 60, min(768, y + h), 2)) > 300, "no banner"
        assert orange_pixels(shot, range(x + w - 6, x + w), range(y + 100, y + h - 100, 3)) > 50, "no orange frame"
    finally:
        gui.stop()
    assert (home / "training" / "daishou.sqlite3").is_file() and (home / "training" / "TRAINING").is_file()
    assert hashlib.sha256(ledger.read_bytes()).hexdigest() == before

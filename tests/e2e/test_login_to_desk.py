"""The real `daishou gui` process on a real (virtual) screen, driven by key presses.

A correct PIN used to end the program (exit code 0) instead of opening the desk: a process that
exits by itself is a failure whatever its code."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import Screen
from tests.gui.conftest import AGENT_PIN, FakeClock, make_demo_home

# Every PIN the e2e runs type, in one place (village heads' PINs may grow to 6 digits).
PINS = {"agent": AGENT_PIN}


@pytest.fixture
def home(tmp_path: Path) -> Path:
    make_demo_home(tmp_path / "home", FakeClock())
    return tmp_path / "home"


def start_gui(screen: Screen, home: Path, log: Path) -> subprocess.Popen[bytes]:
    daishou = Path(sys.executable).with_name("daishou")
    with log.open("wb") as out:
        return subprocess.Popen([str(daishou), "gui", "--home", str(home)], env=screen.env,
                                stdout=out, stderr=subprocess.STDOUT)


@pytest.fixture
def gui(screen: Screen, home: Path, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    proc = start_gui(screen, home, tmp_path / "gui.log")
    yield proc
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=10)


def alive(proc: subprocess.Popen[bytes], log: Path) -> None:
    code = proc.poll()
    assert code is None, f"daishou gui exited by itself with code {code}:\n{log.read_text(errors='replace')}"


def test_pin_and_enter_open_the_desk_maximised(screen: Screen, gui: subprocess.Popen[bytes],
                                               tmp_path: Path) -> None:
    log = tmp_path / "gui.log"
    login = screen.wait_window("登录")
    screen.activate(login)
    screen.run("xdotool", "type", "--delay", "50", PINS["agent"])
    screen.run("xdotool", "key", "Return")
    desk = screen.wait_window("示范村")
    time.sleep(1.5)  # the process must still be there after the hand-over, not only during it
    alive(gui, log)
    x, y, width, height = screen.geometry(desk)
    # Maximised by the window manager: the whole screen but openbox's title bar.
    assert width == screen.width and height >= screen.height - 40, (x, y, width, height)
    assert height < screen.height, "the window is taller than the screen"
    name = "gui-desk.png" if screen.height == 768 else f"gui-desk-{screen.width}x{screen.height}.png"
    shot = screen.image(tmp_path / name)
    # The desk is drawn (light widgets), not an empty black root window.
    light = sum(1 for px in range(0, shot.width(), 40) for py in range(0, shot.height(), 40)
                if shot.pixelColor(px, py).lightness() > 200)
    assert light > 0.5 * (shot.width() // 40) * (shot.height() // 40)
    # The status bar (who, printer, today's cash) is text on the screen's last rows, right side.
    dark = sum(1 for px in range(shot.width() // 2, shot.width()) for py in range(shot.height() - 16, shot.height() - 2)
               if shot.pixelColor(px, py).lightness() < 100)
    assert dark > 200, "no status bar text at the bottom of the screen"
    screen.run("xdotool", "key", "ctrl+l")  # switch user: back to the login, still running
    screen.wait_window("登录")
    time.sleep(1)
    alive(gui, log)
    screen.run("xdotool", "key", "Escape")  # cancelling the login is how the user quits
    assert gui.wait(timeout=30) == 0

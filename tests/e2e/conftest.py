"""A real X screen for the end-to-end tests: Xvfb on a display number it picks itself
(-displayfd: other engineers run Xvfb at the same time) and openbox, which maximises windows as
a desktop does. Everything started here is killed on teardown."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage

TOOLS = ("Xvfb", "openbox", "xdotool", "xprop", "import")


@dataclass
class Screen:
    env: dict[str, str]
    width: int
    height: int

    def run(self, *args: str, timeout: float = 30) -> str:
        return subprocess.run(args, env=self.env, check=True, capture_output=True, text=True,
                              timeout=timeout).stdout

    def wait_window(self, title: str, timeout: float = 60) -> str:
        """The id of the first visible window whose title contains `title`.

        xdotool exits 1 when a window it is looking at is destroyed mid-search (a dialog
        closing, BadWindow): that is asked again until the timeout, not taken as an answer."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                out = self.run("xdotool", "search", "--sync", "--onlyvisible", "--name", title,
                               timeout=max(1.0, deadline - time.monotonic()))
                return out.split()[0]
            except subprocess.CalledProcessError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def activate(self, window: str, timeout: float = 30) -> None:
        """Give `window` the keyboard focus through the window manager.

        xdotool exits 1 when the window manager does not (yet) manage the window it is asked
        to raise (just mapped, not reparented): that is asked again until the timeout."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.run("xdotool", "windowactivate", "--sync", window,
                         timeout=max(1.0, deadline - time.monotonic()))
                return
            except subprocess.CalledProcessError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def geometry(self, window: str) -> tuple[int, int, int, int]:
        values = dict(line.split("=", 1) for line in
                      self.run("xdotool", "getwindowgeometry", "--shell", window).split())
        return int(values["X"]), int(values["Y"]), int(values["WIDTH"]), int(values["HEIGHT"])

    def image(self, path: Path) -> QImage:
        """The screen as a picture (kept at `path`), the whole screen's size."""
        image = QImage(str(self.shot(path)))
        assert (image.width(), image.height()) == (self.width, self.height), path.name
        return image

    def shot(self, path: Path) -> Path:
        self.run("import", "-window", "root", str(path))
        shots = os.environ.get("DAISHOU_E2E_SHOTS")
        if shots:  # DAISHOU_E2E_SHOTS=docs/img copies the screenshots for the README
            Path(shots).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(shots) / path.name)
        return path


def _start_screen(width: int, height: int) -> Iterator[Screen]:
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        pytest.fail(f"installer/dev.sh installs these, run it first: {' '.join(missing)}")
    read, write = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", f"{width}x{height}x24",
                             "-nolisten", "tcp"], pass_fds=(write,), stderr=subprocess.DEVNULL)
    os.close(write)
    procs = [xvfb]
    try:
        with os.fdopen(read) as pipe:
            display = pipe.readline().strip()
        assert display, "Xvfb did not report a display"
        env = {**os.environ, "DISPLAY": f":{display}", "QT_QPA_PLATFORM": "xcb"}
        env.pop("WAYLAND_DISPLAY", None)
        screen = Screen(env, width, height)
        # openbox has taken the screen once it names itself on the root window; a window mapped
        # before that is never managed (not maximised, cannot be activated). An openbox that
        # exits first (one did not take the screen in 30 s on a loaded machine) is started again,
        # and what it said is in the failure.
        with tempfile.TemporaryFile() as said:
            procs.append(subprocess.Popen(["openbox"], env=env, stdout=subprocess.DEVNULL, stderr=said))
            deadline = time.monotonic() + 60
            while "window id" not in subprocess.run(["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"], env=env,
                                                    capture_output=True, text=True).stdout:
                if time.monotonic() > deadline:
                    said.seek(0)
                    pytest.fail("openbox did not take the screen within 60 s: "
                                + said.read().decode(errors="replace")[-2000:])
                if procs[-1].poll() is not None:
                    procs.append(subprocess.Popen(["openbox"], env=env, stdout=subprocess.DEVNULL, stderr=said))
                time.sleep(0.1)
            yield screen
    finally:
        for p in reversed(procs):
            p.kill()
            p.wait(timeout=10)


@pytest.fixture(params=[768, 728], ids=["1366x768", "1366x728-taskbar"])
def screen(request: pytest.FixtureRequest) -> Iterator[Screen]:
    """A 1366x768 laptop screen, and what is left of it above a Windows taskbar."""
    yield from _start_screen(1366, request.param)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def green_pixels(shot: QImage, xs: range, ys: range) -> int:
    """Pixels of a green line (a message that something was done, 账本校验：完好) in the region."""
    return sum(1 for x in xs for y in ys
               if (c := shot.pixelColor(x, y)).green() > 70 and c.red() < 60 and c.blue() < 60)


def read_ledger(home: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
    """Rows of the running program's file, read-only (it may be writing: its lock is waited for)."""
    conn = sqlite3.connect(f"file:{home / 'daishou.sqlite3'}?mode=ro", uri=True, timeout=5)
    try:
        return [tuple(row) for row in conn.execute(sql, params)]
    finally:
        conn.close()


class RunningGui:
    """The real `daishou gui` on a screen, and the keyboard: every key press first checks the
    process is still there (a program that quit is a failure, whatever its exit code)."""

    def __init__(self, screen: Screen, home: Path, log: Path) -> None:
        import sys

        self.screen, self.log = screen, log
        daishou = Path(sys.executable).with_name("daishou")
        with log.open("wb") as out:  # a crash prints the Python stacks into the log
            self.proc = subprocess.Popen([str(daishou), "gui", "--home", str(home)],
                                         env={**screen.env, "PYTHONFAULTHANDLER": "1"}, stdout=out,
                                         stderr=subprocess.STDOUT)

    def alive(self) -> None:
        code = self.proc.poll()
        assert code is None, f"daishou gui exited with {code}:\n{self.log.read_text(errors='replace')}"

    def keys(self, *names: str) -> None:
        self.alive()
        for name in names:
            self.screen.run("xdotool", "key", "--delay", "60", name)
            time.sleep(0.15)

    def type(self, text: str) -> None:
        self.alive()
        self.screen.run("xdotool", "type", "--delay", "50", text)

    def paste(self, text: str) -> None:
        """Chinese as an input method commits it: through the clipboard, then Ctrl+V."""
        subprocess.run(["xclip", "-selection", "clipboard"], input=text.encode(), env=self.screen.env, check=True,
                       timeout=10)
        self.keys("ctrl+v")

    def activate(self, title: str, timeout: float = 60) -> str:
        window = self.screen.wait_window(title, timeout=timeout)
        self.screen.activate(window)
        time.sleep(0.5)
        return window

    def choose_file(self, title: str, path: Path) -> None:
        """In the file dialog titled `title` (opened by the keys before): `path` typed over
        whatever its name field holds, then Enter."""
        self.activate(title)
        self.keys("ctrl+a")
        self.screen.run("xdotool", "type", "--delay", "20", str(path))
        self.keys("Return")

    def sign_in(self, pin: str, *, name: str | None = None, window: str = "示范村") -> str:
        """At the login: the name (pasted, as an input method commits it; the first user when
        None), the PIN, Enter; then the window whose title holds `window`, activated."""
        self.activate("登录")
        if name is not None:
            self.keys("shift+Tab", "ctrl+a")  # from the PIN back to the name
            self.paste(name)
            self.keys("Tab")
        self.type(pin)
        self.keys("Return")
        opened = self.activate(window)
        time.sleep(0.5)
        return opened

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)


@pytest.fixture
def laptop() -> Iterator[Screen]:
    """One 1366x768 screen (the tests that need only one size)."""
    yield from _start_screen(1366, 768)

"""The program as a village PC gets it: the PyInstaller bundle (`installer/daishou.spec`) built
here and run with nothing of the source tree on its path. Files a frozen program cannot find
(the schema's SQL, pypinyin's dictionary, python-escpos's capabilities, the entry points of
`daishou gui|print|sync`, the demo village) fail here, not on the village's computer.

A day at the desk through the bundled `daishou`, then `daishou-gui` on an X screen: its login,
the PIN typed, the desk open and the program still running. On Debian the bundle is a Linux one: PyInstaller does not cross-build, so
the Windows bundle is built the same way on Windows (README)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from app.demo import demo_config
from tests.e2e.conftest import Screen, _start_screen

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

AGENT, AGENT_PIN, HEAD, HEAD_PIN = "李代收", "1234", "王村长", "567890"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built folder (about 70 s on this machine)."""
    if os.environ.get("DAISHOU_BUNDLE"):  # one already built, for working on these tests
        return Path(os.environ["DAISHOU_BUNDLE"])
    out = tmp_path_factory.mktemp("bundle")
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "ERROR",
                    "--distpath", str(out / "dist"), "--workpath", str(out / "work"),
                    str(ROOT / "installer" / "daishou.spec")], check=True, cwd=ROOT, timeout=900)
    return out / "dist" / "daishou"


def _env() -> dict[str, str]:
    # Nothing of the source tree or the venv: only what the bundle holds.
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")} | {
        "PYTHONNOUSERSITE": "1"}


def daishou(bundle: Path, home: Path, *args: str, stdin: str = "") -> str:
    done = subprocess.run([str(bundle / "daishou"), "--home", str(home), *args], input=stdin,
                          capture_output=True, text=True, env=_env(), cwd=bundle.parent, timeout=120)
    assert done.returncode == 0, f"daishou {' '.join(args)}: {done.stderr}"
    return done.stdout


def test_a_day_at_the_desk_through_the_bundled_command_line(bundle: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    today = date.today().isoformat()
    config = tmp_path / "county.json"
    config.write_text(demo_config(date.today()), encoding="utf-8")
    roster = bundle / "_internal" / "resources" / "demo" / "roster-2027.csv"  # the bundle's own
    assert "ledger-scan" in daishou(bundle, home, "--help") and "gui" in daishou(bundle, home, "--help")
    daishou(bundle, home, "init", "--village-code", "341824100201", "--village-name", "示范村",
            "--township-code", "341824100", "--device-no", "1")
    daishou(bundle, home, "config", "import", str(config))
    imported = json.loads(daishou(bundle, home, "roster", "import", str(roster), "--json"))
    assert imported["imported"] > 50
    daishou(bundle, home, "user", "add", "--name", AGENT, "--role", "agent", stdin=AGENT_PIN + "\n")
    daishou(bundle, home, "user", "add", "--name", HEAD, "--role", "head", stdin=HEAD_PIN + "\n")
    # 何梅德 (a pinyin search reads the dictionary the bundle carries) pays his medical insurance.
    found = json.loads(daishou(bundle, home, "roster", "search", "hmd", "--json"))
    he = next(p for p in found if p["name"] == "何梅德")
    receipt = json.loads(daishou(bundle, home, "receipt", "record", "--agent", AGENT, "--line",
                                 f"{he['id_number']}:medical:2027", "--cash", "500", "--json",
                                 stdin=AGENT_PIN + "\n"))
    assert (receipt["total_fen"], receipt["change_fen"]) == (40000, 10000)
    daishou(bundle, home, "print", "receipt", receipt["number"], "--printer", f"file://{tmp_path / 'r.bin'}")
    assert "何梅德".encode("gb18030") in (tmp_path / "r.bin").read_bytes()  # python-escpos, GBK text
    daishou(bundle, home, "settle", "--date", today, "--counted", "400", "--agent", AGENT, "--head", HEAD,
            stdin=f"{AGENT_PIN}\n{HEAD_PIN}\n")
    daishou(bundle, home, "report", "ledger", "--date", today, "--out", str(tmp_path / "ledger.pdf"))
    assert (tmp_path / "ledger.pdf").read_bytes().startswith(b"%PDF")
    assert "账本完好" in daishou(bundle, home, "verify")


def test_the_bundled_program_updates_an_older_programs_village(bundle: Path, tmp_path: Path) -> None:
    """Issue 26: the bundled program says its version, ships the manual, and takes over a data
    folder the older program wrote (before the newest schema step): migrated with a backup,
    verified, numbering on from the old last receipt."""
    from app.storage.db import SCHEMA_VERSION, user_version
    from app.version import version
    from tests.factories import AYGUL
    from tests.upgrade.test_from_previous_program import old_village

    assert daishou(bundle, tmp_path, "--version").strip() == f"daishou {version()}"
    assert (bundle / "_internal" / "docs" / "manual" / "index.html").is_file()
    home, before, written = old_village("before the newest schema step", tmp_path)
    assert written == SCHEMA_VERSION - 1
    assert "账本完好" in daishou(bundle, home, "verify")  # the bundled program opened (and migrated) it
    assert user_version(home / "daishou.sqlite3") == SCHEMA_VERSION
    assert list((home / "backups").glob(f"daishou-v{written}-*.sqlite3"))
    listed = [r["number"] for day in ("2026-11-20", "2026-11-21", "2026-11-22")
              for r in json.loads(daishou(bundle, home, "receipt", "list", "--date", day, "--json"))]
    assert listed == before  # nothing renumbered
    # Recorded today by the bundled program's own clock, which may lie outside the configured
    # 2027 collection window: an override reason covers that day (the old days had fixed ones).
    after = json.loads(daishou(bundle, home, "receipt", "record", "--agent", AGENT, "--line",
                               f"{AYGUL.id_number}:medical:2027", "--cash", "400",
                               "--override-reason", "测试：升级后的第一张收据", "--json", stdin=AGENT_PIN + "\n"))
    assert after["number"] == "341824100201-01-000004"
    assert "账本完好" in daishou(bundle, home, "verify")


@pytest.fixture
def screen() -> Iterator[Screen]:
    yield from _start_screen(1366, 768)


def test_the_bundled_window_signs_in_to_the_desk(bundle: Path, screen: Screen, tmp_path: Path) -> None:
    home = tmp_path / "home"
    daishou(bundle, home, "init", "--village-code", "341824100201", "--village-name", "示范村",
            "--township-code", "341824100", "--device-no", "1")
    daishou(bundle, home, "user", "add", "--name", AGENT, "--role", "agent", stdin=AGENT_PIN + "\n")
    log = tmp_path / "gui.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([str(bundle / "daishou-gui"), "--home", str(home)], env=_env() | screen.env,
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        login = screen.wait_window("登录", timeout=60)
        x, y, w, h = screen.geometry(login)
        shot = screen.image(tmp_path / "login.png")
        # The dialog is drawn: light background with dark text inside its frame.
        inside = [shot.pixelColor(px, py).lightness() for px in range(x, x + w, 3) for py in range(y, y + h, 3)]
        assert sum(v > 200 for v in inside) > len(inside) // 2 and sum(v < 90 for v in inside) > 50
        # Signing in opens the desk, and the program is still there (the trap of a Qt program
        # that quits when its login closes).
        screen.activate(login)
        screen.run("xdotool", "type", "--delay", "50", AGENT_PIN)
        screen.run("xdotool", "key", "Return")
        screen.wait_window("示范村", timeout=60)
        time.sleep(2)
        assert proc.poll() is None, log.read_text(errors="replace")
        screen.shot(tmp_path / "desk.png")
    finally:
        proc.kill()
        proc.wait(timeout=10)


def test_the_windows_installer_script_compiles_around_the_bundle(bundle: Path, tmp_path: Path) -> None:
    """NSIS compiles installer/daishou.nsi (warnings are errors) with every file of the bundle in
    it. The Linux bundle stands in for the Windows one: what it proves is the script, not the
    installer's run on Windows, which this machine cannot do."""
    out = tmp_path / "Daishou-test-installer.exe"
    done = subprocess.run(["makensis", "-WX", "-V2", "-DNOCOMPRESS", f"-DBUNDLE={bundle}", f"-DOUT={out}",
                           "-DVERSION=0.1.0", str(ROOT / "installer" / "daishou.nsi")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    payload = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file() and not p.is_symlink())
    assert out.read_bytes()[:2] == b"MZ" and out.stat().st_size > payload


def test_the_bundled_file_dialog_reads_chinese(bundle: Path, screen: Screen, tmp_path: Path) -> None:
    """The .qm files the spec carries are found by the frozen program: Ctrl+I's file dialog reads
    查看/文件类型, not Look in/Files of type (what it reads is dumped by ui/file_dialogs.py)."""
    home = tmp_path / "home"
    daishou(bundle, home, "init", "--village-code", "341824100201", "--village-name", "示范村",
            "--township-code", "341824100", "--device-no", "1")
    daishou(bundle, home, "user", "add", "--name", AGENT, "--role", "agent", stdin=AGENT_PIN + "\n")
    assert list(bundle.rglob("translations/qtbase_zh_CN.qm")), "the spec did not carry qtbase_zh_CN.qm"
    dump, log = tmp_path / "dialogs.jsonl", tmp_path / "gui.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([str(bundle / "daishou-gui"), "--home", str(home)],
                                env=_env() | screen.env | {"DAISHOU_DIALOG_DUMP": str(dump)},
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        login = screen.wait_window("登录", timeout=60)
        screen.activate(login)
        screen.run("xdotool", "type", "--delay", "50", AGENT_PIN)
        screen.run("xdotool", "key", "Return")
        screen.activate(screen.wait_window("示范村", timeout=60))
        time.sleep(1)
        # Pressed once: a key that seemed lost on a loaded machine was an error box the desk
        # opened at sign-in (no county configuration) coming up first; the banner says it now.
        screen.run("xdotool", "key", "ctrl+i")
        try:
            screen.wait_window("选择征收清册文件", timeout=60)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            screen.shot(tmp_path / "no-dialog.png")  # what was on the screen, for the failure
            shown = screen.run("xdotool", "search", "--onlyvisible", "--name", ".")
            titles = [screen.run("xdotool", "getwindowname", w).strip() for w in shown.split()]
            raise AssertionError(f"no file dialog after Ctrl+I; windows {titles}, screenshot "
                                 f"{tmp_path / 'no-dialog.png'}\n" + log.read_text(errors="replace")) from None
        deadline = time.monotonic() + 20
        while not dump.exists():
            assert time.monotonic() < deadline and proc.poll() is None, log.read_text(errors="replace")
            time.sleep(0.2)
        time.sleep(0.3)
        labels = json.loads(dump.read_text(encoding="utf-8").splitlines()[0])["labels"]
        assert (labels["lookInLabel"], labels["fileTypeLabel"]) == ("查看(&L)：", "文件类型(&T)："), labels
    finally:
        proc.kill()
        proc.wait(timeout=10)

"""The Windows installer's last pages say the ledger stays (issue 26): compiled by NSIS here (warnings
are errors) around a stand-in bundle, and the compiled installer holds both pages' text. The full
bundle's compile runs in tests/bundle; the installer itself runs only on Windows (README)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("makensis") is None, reason="NSIS (Debian package nsis) is not installed")
def test_the_finish_pages_say_the_data_folder_is_kept(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    (bundle / "_internal").mkdir(parents=True)
    for name in ("daishou.exe", "daishou-gui.exe", "_internal/base_library.zip"):
        (bundle / name).write_bytes(b"stand-in")
    out = tmp_path / "Daishou-9.8.7-installer.exe"  # NSIS warns about a file named setup.exe
    done = subprocess.run(["makensis", "-WX", "-V2", "-DNOCOMPRESS", f"-DBUNDLE={bundle}", f"-DOUT={out}",
                           "-DVERSION=9.8.7", str(ROOT / "installer" / "daishou.nsi")], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    compiled = out.read_bytes()
    for text in ("代收 9.8.7 已安装", "安装新版本不会改动它们", "卸载程序也会完整保留它们",  # the install's last page
                 "代收程序已卸载", "仍保留在"):  # the uninstall's last page
        assert text.encode("utf-16-le") in compiled, text
    script = (ROOT / "installer" / "daishou.nsi").read_text(encoding="utf-8")
    uninstall = script.split('Section "Uninstall"')[1].split("SectionEnd")[0]
    removing = [line.strip() for line in uninstall.splitlines() if line.strip().startswith(("RMDir", "Delete"))]
    assert removing and all("LOCALAPPDATA" not in line for line in removing), removing  # only the program's files

"""The 导出到U盘 button of F6 on a PC with no keyring, the file dialogs' starting folders, and
Qt's file dialog in Chinese (its labels, its type column)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel

from tests.gui.conftest import FakeFiles, wait_idle
from ui.app import install_translations
from ui.file_dialogs import FileChooser, Kind, last_key
from ui.qt_chinese import GapsTranslator


@pytest.fixture
def no_keyring() -> Iterator[None]:
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_export_to_usb_asks_for_the_county_code_then_writes_the_file(qtbot, window, no_keyring,  # type: ignore[no-untyped-def]
                                                                    tmp_path: Path) -> None:
    s = window.settings_view
    window.show_screen(s)
    wait_idle(qtbot, window.ctx.tasks)
    assert "U盘注册码" in s.sync_state.text() and "daishou" not in s.sync_state.text()
    out = tmp_path / "U盘" / "代收数据.json"
    out.parent.mkdir()
    window.ctx.files = files = FakeFiles(save=out)
    s.usb_button.click()
    qtbot.waitUntil(lambda: "U盘注册码" in s.message.text())
    assert files.asked == 0 and not out.exists()  # told what to type before any dialog
    qtbot.waitUntil(s.enrol_code.hasFocus)  # and the cursor is where to type it
    s.enrol_code.setText("abcd-efgh-jkmn-pqr2")
    s.usb_button.click()
    qtbot.waitUntil(lambda: "请把U盘交县里导入" in s.message.text(), timeout=10000)
    batches = json.loads(out.read_text(encoding="utf-8"))["batches"]
    assert batches[0]["from_seq"] == 1 and files.asked == 1 and s.enrol_code.text() == ""
    assert "导出到U盘" in s.sync_state.text()


def test_file_dialogs_start_where_that_kind_of_file_goes(tmp_path: Path) -> None:
    backup, reports, stick = (tmp_path / n for n in ("backup", "reports", "stick"))
    for folder in (backup, reports, stick):
        folder.mkdir()
    saved: dict[str, str] = {}
    chooser = FileChooser({"backup.dir": str(backup)}, lambda k, v: saved.__setitem__(k, v))
    assert chooser.start(Kind.BACKUP) == str(backup)
    assert chooser.start(Kind.REPORT) == str(backup)  # no report folder: the backup folder
    assert chooser.start(Kind.SCAN) == str(Path.home())  # never the program's folder
    chooser.note({"report.dir": str(reports)})
    assert chooser.start(Kind.REPORT) == str(reports)
    chooser._picked(Kind.USB, stick / "代收数据.json")
    assert saved == {last_key(Kind.USB): str(stick)} and chooser.start(Kind.USB) == str(stick)
    assert FileChooser(saved).start(Kind.USB) == str(stick)  # remembered in the desk's settings


def test_qt_file_dialog_reads_chinese(qapp: QApplication, tmp_path: Path) -> None:
    (tmp_path / "子文件夹").mkdir()
    translator = install_translations(qapp)
    assert translator is not None
    try:
        dialog = QFileDialog(None, "选择", str(tmp_path), "代收数据 (*.json)")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        labels = {w.objectName(): w.text() for w in dialog.findChildren(QLabel) if w.objectName()}
        assert labels["lookInLabel"] == "查看(&L)：" and labels["fileTypeLabel"] == "文件类型(&T)："
        assert labels["fileNameLabel"] == "文件名称(&N)："
        from PySide6.QtCore import QCoreApplication

        assert QCoreApplication.translate("QAbstractFileIconProvider", "Folder", "All other platforms") == "文件夹"
        dialog.deleteLater()
    finally:
        qapp.removeTranslator(translator)
        for gaps in translator.findChildren(GapsTranslator):
            qapp.removeTranslator(gaps)


def test_the_chinese_locale_is_for_qt_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Qt reads the locale while the application is made; the PDF viewer the desk starts later
    gets the PC's own environment back."""
    import os

    from ui.qt_chinese import prefer_chinese_locale

    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    with prefer_chinese_locale():
        assert os.environ["LC_ALL"] == "zh_CN.UTF-8"
    assert "LC_ALL" not in os.environ and os.environ["LANG"] == "C.UTF-8"
    monkeypatch.setenv("LANG", "zh_TW.UTF-8")  # a Chinese locale already: left alone
    with prefer_chinese_locale():
        assert "LC_ALL" not in os.environ

"""Settings F6 → 从备份恢复: the window's way to `daishou restore`.

The head (村委会负责人) or an administrator confirms with their PIN; the service checks the copy
before anything moves (app/services/restore.py). The desk's connections are closed first (the
ledger file is about to be moved aside) and, after a restore, the program asks to be opened
again: every screen, cache and the keyring's mark then start from the restored file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from app.domain.records import Role
from app.services.errors import DaishouError
from app.services.restore import RestoreResult, restore
from ui.context import WindowContext
from ui.typed_qt import named

FILTER = "代收备份 (*.sqlite3 *.age);;所有文件 (*)"


def choose_and_restore(ctx: WindowContext, *, parent: QWidget,
                       on_restored: Callable[[RestoreResult], None] | None = None) -> RestoreDialog | None:
    source = ctx.files.open_path(parent, "选择要恢复的备份文件（备份文件夹或U盘）", FILTER)
    if source is None:
        return None
    dialog = RestoreDialog(ctx, source, parent=parent, on_restored=on_restored)
    dialog.open()
    return dialog


class RestoreDialog(QDialog):
    def __init__(self, ctx: WindowContext, source: Path, *, parent: QWidget | None = None,
                 on_restored: Callable[[RestoreResult], None] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("从备份恢复账本")
        self.setObjectName("restoreDialog")
        self._ctx, self._source = ctx, source
        # The message has the settings screen as parent: a parentless box would be collected at once.
        self._on_restored = on_restored or (lambda result: _reopen(result, parent=parent))
        self.name = named(QComboBox(editable=True), "restoreBy")
        ctx.tasks.run(ctx.desk.users.list, lambda users: self.name.addItems(
            [u.name for u in users if u.role in (Role.HEAD, Role.ADMIN)]))
        self.pin = named(QLineEdit(echoMode=QLineEdit.EchoMode.Password,
                             placeholderText="村委会负责人或管理员输入密码"), "restorePin")
        # Only for a copy sealed to the township and county alone (a PC without a keyring).
        self.key_file: Path | None = None
        self.key_button = named(QPushButton("乡镇密钥文件(&K)…", autoDefault=False), "restoreKeyFile")
        self.key_button.clicked.connect(self._choose_key)
        self.message = named(QLabel(wordWrap=True), "restoreMessage")
        self.message.setStyleSheet("color: #b00020")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("恢复")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self._restore)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(QLabel(f"用备份 {source.name} 恢复本机账本。\n先核对备份（本村本机的、完好的、不比本机记下的"
                           "或县里已确认的旧）；现有账本移到数据目录的 replaced 文件夹保留，不会删除。", wordWrap=True))
        form.addRow("负责人或管理员", self.name)
        form.addRow("密码", self.pin)
        form.addRow("本机无密钥时", self.key_button)
        form.addRow(self.message)
        form.addRow(buttons)
        self.pin.setFocus()

    def _choose_key(self) -> None:
        chosen = self._ctx.files.open_path(self, "选择乡镇的密钥文件", "乡镇密钥文件 (*.key *.txt);;所有文件 (*)")
        if chosen is not None:
            self.key_file = chosen
            self.key_button.setText(f"乡镇密钥文件(&K)：{chosen.name}")

    def _restore(self) -> None:
        desk, name, pin, source = self._ctx.desk, self.name.currentText(), self.pin.text(), self._source
        key_file = self.key_file
        self.ok.setEnabled(False)

        def work() -> RestoreResult:
            desk.close()  # the file is about to move: no connection of ours may hold it
            return restore(desk.home, source, by=name, pin=pin, now=desk.clock, key_file=key_file)

        self._ctx.tasks.run(work, self._done, on_error=self._refused)

    def _done(self, result: RestoreResult) -> None:
        self.accept()
        self._on_restored(result)

    def _refused(self, exc: BaseException) -> None:
        self.ok.setEnabled(True)
        if not isinstance(exc, DaishouError):
            self._ctx.tasks.fault(exc)
            return
        self.message.setText(exc.message)
        self.pin.clear()
        self.pin.setFocus()


def _reopen(result: RestoreResult, *, parent: QWidget | None) -> None:
    aside = result.kept_aside[0] if result.kept_aside else None
    kept = f"\n原账本保留在：{aside}" if aside else ""
    box = QMessageBox(QMessageBox.Icon.Information, "已恢复",
                      f"账本已从备份恢复（{result.entries} 条记录，最新收据序号 {result.receipt_seq}）。{kept}\n\n"
                      "程序将关闭，请重新打开代收。", QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("restoredBox")
    box.finished.connect(lambda _r: QApplication.quit())
    box.open()

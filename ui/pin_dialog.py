"""Ask a village head for their countersign: name and PIN, checked off the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from app.domain.records import Role, UserInfo
from app.services.desk import Desk
from app.services.errors import DaishouError
from app.services.operations import OpResult
from app.services.signoff import SECOND_HEAD_WAY_OUT
from ui.changes import Changes
from ui.placement import fit_to_contents
from ui.tasks import TaskManager
from ui.typed_qt import named

T = TypeVar("T")


class HeadPinDialog(QDialog):
    """Accepts only after the PIN was verified; .head is then the countersigning head."""

    def __init__(self, desk: Desk, tasks: TaskManager, *, purpose: str, exclude: str = "",
                 detail: str = "", ask_reason: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"村委会负责人确认：{purpose}")
        self.setObjectName("headPinDialog")
        self._desk, self._tasks, self._purpose = desk, tasks, purpose
        self.head: UserInfo | None = None
        self.reason = named(QLineEdit(placeholderText="必填"), "reasonEdit")
        self.name = QComboBox(editable=True)
        self.name.setObjectName("headName")
        tasks.run(desk.users.list, lambda users: self._heads(
            [u.name for u in users if u.role is Role.HEAD and u.name != exclude]))
        self.pin = named(QLineEdit(echoMode=QLineEdit.EchoMode.Password), "headPin")
        self.pin.setPlaceholderText("村委会负责人输入密码")
        self.message = named(QLabel(wordWrap=True), "pinMessage")
        self.message.setStyleSheet("color: #b00020")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确认")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        form = QFormLayout(self)
        form.addRow(QLabel(f"{detail}{purpose}需要村委会负责人会签。", wordWrap=True))
        if ask_reason:
            form.addRow("原因", self.reason)
        form.addRow("村委会负责人", self.name)
        form.addRow("密码", self.pin)
        form.addRow(self.message)
        form.addRow(buttons)
        fit_to_contents(self, min_width=380)
        self._ask_reason = ask_reason
        (self.reason if ask_reason else self.pin).setFocus()

    def countersign(self, prepare: Callable[[UserInfo], Callable[[], OpResult[T]]],
                    done: Callable[[T], object], *, changes: Changes,
                    on_error: Callable[[BaseException], None]) -> HeadPinDialog:
        """Open; once a head's PIN is verified, run the operation `prepare(head)` builds (on the
        GUI thread, where the dialog's fields are read) and hand its value to `done`."""
        def confirmed(result: int) -> None:
            if result == QDialog.DialogCode.Accepted and self.head is not None:
                self._tasks.op(prepare(self.head), done, changes=changes, on_error=on_error)

        self.finished.connect(confirmed)
        self.open()
        return self

    def _heads(self, names: list[str]) -> None:
        self.name.addItems(names)
        if not names:
            self.message.setText(f"没有可以会签的另一位村委会负责人。{SECOND_HEAD_WAY_OUT}。")

    def _check(self) -> None:
        name, pin = self.name.currentText(), self.pin.text()
        if self._ask_reason and not self.reason.text().strip():
            self.message.setText("请填写原因")
            self.reason.setFocus()
            return
        self.ok.setEnabled(False)
        users = self._desk.users
        self._tasks.run(lambda: users.authenticate(name, pin, roles=(Role.HEAD,), purpose=self._purpose),
                        self._verified, on_error=self._refused)

    def _verified(self, head: UserInfo) -> None:
        self.head = head
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self.ok.setEnabled(True)
        if not isinstance(exc, DaishouError):
            self._tasks.fault(exc)
            return
        self.message.setText(exc.message)
        self.pin.clear()
        self.pin.setFocus()

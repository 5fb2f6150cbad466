"""Log in with name and PIN; wrong PINs are counted by the core, which locks after five."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from app.domain.records import Device, UserInfo
from app.services.desk import Desk
from app.services.desk_alerts import Alert, desk_alerts
from app.services.errors import DaishouError, PinTooShort
from app.training import is_training
from ui import training
from ui.alert_banner import style_alerts
from ui.manual import install_f1
from ui.message import ERROR_STYLE
from ui.placement import fit_to_contents
from ui.tasks import TaskManager
from ui.text_size import scaled
from ui.typed_qt import form_rows, named


class LoginDialog(QDialog):
    logged_in = Signal(object)  # UserInfo
    training_requested = Signal()  # 培训模式: open the practice village instead (ui/app.py)

    def __init__(self, desk: Desk, tasks: TaskManager, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("loginDialog")
        practice = is_training(desk.home)
        self.setWindowTitle("代收 — 登录（培训模式）" if practice else "代收 — 登录")
        self._desk, self._tasks = desk, tasks
        self.village = named(QLabel(), "loginVillage")
        scaled(self.village, 1.6, bold=True)
        self.name = named(QComboBox(editable=True), "loginName")
        self.pin = named(QLineEdit(echoMode=QLineEdit.EchoMode.Password), "loginPin")
        self.pin.setPlaceholderText("密码，回车登录")
        self.message = named(QLabel(wordWrap=True), "loginMessage")
        self.message.setStyleSheet(ERROR_STYLE)
        self.button = named(QPushButton("登录", default=True), "loginButton")
        self.button.clicked.connect(self.submit)
        # Shown only when the PIN was right but too short for the role (an older version's
        # 4-digit head PIN): the new one is chosen here, not on a command line.
        self.new_pin = named(QLineEdit(echoMode=QLineEdit.EchoMode.Password), "loginNewPin")
        self.new_pin_again = named(QLineEdit(echoMode=QLineEdit.EchoMode.Password), "loginNewPinAgain")
        self._old_pin: str | None = None
        self._typed = ""
        form = QFormLayout(self)
        form.addRow(self.village)
        # Before anyone signs in: what blocks taking cash today, so it is fixed before a villager waits.
        self.alerts = named(QLabel(wordWrap=True), "loginAlerts")
        self.alerts.hide()
        form_rows(form, self.alerts, ("姓名", self.name), ("密码", self.pin), ("新密码", self.new_pin),
                  ("再输一次", self.new_pin_again), self.message, self.button)
        if practice:
            form.insertRow(0, training.banner())
        else:  # 003 第二十四条: training on a practice village, from here, before anyone signs in
            self.training_button = named(QPushButton("培训模式(&T)", autoDefault=False), "trainingButton")
            self.training_button.setToolTip("打开练习用的示范村：收据和报表印「培训」，数据不上传县里")
            self.training_button.clicked.connect(self.training_requested)
            form.addRow(self.training_button)
        self._form = form
        self._show_new_pin(False)
        fit_to_contents(self, min_width=420)
        self.manual_key = install_f1(self)  # F1: the 操作手册
        self.pin.setFocus()
        tasks.run(lambda: (desk.setup.device, desk.users.list()), self._fill)
        tasks.run(lambda: desk_alerts(desk), self._show_alerts, on_error=self._no_alerts)

    def _fill(self, result: tuple[Device, list[UserInfo]]) -> None:
        device, users = result
        self.village.setText(f"{device.village_name}　设备 {device.device_no}")
        self.name.addItems([u.name for u in users])
        self.pin.setFocus()

    def _show_alerts(self, alerts: list[Alert]) -> None:
        style_alerts(self.alerts, alerts)
        self.adjustSize()  # the box grows to the banner's wrapped lines

    def _no_alerts(self, exc: BaseException) -> None:
        # A village not fully set up (no county configuration yet) has no banner; the desk says why.
        if not isinstance(exc, DaishouError):
            self._tasks.fault(exc)

    def _show_new_pin(self, show: bool) -> None:
        for field in (self.new_pin, self.new_pin_again):
            self._form.setRowVisible(field, show)
        self.button.setText("设置新密码并登录" if show else "登录")

    def submit(self) -> None:
        name, pin = self.name.currentText().strip(), self.pin.text()
        users = self._desk.users
        if self._old_pin is not None:
            old, new = self._old_pin, self.new_pin.text()
            if new != self.new_pin_again.text():
                self.message.setText("两次输入的新密码不一致")
                return
            def change_then_sign_in() -> UserInfo:
                users.change_pin(name, old, new)
                return users.authenticate(name, new)

            self.button.setEnabled(False)
            self._tasks.run(change_then_sign_in, self._accepted, on_error=self._refused)
            return
        if not name or not pin:
            self.message.setText("请选择姓名并输入密码")
            return
        self.button.setEnabled(False)
        self._tasks.run(lambda: users.authenticate(name, pin), self._accepted, on_error=self._refused)
        self._typed = pin

    def _accepted(self, user: UserInfo) -> None:
        # The dialog stays open until the window is shown (DeskApp closes it): a moment with no
        # window on screen would end the program.
        self.message.setText("正在打开…")
        self.logged_in.emit(user)

    def _refused(self, exc: BaseException) -> None:
        self.button.setEnabled(True)
        if isinstance(exc, PinTooShort) and self._old_pin is None:
            self._old_pin = self._typed  # right, but too short: keep it to change it
            self._show_new_pin(True)
            self.new_pin.setFocus()
            self.message.setText(exc.message)
            return
        self.pin.clear()
        self.new_pin.clear()
        self.new_pin_again.clear()
        self.pin.setFocus()
        if isinstance(exc, DaishouError):
            self.message.setText(exc.message)
        else:
            self._tasks.fault(exc)

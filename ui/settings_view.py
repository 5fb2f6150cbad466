"""设置: printer (kind, address, paper width, test print), county server, users and PINs,
backup folder, large-text mode."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from app.domain.printer_settings import CHARSET, RASTER, URI, WIDTH, PrinterSettings
from app.domain.records import Role, UserInfo
from app.services.errors import DaishouError
from ui.context import WindowContext
from ui.file_dialogs import Kind
from ui.message import MessageLine
from ui.paper_panel import PaperPanel
from ui.pin_rule import pin_hint
from ui.printer import PRINTER_KINDS, PrinterProblem, printer_from_settings, split_uri
from ui.staff_notice_dialog import StaffNoticeDialog
from ui.text_size import apply_text_size
from ui.typed_qt import STRETCH, button, form_rows, named, side_by_side, stacked


class SettingsView(QWidget):
    def __init__(self, ctx: WindowContext, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.kind = named(QComboBox(), "printerKind")
        for value, text in PRINTER_KINDS:
            self.kind.addItem(text, value)
        self.address = named(QLineEdit(placeholderText="如 192.168.1.100:9100"), "printerAddress")
        self.paper_width = named(QComboBox(), "paperWidth")
        self.paper_width.addItem("58 mm", 58)
        self.paper_width.addItem("80 mm", 80)
        self.charset = named(QComboBox(), "printerCharset")
        for value, text in (("gbk", "GBK（多数打印机）"), ("gb2312", "GB2312（老式打印机）"),
                            ("gb18030", "GB18030")):
            self.charset.addItem(text, value)
        self.raster = named(QCheckBox("打印机没有中文字库：整张收据按图像打印"), "printerRaster")
        self.test_button = button("测试打印（Ctrl+T）", "testPrint", self.test_print)
        self.server = named(QLineEdit(placeholderText="县服务器地址，如 https://sb.xx县.gov.cn"), "serverUrl")
        self.enrol_code = named(QLineEdit(placeholderText="县里给的注册码：联网注册8位，U盘导出16位"), "enrolCode")
        self.enrol_button = button("注册本机", "enrolButton", self.enrol)
        self.sync_state = named(QLabel(wordWrap=True), "syncState")
        # No network at all: the settled days go to the county on a USB stick (sync/usb_key.py).
        self.usb_button = button("导出到&U盘（Alt+U）", "exportUsb", self.export_usb)
        self.backup = named(QLineEdit(), "backupDir")
        browse = QPushButton("选择…")
        browse.clicked.connect(lambda: self._choose(self.backup, "选择备份文件夹（建议U盘）", Kind.BACKUP))
        self.restore_button = button("从备份恢复…(&R)", "restoreButton", self.restore_from_backup)
        self.reports = named(QLineEdit(placeholderText="日结单、台账、未缴名单 PDF；空则用备份文件夹"), "reportDir")
        browse_reports = QPushButton("选择…")
        browse_reports.clicked.connect(lambda: self._choose(self.reports, "选择报表文件夹", Kind.REPORT))
        self.large = named(QCheckBox("大字模式（适合老花眼）"), "largeText")
        self.save_button = button("保存设置（Ctrl+S）", "saveSettings", self.save)
        self.message = MessageLine("settingsMessage")

        self.users = named(QLabel(wordWrap=True), "userList")
        self.new_name = named(QLineEdit(placeholderText="姓名"), "newUserName")
        self.new_role = named(QComboBox(), "newUserRole")
        for role in (Role.AGENT, Role.HEAD, Role.TOWNSHIP, Role.GRID):
            self.new_role.addItem(role.label, role.value)
        self.new_pin = named(QLineEdit(placeholderText=pin_hint(Role.AGENT.value) + "密码",
                                 echoMode=QLineEdit.EchoMode.Password), "newUserPin")
        self.new_role.currentIndexChanged.connect(
            lambda _i: self.new_pin.setPlaceholderText(pin_hint(self.new_role.currentData()) + "密码"))
        self.add_user_button = button("添加用户", "addUser", self.add_user)
        self.old_pin = named(QLineEdit(echoMode=QLineEdit.EchoMode.Password), "oldPin")
        self.changed_pin = named(QLineEdit(echoMode=QLineEdit.EchoMode.Password), "changedPin")
        self.change_pin_button = button("修改我的密码", "changePin", self.change_pin)
        # An administrator lifts a lockout or sets a new PIN for someone who forgot theirs.
        self.admin_user = named(QComboBox(), "adminUser")
        self.admin_user.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.admin_user.setMinimumContentsLength(12)  # 「李代收（代收员，已锁定）」 reads whole
        self.admin_new_pin = named(QLineEdit(placeholderText="新密码（重置时填写）",
                                       echoMode=QLineEdit.EchoMode.Password), "adminNewPin")
        self.unlock_button = button("解除锁定", "unlockUser", self.unlock_user)
        self.reset_pin_button = button("重置密码", "resetPin", self.reset_pin)

        printer_box = QGroupBox("收据打印机")
        form_rows(QFormLayout(printer_box), ("类型", self.kind), ("地址", self.address), ("纸宽", self.paper_width),
                  ("字库", self.charset), self.raster, self.test_button)
        other = QGroupBox("县服务器、备份和显示")
        form_rows(QFormLayout(other), ("县服务器", self.server),
                  ("注册码", side_by_side(self.enrol_code, self.enrol_button)), self.sync_state, self.usb_button,
                  ("备份文件夹", side_by_side(self.backup, browse, self.restore_button)),
                  ("报表文件夹", side_by_side(self.reports, browse_reports)), self.large)
        users_box = QGroupBox("用户和密码")
        uf = QFormLayout(users_box)
        uf.addRow(self.users)
        uf.addRow("新用户", side_by_side(self.new_name, self.new_role, self.new_pin, self.add_user_button))
        uf.addRow(side_by_side(QLabel("原密码"), self.old_pin, QLabel("新密码"), self.changed_pin,
                               self.change_pin_button))
        uf.addRow("管理员", side_by_side(self.admin_user, self.admin_new_pin, self.unlock_button, self.reset_pin_button))
        self.notice_button = named(QPushButton("社保经办人员公示…"), "staffNotice")  # 第三十二条
        self.notice_button.clicked.connect(lambda: StaffNoticeDialog(ctx, parent=self).open())
        uf.addRow(self.notice_button)
        is_admin = ctx.user.role is Role.ADMIN
        for w in (self.admin_user, self.admin_new_pin, self.unlock_button, self.reset_pin_button):
            w.setEnabled(is_admin)
            if not is_admin:
                w.setToolTip("解除锁定和重置密码需由管理员登录")
        self.paper = PaperPanel(ctx)
        stacked(self, side_by_side(printer_box, other), side_by_side((users_box, 1), (self.paper, 1)),
                self.save_button, self.message, STRETCH)
        can_manage = ctx.user.role in (Role.HEAD, Role.ADMIN)
        self.add_user_button.setEnabled(can_manage)
        if not can_manage:
            self.add_user_button.setToolTip("添加用户需由村委会负责人登录")

    def restore_from_backup(self) -> None:
        from ui.restore_dialog import choose_and_restore

        self.restore_dialog = choose_and_restore(self.ctx, parent=self)

    def refresh(self) -> None:
        desk = self.ctx.desk
        self.ctx.tasks.run(lambda: (desk.setup.settings(), desk.users.list(), desk.sync.state()), self._show)
        self.paper.refresh()

    def _show(self, result: tuple[dict[str, str], list[UserInfo], dict[str, object]]) -> None:
        settings, users, sync = result
        printer = PrinterSettings.from_settings(settings)
        kind, address = split_uri(printer.uri)
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))
        self.address.setText(address)
        self.paper_width.setCurrentIndex(max(0, self.paper_width.findData(printer.width_mm)))
        self.charset.setCurrentIndex(max(0, self.charset.findData(printer.charset)))
        self.raster.setChecked(printer.raster)
        self.server.setText(str(sync.get("server_url") or settings.get("server.url", "")))
        self.sync_state.setText(
            f"已注册：设备 {sync['device_id']}，数据每分钟自动上传（已日结的日子）" if sync.get("device_id")
            else "不联网，已日结的数据用“导出到U盘”交县里" if sync.get("usb_binding")
            else "本机尚未注册到县服务器。能联网：填写地址和注册码后按“注册本机”；"
                 "不能联网：在“注册码”填写县里给的U盘注册码（16位），按“导出到U盘”")
        self.backup.setText(settings.get("backup.dir", ""))
        self.reports.setText(settings.get("report.dir", ""))
        self.large.setChecked(settings.get("ui.large_text") == "1")
        self.users.setText("　".join(f"{u.name}（{u.role.label}{'，已锁定' if u.locked_until else ''}）"
                                    for u in users))
        self.admin_user.clear()
        for u in users:
            if u.name != self.ctx.user.name:
                self.admin_user.addItem(f"{u.name}（{u.role.label}{'，已锁定' if u.locked_until else ''}）", u.name)


    def printer_uri(self) -> str:
        address = self.address.text().strip()
        return f"{self.kind.currentData()}://{address}" if address else ""

    def _choose(self, edit: QLineEdit, title: str, kind: Kind) -> None:
        folder = self.ctx.files.folder(self, title, edit.text(), kind=kind)
        if folder is not None:
            edit.setText(str(folder))

    def printer_settings(self) -> PrinterSettings:
        """The printer as the form shows it, saved or not."""
        return PrinterSettings.from_settings({
            URI: self.printer_uri(), WIDTH: str(self.paper_width.currentData()),
            CHARSET: str(self.charset.currentData()), RASTER: "1" if self.raster.isChecked() else "0"})

    def save(self) -> None:
        values = {**self.printer_settings().to_settings(),
                  "backup.dir": self.backup.text().strip(), "report.dir": self.reports.text().strip(),
                  "ui.large_text": "1" if self.large.isChecked() else "0"}
        ops = self.ctx.ops
        self.ctx.tasks.op(lambda: ops.save_settings(values), lambda _r: self._saved(values),
                          changes=self.ctx.changes, on_error=self._refused)

    def _saved(self, values: dict[str, str]) -> None:
        self.ctx.printer = printer_from_settings(PrinterSettings.from_settings(values))
        apply_text_size(values["ui.large_text"] == "1")
        self.ctx.files.note(values)
        self.message.say("设置已保存", ok=True)

    def test_print(self) -> None:
        printer = printer_from_settings(self.printer_settings())  # what is typed, saved or not
        self.message.say("正在测试打印…", ok=True)
        self.ctx.tasks.run(printer.test_print, lambda _r: self.message.say("测试打印已发送，请查看打印机", ok=True),
                           on_error=self._refused, io=True)

    def enrol(self) -> None:
        """Register this PC with the county server (its one-time code); sync then starts."""
        url, code, desk = self.server.text().strip(), self.enrol_code.text().strip(), self.ctx.desk
        if not url or not code:
            self.message.say("请填写县服务器地址和县里给的注册码")
            return

        def work() -> str:
            from sync.client import SyncClient

            return SyncClient(desk, server=url).enrol(code).device_id

        self.message.say("正在注册…", ok=True)
        self.ctx.tasks.run(work, self._enrolled, on_error=self._refused, io=True)

    def _enrolled(self, device_id: str) -> None:
        self.enrol_code.clear()
        self.message.say(f"已注册：设备 {device_id}。开始同步", ok=True)
        if self.ctx.sync is not None:
            self.ctx.sync.sync_now()
        self.refresh()

    def export_usb(self) -> None:
        """The settled days not yet acknowledged by the county, signed, to a file on the stick.
        First the check (a desk with no key the county knows is told what to type), then the
        folder, then the export; all off the GUI thread but the dialog."""
        code, desk = self.enrol_code.text().strip() or None, self.ctx.desk

        def check() -> str:
            from sync.client import SyncClient

            return SyncClient(desk).usb_ready(code)

        self.message.say("正在准备导出…", ok=True)  # an older red line no longer describes this
        self.ctx.tasks.run(check, self._export_to, on_error=self._not_ready)

    def _not_ready(self, exc: BaseException) -> None:
        self._refused(exc)
        if getattr(exc, "code", "") in ("usb_not_bound", "bad_usb_code"):  # the cursor where to type it
            self.enrol_code.setFocus()
            self.enrol_code.selectAll()

    def _export_to(self, device_id: str) -> None:
        name = f"代收数据-{device_id}-{self.ctx.desk.clock():%Y%m%d-%H%M}.json"
        self.message.say("请选择U盘上保存的位置…", ok=True)
        path = self.ctx.files.save_path(self, "导出到U盘：选择U盘上的位置", name, "代收数据 (*.json)", kind=Kind.USB)
        if path is None:
            self.message.say("没有导出（已取消）", ok=True)
            return
        desk = self.ctx.desk

        def work() -> tuple[int, int] | None:
            from sync.client import SyncClient

            return SyncClient(desk).export(path)

        self.message.say("正在导出…", ok=True)
        self.ctx.tasks.run(work, lambda span: self._exported(path, span), on_error=self._refused, io=True)

    def _exported(self, path: object, span: tuple[int, int] | None) -> None:
        if span is None:
            self.message.say("没有待导出的记录：当天的收款日结（F4）后才能导出", ok=True)
            return
        self.enrol_code.clear()
        self.message.say(f"已导出第 {span[0]}–{span[1]} 条记录到 {path}：请把U盘交县里导入", ok=True)
        self.refresh()

    def unlock_user(self) -> None:
        name, users, by = self.admin_user.currentData(), self.ctx.desk.users, self.ctx.user
        if not name:
            return
        self.ctx.tasks.run(lambda: users.unlock(name, by=by), lambda _r: self._admin_done(f"已解除「{name}」的锁定"),
                           on_error=self._refused)

    def reset_pin(self) -> None:
        name, pin, users, by = self.admin_user.currentData(), self.admin_new_pin.text(), self.ctx.desk.users, self.ctx.user
        if not name:
            return
        self.ctx.tasks.run(lambda: users.reset_pin(name, pin, by=by),
                           lambda _r: self._admin_done(f"已为「{name}」设置新密码，请当面告知本人并请其尽快修改"),
                           on_error=self._refused)

    def _admin_done(self, text: str) -> None:
        self.admin_new_pin.clear()
        self.message.say(text, ok=True)
        self.refresh()

    def add_user(self) -> None:
        name, role, pin = self.new_name.text(), self.new_role.currentData(), self.new_pin.text()
        users, by = self.ctx.desk.users, self.ctx.user  # the head or admin logged in confirms
        self.ctx.tasks.run(lambda: users.add(name, role, pin, by=by), self._user_added,
                           on_error=self._refused)

    def _user_added(self, user: UserInfo) -> None:
        self.new_name.clear()
        self.new_pin.clear()
        self.message.say(f"已添加{user.role.label}「{user.name}」", ok=True)
        self.refresh()

    def change_pin(self) -> None:
        old, new, users, name = self.old_pin.text(), self.changed_pin.text(), self.ctx.desk.users, self.ctx.user.name
        self.ctx.tasks.run(lambda: users.change_pin(name, old, new),
                           lambda _r: self.message.say("密码已修改", ok=True), on_error=self._refused)
        self.old_pin.clear()
        self.changed_pin.clear()

    def _refused(self, exc: BaseException) -> None:
        self.message.refused(exc, self.ctx.tasks.fault, said=(DaishouError, PrinterProblem))

"""The setup wizard's pages. Navigation and validation are WizardFlow's; this only draws."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QWidget,
)

from app.domain.printer_settings import PrinterSettings
from app.services.desk import Desk
from app.services.errors import DaishouError
from app.services.operations import Operations
from app.services.roster import ImportResult
from app.services.setup_flow import (
    RosterSource,
    Step,
    WizardFlow,
    roster_signer,
    save_printer,
    write_identity,
)
from ui.changes import Changes
from ui.message import ERROR_STYLE, MessageLine
from ui.pin_rule import pin_hint
from ui.printer import PRINTER_KINDS, PrinterProblem, printer_from_settings
from ui.roster_import import describe_import, import_roster

if TYPE_CHECKING:
    from printing.discover import Found
from ui.file_dialogs import FileChooser, Kind
from ui.manual import install_f1
from ui.tasks import TaskManager
from ui.text_size import scaled
from ui.typed_qt import STRETCH, button, named, radio_choices, side_by_side, stacked


def _edit(name: str, placeholder: str = "", *, secret: bool = False) -> QLineEdit:
    edit: QLineEdit = named(QLineEdit(placeholderText=placeholder), name)
    if secret:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


def _file_row(edit: QLineEdit, title: str, pattern: str, parent: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    browse = QPushButton("选择文件…")
    browse.clicked.connect(lambda: edit.setText(
        str(FileChooser().open_path(parent, title, pattern, kind=Kind.USB) or edit.text())))
    row.addWidget(edit)
    row.addWidget(browse)
    return row


class SetupWizard(QDialog):
    completed = Signal()

    def __init__(self, desk: Desk, tasks: TaskManager, flow: WizardFlow, *,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("setupWizard")
        self.setWindowTitle("代收 — 首次设置")
        self.manual_key = install_f1(self)  # F1: the 操作手册 (ui/manual.py)
        self.setMinimumSize(640, 440)
        self.desk, self.tasks, self.flow = desk, tasks, flow
        f = self.fields = {
            "village_code": _edit("village_code", "12位村级统计用区划代码"),
            "village_name": _edit("village_name", "如 示范村"),
            "township_code": _edit("township_code", "9位乡镇代码"),
            "township_name": _edit("township_name", "可不填"),
            "device_no": _edit("device_no", "本村第几台电脑，1–99"),
            "config_path": _edit("config_path", "county-config.json"),
            "agent_name": _edit("agent_name"), "agent_pin": _edit("agent_pin", pin_hint("agent"), secret=True),
            "agent_pin_again": _edit("agent_pin_again", "再输一次", secret=True),
            "head_name": _edit("head_name"), "head_pin": _edit("head_pin", pin_hint("head"), secret=True),
            "head_pin_again": _edit("head_pin_again", "再输一次", secret=True),
            "admin_name": _edit("admin_name", "乡镇社保所的管理员，可不填"),
            "admin_pin": _edit("admin_pin", pin_hint("admin"), secret=True),
            "admin_pin_again": _edit("admin_pin_again", "再输一次", secret=True),
            "roster_path": _edit("roster_path", "征收清册 CSV / Excel"),
            "server_url": _edit("server_url", "县服务器地址，如 https://sb.xx县.gov.cn"),
            "enrol_code": _edit("enrol_code", "县里给的注册码，如 ABCD-EFGH"),
            "printer_address": _edit("printer_address", "如 192.168.1.100:9100，可稍后设置"),
        }
        for key, edit in f.items():  # what the flow already holds: the device number defaults to 1
            value = getattr(flow.data, key, "")
            if isinstance(value, str) and value and "pin" not in key:
                edit.setText(value)
        self.title = named(QLabel(), "wizardTitle")
        scaled(self.title, 1.6, bold=True)
        self.pages = QStackedWidget()
        self.page_of: dict[Step, QWidget] = {}
        forms = {
            Step.DEVICE: [("村代码", "village_code"), ("村名称", "village_name"), ("乡镇代码", "township_code"),
                          ("乡镇名称", "township_name"), ("设备号", "device_no")],
            Step.USERS: [("代收员姓名", "agent_name"), ("代收员密码", "agent_pin"), ("再次输入", "agent_pin_again"),
                         ("村委会负责人姓名", "head_name"), ("负责人密码", "head_pin"),
                         ("再次输入", "head_pin_again"), ("管理员姓名", "admin_name"),
                         ("管理员密码", "admin_pin"), ("再次输入", "admin_pin_again")],
        }
        # Each field's problem is shown right under it, in red (the message line keeps the rest).
        self.field_errors: dict[str, QLabel] = {}
        for step in Step:
            page = QWidget()
            form = QFormLayout(page)
            for label, key in forms.get(step, []):
                form.addRow(label, f[key])
                self._error_row(form, key)
            self.page_of[step] = page
            self.pages.addWidget(page)
            if step is Step.CONFIG:
                form.addRow(QLabel("县级配置文件由乡镇社保中心提供（档次、医保金额、代缴标准、征收期）。"))
                form.addRow("配置文件", _file_row(f["config_path"], "县级配置", "JSON (*.json)", self))
                self._error_row(form, "config_path")
            elif step is Step.ROSTER:
                self._roster_page(form)
            elif step is Step.PRINTER:
                self._printer_page(form)
            elif step is Step.DONE:
                self.summary = named(QLabel(), "wizardSummary")
                form.addRow(self.summary)
        self.message = MessageLine("wizardMessage")
        self.back_button = named(QPushButton("上一步"), "wizardBack")
        self.next_button = named(QPushButton("下一步（回车）", default=True), "wizardNext")
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.advance)
        stacked(self, self.title, (self.pages, 1), self.message,
                side_by_side(STRETCH, self.back_button, self.next_button))
        self._draw()

    def _roster_page(self, form: QFormLayout) -> None:
        self.roster_choice, self.roster_radios = radio_choices(
            self, ((RosterSource.FILE, "导入征收清册文件"), (RosterSource.SERVER, "与县服务器注册并下载清册"),
                   (RosterSource.LATER, "稍后导入")), lambda source: f"roster_{source.value}")
        for radio in self.roster_radios.values():
            form.addRow(radio)
        form.addRow("清册文件", _file_row(self.fields["roster_path"], "征收清册", "清册 (*.csv *.xlsx *.xls)", self))
        self._error_row(form, "roster_path")
        self.import_button = button("导入", "wizardImport", self.import_roster)
        form.addRow(self.import_button)
        form.addRow("县服务器", self.fields["server_url"])
        self._error_row(form, "server_url")
        form.addRow("注册码", self.fields["enrol_code"])
        self._error_row(form, "enrol_code")
        self.download_button = button("注册并下载", "wizardDownload", self.enrol_and_download)
        form.addRow(self.download_button)
        self.import_result = named(QLabel(wordWrap=True), "wizardImportResult")
        form.addRow(self.import_result)

    def _printer_page(self, form: QFormLayout) -> None:
        self.printer_kind = named(QComboBox(), "wizardPrinterKind")
        for value, text in PRINTER_KINDS:
            self.printer_kind.addItem(text, value)
        self.printer_width = named(QComboBox(), "wizardPaperWidth")
        self.printer_width.addItem("58 mm", 58)
        self.printer_width.addItem("80 mm", 80)
        test = named(QPushButton("测试打印"), "wizardTestPrint")
        test.clicked.connect(self.test_print)
        self.find_button = button("查找本机的打印机", "wizardFindPrinters", self.find_printers)
        self.found_printers = named(QComboBox(), "wizardFoundPrinters")
        self.found_printers.addItem("（网络打印机请直接填写 IP 地址）", None)
        self.found_printers.activated.connect(self._printer_chosen)
        finder = QHBoxLayout()
        finder.addWidget(self.found_printers, 1)
        finder.addWidget(self.find_button)
        form.addRow("找到的打印机", finder)
        form.addRow("类型", self.printer_kind)
        form.addRow("地址", self.fields["printer_address"])
        form.addRow("纸宽", self.printer_width)
        form.addRow(test)

    # -- flow --------------------------------------------------------------------------------
    def _collect(self) -> None:
        d = self.flow.data
        for key, edit in self.fields.items():
            if hasattr(d, key):
                setattr(d, key, edit.text().strip() if "pin" not in key else edit.text())
        for source, radio in self.roster_radios.items():
            if radio.isChecked():
                d.roster_source = source
        address = self.fields["printer_address"].text().strip()
        d.printer_uri = f"{self.printer_kind.currentData()}://{address}" if address else ""
        d.printer_width = int(self.printer_width.currentData())

    def _draw(self) -> None:
        step = self.flow.step
        self.title.setText(f"第{self.flow.index + 1}步，共{len(Step)}步：{step.heading}")
        self.pages.setCurrentWidget(self.page_of[step])
        self.back_button.setEnabled(self.flow.can_go_back())
        self.next_button.setText("完成，去登录" if step is Step.DONE else "下一步（回车）")
        if step is Step.DONE:
            self.summary.setText("\n".join(f"{k}：{v}" for k, v in self.flow.summary()))
        first = {Step.DEVICE: "village_code", Step.CONFIG: "config_path", Step.USERS: "agent_name",
                 Step.ROSTER: "roster_path", Step.PRINTER: "printer_address"}.get(step)
        if first:
            self.fields[first].setFocus()


    def _error_row(self, form: QFormLayout, key: str) -> None:
        label = named(QLabel(wordWrap=True), f"error_{key}")
        label.setStyleSheet(ERROR_STYLE)
        label.hide()
        form.addRow("", label)
        self.field_errors[key] = label

    def show_problems(self, found: list[tuple[str | None, str]]) -> None:
        """Each problem beside its field, the first such field focused; the rest in the message."""
        for label in self.field_errors.values():
            label.clear()
            label.hide()
        general: list[str] = []
        first: str | None = None
        for key, message in found:
            shown = self.field_errors.get(key or "")
            if shown is None:
                general.append(message)
                continue
            shown.setText((shown.text() + "\n" if shown.text() else "") + message)
            shown.show()
            first = first or key
        if first is not None:
            self.fields[first].setFocus()
            self.fields[first].selectAll()
        self.message.say("\n".join(general) if general else ("请改正标红的项" if found else ""))

    def advance(self) -> None:
        self._collect()
        found = self.flow.field_problems()
        self.show_problems(found)
        if found:
            return
        if self.flow.writes_identity:
            self.next_button.setEnabled(False)
            data = self.flow.data
            self.tasks.run(lambda: write_identity(self.desk, data), lambda _r: self._step(),
                           on_error=self._refused)
        elif self.flow.step is Step.DONE:
            data = self.flow.data
            self.tasks.run(lambda: save_printer(self.desk, data), lambda _r: self._finish(),
                           on_error=self._refused)
        else:
            self._step()

    def _step(self) -> None:
        self.next_button.setEnabled(True)
        self.flow.advance()
        self._draw()

    def _finish(self) -> None:
        self.completed.emit()
        self.accept()

    def back(self) -> None:
        self._collect()
        self.flow.back()
        self.show_problems([])
        self._draw()

    def import_roster(self) -> None:
        self._collect()
        if self.flow.data.roster_source is RosterSource.SERVER:
            self.enrol_and_download()
            return
        path = self.fields["roster_path"].text().strip()
        if not path:
            self.message.say("请先选择清册文件")
            return
        self.import_button.setEnabled(False)
        # No window yet: nothing to tell that the roster changed.
        import_roster(Operations(self.desk), self.tasks, Changes(), path, parent=self, on_done=self._imported,
                      on_error=self._refused, by=roster_signer(self.desk, self.flow.data))

    def enrol_and_download(self) -> None:
        """Register this PC with the county (one-time code), then take the roster and the county
        configuration it sends down; the network work runs off the window's thread."""
        self._collect()
        d = self.flow.data
        d.roster_source = RosterSource.SERVER
        self.roster_radios[RosterSource.SERVER].setChecked(True)
        if not d.server_url or not d.enrol_code:
            self.message.say("请填写县服务器地址和县里给的注册码")
            return
        desk, url, code = self.desk, d.server_url, d.enrol_code

        def work() -> dict[str, object]:
            from sync.client import SyncClient

            client = SyncClient(desk, server=url)
            client.enrol(code)
            return client.run().received

        self.download_button.setEnabled(False)
        self.message.say("正在与县服务器注册并下载清册…", ok=True)
        self.tasks.run(work, self._downloaded, on_error=self._refused, io=True)

    def _downloaded(self, received: dict[str, object]) -> None:
        self.download_button.setEnabled(True)
        roster = received.get("roster")
        if not isinstance(roster, dict):
            self.message.say("已注册，但县里还没有本村的清册：请选择“稍后导入”，县里下发后会自动同步")
            return
        self.flow.data.roster_imported = True
        self.show_problems([])  # an earlier refusal about the roster is no longer true
        self.import_result.setText(f"已从县服务器下载清册第 {roster['version']} 版：{roster['imported']} 人")
        self.message.say("清册已下载，请按回车继续", ok=True)
        self.next_button.setFocus()

    def _imported(self, result: ImportResult) -> None:
        self.import_button.setEnabled(True)
        self.flow.data.roster_imported = True
        self.show_problems([])  # an earlier refusal about the roster is no longer true
        self.import_result.setText(describe_import(result))
        self.message.say("清册已导入，请按回车继续", ok=True)
        self.next_button.setFocus()

    def find_printers(self) -> None:
        """USB printers, COM ports and Windows printers this PC can see; a network printer's IP
        address is typed in the address field."""
        from printing.discover import find_printers

        self.find_button.setEnabled(False)
        self.tasks.run(find_printers, self._printers_found, on_error=self._refused, io=True)

    def _printers_found(self, result: tuple[list[Found], list[str]]) -> None:
        found, notes = result
        self.find_button.setEnabled(True)
        self.found_printers.clear()
        # Nothing is chosen for the agent (a PC's empty COM port looked like a printer): the list
        # starts on 「请选择」 and the address stays as it was until they pick one.
        self.found_printers.addItem(f"找到 {len(found)} 台，请选择（网络打印机请直接填写 IP 地址）", None)
        for printer in found:
            self.found_printers.addItem(printer.label, printer)
        chosen = self.fields["printer_address"].text().strip()
        pick = (f"找到 {len(found)} 台打印机，尚未选择：请在列表中选择一台，再按“测试打印”" if found
                else "没有找到 USB 或串口打印机：网络打印机请填写 IP 地址")
        if chosen:
            pick += f"（现在的地址：{chosen}）"
        self.message.say("；".join([*notes, pick]), ok=bool(found) and not notes)

    def _printer_chosen(self, index: int) -> None:
        printer = self.found_printers.itemData(index)
        if printer is None:
            return
        self.printer_kind.setCurrentIndex(max(0, self.printer_kind.findData(printer.kind)))
        self.fields["printer_address"].setText(printer.address)

    def test_print(self) -> None:
        self._collect()
        d = self.flow.data
        printer = printer_from_settings(PrinterSettings(uri=d.printer_uri.strip(),
                                                        width_mm=80 if d.printer_width == 80 else 58))
        self.tasks.run(printer.test_print, lambda _r: self.message.say("测试打印已发送，请查看打印机", ok=True),
                       on_error=self._refused, io=True)

    def _refused(self, exc: BaseException) -> None:
        self.next_button.setEnabled(True)
        if hasattr(self, "import_button"):
            self.import_button.setEnabled(True)
            self.download_button.setEnabled(True)
        if isinstance(exc, DaishouError | PrinterProblem):
            self.message.say(exc.message)
        elif isinstance(exc, OSError):
            self.message.say(f"读取文件失败：{exc.strerror or exc}")
        else:
            self.tasks.fault(exc)

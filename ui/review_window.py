"""The township reviewer's window: open a village's ledger file (the copy its desk writes to the
USB stick), see whether it passes the check, every 疑点 with its reason, and the receipts drawn
for inspection; print the 抽查报告. The reviewer takes no cash here.

Reading and checking a season's file takes seconds, so it runs on a worker; the window stays
usable and says what it is doing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.money import format_fen
from app.services.errors import DaishouError, InvalidInput
from app.services.review import FileReview, review_file
from app.services.sealing import is_sealed, read_key_file
from ui.context import WindowContext
from ui.errors import show_error
from ui.file_dialogs import Kind
from ui.help import show_help
from ui.reports import open_files, report_folder, write_atomically
from ui.text_size import scaled
from ui.text_table import fill, text_table
from ui.township_panel import TownshipPanel
from ui.typed_qt import button, named

LEDGER_FILTER = "代收账本 (*.sqlite3 *.age);;所有文件 (*)"
KEY_FILTER = "乡镇密钥文件 (*.key *.txt);;所有文件 (*)"
FLAG_COLUMNS = ("类别", "日期", "说明")
SAMPLE_COLUMNS = ("收据号", "收款日期", "缴费人", "金额（元）", "代收员", "状态", "疑点")


class ReviewWindow(QMainWindow):
    logout_requested = Signal()  # Ctrl+L: back to the login to switch user

    def __init__(self, ctx: WindowContext, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.result: FileReview | None = None
        self._identities: list[Any] | None = None  # the township's key, once given
        self.setWindowTitle("代收 — 乡镇审核")
        self.resize(1100, 700)

        self.open_button = button("打开村账本…（Ctrl+O）", "openLedger", self.choose_file)
        self.seed = named(QLineEdit(placeholderText="报告上的种子", maxLength=40), "seed")
        self.seed.setMaximumWidth(160)
        self.seed.returnPressed.connect(self.redraw)
        self.redraw_button = button("按此种子抽查", "redraw", self.redraw)
        self.report_button = button("生成抽查报告 PDF（Ctrl+P）", "inspectionReport", self.save_report)
        bar = QHBoxLayout()
        bar.addWidget(self.open_button)
        bar.addStretch(1)
        bar.addWidget(QLabel("抽查种子："))
        bar.addWidget(self.seed)
        bar.addWidget(self.redraw_button)
        bar.addWidget(self.report_button)

        self.summary = named(QLabel(
            f"{ctx.user.name}（{ctx.user.role.label}），您好。请打开村里备份的账本文件"
            "（daishou-村代码-设备号-日期.sqlite3，在村里的U盘或备份文件夹中）。乡镇审核员不能在本机收取现金。", wordWrap=True), "reviewSummary")
        scaled(self.summary, 1.15)
        self.check = named(QLabel("", wordWrap=True), "reviewCheck")
        scaled(self.check, 1.15)
        self.flags = text_table("flags", FLAG_COLUMNS, stretch=2, tab_leaves=False)
        self.sample = text_table("sample", SAMPLE_COLUMNS, stretch=6, tab_leaves=False)
        self.flags_box = QGroupBox("疑点数据")
        QVBoxLayout(self.flags_box).addWidget(self.flags)
        self.sample_box = QGroupBox("随机抽查（不少于10%）")
        QVBoxLayout(self.sample_box).addWidget(self.sample)

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addLayout(bar)
        self.township = TownshipPanel(self)  # a whole folder of villages (issue 24); its button in the bar
        bar.insertWidget(1, self.township.open_button)
        layout.addWidget(self.township, 2)
        layout.addWidget(self.summary)
        layout.addWidget(self.check)
        layout.addWidget(self.flags_box, 3)
        layout.addWidget(self.sample_box, 2)
        self.setCentralWidget(body)
        QShortcut(QKeySequence("Ctrl+L"), self).activated.connect(self.logout_requested.emit)
        QShortcut(QKeySequence("Ctrl+O"), self).activated.connect(self.choose_file)
        QShortcut(QKeySequence("Ctrl+P"), self).activated.connect(self.save_report)
        QShortcut(QKeySequence("F1"), self).activated.connect(self.show_help)
        self.help_box: QMessageBox | None = None
        self.show_review(None)

    def show_help(self) -> None:
        self.help_box = show_help("review", self)

    def start(self) -> None:
        """Nothing to load until a file is chosen."""
        self.open_button.setFocus()

    # -- opening a file ----------------------------------------------------------------------
    def choose_file(self) -> None:
        path = self.ctx.files.open_path(self, "打开村账本", LEDGER_FILTER, kind=Kind.USB)
        if path is not None:
            self.open_file(path)

    def open_file(self, path: Path) -> None:
        as_of = self.ctx.desk.clock().date()
        seed = self.seed.text().strip() or None
        self.summary.setText(f"正在校验 {path.name}…")
        self.check.setText("")
        self.open_button.setEnabled(False)

        def failed(exc: BaseException) -> None:
            self.open_button.setEnabled(True)
            self.show_review(self.result)
            show_error(exc, parent=self, title="无法审核该文件")

        identities = self.township_key(path)
        if identities is None:
            failed(InvalidInput("加密的账本需要乡镇的密钥文件才能打开"))
            return
        self.ctx.tasks.run(lambda: review_file(path, as_of=as_of, seed=seed, identities=identities),
                           self._opened, on_error=failed, io=True)

    def township_key(self, path: Path) -> list[Any] | None:
        """A sealed file: the township's key file, asked for once per window (the township keeps
        it on its own PC or stick; it is never stored by the program)."""
        if not is_sealed(path):
            return []
        if self._identities is None:
            key = self.ctx.files.open_path(self, "选择乡镇的密钥文件（打开加密的账本）", KEY_FILTER)
            if key is None:
                return None
            try:
                self._identities = read_key_file(key)
            except InvalidInput as exc:
                show_error(exc, parent=self, title="密钥文件")
                return None
        return self._identities

    def _opened(self, result: FileReview) -> None:
        self.open_button.setEnabled(True)
        self.show_review(result)

    def redraw(self) -> None:
        if self.result is None:
            return
        try:
            self.show_review(self.result.with_seed(self.seed.text()))
        except DaishouError as exc:
            show_error(exc, parent=self, title="抽查种子")

    # -- what is shown -----------------------------------------------------------------------
    def show_review(self, result: FileReview | None) -> None:
        """Draw one file's review (None: nothing open); the township panel shows a village's file
        through this too."""
        self.result = result
        self.redraw_button.setEnabled(result is not None)
        self.report_button.setEnabled(result is not None)
        if result is None:
            return
        d, v = result.device, result.review
        self.setWindowTitle(f"代收 — 乡镇审核 — {d.village_name}")
        period = f"{v.first_day} 至 {v.last_day}" if v.first_day else "尚无收据"
        self.summary.setText(
            f"{d.township_name}{d.village_name}（{d.village_code}）设备 {d.device_no:02d}　{period}　"
            f"收据 {len(v.receipts)} 张，实收 {format_fen(v.collected_fen)} 元，作废 {format_fen(v.voided_fen)} 元，"
            f"已日结 {format_fen(v.settled_fen)} 元，已解缴 {format_fen(v.remitted_fen)} 元")
        if result.check.ok:
            self.check.setText(f"账本校验：完好（{result.check.entries} 条记录，哈希链与收据编号连续）")
            self.check.setStyleSheet("color: #1b5e20;")
        else:
            where = f"第 {result.check.first_bad_seq} 条 — " if result.check.first_bad_seq is not None else ""
            self.check.setText(f"账本校验失败：{where}{result.check.reason}。该文件被改动过，须调取原始台账核对。")
            self.check.setStyleSheet("color: #b71c1c; font-weight: bold;")
        self.seed.setText(result.seed)
        self.flags_box.setTitle(f"疑点数据（{len(v.flags)} 条，应在 15 日内组织自查自纠）")
        fill(self.flags, [(f.label, f.day, f.reason) for f in v.flags])
        self.flags.resizeRowsToContents()
        self.sample_box.setTitle(f"随机抽查（共 {len(v.receipts)} 张，抽取 {len(result.sample)} 张，"
                                 f"不少于10%；种子 {result.seed}）")
        fill(self.sample, [
            (r.number, r.day, r.payer_name, format_fen(r.total_fen), r.agent, r.status,
             "、".join(v.labels_of(r.number)) or "—")
            for r in result.sample])
        self.sample.resizeRowsToContents()

    # -- the report --------------------------------------------------------------------------
    def save_report(self) -> None:
        result = self.result
        if result is None:
            return
        folder = report_folder(self.ctx.desk.setup.settings()) or result.path.parent
        name = f"抽查报告-{result.device.village_code}-{result.device.device_no:02d}-{result.as_of:%Y%m%d}-种子{result.seed}.pdf"
        target = self.ctx.files.save_path(self, "保存抽查报告", str(folder / name), "PDF (*.pdf)",
                                          kind=Kind.REPORT)
        if target is None:
            return
        reviewer = self.ctx.user.name

        def build() -> Path:
            from printing.reports import inspection_report  # reportlab loads on first use

            pdf, _summary = inspection_report(result, reviewer=reviewer)
            return write_atomically(target, pdf)

        def saved(path: Path) -> None:
            opened = open_files([path])
            self.statusBar().showMessage(f"抽查报告已保存：{path}" + ("" if opened else "（请用 PDF 阅读器打开打印）"))

        self.ctx.tasks.run(build, saved, io=True)


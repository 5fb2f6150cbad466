"""The review window's township part (issue 24): a whole folder of villages' files read into one
overview, one row per village; picking a row shows that village in the window's 疑点 and sample
tables below, and the reviewer answers each 疑点 there (核实无误 / 已整改 / 移交 with a note). The
answers are saved as a file that goes back to the county (app/services/township_review.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from app.domain.money import format_fen
from app.domain.review import Flag, new_seed
from app.services.errors import DaishouError, InvalidInput
from app.services.township_review import (
    VERDICTS,
    Answer,
    TownshipReview,
    answer,
    answers_json,
    review_folder,
)
from ui.errors import show_error
from ui.file_dialogs import Kind
from ui.reports import open_files, write_atomically
from ui.text_table import fill, text_table
from ui.typed_qt import button, named

if TYPE_CHECKING:
    from ui.review_window import ReviewWindow

COLUMNS = ("村代码", "村名", "校验", "收据", "实收（元）", "已日结（元）", "已解缴（元）", "疑点（按类别）", "已答复")


class TownshipPanel(QGroupBox):
    def __init__(self, window: ReviewWindow) -> None:
        super().__init__("全乡镇审核（一个文件夹的村账本）")
        self.host = window
        self.review: TownshipReview | None = None
        self.answers: dict[tuple[str, int, int, str, str], Answer] = {}
        self.identities: list[Any] = []  # the township's key, when the folder held sealed copies
        self.open_button = button("打开文件夹…（Ctrl+Shift+O）", "openFolder", self.choose_folder)
        self.villages = text_table("villages", COLUMNS, stretch=7, tab_leaves=False)  # the window's look
        self.villages.currentCellChanged.connect(lambda *_cells: self._village_picked())  # arrows and clicks
        self.verdict = named(QComboBox(), "verdict")
        self.verdict.addItems(list(VERDICTS))
        self.note = named(QLineEdit(placeholderText="说明（已整改、移交须写明）", maxLength=500), "answerNote")
        self.note.returnPressed.connect(self.answer_selected)
        self.answer_button = button("答复所选疑点（Ctrl+Enter）", "answerFlag", self.answer_selected)
        self.save_button = button("保存答复文件…（Ctrl+Shift+S）", "saveAnswers", self.save_answers)
        self.register_button = button("批量扣款清册…（Ctrl+Shift+K）", "debitRegister", self.save_register)
        self.status = named(QLabel("", wordWrap=True), "townshipStatus")
        bar = QHBoxLayout()
        for w in (QLabel("答复："), self.verdict, self.note, self.answer_button, self.save_button, self.register_button):
            bar.addWidget(w)
        bar.setStretchFactor(self.note, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.status)
        layout.addWidget(self.villages)
        for keys, slot in (("Ctrl+Shift+O", self.choose_folder), ("Ctrl+Return", self.answer_selected),
                           ("Ctrl+Shift+S", self.save_answers), ("Ctrl+Shift+K", self.save_register)):
            QShortcut(QKeySequence(keys), window).activated.connect(slot)
        self._enable()

    def _enable(self) -> None:
        loaded = self.review is not None
        for w in (self.verdict, self.note, self.answer_button, self.register_button):
            w.setEnabled(loaded)
        self.save_button.setEnabled(bool(self.answers))
        self.setVisible(loaded)  # the single-file review keeps its whole window until a folder is read

    # -- the folder ---------------------------------------------------------------------------
    def choose_folder(self) -> None:
        folder = self.host.ctx.files.folder(self.host, "打开村账本文件夹", kind=Kind.USB)
        if folder is not None:
            self.open_folder(folder)

    def open_folder(self, folder: Path) -> None:
        as_of = self.host.ctx.desk.clock().date()
        seed = self.host.seed.text().strip() or new_seed()
        self.status.setText(f"正在校验 {folder} 中的村账本…")
        self.open_button.setEnabled(False)

        def failed(exc: BaseException) -> None:
            self.open_button.setEnabled(True)
            self.status.setText("")
            show_error(exc, parent=self.host, title="无法审核该文件夹")

        identities: list[Any] = []
        self.identities = identities
        sealed = next((p for p in folder.glob("*.age") if p.is_file()), None)
        if sealed is not None:  # the township's key, asked once per window as for one file
            found = self.host.township_key(sealed)
            if found is None:
                self.open_button.setEnabled(True)
                self.status.setText("")
                return
            identities = self.identities = found
        self.host.ctx.tasks.run(lambda: review_folder(folder, as_of=as_of, seed=seed, identities=identities),
                                self._loaded, on_error=failed, io=True)

    def _loaded(self, review: TownshipReview) -> None:
        self.open_button.setEnabled(True)
        self.review, self.answers = review, {}
        self._enable()  # shown first: rows are sized to the columns it then has
        self._fill()
        if review.villages:
            self.villages.selectRow(0)
        self.villages.setFocus()

    def _fill(self) -> None:
        review = self.review
        assert review is not None
        rows: list[tuple[str, ...]] = []
        for v in review.villages:
            answered = sum(1 for f, flag in v.flags() if self._key(f.device.village_code, f.device.device_no, flag)
                           in self.answers)
            kinds = "、".join(f"{k} {n}" for k, n in v.flags_by_kind().items()) or "—"
            rows.append((v.village_code, v.village_name or "—", v.check_text,
                         str(sum(len(f.review.receipts) for f in v.files)), format_fen(v.total("collected_fen")),
                         format_fen(v.total("settled_fen")), format_fen(v.total("remitted_fen")), kinds,
                         f"{answered}/{len(v.flags())}"))
        fill(self.villages, rows)
        self.villages.resizeRowsToContents()
        flags = sum(len(v.flags()) for v in review.villages)
        unreadable = "；".join(f"{name}：{why}" for name, why in review.unreadable)
        self.status.setText(f"{review.folder}：{len(review.villages)} 个村，疑点 {flags} 条，已答复 {len(self.answers)} 条；"
                            f"抽查种子 {review.seed}" + (f"。未能读取：{unreadable}" if unreadable else ""))

    def _village_picked(self) -> None:
        row = self.villages.currentRow()
        if self.review is None or not 0 <= row < len(self.review.villages):
            return
        village = self.review.villages[row]
        if village.files:
            self.host.show_review(village.files[0])
            self._mark()
            if self.host.flags.rowCount():
                self.host.flags.selectRow(0)  # Ctrl+Enter answers from the first 疑点 on

    # -- answers ------------------------------------------------------------------------------
    @staticmethod
    def _key(village: str, device_no: int, flag: Flag) -> tuple[str, int, int, str, str]:
        return (village, device_no, flag.seq, flag.code, flag.ref)

    def _mark(self) -> None:
        """Each answered 疑点 of the village shown says so in its row."""
        result = self.host.result
        if result is None:
            return
        for r, flag in enumerate(result.review.flags):
            given = self.answers.get(self._key(result.device.village_code, result.device.device_no, flag))
            item = self.host.flags.item(r, 2)
            if given is not None and item is not None:
                item.setText(f"{flag.reason}【{given.verdict}：{given.note or '—'}（{given.by}）】")
        self.host.flags.resizeRowsToContents()

    def answer_selected(self) -> None:
        result, table = self.host.result, self.host.flags
        if self.review is None or result is None:
            return
        row = table.currentRow()
        if not 0 <= row < len(result.review.flags):
            self.status.setText("请先在「疑点数据」表中选中要答复的一条（上下键选择）")
            return
        flag = result.review.flags[row]
        try:
            given = answer(result, flag, self.verdict.currentText(), by=self.host.ctx.user.name,
                           at=self.host.ctx.desk.clock(), note=self.note.text())
        except DaishouError as exc:  # names what to fix: a verdict, a note
            show_error(exc, parent=self.host, title="答复疑点")
            return
        self.answers[given.key] = given
        self.note.clear()
        village = self.villages.currentRow()
        self.villages.blockSignals(True)
        self._fill()
        self.villages.selectRow(village)
        self.villages.blockSignals(False)
        self._mark()
        table.clearSelection()
        table.selectRow(min(row + 1, table.rowCount() - 1))  # on to the next one
        self._enable()

    def save_answers(self) -> None:
        review = self.review
        if review is None or not self.answers:
            return
        ctx = self.host.ctx
        name = f"疑点答复-{ctx.desk.clock():%Y%m%d}-{ctx.user.name}.json"
        target = ctx.files.save_path(self.host, "保存疑点答复文件", str(review.folder / name),
                                     "疑点答复 (*.json)", kind=Kind.REPORT)
        if target is None:
            return
        text = answers_json(review, list(self.answers.values()), reviewer=ctx.user.name, made_at=ctx.desk.clock())

        def saved(path: Path) -> None:
            self.status.setText(f"已保存 {len(self.answers)} 条答复：{path}（交县里导入：daishou-server import-answers）")

        ctx.tasks.run(lambda: write_atomically(target, text.encode("utf-8")), saved, io=True)


    # -- the 批量扣款清册 (003 第二十六条) ----------------------------------------------------------
    def save_register(self) -> None:
        """The 清册 of the folder read, for the year being collected, as PDF and, beside it, the
        data file the county receives (daishou-server debit register)."""
        review = self.review
        if review is None:
            return
        ctx = self.host.ctx
        try:
            year = register_year(ctx.desk.setup.config.years, ctx.desk.clock().date())
        except DaishouError as exc:
            show_error(exc, parent=self.host, title="批量扣款清册")
            return
        name = f"批量扣款清册-{year}-{ctx.desk.clock():%Y%m%d}.pdf"
        target = ctx.files.save_path(self.host, "保存批量扣款清册", str(review.folder / name), "PDF (*.pdf)",
                                     kind=Kind.REPORT)
        if target is None:
            return
        folder, as_of, identities = review.folder, ctx.desk.clock().date(), self.identities

        def build() -> tuple[Path, str]:
            from app.services.debit_register import compile_register
            from printing.pdf.debit_register import register_files  # reportlab loads on first use

            register = compile_register(folder, year=year, as_of=as_of, identities=identities)
            pdf, data = register_files(register)
            write_atomically(target.with_suffix(".json"), data)
            return write_atomically(target, pdf), f"{register.people} 人，{format_fen(register.total_fen)} 元"

        def saved(done: tuple[Path, str]) -> None:
            path, totals = done
            opened = open_files([path])
            self.status.setText(f"批量扣款清册已保存：{path}（{totals}；数据文件交县里：daishou-server debit register）"
                                + ("" if opened else "（请用 PDF 阅读器打开打印）"))

        ctx.tasks.run(build, saved, on_error=lambda exc: show_error(exc, parent=self.host, title="批量扣款清册"),
                      io=True)


def register_year(years: dict[int, Any], today: date) -> int:
    """The year the 清册 is for: the one whose collection window holds today, else the newest."""
    if not years:
        raise InvalidInput("县级配置中没有缴费年度")
    current = [y for y, c in years.items() if c.window_start <= today <= c.window_end]
    return max(current) if current else max(years)

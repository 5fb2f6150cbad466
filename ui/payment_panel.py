"""The right side of the desk: total, cash tendered and change, the payer's sign-off, the record key."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.money import MoneyError, fen_in_words, format_fen, parse_yuan
from app.domain.records import PayerSignoff
from ui.message import MessageLine
from ui.signature_pad import SignaturePad
from ui.text_size import scaled
from ui.typed_qt import named, radio_choices

# Colour only: a font in a style sheet is frozen at its size and would not follow large-text mode.


class PaymentPanel(QWidget):
    record_requested = Signal()

    def __init__(self, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._total = 0
        self.total = named(QLabel("合计 ¥0.00"), "totalLabel")
        scaled(self.total, 2.2, bold=True)
        self.words = named(QLabel(""), "totalWords")
        self.cash = named(QLineEdit(placeholderText="收取现金（元），回车确认"), "cashEdit")
        self.cash.setAlignment(Qt.AlignmentFlag.AlignRight)
        scaled(self.cash, 1.6)
        self.change = named(QLabel("找零 —"), "changeLabel")
        scaled(self.change, 1.6)
        # After recording, the change to hand back stays large until the next payer is chosen:
        # the agent counts it out while the receipt prints and the search box is already empty.
        self.last_change = named(QLabel(""), "lastChangeLabel")
        scaled(self.last_change, 2.6, bold=True)
        self.last_change.setStyleSheet("color: #1b5e20")
        self.last_change.hide()

        sign_box = QGroupBox("缴费人签字")
        sign_layout = QVBoxLayout(sign_box)
        self.signoff, self.radios = radio_choices(self, ((PayerSignoff.PAPER, "纸质台账签字（&1）"),
                                                         (PayerSignoff.FINGERPRINT, "已采集手印（&2）"),
                                                         (PayerSignoff.SIGNATURE, "电子签名（&3）")),
                                                  lambda kind: f"signoff_{kind.value}")
        for radio in self.radios.values():
            sign_layout.addWidget(radio)
        self.pad = SignaturePad()
        clear = named(QPushButton("清除签名"), "clearSignature")
        clear.clicked.connect(self.pad.clear)
        sign_layout.addWidget(self.pad)
        sign_layout.addWidget(clear, alignment=Qt.AlignmentFlag.AlignRight)
        self.pad.changed.connect(lambda: self.radios[PayerSignoff.SIGNATURE].setChecked(
            not self.pad.is_empty or self.signoff_kind is PayerSignoff.SIGNATURE))

        self.override_label = QLabel("金额或日期不符时的收取原因（将被标记供乡镇审核）：")
        self.override = named(QLineEdit(), "overrideEdit")
        self.message = MessageLine("deskMessage")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.record = named(QPushButton("收款并打印收据（F12）"), "recordButton")
        scaled(self.record, 1.4)
        self.record.setStyleSheet("padding: 8px")
        self.record.setAutoDefault(True)
        self.record.clicked.connect(self.record_requested)

        form = QFormLayout()
        form.addRow("收取现金", self.cash)
        layout = QVBoxLayout(self)
        layout.addWidget(self.last_change)
        layout.addWidget(self.total)
        layout.addWidget(self.words)
        layout.addLayout(form)
        layout.addWidget(self.change)
        layout.addWidget(sign_box)
        layout.addWidget(self.override_label)
        layout.addWidget(self.override)
        layout.addWidget(self.message, 1, Qt.AlignmentFlag.AlignTop)
        row = QHBoxLayout()
        row.addWidget(self.record)
        layout.addLayout(row)
        self.show_override(False)
        self.cash.textChanged.connect(self._update_change)
        # Enter in the cash field moves to the record key; a second Enter records.
        self.cash.returnPressed.connect(self.record.setFocus)
        self.override.returnPressed.connect(self.record_requested)

    # -- state -------------------------------------------------------------------------------
    @property
    def signoff_kind(self) -> PayerSignoff:
        for kind, radio in self.radios.items():
            if radio.isChecked():
                return kind
        return PayerSignoff.PAPER

    def cash_fen(self) -> int:
        """The cash tendered; raises MoneyError with a message when it is not an amount."""
        text = self.cash.text().strip()
        if not text:
            raise MoneyError("请填写收取的现金金额")
        return parse_yuan(text, field="收取现金")

    def set_total(self, fen: int) -> None:
        self._total = fen
        self.total.setText(f"合计 ¥{format_fen(fen)}")
        self.words.setText(fen_in_words(fen) if fen else "")
        self._update_change()

    def _update_change(self) -> None:
        try:
            cash = self.cash_fen()
        except MoneyError:
            self.change.setText("找零 —")
            return
        if cash < self._total:
            self.change.setText(f"还差 ¥{format_fen(self._total - cash)}")
        else:
            self.change.setText(f"找零 ¥{format_fen(cash - self._total)}")

    def show_override(self, shown: bool) -> None:
        self.override_label.setVisible(shown)
        self.override.setVisible(shown)
        if not shown:
            self.override.clear()

    def say(self, text: str, *, ok: bool = False) -> None:
        self.message.say(text, ok=ok)

    def show_last_change(self, change_fen: int | None) -> None:
        """The change of the receipt just recorded, large; None hides it (next payer)."""
        self.last_change.setVisible(change_fen is not None)
        self.last_change.setText("")
        if change_fen is not None:
            self.last_change.setText(f"请找零 ¥{format_fen(change_fen)}" if change_fen else "无需找零")

    def reset(self) -> None:
        """Ready for the next payer: clear cash, sign-off and override, keep the last message."""
        self.cash.clear()
        self.pad.clear()
        self.radios[PayerSignoff.PAPER].setChecked(True)
        self.show_override(False)
        self.set_total(0)

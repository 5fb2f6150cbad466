"""The household table's pension tier as a drop-down of the county's tiers for that year."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate

from app.domain.money import format_fen
from ui.models import HouseholdModel


class TierDelegate(QStyledItemDelegate):
    """Pension tier as a drop-down of the county's tiers for that year."""

    def __init__(self, model: HouseholdModel, *, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._model = model

    def createEditor(self, parent, option, index):  # type: ignore[no-untyped-def]  # noqa: N802
        if index.column() != HouseholdModel.TIER or self._model.draft is None:
            return super().createEditor(parent, option, index)
        combo = QComboBox(parent)
        for tier in self._model.draft.tiers(index.row()):
            combo.addItem(f"{format_fen(tier)} 元", tier)
        return combo

    def setEditorData(self, editor, index):  # type: ignore[no-untyped-def]  # noqa: N802
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole))))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor, model, index):  # type: ignore[no-untyped-def]  # noqa: N802
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)
        else:
            super().setModelData(editor, model, index)

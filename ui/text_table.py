"""Read-only tables of text that a screen fills row by row: the grid's assignments and contacts,
the month's counts, a reviewed file's 疑点 and sample.

Each screen had its own `_table` and `_fill` with the same calls in a different order; the
differences that are real (whole rows picked or single cells, Tab leaving the table, which
column takes the spare width) are the keywords here.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from ui.typed_qt import named


def text_table(name: str, headers: Sequence[str], *, whole_rows: bool = True, single: bool = False,
               tab_leaves: bool = True, stretch: int | None = None) -> QTableWidget:
    """No row numbers, nothing editable, columns as wide as their text; the column `stretch`
    (the last one when None) takes what is left."""
    table = named(QTableWidget(0, len(headers)), name)
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    if whole_rows:
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    if single:
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    if tab_leaves:  # Tab goes on to the next field instead of walking the cells
        table.setTabKeyNavigation(False)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is None:
        header.setStretchLastSection(True)
    else:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


def fill(table: QTableWidget, rows: Sequence[Sequence[str]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(value))

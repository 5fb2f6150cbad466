"""Typed ways to build what the window builds often: `named(QLabel("…", wordWrap=True), "x")`.

Qt for Python accepts any Qt property as a constructor keyword, but PySide6's stubs list only a
class's own properties: `objectName` (QObject's) and QDateEdit's `calendarPopup` read as wrong
calls, so mypy's `call-arg` and `call-overload` had to be off for ui/, and with them every check
of our own calls (`format_fen(100, colour="red")` passed). These helpers set such properties
through their typed setters instead; tests and the e2e driver find widgets by object name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TypeVar

from PySide6.QtCore import QDate, QObject
from PySide6.QtWidgets import (
    QBoxLayout,
    QButtonGroup,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLayout,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

Q = TypeVar("Q", bound=QObject)
K = TypeVar("K")


def named(obj: Q, name: str) -> Q:
    """Set `obj`'s object name and hand `obj` back, so it can be named where it is built."""
    obj.setObjectName(name)
    return obj


def button(text: str, name: str, clicked: Callable[..., Any]) -> QPushButton:
    """A named push button and what a click does. `clicked` is connected as it is: Qt passes
    `checked` to a slot that takes an argument, so a slot with an optional one is wrapped in a
    lambda by the caller."""
    made = named(QPushButton(text), name)
    made.clicked.connect(clicked)
    return made


def day_edit(name: str) -> QDateEdit:
    """A date field with its calendar drop-down, shown as 2026-12-06."""
    edit = named(QDateEdit(), name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


# What a row or column of a layout holds: a widget or a layout, one with its stretch factor
# (a table that takes the spare height: `(table, 1)`), or STRETCH for empty space.
Item = QWidget | QLayout | tuple[QWidget | QLayout, int] | None
STRETCH = None


def _fill(box: QBoxLayout, items: Sequence[Item]) -> None:
    for item in items:
        if item is STRETCH:
            box.addStretch(1)
            continue
        thing, stretch = item if isinstance(item, tuple) else (item, 0)
        if isinstance(thing, QLayout):
            box.addLayout(thing, stretch)
        else:
            box.addWidget(thing, stretch)


def side_by_side(*items: Item) -> QHBoxLayout:
    """Widgets (and layouts) in one row, left to right (a form's row of fields and its button)."""
    row = QHBoxLayout()
    _fill(row, items)
    return row


def stacked(parent: QWidget | None, *items: Item) -> QVBoxLayout:
    """Widgets (and layouts) top to bottom: `parent`'s own layout, or a nested one with None."""
    column = QVBoxLayout(parent) if parent is not None else QVBoxLayout()
    _fill(column, items)
    return column


def form_rows(form: QFormLayout, *rows: QWidget | QLayout | tuple[str, QWidget | QLayout]) -> QFormLayout:
    """Rows added to a form: a field with its label, or a widget or layout across the form."""
    for row in rows:
        if isinstance(row, tuple):
            label, field = row
            if isinstance(field, QLayout):
                form.addRow(label, field)
            else:
                form.addRow(label, field)
        elif isinstance(row, QLayout):
            form.addRow(row)
        else:
            form.addRow(row)
    return form


def radio_choices(parent: QObject, choices: Sequence[tuple[K, str]],
                  name: Callable[[K], str]) -> tuple[QButtonGroup, dict[K, QRadioButton]]:
    """One radio button per choice, in one exclusive group (ids in order), each named by `name`;
    the first is checked."""
    group = QButtonGroup(parent)
    radios: dict[K, QRadioButton] = {}
    for n, (key, text) in enumerate(choices):
        radio = named(QRadioButton(text), name(key))
        group.addButton(radio, n)
        radios[key] = radio
    radios[choices[0][0]].setChecked(True)
    return group, radios

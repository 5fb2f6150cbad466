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
    QButtonGroup,
    QDateEdit,
    QHBoxLayout,
    QPushButton,
    QRadioButton,
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


def side_by_side(*widgets: QWidget) -> QHBoxLayout:
    """Widgets in one row, left to right (a form's row of fields and its button)."""
    row = QHBoxLayout()
    for widget in widgets:
        row.addWidget(widget)
    return row


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

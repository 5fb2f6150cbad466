"""The line under a screen's buttons that says what was just done (green) or refused, and why
(red). A refusal the user can act on is said there; anything else is a fault for the task
manager's dialog."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLabel

from app.services.errors import DaishouError

ERROR_STYLE = "color: #b00020"
OK_STYLE = "color: #1b5e20"


class MessageLine(QLabel):
    def __init__(self, name: str) -> None:
        super().__init__(wordWrap=True)
        self.setObjectName(name)

    def say(self, text: str, *, ok: bool = False) -> None:
        self.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)
        self.setText(text)

    def refused(self, exc: BaseException, fault: Callable[[BaseException], None],
                *, said: tuple[type[BaseException], ...] = (DaishouError,)) -> None:
        """`said`: the errors whose message is meant for the user (each has `.message`)."""
        if isinstance(exc, said):
            self.say(str(getattr(exc, "message", exc)))
        else:
            fault(exc)

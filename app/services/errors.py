"""Errors a user is shown. Each message is Chinese, names the thing refused, and says why."""

from __future__ import annotations

# Re-exported: the front ends reach storage only through the services (import-linter).
from app.storage.db import StorageError as StorageError


class DaishouError(Exception):
    """Base of every refusal the user must read; nothing was written when it is raised."""

    code = "refused"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DaishouError):
    code = "invalid"


class NotFound(DaishouError):
    code = "not_found"


class Refused(DaishouError):
    """A rule of the cash desk forbids this (already paid, day not settled, ...)."""

    code = "refused"


class OverrideRequired(Refused):
    """Refused unless the agent gives a reason (wrong amount, outside the collection window).

    The reason is kept on the receipt and flagged for review.
    """

    code = "override_required"


class CashConfirmationRequired(Refused):
    """The cash is implausible for the total (change above the total and ¥100, or more than ten
    times the total): recorded only once the agent confirms it, so a slip of the finger is not
    recorded and handed back as change. `question` is what to ask."""

    code = "cash_confirmation_required"

    def __init__(self, question: str, message: str) -> None:
        super().__init__(message)
        self.question = question


class AuthError(DaishouError):
    code = "auth"


class NotInitialised(DaishouError):
    code = "not_initialised"

"""Errors a user is shown. Each message is Chinese, names the thing refused, and says why."""

from __future__ import annotations

from app.domain.reasons import ReasonError, clean_reason

# Re-exported: the front ends reach storage only through the services (import-linter).
from app.storage.db import StorageError as StorageError
from app.storage.errors import known_problem


class DaishouError(Exception):
    """Base of every refusal the user must read; nothing was written when it is raised."""

    code = "refused"

    def __init__(self, message: str, *, command: str | None = None) -> None:
        """`message` is what a person reads in the window: what to do there, on this PC, or
        whom to call. `command`: the same step on the command line, added there only."""
        super().__init__(message)
        self.message = message
        self.command = command


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


class PinTooShort(AuthError):
    """The PIN was right, but shorter than the user's role now needs (a head's 4-digit PIN from
    an older version): the user must choose a new one before doing anything else."""

    code = "pin_too_short"


class NotInitialised(DaishouError):
    code = "not_initialised"


# Nothing was written when a storage failure is raised: the transaction was rolled back whole.


def disk_problem(exc: BaseException) -> str | None:
    """The Chinese explanation of a storage failure anywhere in `exc`'s chain (SQLAlchemy
    wraps sqlite3's errors in `.orig`), or None when it is not one (app/storage/errors.py
    classifies each by SQLite's error code or the errno)."""
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        e = stack.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, FileExistsError | NotADirectoryError):
            where = getattr(e, "filename", None) or ""
            return (f"数据文件夹的位置 {where} 上（或它的上一级）是一个文件，不是文件夹：请检查 --home 是否写对"
                    "。已记录的数据不受影响。")
        message = known_problem(e)
        if message is not None:
            return f"{message}。已记录的数据不受影响。"
        stack += [getattr(e, "orig", None), e.__cause__, e.__context__]
    return None


def checked_reason(text: str | None, *, field: str, required: bool = True) -> str | None:
    """A typed reason as it will be stored, or InvalidInput naming the field (see clean_reason)."""
    try:
        return clean_reason(text, field=field, required=required)
    except ReasonError as exc:
        raise InvalidInput(str(exc)) from None

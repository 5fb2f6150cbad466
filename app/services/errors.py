"""Errors a user is shown. Each message is Chinese, names the thing refused, and says why."""

from __future__ import annotations

import sqlite3

from app.domain.reasons import ReasonError, clean_reason

# Re-exported: the front ends reach storage only through the services (import-linter).
from app.storage.db import StorageError as StorageError


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


# What SQLite says when the disk or another program is in the way, and what the agent reads:
# the cause and what to do, never "程序内部错误" with a class name. Nothing was written when
# one of these is raised: the transaction was rolled back whole.
_DISK_PROBLEMS = (
    (("database is locked", "database table is locked", "busy"),
     "数据文件正被另一个程序占用（是否开了两个代收窗口，或命令行正在运行？）。请关闭另一个后重试"),
    (("database or disk is full", "no space left"),
     "磁盘已满，数据无法写入。请清理磁盘空间（或换用有空间的U盘）后重试"),
    (("readonly", "read-only"),
     "数据文件或其文件夹是只读的，无法写入。请检查文件夹权限或U盘的写保护开关"),
    (("disk i/o error",), "读写磁盘出错（硬盘或U盘可能有坏道或已拔出）。请检查后重试，并尽快备份"),
    (("malformed", "not a database", "file is encrypted"),
     "数据文件已损坏，不能继续写入。请关闭程序，打电话给乡镇社保所，请其用备份恢复数据文件"),
    (("unable to open database file",),
     "无法打开数据文件（文件夹不存在、没有权限，或该位置是一个文件而不是文件夹）"),
)


def disk_problem(exc: BaseException) -> str | None:
    """The Chinese explanation of a storage failure anywhere in `exc`'s chain (SQLAlchemy
    wraps sqlite3's errors in `.orig`), or None when it is not one."""
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
        if isinstance(e, sqlite3.Error | OSError):
            text = str(e).lower()
            for needles, message in _DISK_PROBLEMS:
                if any(n in text for n in needles):
                    return f"{message}。已记录的数据不受影响。"
        stack += [getattr(e, "orig", None), e.__cause__, e.__context__]
    return None


def checked_reason(text: str | None, *, field: str, required: bool = True) -> str | None:
    """A typed reason as it will be stored, or InvalidInput naming the field (see clean_reason)."""
    try:
        return clean_reason(text, field=field, required=required)
    except ReasonError as exc:
        raise InvalidInput(str(exc)) from None

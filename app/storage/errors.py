"""Storage failures the user must be told about, recognised by SQLite's error codes.

As qutebrowser's `misc/sql.py` does, an error is classified by `sqlite3.Error.sqlite_errorcode`
(its primary code is the low byte of the extended one), never by its English message text, which
SQLite and Python are free to reword. A known failure (the disk is full, the file is locked,
read-only, damaged or cannot be opened) gets a Chinese explanation and what to do; anything else
is ours (a bug) and is left to the caller's crash report. `OSError`s from copying and backing up
files are classified by their errno the same way.
"""

from __future__ import annotations

import errno
import sqlite3

LOCKED = "数据文件正被另一个程序占用（是否开了两个代收窗口，或命令行正在运行？）。请关闭另一个后重试"
FULL = "磁盘已满，数据无法写入。请清理磁盘空间（或换用有空间的U盘）后重试"
READ_ONLY = "数据文件或其文件夹是只读的，无法写入。请检查文件夹权限或U盘的写保护开关"
IO_ERROR = "读写磁盘出错（硬盘或U盘可能有坏道或已拔出）。请检查后重试，并尽快备份"
DAMAGED = "数据文件已损坏，不能继续写入。请关闭程序，打电话给乡镇社保所，请其用备份恢复数据文件"
CANNOT_OPEN = "无法打开数据文件（文件夹不存在、没有权限，或该位置是一个文件而不是文件夹）"

# Primary result codes (https://www.sqlite.org/rescode.html) -> what the agent reads.
_BY_SQLITE_CODE = {
    sqlite3.SQLITE_BUSY: LOCKED,
    sqlite3.SQLITE_LOCKED: LOCKED,
    sqlite3.SQLITE_FULL: FULL,
    sqlite3.SQLITE_READONLY: READ_ONLY,
    sqlite3.SQLITE_IOERR: IO_ERROR,
    sqlite3.SQLITE_CORRUPT: DAMAGED,
    sqlite3.SQLITE_NOTADB: DAMAGED,
    sqlite3.SQLITE_CANTOPEN: CANNOT_OPEN,
}
_BY_ERRNO = {errno.ENOSPC: FULL, errno.EROFS: READ_ONLY, errno.EIO: IO_ERROR}


def primary_code(exc: sqlite3.Error) -> int | None:
    """SQLite's primary result code of `exc` (None for errors raised by Python's own module, such
    as using a closed connection, which carry no code)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def is_interrupt(exc: sqlite3.Error) -> bool:
    """The query was stopped by `Connection.interrupt()` (another check already failed)."""
    return primary_code(exc) == sqlite3.SQLITE_INTERRUPT


def known_problem(exc: BaseException) -> str | None:
    """The Chinese explanation of one storage failure (not its causes), or None when it is not
    one the user can act on."""
    if isinstance(exc, sqlite3.Error):
        code = primary_code(exc)
        return _BY_SQLITE_CODE.get(code) if code is not None else None
    if isinstance(exc, OSError) and exc.errno is not None:
        return _BY_ERRNO.get(exc.errno)
    return None

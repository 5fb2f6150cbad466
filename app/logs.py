"""The desk's log: a rotating file in the data folder, for the support person on the phone.

`daishou.log` (and up to five older `daishou.log.N`) sits in the data folder's `logs/`; its first
line after every start names the program's version. A full ID or phone number never reaches the
file: the handler's filter masks them in the message, its arguments and any traceback, the way the
public lists do (app/domain/ids.py). Receipt numbers, village codes and dates stay readable: they
are what the support person asks for.
"""

from __future__ import annotations

import contextlib
import logging
import os
import platform
import re
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

from app.domain.ids import mask_id, mask_phone
from app.version import version

LOG_DIR = "logs"
LOG_FILE = "daishou.log"
MAX_BYTES = 1_000_000
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# An 18-character ID (15-digit old ones too) or a mainland mobile number, not inside a longer run
# of digits (a receipt number's parts are separated by dashes and stay whole).
_ID = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[ -]?)?(1[3-9]\d[ -]?\d{4}[ -]?\d{4})(?!\d)")


def mask_log_text(text: str) -> str:
    text = _ID.sub(lambda m: mask_id(m.group(1)), text)
    return _MOBILE.sub(lambda m: mask_phone(re.sub(r"[ -]", "", m.group(1))), text)


class MaskingFilter(logging.Filter):
    """Masks ID and phone numbers in what a record will write. On the handler, not a logger: a
    record from any library's logger passes through it on its way to the file."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_log_text(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_log_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_log_text(record.stack_info)
        return True


class _DeskHandler(RotatingFileHandler):
    """Ours, so a second start in the same process (tests, the window after the wizard)
    replaces it rather than writing every line twice."""

    def _open(self):  # type: ignore[no-untyped-def]  # typeshed: returns TextIOWrapper
        stream = super()._open()
        with contextlib.suppress(OSError):  # the log names villagers' receipts: this user's only
            os.chmod(self.baseFilename, 0o600)
        return stream


def log_path(home: Path) -> Path:
    return Path(home) / LOG_DIR / LOG_FILE


def start_logging(home: Path, *, program: str = "daishou", level: int = logging.INFO) -> Path:
    """Log to the data folder's rotating file from now on; returns the file's path.
    A folder that cannot be written (a read-only share) leaves logging as it was: the desk works
    without a log rather than not at all."""
    path = log_path(home)
    root = logging.getLogger()
    stop_desk_logging()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = _DeskHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    except OSError:
        return path
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(MaskingFilter())
    root.addHandler(handler)
    if root.level > level or root.level == logging.NOTSET:
        root.setLevel(level)
    logging.getLogger("daishou").info("%s %s started (Python %s, %s)", program, version(),
                                      sys.version.split()[0], platform.platform())
    return path


def current_log_path() -> Path | None:
    """The file the log goes to now (for the error dialog), or None before start_logging."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, _DeskHandler):
            return Path(handler.baseFilename)
    return None


def stop_desk_logging() -> None:
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _DeskHandler)]:
        root.removeHandler(old)
        old.close()

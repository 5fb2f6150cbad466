"""No secret in any log line: bearer tokens, enrolment and check codes, passwords, the private
key. Installed as a log record factory, so it covers every logger and handler (uvicorn's too,
whichever handlers its configuration puts in later) and the text of a logged traceback; the
engine's own SQL parameters are left out of error messages as well (db.make_engine)."""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

REDACTED = "[redacted]"
_SECRET_NAMES = (r"check_code|code_sha256|token_sha256|token|password_hash|password_salt|old_password|new_password"
                 r"|password|private_pem|authorization|code")
_PATTERNS = [
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S), REDACTED),
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), rf"\g<1>{REDACTED}"),
    # name=value in a query string or a form
    (re.compile(rf"(?i)([?&;]\s*(?:{_SECRET_NAMES})=)[^&\s'\"]*"), rf"\g<1>{REDACTED}"),
    # 'name': 'value' / "name": "value" / name: value in a repr, JSON or SQL parameters
    (re.compile(rf"(?i)(['\"]?\b(?:{_SECRET_NAMES})\b['\"]?\s*[:=]\s*)(['\"])(?:\\.|(?!\2).)*\2"), rf"\g<1>'{REDACTED}'"),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, BaseException):
        return redact(str(value))
    return value


_installed = False


def install() -> None:
    """Once per process: every record made from now on is redacted as it is made."""
    global _installed
    if _installed:
        return
    make = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        if record.name == "uvicorn.access" and isinstance(record.args, tuple):
            record.args = tuple(_clean(a) for a in record.args)  # its formatter reads them one by one
        else:
            try:
                record.msg, record.args = redact(record.getMessage()), None  # a secret may be split across args
            except (TypeError, ValueError):
                record.msg = _clean(record.msg)
                record.args = tuple(_clean(a) for a in record.args) if isinstance(record.args, tuple) else None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
        return record

    logging.setLogRecordFactory(factory)
    _installed = True

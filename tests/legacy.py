"""Emulating users made by the release before signing keys (issue 22): their user entries carry
no key and signing in issued none. A test that needs such a user (an older 4-digit head PIN)
makes it inside `older_release()`; the first sign-in afterwards issues the key, as it would
after the upgrade."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest


@contextmanager
def older_release(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from app.services import users

    real = users._journal_user

    def without_key(conn: Any, row: Any, action: str, at: Any, by: str | None = None, *_: Any) -> None:
        real(conn, row, action, at, by)

    with monkeypatch.context() as m:
        m.setattr(users, "_journal_user", without_key)
        m.setattr(users.Users, "_issue_key", lambda self, name, pin, signer: signer)
        yield

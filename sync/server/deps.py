"""FastAPI dependencies: a database session per request, and one dependency per kind of
credential. A route states who may call it by what it depends on:

- ``device: CurrentDevice`` — an enrolled desk's bearer token;
- ``staff: CurrentStaff`` — a county or township officer's session token.

Both read ``Authorization: Bearer ...``; a missing or unknown token is a 401 with a named code.
(Part E's hooks for rate limits and logout belong beside these.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlmodel import Session

from sync.server import devices
from sync.server import models as m
from sync.server import staff as staff_service
from sync.server.db import once_more_if_disconnected, read_session, session

_bearer = HTTPBearer(auto_error=False, description="a device token (enrolment) or a staff session (login)")


def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def db_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back on a refusal."""
    with session(engine_of(request)) as s:
        yield s


# scope="function": committed before the answer is sent (a token handed out is usable at once).
DB = Annotated[Session, Depends(db_session, scope="function")]
Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def bearer_token(credentials: Bearer) -> str | None:
    return credentials.credentials.strip() if credentials else None


Token = Annotated[str | None, Depends(bearer_token)]


def current_device(request: Request, token: Token) -> m.Device:
    """The calling desk, read in a transaction of its own (an upload then takes the device's row
    lock in its own transaction; a request-long one would hold SQLite's write lock before it),
    which only reads: on SQLite it does not wait for another device's upload to commit."""

    def read() -> m.Device:
        with read_session(engine_of(request)) as s:
            return devices.device_for_token(s, token)

    return once_more_if_disconnected(read)


def current_staff(request: Request, token: Token) -> m.Staff:
    with session(engine_of(request)) as s:
        return staff_service.staff_for_token(s, token)


CurrentDevice = Annotated[m.Device, Depends(current_device)]
CurrentStaff = Annotated[m.Staff, Depends(current_staff)]

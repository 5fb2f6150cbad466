"""Staff sign-in, sign-out and password change, and the guesses they allow.

- Rate limits by client address and by account, with the `limits` library (a moving window in
  this process's memory; each worker of `serve --workers N` keeps its own): wrong passwords for
  one name from one address, wrong passwords for one name from anywhere, and every attempt from
  one address. Nothing is locked for everyone by a few wrong passwords, so nobody can keep the
  county officer out from their own desk.
- Every name is answered alike: a known name, an unknown one and a limited one get the same code,
  the same message and (for known and unknown names) the same scrypt, so no answer tells which
  names exist.
- scrypt runs in a small pool of its own threads outside any database transaction, so a flood
  of sign-ins queues there while the event loop and the public pages go on answering.
- Enrolment codes are guarded the same way: failed codes from one address, and from anywhere.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import anyio
from fastapi import APIRouter, Header, Request
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from pydantic import BaseModel, Field
from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from sync import protocol as p
from sync.server import models as m
from sync.server.core import ServerRefusal, now, sha256_hex
from sync.server.db import session
from sync.server.staff import STAFF_SESSION, _password_hash

HASH_THREADS = max(1, (os.cpu_count() or 2) // 2)  # scrypt at once; the rest of the server keeps a core
MAX_WAITING = 64  # sign-ins queued for scrypt beyond this are told to come back later
PER_ADDRESS = parse("30/minute")  # every sign-in attempt from one address
PER_ADDRESS_NAME = parse("5/15 minutes")  # wrong passwords for one name from one address
PER_NAME = parse("100/hour")  # wrong passwords for one name from anywhere
ENROL_PER_ADDRESS = parse("10/hour")  # wrong enrolment codes from one address
ENROL_ALL = parse("1000/hour")  # wrong enrolment codes from anywhere (2^40 codes: no sweep)
DUMMY_SALT = bytes(16)

WRONG = "用户名或密码不对"
TOO_MANY = "尝试次数过多，请过一会儿再试（忘记密码请联系县社保管理员）"


class LoginRequest(BaseModel):
    name: str = Field(max_length=200)
    password: str = Field(max_length=1000)


class PasswordChange(BaseModel):
    old_password: str = Field(max_length=1000)
    new_password: str = Field(max_length=1000)


class Done(BaseModel):
    message: str


def _key(text: str) -> str:
    """A name as a limiter key: fixed length, so a flood of long names cannot fill memory."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class Guard:
    """One per app: the limiter's counts and the scrypt pool."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.hashing = anyio.CapacityLimiter(HASH_THREADS)

    def _refuse_if_limited(self, address: str, name: str) -> None:
        if not self.limiter.hit(PER_ADDRESS, "login", address):
            raise ServerRefusal(429, "too_many_attempts", TOO_MANY)
        if not (self.limiter.test(PER_ADDRESS_NAME, "login-name", address, _key(name))
                and self.limiter.test(PER_NAME, "login-name", _key(name))):
            raise ServerRefusal(429, "too_many_attempts", TOO_MANY)

    async def _password_matches(self, name: str, password: str) -> bool:
        """scrypt against the held hash; for an unknown name against nothing, at the same cost."""
        salt, held = await anyio.to_thread.run_sync(self._held_hash, name)
        stats = self.hashing.statistics()
        if stats.tasks_waiting >= MAX_WAITING:
            raise ServerRefusal(503, "busy", "服务器繁忙，请稍后重试")
        made = await anyio.to_thread.run_sync(_password_hash, password, salt, limiter=self.hashing)
        return hmac.compare_digest(made, held) and bool(held)

    async def login(self, address: str, name: str, password: str) -> tuple[str, m.Staff]:
        self._refuse_if_limited(address, name)
        if not await self._password_matches(name, password):
            self.limiter.hit(PER_ADDRESS_NAME, "login-name", address, _key(name))
            self.limiter.hit(PER_NAME, "login-name", _key(name))
            raise ServerRefusal(401, "bad_password", WRONG)
        return await anyio.to_thread.run_sync(self._new_session, name)

    # The database is never touched on the event loop: a SQLite transaction waiting there for the
    # write lock would stop the very loop the lock holder needs to finish its answer.
    def _held_hash(self, name: str) -> tuple[bytes, str]:
        with session(self.engine) as s:
            row = s.get(m.Staff, name)
            return (bytes.fromhex(row.password_salt), row.password_hash) if row else (DUMMY_SALT, "")

    def _new_session(self, name: str) -> tuple[str, m.Staff]:
        token = secrets.token_urlsafe(32)
        with session(self.engine) as s:
            s.add(m.StaffSession(token_sha256=sha256_hex(token), name=name, expires_at=now() + STAFF_SESSION))
            staff = s.get(m.Staff, name)
        assert staff is not None
        return token, staff

    def _session_name(self, token: str | None) -> str:
        with session(self.engine) as s:
            return _session_name(s, token)

    def _set_password(self, name: str, token: str | None, salt: bytes, made: str) -> None:
        with session(self.engine) as s:
            staff = s.get(m.Staff, name)
            assert staff is not None
            staff.password_salt, staff.password_hash = salt.hex(), made
            s.execute(delete(m.StaffSession).where(col(m.StaffSession.name) == name,
                                                   col(m.StaffSession.token_sha256) != sha256_hex(token or "")))

    async def change_password(self, address: str, token: str | None, old: str, new: str) -> None:
        """The signed-in person's own password; every other session of theirs ends."""
        name = await anyio.to_thread.run_sync(self._session_name, token)
        self._refuse_if_limited(address, name)
        if not await self._password_matches(name, old):
            self.limiter.hit(PER_ADDRESS_NAME, "login-name", address, _key(name))
            self.limiter.hit(PER_NAME, "login-name", _key(name))
            raise ServerRefusal(401, "bad_password", "原密码不对")
        if len(new) < 8:
            raise ServerRefusal(400, "weak_password", "新密码至少 8 位")
        if new == old:
            raise ServerRefusal(400, "weak_password", "新密码不能与原密码相同")
        salt = secrets.token_bytes(16)
        made = await anyio.to_thread.run_sync(_password_hash, new, salt, limiter=self.hashing)
        await anyio.to_thread.run_sync(self._set_password, name, token, salt, made)

    def logout(self, token: str | None) -> None:
        with session(self.engine) as s:
            _session_name(s, token)
            s.execute(delete(m.StaffSession).where(col(m.StaffSession.token_sha256) == sha256_hex(token or "")))

    @contextmanager
    def enrolment(self, address: str) -> Iterator[None]:
        """Around one enrolment: refused while this address (or everyone) has guessed too many
        wrong codes; a wrong code counts."""
        if not (self.limiter.test(ENROL_PER_ADDRESS, "enrol", address) and self.limiter.test(ENROL_ALL, "enrol")):
            raise ServerRefusal(429, "too_many_attempts", "注册码输错次数过多，请过一会儿再试，或向县里核对注册码")
        try:
            yield
        except ServerRefusal as exc:
            if exc.code == "bad_code":
                self.limiter.hit(ENROL_PER_ADDRESS, "enrol", address)
                self.limiter.hit(ENROL_ALL, "enrol")
            raise


def reset_password(s: Session, name: str, password: str) -> None:
    """The county administrator's reset (`daishou-server user password`): every session of the
    name ends."""
    staff = s.get(m.Staff, name)
    if staff is None:
        raise ServerRefusal(404, "unknown_user", f"没有账户「{name}」")
    if len(password) < 8:
        raise ServerRefusal(400, "weak_password", "密码至少 8 位")
    salt = secrets.token_bytes(16)
    staff.password_salt, staff.password_hash = salt.hex(), _password_hash(password, salt)
    s.execute(delete(m.StaffSession).where(col(m.StaffSession.name) == name))


def _session_name(s: Session, token: str | None) -> str:
    row = s.exec(select(m.StaffSession).where(m.StaffSession.token_sha256 == sha256_hex(token or ""))).first()
    if row is None or row.expires_at < now():
        raise ServerRefusal(401, "bad_token", "请先登录")
    return row.name


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def bearer_token(authorization: str | None) -> str | None:
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


def router(guard: Guard) -> APIRouter:
    """Sign-out and password change (sign-in stays on the app's login route, which calls `guard.login`)."""
    routes = APIRouter(prefix=f"{p.API}/staff")
    refusals: dict[int | str, dict[str, object]] = {code: {"model": p.Refusal} for code in (400, 401, 422, 429, 503)}

    @routes.post("/logout", response_model=Done, responses=refusals)
    def logout(authorization: Annotated[str | None, Header()] = None) -> Done:
        guard.logout(bearer_token(authorization))
        return Done(message="已退出登录")

    @routes.post("/password", response_model=Done, responses=refusals)
    async def change_password(change: PasswordChange, request: Request,
                              authorization: Annotated[str | None, Header()] = None) -> Done:
        await guard.change_password(client_address(request), bearer_token(authorization),
                                    change.old_password, change.new_password)
        return Done(message="密码已修改；其他地方的登录已退出")

    return routes

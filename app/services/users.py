"""Users, PINs (slow salted hash) and lockout after five wrong PINs."""

from __future__ import annotations

import hmac
import os
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from app.domain.countersign import SealError, Signer, new_signer, seal, sealed_salt, stretch, unseal
from app.domain.entries import UserEntry
from app.domain.names import InvalidNameError, parse_name
from app.domain.pins import pin_shape_problem
from app.domain.records import Role, UserInfo
from app.services.errors import (
    AuthError,
    InvalidInput,
    NotFound,
    PinTooShort,
    Refused,
    StorageError,
)
from app.services.setup import adopt_legacy_setup
from app.services.signoff import require_pin, signers, vouch
from app.storage import journal
from app.storage import users as table
from app.storage.database import Clock, Database
from app.storage.users import UserRecord

MAX_FAILED = 5
LOCKOUT = timedelta(minutes=15)
# scrypt, memory-hard: 2^16 x 8 takes 64 MiB and about 130 ms here (`bench core` prints it), so
# one guess at a PIN in a stolen file costs at least 100 ms. Each hash records its own cost
# (user.pin_kdf): the cost can rise, and older hashes are re-made at the next sign-in.
KDF = "scrypt$65536$8$1"


def hash_pin(pin: str, salt: bytes, kdf: str | None = None) -> bytes:
    return stretch(pin, salt, kdf or KDF)[:32]


def _new_pin(row: UserRecord, pin: str) -> tuple[Signer, str]:
    """A new salt and PIN hash for `row`, and a new signing key sealed under the same PIN."""
    row.pin_salt, row.pin_kdf = os.urandom(16), KDF
    stretched = stretch(pin, row.pin_salt, KDF)
    row.pin_hash = stretched[:32]
    signer = new_signer(row.name)
    return signer, seal(signer, stretched, row.pin_salt, KDF)


def _journal_user(conn: sqlite3.Connection, row: UserRecord, action: str, at: datetime,
                  by: str | None = None, key: tuple[Signer, str] | None = None,
                  signed_by: tuple[Signer, ...] = ()) -> None:
    """Journal what the user table now holds for one user, in the same transaction: verify
    replays these entries and refuses a table that differs (a head's PIN hash swapped for an
    agent's, a role changed, a user added with the sqlite3 shell). `key`: the user's new signing
    key (public half and sealed private half), signed by `signed_by` (the old key, or whoever
    added or reset the user)."""
    entry = UserEntry(
        action=action, name=row.name, role=row.role, active=bool(row.active), pin_salt=row.pin_salt.hex(),
        pin_hash=row.pin_hash.hex(), pin_kdf=row.pin_kdf, failed_attempts=int(row.failed_attempts or 0),
        locked_until=row.locked_until.isoformat() if row.locked_until else None, by=by)
    if key is not None:
        entry = replace(entry, sign_key=key[0].public_hex, sealed_key=key[1])
    journal.append(conn, at.isoformat(), entry, signed_by)


def _unlock_key(conn: sqlite3.Connection, row: UserRecord, pin: str, stretched: bytes) -> Signer | None:
    """The user's journalled signing key opened with their PIN; None when none was issued yet
    (a user of an older release). AuthError when the PIN matched the user table but does not open
    the journalled key: the table's PIN hash was swapped (the forged-countersign attack)."""
    held = journal.signing_key(conn, row.name)
    if held is None:
        return None
    public, sealed = held
    try:
        salt, kdf = sealed_salt(sealed)
        if (salt, kdf) != (row.pin_salt, row.pin_kdf):
            stretched = stretch(pin, salt, kdf)
        return unseal(sealed, stretched, row.name, public)
    except (SealError, ValueError):
        raise AuthError(f"「{row.name}」的密码打不开账本中其签名密钥：用户表中的密码记录与账本不符（可能被改动过）。"
                        "已拒绝签署；请联系乡镇社保所核对") from None


def _adopt_legacy_users(conn: sqlite3.Connection, at: datetime) -> None:
    """Users made before users were journalled get their entry once (action "existing"); so do
    the device identity and the county configuration."""
    adopt_legacy_setup(conn, at)
    if journal.has_kind(conn, "user"):
        return
    for row in table.all_users(conn):
        _journal_user(conn, row, "existing", at)


def _check_pin_shape(pin: str, role: Role) -> str:
    pin = pin.strip()
    problem = pin_shape_problem(pin, role.value)
    if problem:
        raise InvalidInput(problem)
    return pin


def _utc(local: datetime) -> datetime:
    """The clock gives naive local wall time; lockouts are kept in naive UTC so that changing the
    PC's time zone neither lifts a lockout early nor stretches it by hours."""
    return local.astimezone(UTC).replace(tzinfo=None)


def _local(utc: datetime) -> datetime:
    return utc.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)


class Users:
    def __init__(self, db: Database, clock: Clock, *,
                 monotonic: Callable[[], float] | None = None) -> None:
        self._db = db
        self._clock = clock
        # Within one process a lockout also runs on the monotonic clock, so moving the wall clock
        # forward does not lift it. None when the clock is a test's hand-moved one.
        self._monotonic = monotonic
        self._locked_until_mono: dict[str, float] = {}

    def add(self, name: str, role: Role | str, pin: str, *, by: UserInfo | None = None) -> UserInfo:
        """Add a user. Once a village head or an admin exists, one of them must confirm (`by`,
        already PIN-checked): otherwise anyone at the PC could make a "village head" and
        countersign their own day. The first users, at setup, need nobody."""
        try:
            clean = parse_name(name)
        except InvalidNameError as exc:
            raise InvalidInput(str(exc)) from None
        try:
            role = Role(role)
        except ValueError:
            raise InvalidInput(f"未知角色「{role}」（agent、head、township、admin、grid）") from None
        pin = _check_pin_shape(pin, role)
        with self._db.write() as conn:
            if table.by_name(conn, clean) is not None:
                raise Refused(f"用户「{clean}」已存在")
            authorities = table.names_with_role(conn, Role.HEAD.value, Role.ADMIN.value)
            if by is not None:
                require_pin(by)
            if authorities and (by is None or by.role not in (Role.HEAD, Role.ADMIN)):
                who = f"「{by.name}」是{by.role.label}，" if by else ""
                raise Refused(f"{who}添加用户需要村委会负责人或管理员确认（输入其密码）")
            # A head or an admin can countersign money or unlock accounts: once any head or admin
            # exists, only an administrator adds another (the township's administrator is made
            # first, at setup, when a village wants one). Nobody countersigns the cash of the
            # person who added their account either (signoff.check_not_own follows who added whom).
            if authorities and role in (Role.HEAD, Role.ADMIN) and by is not None and by.role is not Role.ADMIN:
                raise Refused(f"添加{role.label}需要管理员确认，「{by.name}」是{by.role.label}；"
                              "本机没有管理员时，请由乡镇社保所处理")
            _adopt_legacy_users(conn, self._clock())
            row = UserRecord(None, clean, role.value, b"", b"", KDF, 0, None, True, self._clock())
            key = _new_pin(row, pin)
            table.insert(conn, row)
            _journal_user(conn, row, "add", self._clock(), by.name if by else None, key,
                          signers(by) if by is not None else ())
        return UserInfo(clean, role)

    def list(self) -> list[UserInfo]:
        with self._db.read() as conn:
            rows = table.all_users(conn, active_only=True)
        return [UserInfo(r.name, Role(r.role), r.locked_until) for r in rows]

    def get(self, name: str) -> UserInfo:
        with self._db.read() as conn:
            row = table.by_name(conn, name.strip())
        if row is None or not row.active:
            raise NotFound(f"没有用户「{name}」")
        return UserInfo(row.name, Role(row.role), row.locked_until)

    def authenticate(self, name: str, pin: str, *, roles: tuple[Role, ...] | None = None,
                     purpose: str = "操作", allow_short: bool = False) -> UserInfo:
        """Check a PIN. Five wrong PINs in a row lock the user for LOCKOUT."""
        now = _utc(self._clock())
        failure: AuthError | None = None
        journal_state: str | None = None  # the count or lockout changed: journal it afterwards
        user: UserInfo | None = None
        short: str | None = None
        with self._db.write(ledger=False) as conn:
            row = table.by_name(conn, name.strip())
            if row is None or not row.active:
                raise AuthError(f"没有用户「{name}」")
            if row.locked_until is not None and row.locked_until > now + LOCKOUT:
                # A lockout never lasts longer than LOCKOUT from now: the wall clock was set back,
                # or the value was written as local time before lockouts were kept in UTC.
                row.locked_until = now + LOCKOUT
                table.save(conn, row)
                journal_state = "lockout"
            in_process = self._locked_in_process(row.name)
            if in_process and (row.locked_until is None or row.locked_until <= now):
                until = _local(now + timedelta(seconds=in_process)).strftime("%H:%M")
                failure = AuthError(f"用户「{row.name}」因连续输错密码已锁定，请在 {until} 后再试")
            elif row.locked_until is not None and row.locked_until > now:
                until = _local(row.locked_until).strftime("%H:%M")
                failure = AuthError(f"用户「{row.name}」因连续输错密码已锁定，请在 {until} 后再试")
            elif not hmac.compare_digest((stretched := stretch(pin.strip(), row.pin_salt, row.pin_kdf))[:32],
                                         row.pin_hash):
                row.failed_attempts += 1
                left = MAX_FAILED - row.failed_attempts
                if left <= 0:
                    row.locked_until = now + LOCKOUT
                    if self._monotonic is not None:
                        self._locked_until_mono[row.name] = self._monotonic() + LOCKOUT.total_seconds()
                    row.failed_attempts = 0
                    failure = AuthError(f"「{row.name}」的密码错误，已连续错误{MAX_FAILED}次，锁定15分钟")
                else:
                    failure = AuthError(f"「{row.name}」的密码错误，还可再试{left}次")
                table.save(conn, row)  # the count is kept even though the sign-in is refused
                journal_state = "failed"
            else:
                if row.failed_attempts or row.locked_until is not None:
                    journal_state = "signin"
                row.failed_attempts = 0
                row.locked_until = None
                self._locked_until_mono.pop(row.name, None)
                _adopt_legacy_users(conn, self._clock())
                signer = _unlock_key(conn, row, pin.strip(), stretched)
                table.save(conn, row)
                short = pin_shape_problem(pin.strip(), row.role)
                user = vouch(UserInfo(row.name, Role(row.role)), signer)
            who = row.name
        if journal_state is not None:
            self._journal_lockout(who, journal_state)
        if failure is not None:
            raise failure
        assert user is not None
        if user.signer is None or row.pin_kdf != KDF:
            user = vouch(user, self._issue_key(row.name, pin.strip(), user.signer))
        if short and not allow_short:
            raise PinTooShort(f"「{user.name}」的密码太短：{short}。请在登录窗口输入两次新密码，设置后登录",
                              command=f"daishou user pin --name {user.name}，原密码一行、新密码一行")
        if roles and user.role not in roles:
            allowed = "或".join(r.label for r in roles)
            raise Refused(f"「{user.name}」是{user.role.label}，{purpose}需要{allowed}")
        return user

    def _issue_key(self, name: str, pin: str, signer: Signer | None) -> Signer | None:
        """At sign-in, a PIN just checked: issue the signing key of a user of an older release
        (journalled unsigned, "key": nobody older can sign it; flagged for the township), or
        re-make a PIN hash of an older, cheaper cost with a new key signed by the old one. On a
        file refused for writing nothing is added, and the user has no key to sign with."""
        try:
            with self._db.write() as conn:
                row = self._row(conn, name)
                if row.pin_kdf != KDF:  # made at an older, cheaper cost: re-made now the PIN is known
                    key = _new_pin(row, pin)
                    _journal_user(conn, row, "rehash" if signer else "key", self._clock(), row.name, key,
                                  (signer,) if signer else ())
                    table.save(conn, row)
                    return key[0]
                if journal.signing_key(conn, name) is not None:
                    return signer
                new = new_signer(row.name)
                stretched = stretch(pin, row.pin_salt, row.pin_kdf)
                _journal_user(conn, row, "key", self._clock(), row.name, (new, seal(new, stretched, row.pin_salt,
                                                                                     row.pin_kdf)))
                return new
        except StorageError:
            return signer

    def _journal_lockout(self, name: str, action: str) -> None:
        """The failed-PIN count and lockout as they now stand, as a journal entry of their own:
        resetting the count in the file (to guess a head's PIN without being locked out) is then
        caught by verify. On a file refused for writing (tampered, damaged) the count is kept
        but not journalled: nothing is added to such a ledger."""
        try:
            with self._db.write() as conn:
                row = self._row(conn, name)
                _adopt_legacy_users(conn, self._clock())
                _journal_user(conn, row, action, self._clock(), None)
        except StorageError:
            pass

    def _locked_in_process(self, name: str) -> float:
        """Seconds of lockout left by the monotonic clock (0 if none or no monotonic clock)."""
        if self._monotonic is None or name not in self._locked_until_mono:
            return 0.0
        return max(0.0, self._locked_until_mono[name] - self._monotonic())

    def unlock(self, name: str, *, by: UserInfo) -> None:
        """An administrator lifts a lockout (five wrong PINs) before its 15 minutes are up;
        journalled with who did it."""
        self._by_admin(by, "解除锁定")
        with self._db.write() as conn:
            _adopt_legacy_users(conn, self._clock())
            row = self._row(conn, name)
            row.failed_attempts, row.locked_until = 0, None
            self._locked_until_mono.pop(row.name, None)
            table.save(conn, row)
            _journal_user(conn, row, "unlock", self._clock(), by.name)

    def reset_pin(self, name: str, new_pin: str, *, by: UserInfo) -> None:
        """An administrator sets a new PIN for a user who forgot theirs (never their own: that
        is change_pin); journalled with who did it. The lockout is lifted too."""
        self._by_admin(by, "重置密码")
        with self._db.write() as conn:
            _adopt_legacy_users(conn, self._clock())
            row = self._row(conn, name)
            if row.name == by.name:
                raise Refused("不能重置自己的密码：请用「修改密码」")
            pin = _check_pin_shape(new_pin, Role(row.role))
            key = _new_pin(row, pin)
            row.failed_attempts, row.locked_until = 0, None
            self._locked_until_mono.pop(row.name, None)
            table.save(conn, row)
            _journal_user(conn, row, "reset", self._clock(), by.name, key, signers(by))

    @staticmethod
    def _by_admin(by: UserInfo, what: str) -> None:
        require_pin(by)
        if by.role is not Role.ADMIN:
            raise Refused(f"{what}需要管理员，「{by.name}」是{by.role.label}")

    @staticmethod
    def _row(conn: sqlite3.Connection, name: str) -> UserRecord:
        row = table.by_name(conn, name.strip())
        if row is None or not row.active:
            raise NotFound(f"没有用户「{name}」")
        return row

    def change_pin(self, name: str, old_pin: str, new_pin: str) -> None:
        user = self.authenticate(name, old_pin, allow_short=True)  # a short PIN may be changed
        new_pin = _check_pin_shape(new_pin, user.role)
        with self._db.write() as conn:
            _adopt_legacy_users(conn, self._clock())
            row = self._row(conn, name)
            key = _new_pin(row, new_pin)
            _journal_user(conn, row, "pin", self._clock(), row.name, key, signers(user))  # by the old key
            table.save(conn, row)


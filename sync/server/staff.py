"""County and township staff: accounts, password sign-in, sessions, what each may see."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TypeVar

from sqlmodel import Session, col, select

from sync.server import models as m
from sync.server.core import ServerRefusal, now, sha256_hex

R = TypeVar("R", m.Conflict, m.UploadRefusal)  # rows kept per village, shown to who may see it

STAFF_SESSION = timedelta(hours=8)


def _password_hash(password: str, salt: bytes) -> str:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=2**15, r=8, p=1, maxmem=64 * 1024 * 1024,
                          dklen=32).hex()


def add_staff(s: Session, name: str, role: str, password: str, township_code: str | None) -> None:
    if role not in ("county", "township"):
        raise ServerRefusal(400, "bad_role", "角色应为 county 或 township")
    if role == "township" and not township_code:
        raise ServerRefusal(400, "bad_role", "乡镇账户需要 --township-code")
    if len(password) < 8:
        raise ServerRefusal(400, "weak_password", "密码至少 8 位")
    if s.get(m.Staff, name) is not None:
        raise ServerRefusal(409, "exists", f"账户「{name}」已存在")
    salt = secrets.token_bytes(16)
    s.add(m.Staff(name=name, role=role, township_code=township_code, password_salt=salt.hex(),
                  password_hash=_password_hash(password, salt)))




def staff_for_token(s: Session, token: str | None) -> m.Staff:
    session = s.get(m.StaffSession, sha256_hex(token or ""))
    if session is None or session.expires_at < now():
        raise ServerRefusal(401, "bad_token", "请先登录")
    staff = s.get(m.Staff, session.name)
    assert staff is not None
    return staff


def visible_villages(s: Session, staff: m.Staff) -> list[m.Village]:
    query = select(m.Village).order_by(col(m.Village.code))
    if staff.role == "township":
        query = query.where(m.Village.township_code == staff.township_code)
    return list(s.exec(query).all())


def visible_village_rows(s: Session, staff: m.Staff, township: str | None = None) -> list[tuple[str, str, str]]:
    """(code, name, township code) of visible_villages (of one township if given), as columns: a
    province's county account sees 20,000 villages, whose ORM objects took seconds to build."""
    query = select(m.Village.code, m.Village.name, m.Village.township_code).order_by(col(m.Village.code))
    if staff.role == "township":
        query = query.where(m.Village.township_code == staff.township_code)
    if township is not None:
        query = query.where(m.Village.township_code == township)
    return [(code, name, township) for code, name, township in s.exec(query).all()]


def _in_visible_villages(s: Session, staff: m.Staff, model: type[R]) -> list[R]:
    """`model`'s rows of the villages the account may see, oldest first."""
    codes = [v.code for v in visible_villages(s, staff)]
    return list(s.exec(select(model).where(col(model.village_code).in_(codes)).order_by(col(model.id))).all())


def conflicts_for(s: Session, staff: m.Staff) -> list[m.Conflict]:
    return _in_visible_villages(s, staff, m.Conflict)


def flags_for(s: Session, staff: m.Staff) -> list[m.CountyFlag]:
    """The county's flags an account sees: one row per village concerned (a person paid in two
    villages is a row for each), a township account its own villages' rows."""
    query = select(m.CountyFlag).order_by(col(m.CountyFlag.id))
    if staff.role == "township":
        query = query.where(m.CountyFlag.township_code == staff.township_code)
    return list(s.exec(query).all())


def refusals_for(s: Session, staff: m.Staff) -> list[m.UploadRefusal]:
    return _in_visible_villages(s, staff, m.UploadRefusal)

"""The village's 社保经办人员 notice (003 第三十二条): who handles the two insurances here — name,
duty, phone, responsibilities — posted for the villagers with the county's 监督举报电话.

Kept with the users (settings F6) in the settings table: a notice is not money and changes when
staff change; only the village head or the administrator edits it. No schema change."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from app.domain.records import Role
from app.services.errors import InvalidInput, Refused
from app.services.signoff import require_pin
from app.storage import settings

if TYPE_CHECKING:
    from app.domain.records import UserInfo
    from app.services.desk import Desk

KEY = "staff_notice"
MAX_MEMBERS = 20
LIMITS = {"name": 20, "duty": 30, "phone": 20, "duties": 200}


@dataclass(frozen=True)
class NoticeMember:
    name: str
    duty: str  # 职务, e.g. 村社保协理员
    phone: str
    duties: str  # 工作职责


def read_notice(desk: Desk) -> list[NoticeMember]:
    with desk.db.read() as conn:
        text = settings.get(conn, KEY)
    try:
        rows = json.loads(text) if text else []
        return [NoticeMember(**row) for row in rows]
    except (ValueError, TypeError):
        return []  # a damaged value reads as empty: the notice is typed again, no cash depends on it


def save_notice(desk: Desk, members: list[NoticeMember], *, by: UserInfo) -> list[NoticeMember]:
    require_pin(by)
    if by.role not in (Role.HEAD, Role.ADMIN):
        raise Refused(f"「{by.name}」是{by.role.label}：经办人员公示由村委会负责人或管理员填写")
    if len(members) > MAX_MEMBERS:
        raise InvalidInput(f"经办人员最多 {MAX_MEMBERS} 人")
    clean = []
    for i, m in enumerate(members, start=1):
        values = {k: str(v).strip() for k, v in asdict(m).items()}
        if not values["name"]:
            raise InvalidInput(f"第 {i} 行：姓名不能为空")
        for field, limit in LIMITS.items():
            if len(values[field]) > limit:
                raise InvalidInput(f"第 {i} 行「{values['name']}」：{_LABELS[field]}最多 {limit} 个字")
        if values["phone"] and not all(c.isdigit() or c in "-— ()" for c in values["phone"]):
            raise InvalidInput(f"第 {i} 行「{values['name']}」：联系电话只能是数字和“-”")
        clean.append(NoticeMember(**values))
    with desk.db.write() as conn:
        settings.put(conn, KEY, json.dumps([asdict(m) for m in clean], ensure_ascii=False))
    return clean


_LABELS = {"name": "姓名", "duty": "职务", "phone": "联系电话", "duties": "工作职责"}

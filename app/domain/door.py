"""Door to door (issue 25; seeds 000, 001, 003 第二十五–二十九条): the rules and the values of it.

- The reasons a person has not paid: five everyone uses, and those the county adds in its
  configuration (the optional `door` key: an old configuration stays valid and its journalled text,
  so its hash, is untouched).
- A person's 两两协议 and 批量扣款 status from the tax office's lists: a list of who has no
  agreement or must re-sign replaces the one before it (it says who is on it now); failed debits
  add up. Thirty days after the first failed debit (第二十九条) the person is for the other
  channels or cash.
- The chain rule each door kind keeps (`door_refusal`), the same on the desk and the server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, NamedTuple

from app.domain.records import DueInfo

BASE_REASONS = ("外出务工", "已在外地参保", "经济困难", "拒缴", "死亡/迁出")
LIST_KINDS = {"no_agreement": "未签两两协议", "resign": "需重签协议或换卡", "failed": "扣款失败"}
# 联络表 posts (000 附件2), in the order of its columns.
POSTS = {"township_leader": "乡镇网格长", "village_leader": "村网格长", "member": "网格员",
         "tax_leader": "税务网格长", "tax_member": "税务网格员"}
FAILED_DAYS = 30  # 第二十九条: after this many days of failed debits, the other channels or cash
MAX_GUIDANCE = 300


class DoorConfigError(ValueError):
    """The `door` part of a county configuration cannot be used; the message names the field."""


@dataclass(frozen=True)
class DoorConfig:
    """The county's words for the door-to-door list: its own reasons, the guidance to the other
    channels (微信/支付宝小程序, 银行柜面, POS机) and the address its payment QR leads to."""

    reasons: tuple[str, ...] = ()
    guidance: str = ""
    pay_url: str = ""

    @property
    def all_reasons(self) -> tuple[str, ...]:
        return BASE_REASONS + tuple(r for r in self.reasons if r not in BASE_REASONS)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.reasons:
            out["reasons"] = list(self.reasons)
        if self.guidance:
            out["guidance"] = self.guidance
        if self.pay_url:
            out["pay_url"] = self.pay_url
        return out


def parse_door(raw: Any) -> DoorConfig:
    if raw is None:
        return DoorConfig()
    if not isinstance(raw, dict):
        raise DoorConfigError("door：应为对象，如 {\"reasons\": [\"长期外出\"], \"guidance\": \"…\"}")
    unknown = set(raw) - {"reasons", "guidance", "pay_url"}
    if unknown:
        raise DoorConfigError(f"door：未知字段 {sorted(unknown)[0]}（可用：reasons、guidance、pay_url）")
    reasons = raw.get("reasons") or []
    if not isinstance(reasons, list) or not all(isinstance(r, str) and 1 <= len(r.strip()) <= 20 for r in reasons):
        raise DoorConfigError("door.reasons：应为 1–20 字的文字列表")
    guidance = raw.get("guidance") or ""
    if not isinstance(guidance, str) or len(guidance) > MAX_GUIDANCE:
        raise DoorConfigError(f"door.guidance：应为不超过 {MAX_GUIDANCE} 字的文字")
    url = str(raw.get("pay_url") or "").strip()
    if url and not re.fullmatch(r"https://[^\s]{3,300}", url):
        raise DoorConfigError(f"door.pay_url：「{url[:40]}」应以 https:// 开头")
    return DoorConfig(tuple(r.strip() for r in reasons), guidance.strip(), url)


# -- debit status ---------------------------------------------------------------------------------

@dataclass
class DebitState:
    """What the tax office's lists say of one person (built by the service from the rows)."""

    no_agreement: bool = False
    resign: bool = False
    failed_days: list[str] = field(default_factory=list)

    def first_failed(self) -> date | None:
        return date.fromisoformat(min(self.failed_days)) if self.failed_days else None

    def label(self) -> str:
        if self.failed_days:
            return f"扣款失败 {max(self.failed_days)}" + (f"（{len(self.failed_days)}次）" if len(self.failed_days) > 1
                                                          else "")
        if self.resign:
            return "需重签协议/换卡"
        if self.no_agreement:
            return "未签两两协议"
        return ""

    def section(self, today: date) -> int:
        """0: failed debits (first on the list), 1: the rest, 2: other channels or cash."""
        first = self.first_failed()
        if first is None:
            return 1
        return 2 if today >= first + timedelta(days=FAILED_DAYS) else 0


SECTIONS = ("扣款失败：请督促在扣款账户内存足费款", "未缴费人员", "扣款失败满30天：引导通过其他渠道或现金缴费")


@dataclass(frozen=True)
class Visit:
    visited_on: date
    visitor: str
    outcome: str
    next_step: str | None


class DoorPerson(NamedTuple):
    """One person on a grid member's list: no phone and no full ID number (the list leaves the
    office in a grid member's hands). A named tuple: a township's list builds 100,000 of them."""

    id_number: str  # printed masked only
    name: str
    group: str
    household_no: str
    household_head: str
    category: str
    dues: tuple[DueInfo, ...]
    debit: str  # the status in words, "" when no list names the person
    section: int  # see SECTIONS
    member: str  # the grid member the household belongs to, or ""
    reason: str | None
    visits: tuple[Visit, ...]

    @property
    def total_fen(self) -> int:
        return sum(d.due_fen for d in self.dues)


@dataclass(frozen=True)
class DoorList:
    year: int
    as_of: date
    member: str | None  # None: the whole village
    people: tuple[DoorPerson, ...]  # section, then group and household order

    def section(self, n: int) -> tuple[DoorPerson, ...]:
        return tuple(p for p in self.people if p.section == n)


@dataclass(frozen=True)
class Contact:
    post: str
    name: str
    phone: str
    unit: str


@dataclass(frozen=True)
class ReasonRecord:
    """A year's reason for a person, kept after they paid (逐一销号)."""

    id_number: str
    year: int
    reason: str
    note: str | None
    by: str
    paid: bool


# -- the chain rule -------------------------------------------------------------------------------

# Per kind: the field that must hold one of a known list (None: the county's reasons in force),
# with its message; and the field that must not be blank, with its message.
_ONE_OF: dict[str, tuple[str, Any, str]] = {
    "unpaid_reason": ("reason", None, "未缴原因「{}」不在县级配置的原因中"),
    "debit_list": ("list_kind", LIST_KINDS, "税务名单类型「{}」未知"),
    "grid_contact": ("post", POSTS, "联络表职务「{}」未知"),
}
_NOT_BLANK = {"door_visit": ("outcome", "走访记录没有结果"), "grid_assign": ("group", "网格分配没有村民小组")}


def door_refusal(kind: str, d: dict[str, Any], recorded_at: str, reasons: tuple[str, ...]) -> str | None:
    """Why a door entry could not have been written by the program (None when it could): a reason
    the county's configuration in force does not list, a visit dated after it was recorded, a list
    of an unknown kind."""
    if kind in _ONE_OF:
        name, known, message = _ONE_OF[kind]
        if d[name] not in (reasons if known is None else known):
            return message.format(d[name])
    if kind in _NOT_BLANK:
        name, message = _NOT_BLANK[kind]
        if not str(d[name]).strip():
            return message
    if kind == "door_visit" and date.fromisoformat(d["visited_on"]).isoformat() > recorded_at[:10]:
        return f"走访日期 {d['visited_on']} 晚于记录时间"
    return None


DOOR_KINDS = frozenset({"grid_assign", "grid_contact", "unpaid_reason", "door_visit", "debit_list"})

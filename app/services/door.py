"""Door to door (issue 25): grid members and their households, why people have not paid, the
visits, the tax office's debit lists, and the list a grid member takes from door to door.

Who may do what: a grid member (网格员), an agent or a village head records reasons and visits and
prints lists; a grid member takes no cash (receipts refuse any role outside CASH_ROLES). Giving
households to grid members and keeping the 联络表 is a village head's or an administrator's act;
the tax office's lists are loaded by the agent, the head or an administrator.

A person is on the list while a due of the year is unpaid by every channel (cash here, paid
elsewhere as the county marks it, fully subsidised: app/services/roster/progress.py decides), so
paying through any of them takes them off (逐一销号); their reason stays journalled for the year.
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

from app.domain.config import ConfigError, CountyConfig
from app.domain.door import (
    LIST_KINDS,
    POSTS,
    Contact,
    DebitState,
    DoorList,
    DoorPerson,
    ReasonRecord,
    Visit,
)
from app.domain.door_entries import (
    DebitListEntry,
    DoorVisitEntry,
    GridAssignEntry,
    GridContactEntry,
    UnpaidReasonEntry,
)
from app.domain.groups import group_order
from app.domain.ids import IdNumberError, checked_id_number
from app.domain.insurance import Insurance
from app.domain.names import InvalidNameError, parse_name
from app.domain.reasons import ReasonError, clean_reason
from app.domain.records import DueInfo, Role, UserInfo
from app.services.debit_lists import DebitFileError, RejectedDebitRow, check_rows, read_debit_file
from app.services.errors import InvalidInput, NotFound, Refused
from app.services.roster import progress as _progress
from app.services.roster.people import due_fen
from app.services.setup import Setup
from app.services.signoff import require_pin
from app.services.sync_state import county_signed
from app.storage import door as rows
from app.storage import roster
from app.storage.database import Clock, Database
from app.storage.projection import record

SIGNED = "已签两两协议"
VISIT_ROLES = (Role.GRID, Role.AGENT, Role.HEAD)  # record reasons and visits, print lists
ASSIGN_ROLES = (Role.HEAD, Role.ADMIN)  # give households to grid members, keep the 联络表
LIST_ROLES = (Role.AGENT, Role.HEAD, Role.ADMIN)  # load the tax office's lists
COUNTY_BY = "县级下发"  # who loaded a list that came down from the county server


def county_list_payload(county_list: int, list_kind: str, day: str, file: str, sha256: str,
                        rows: list[dict[str, str]]) -> dict[str, Any]:
    """What the county signs for one device when it sends a list down (sync/server/debit_lists.py
    builds the same): the desk takes it without a PIN only when the signature checks."""
    return {"county_list": county_list, "list_kind": list_kind, "day": day, "file": file, "sha256": sha256,
            "rows": rows}


def _allowed(user: UserInfo, roles: tuple[Role, ...], what: str) -> None:
    require_pin(user)
    if user.role not in roles:
        raise Refused(f"「{user.name}」是{user.role.label}，不能{what}（需要{'或'.join(r.label for r in roles)}）")


def _text(value: str | None, field: str, *, required: bool = True) -> str | None:
    try:
        return clean_reason(value, field=field, required=required)
    except ReasonError as exc:
        raise InvalidInput(str(exc)) from None


class Door:
    def __init__(self, db: Database, clock: Clock, setup: Setup) -> None:
        self._db, self._clock, self._setup = db, clock, setup

    # -- grid members and the 联络表 -------------------------------------------------------------

    def assign(self, by: UserInfo, *, member: str, group: str, household_no: str = "") -> None:
        """Give a 村民小组 (or one household of it) to a grid member; member "" takes it back."""
        _allowed(by, ASSIGN_ROLES, "分配网格")
        group_name = _text(group, "村民小组") or ""
        with self._db.write() as conn:
            if member:
                role = rows.user_role(conn, member)
                if role is None:
                    raise NotFound(f"没有用户「{member}」（请先在「用户和 PIN」中添加网格员）")
                if Role(role) not in VISIT_ROLES:
                    raise Refused(f"「{member}」是{Role(role).label}，不能担任网格员")
            if not rows.place_exists(conn, group_name, household_no):
                where = f"{group_name}{' 户号 ' + household_no if household_no else ''}"
                raise NotFound(f"征收清册中没有{where}")
            record(conn, self._clock(), GridAssignEntry(member, group_name, household_no, by.name))

    def add_contact(self, by: UserInfo, *, post: str, name: str, phone: str, unit: str = "",
                    active: bool = True) -> None:
        """A line of the 联络表 (000 附件2); active=False when the person leaves the post."""
        _allowed(by, ASSIGN_ROLES, "编辑联络表")
        if post not in POSTS:
            raise InvalidInput(f"职务「{post}」未知（可选：{'、'.join(POSTS.values())}）")
        try:
            clean = parse_name(name)
        except InvalidNameError as exc:
            raise InvalidInput(str(exc)) from None
        digits = phone.strip()
        if not (digits.replace("-", "").isdigit() and 7 <= len(digits) <= 20):
            raise InvalidInput(f"「{clean}」的联系电话「{phone[:24]}」应为 7–20 位数字")
        with self._db.write() as conn:
            record(conn, self._clock(), GridContactEntry(post, clean, digits, _text(unit, "单位", required=False) or "",
                                                         active, by.name))

    def assignments(self) -> list[tuple[str, str, str]]:
        """(村民小组, household or "", grid member) of each group or household given, in village order."""
        with self._db.read() as conn:
            found = rows.assignments(conn)
        return [(g, h, m) for (g, h), m in sorted(found.items(), key=lambda kv: (group_order(kv[0][0]), kv[0]))]

    def groups(self) -> list[str]:
        """The roster's 村民小组, in village order (第一…第十一 by number)."""
        with self._db.read() as conn:
            found = rows.groups(conn)
        return sorted(found, key=lambda g: (group_order(g), g))

    def contacts(self) -> list[Contact]:
        with self._db.read() as conn:
            found = rows.contacts(conn)
        order = list(POSTS)
        return sorted(found, key=lambda c: order.index(c.post))

    # -- reasons and visits --------------------------------------------------------------------

    def record_reason(self, by: UserInfo, id_number: str, year: int, reason: str, note: str | None = None) -> None:
        _allowed(by, VISIT_ROLES, "登记未缴原因")
        allowed = self._setup.config.door.all_reasons
        if reason not in allowed:
            raise InvalidInput(f"未缴原因「{reason[:20]}」不在可选原因中（{'、'.join(allowed)}）")
        clean_note = _text(note, "说明", required=False)
        with self._db.write() as conn:
            ident = self._unpaid_person(conn, id_number, year)
            record(conn, self._clock(), UnpaidReasonEntry(ident, year, reason, clean_note, by.name))

    def record_visit(self, by: UserInfo, id_number: str, year: int, *, outcome: str, next_step: str | None = None,
                     visited_on: date | None = None) -> None:
        """A visit by `by` (the signed-in grid member) on `visited_on` (today when not given)."""
        _allowed(by, VISIT_ROLES, "登记走访")
        today = self._clock().date()
        day = visited_on or today
        if day > today:
            raise InvalidInput(f"走访日期 {day} 晚于今天")
        clean_outcome = _text(outcome, "走访结果") or ""
        clean_next = _text(next_step, "下一步", required=False)
        with self._db.write() as conn:
            ident = self._unpaid_person(conn, id_number, year)
            record(conn, self._clock(), DoorVisitEntry(ident, year, day.isoformat(), by.name, clean_outcome,
                                                       clean_next))

    def reasons(self, year: int) -> list[ReasonRecord]:
        """Every person's reason of the year, paid or not: what 逐一销号 keeps."""
        config = self._setup.config
        with self._db.read() as conn:
            found = rows.reasons(conn, year)
            unpaid = {p.id_number for p in _progress.unpaid(conn, config, year)}
        return [ReasonRecord(i, year, r, n, b, i not in unpaid) for i, (r, n, b) in found.items()]

    def _unpaid_person(self, conn: sqlite3.Connection, id_number: str, year: int) -> str:
        try:
            ident = checked_id_number(id_number)[0]
        except IdNumberError as exc:
            raise InvalidInput(str(exc)) from None
        if not rows.person_exists(conn, ident):
            raise NotFound("征收清册中没有这个人")
        return ident

    # -- the tax office's lists ----------------------------------------------------------------

    def import_debit_list(self, by: UserInfo, path: Path, *, list_kind: str,
                          day: date | None = None) -> tuple[int, tuple[RejectedDebitRow, ...]]:
        """Load one list; returns (rows taken, rows rejected). A file loaded before is refused."""
        _allowed(by, LIST_ROLES, "导入税务名单")
        if list_kind not in LIST_KINDS:
            raise InvalidInput(f"名单类型「{list_kind}」未知（{'、'.join(LIST_KINDS)}）")
        list_day = day or self._clock().date()
        data = Path(path).read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        with self._db.read() as conn:
            known = rows.person_ids(conn)
        try:
            found = read_debit_file(Path(path), day=list_day, known=known)
        except DebitFileError as exc:
            raise InvalidInput(f"{Path(path).name}：{exc}") from None
        if not found.rows:
            first = "；".join(str(r) for r in found.rejected[:3])
            raise InvalidInput(f"{Path(path).name}：没有可导入的行" + (f"（{first}）" if first else ""))
        with self._db.write() as conn:
            if rows.list_loaded(conn, digest):
                raise Refused(f"{Path(path).name} 已经导入过（同一文件）")
            record(conn, self._clock(), DebitListEntry(list_kind, list_day.isoformat(), Path(path).name[:120],
                                                       digest, found.rows, len({r.row for r in found.rejected}),
                                                       by.name))
        return len(found.rows), found.rejected

    def import_county_list(self, county_list: int, *, list_kind: str, day: str, file: str, sha256: str,
                           marks: list[dict[str, str]], signature: str) -> tuple[int, tuple[RejectedDebitRow, ...]]:
        """A list the county loaded and sent down with the sync (this village's rows of it, signed
        for this device): the same row checks as a file loaded here (`check_rows`), no local PIN
        (the county decided it), journalled like one. A list already held is (0, ())."""
        payload = county_list_payload(county_list, list_kind, day, file, sha256, marks)
        with self._db.read() as conn:
            if not county_signed(conn, "debit_list", payload, signature):
                raise Refused("县级服务器发来的税务名单签名不对，未导入")
            if rows.county_list_held(conn, county_list):
                return 0, ()
            known = rows.person_ids(conn)
        if list_kind not in LIST_KINDS:
            raise Refused(f"县级服务器发来的税务名单类型「{list_kind}」未知")
        list_day = date.fromisoformat(day)
        found = check_rows(((n, r.get("id_number", ""), r.get("name", ""), r.get("on_day") or None,
                             r.get("detail", "")) for n, r in enumerate(marks, 1)), day=list_day, known=known)
        if found.rows:
            with self._db.write() as conn:
                if rows.county_list_held(conn, county_list):  # another round took it meanwhile
                    return 0, ()
                record(conn, self._clock(), DebitListEntry(list_kind, list_day.isoformat(), file[:120], sha256,
                                                           found.rows, len(found.rejected), COUNTY_BY,
                                                           county_list))
        return len(found.rows), found.rejected

    # -- the list ------------------------------------------------------------------------------

    def door_list(self, *, member: str | None = None, year: int | None = None) -> DoorList:
        """Who still owes, in sections (failed debits first, the rest, then those for the other
        channels or cash), each in 村民小组 and household order; `member` keeps their households."""
        config = self._setup.config
        today = self._clock().date()
        with self._db.read() as conn:
            y = year if year is not None else roster.newest_year(conn)
            if y is None:
                raise NotFound("征收清册为空：请先导入征收清册")
            dues = rows.unpaid_dues(conn, y)
            assigned = rows.assignments(conn)
            debit = rows.debit_states(conn, _window(config, y))
            why = rows.reasons(conn, y)
            seen = rows.visits(conn, y)
            signed = SIGNED if rows.agreements_known(conn) else ""
        return build_list(dues, config, assigned, debit, why, seen, year=y, today=today, member=member, signed=signed)


def _window(config: CountyConfig, year: int) -> tuple[str, str] | None:
    """The year's collection window: only failed debits in it count for that year's list (last
    year's failures neither put a person first nor start this year's thirty days)."""
    try:
        y = config.year(year)
    except ConfigError:
        return None
    return y.window_start.isoformat(), y.window_end.isoformat()


def build_list(dues: list[tuple[Any, ...]], config: CountyConfig, assigned: dict[tuple[str, str], str],
               debit: dict[str, DebitState], why: dict[str, tuple[str, str | None, str]],
               seen: dict[str, list[Visit]], *, year: int, today: date, member: str | None,
               signed: str = "") -> DoorList:
    """The list from the unpaid dues' rows, which come in village order within each 村民小组
    (household, 户主 first, name, person, insurance: app/storage/door.py). Written for a township
    of 100,000 (bench door): no per-row sort; each person goes into the bucket of their section
    and group, the buckets are joined in section and group order; the owner is looked up once
    per household, an amount once per kind of due."""
    amounts: dict[tuple[str, str, int | None, int | None], DueInfo | None] = {}
    states = {i: (s.label() or signed, s.section(today)) for i, s in debit.items()}
    plain = (signed, 1)  # on no list: signed, once a 未签协议 list says who has not
    buckets: dict[tuple[int, str], list[DoorPerson]] = {}
    place: tuple[str, str] | None = None
    owner = ""
    current: list[Any] | None = None  # the person being read: [id, name, group, household, head, category, dues]

    def close(p: list[Any]) -> None:
        label, section = states.get(p[0], plain)
        reason = why.get(p[0])
        bucket = buckets.get((section, p[2]))
        if bucket is None:
            bucket = buckets[(section, p[2])] = []
        bucket.append(DoorPerson(p[0], p[1], p[2], p[3], p[4], p[5], tuple(p[6]), label, section, owner,
                                 reason[0] if reason else None, tuple(seen.get(p[0], ()))))

    for idn, name, group, household, head, category, ins, tier, amount in dues:
        if (group, household) != place:
            if current is not None:
                close(current)
                current = None
            place = (group, household)
            owner = assigned.get(place) or assigned.get((group, ""), "")
        if member is not None and owner != member:
            continue
        key = (category, ins, tier, amount)
        due = amounts.get(key, False)
        if due is False:
            insurance = Insurance(ins)
            fen = due_fen(config, category, insurance, year, tier, amount)
            due = amounts[key] = DueInfo(insurance, year, tier, fen) if fen else None
        if due is None:
            continue  # fully subsidised: nothing to collect
        if current is None or current[0] != idn:
            if current is not None:
                close(current)
            current = [idn, name, group, household, head, category, [due]]
        else:
            current[6].append(due)
    if current is not None:
        close(current)
    order = sorted(buckets, key=lambda k: (k[0], group_order(k[1]), k[1]))
    return DoorList(year, today, member, tuple(p for k in order for p in buckets[k]))

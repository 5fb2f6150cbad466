"""The journal kinds of door-to-door work (issue 25): grid members and their households, the
联络表, why a person has not paid, each visit, and the tax office's debit lists.

They are journalled like cash so that a reason or a visit, once recorded, can be neither changed
nor dropped, and the county receives them with the rest of the ledger. Each has its rows in
app/storage/door.py and its chain rule in app/domain/door.py (`door_refusal`).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.entry_base import ABSENT, Absent, Entry, Part


@dataclass(frozen=True, slots=True)
class GridAssignEntry(Entry):
    """A 村民小组, or one household of it, given to a grid member (网格员); the newest wins.
    An empty `member` takes it back."""

    KIND = "grid_assign"
    member: str
    group: str  # 村民小组
    household_no: str  # "" for the whole group
    by: str


@dataclass(frozen=True, slots=True)
class GridContactEntry(Entry):
    """One line of the 联络表 (000 附件2): who holds which post, and their phone."""

    KIND = "grid_contact"
    post: str  # a key of app/domain/door.POSTS
    name: str
    phone: str
    unit: str  # the tax branch (基层税务分局) for its posts, else ""
    active: bool  # False: no longer holds the post
    by: str


@dataclass(frozen=True, slots=True)
class PersonYearEntry(Entry):
    """Door work on one person's dues of one year: the door list reads these by (id_number, year)."""

    id_number: str
    year: int


@dataclass(frozen=True, slots=True)
class UnpaidReasonEntry(PersonYearEntry):
    """Why a person has not paid for a year (外出务工, 已在外地参保 …); kept once they pay."""

    KIND = "unpaid_reason"
    reason: str
    note: str | None
    by: str


@dataclass(frozen=True, slots=True)
class DoorVisitEntry(PersonYearEntry):
    """One visit to a person who has not paid: when, who, what came of it, what next."""

    KIND = "door_visit"
    visited_on: str  # YYYY-MM-DD
    visitor: str
    outcome: str
    next_step: str | None


@dataclass(frozen=True, slots=True)
class DebitRow(Part):
    id_number: str
    name: str
    on_day: str  # the day the list gives for the row (a failed debit's date), else the list's day
    detail: str  # the bank's words (余额不足, 账户冻结 …), or ""


@dataclass(frozen=True, slots=True)
class DebitListEntry(Entry):
    """A list from the tax office (003 第二十五、二十八条): who has no 两两协议, who must re-sign or
    change card, or one day's failed batch debits; the rows accepted, the rejected counted."""

    KIND = "debit_list"
    NESTED = {"rows": DebitRow}
    list_kind: str  # no_agreement / resign / failed
    day: str
    file: str
    sha256: str
    rows: tuple[DebitRow, ...]
    rejected_rows: int
    by: str
    # The county server's number of the list when it came down with the sync (the county loaded
    # the tax office's file; these are this village's rows of it); absent for a desk's own import,
    # so entries from before the field keep their bytes and their hash.
    county_list: int | Absent = ABSENT


DOOR_ENTRY_CLASSES: tuple[type[Entry], ...] = (
    GridAssignEntry, GridContactEntry, UnpaidReasonEntry, DoorVisitEntry, DebitListEntry)

"""The village roster (征收清册): import, find anyone, progress and the unpaid list.

`Roster` is the one entry point; the modules beside it do one step each: `files` reads the
formats counties hand out, `columns` finds the header, `rows` checks a row, `importer` checks a
whole file, `apply` writes it, `search` answers the search box from memory, `progress` counts.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from time import perf_counter
from typing import Any

from app.domain.entries import RosterEntry
from app.domain.records import Person, PersonInfo, RosterProgress, UnpaidPerson, UserInfo
from app.domain.signing import payload_sha256
from app.services import sync_state
from app.services.errors import InvalidInput, NotFound, Refused
from app.services.roster import export
from app.services.roster import progress as _progress
from app.services.roster.apply import apply_rows
from app.services.roster.columns import Column
from app.services.roster.heap import long_lived_objects
from app.services.roster.importer import (
    ProgressCallback,
    ReadResult,
    RejectedRow,
    RosterFileError,
    check_rows,
    read_roster,
)
from app.services.roster.people import person_infos
from app.services.roster.pinyin import encoded_name_keys
from app.services.roster.search import SearchIndex, release_in_steps, scan
from app.services.roster.stages import Stages
from app.services.setup import Setup
from app.services.signoff import CASH_ROLES, require_pin
from app.storage import journal, roster, users
from app.storage.batches import large_write
from app.storage.database import Clock, Database
from app.storage.digest import ROSTER_DIGEST_KEY, file_sha256, roster_digest


@dataclass(frozen=True)
class ImportResult:
    imported: int
    updated: int
    removed: int
    rejected: tuple[RejectedRow, ...] = field(default_factory=tuple)
    unchanged: int = 0
    notes: tuple[str, ...] = ()  # what the agent should know beyond the counts
    header: tuple[str, ...] = ()  # the file's header, for the rejected-rows file
    id_column: int | None = None
    stages: tuple[tuple[str, float], ...] = ()  # seconds per stage (read, validate, ...)

    @property
    def rejected_rows(self) -> int:
        """Rows rejected (a row with two bad cells is listed twice but counted once)."""
        return len({r.row for r in self.rejected})

    @property
    def summary(self) -> str:
        """The counts, worded the same on the command line and in the window."""
        return (f"新增 {self.imported} 人，更新 {self.updated} 人，未变 {self.unchanged} 人，"
                f"移除 {self.removed} 人，拒绝 {self.rejected_rows} 行")


class RemovalsNeedConfirmation(Refused):
    """The import would mark more than a fifth of the listed people as removed; nothing was
    written. Asked again with allow_removals=True once the agent confirms the file is whole."""

    code = "removals_need_confirmation"

    def __init__(self, removed: int, listed: int) -> None:
        super().__init__(
            f"这份清册会把 {removed} 人（原有 {listed} 人中的 {removed * 100 // max(listed, 1)}%）标记为移除，"
            "超过五分之一。请核对文件是否完整、是否本村的清册；确认无误再导入",
            command="确认无误后加 --allow-removals 再导入")
        self.removed, self.listed = removed, listed


class Roster:
    def __init__(self, db: Database, clock: Clock, setup: Setup) -> None:
        self._db = db
        self._clock = clock
        self._setup = setup
        self._index: SearchIndex | None = None
        self._index_lock = threading.Lock()

    # -- import ----------------------------------------------------------------------------

    def import_file(self, path: Path, progress: ProgressCallback | None = None, *,
                    by: UserInfo | None = None, allow_removals: bool = False) -> ImportResult:
        """Check every row, then apply the accepted ones in one transaction (all or nothing).

        The roster decides who owes what, so once anybody can sign in, an import needs an agent
        or the village head (`by`, PIN-checked); the first roster at setup needs nobody. An
        import that would mark more than a fifth of the village as removed (a partial file, the
        wrong village's file) is refused with RemovalsNeedConfirmation unless `allow_removals`.

        `progress(rows_read, total)` is called every few hundred rows (total 0: not known) and
        once more before writing; an exception it raises cancels the import with nothing written.
        """
        if by is not None:
            require_pin(by)
            if by.role not in CASH_ROLES:
                raise Refused(f"「{by.name}」是{by.role.label}，导入征收清册需要代收员或村委会负责人")
        path = Path(path)
        today = self._clock().date()

        def read(stages: Stages) -> ReadResult:
            return read_roster(path, self._setup.config, today, progress, stages)

        with long_lived_objects():  # the new roster lives all day
            return self._import(path.name, read, lambda: file_sha256(path), progress, by,
                                allow_removals)

    def import_county(self, village_code: str, version: int, rows: list[dict[str, Any]],
                      signature: str) -> ImportResult:
        """A roster version the county server sent down, signed for this device: it goes through
        the same checks and the same transaction as a file (written out as one), needs no local
        PIN because the county decides it, and may remove people (the county's list is the list)."""
        payload = {"village_code": village_code, "version": version, "rows": rows}
        digest = payload_sha256(payload)
        with self._db.read() as conn:
            if not sync_state.county_signed(conn, "roster", payload, signature, digest=digest):
                raise Refused("县级服务器发来的清册签名不对，未导入")
        if village_code != self._setup.device.village_code:
            raise Refused(f"县级服务器发来的是村 {village_code} 的清册，本机是 {self._setup.device.village_code}")
        header = [str(c) for c in Column if c is not Column.REJECT_REASON]
        today = self._clock().date()

        def read(stages: Stages) -> ReadResult:
            # The rows go to the same checks as a file's, straight from memory.
            return check_rows(header, ([row.get(h, "") for h in header] for row in rows),
                              self._setup.config, today, stages)

        with long_lived_objects():
            return self._import(f"县级清册-第{version}版", read, lambda: digest, None, None, True,
                                county_version=version)

    def _import(self, name: str, read_rows: Callable[[Stages], ReadResult],
                content_sha256: Callable[[], str], progress: ProgressCallback | None,
                by: UserInfo | None, allow_removals: bool, *,
                county_version: int | None = None) -> ImportResult:
        """One import: `read_rows` checks every row (nothing written yet); the accepted rows are
        applied in one transaction with the journal entry naming `name` and `content_sha256`."""
        with self._db.read() as conn:
            if by is None and county_version is None and users.any_active(conn):
                raise Refused("导入征收清册需要代收员或村委会负责人登录确认（命令行：--by 姓名，PIN 从标准输入读）")
        stages = Stages()
        try:
            read = read_rows(stages)
        except RosterFileError as exc:
            raise InvalidInput(f"无法导入 {name}：{exc}") from None
        notes: list[str] = []
        tombstones = not read.is_correction and read.unknown_rejected == 0
        if read.is_correction:
            notes.append("这是修正后的拒绝行文件：只新增和更新，不会把其他人标记为移除")
        elif read.unknown_rejected:
            notes.append(f"有{read.unknown_rejected}行的证件号码无法识别，本次没有把任何人标记为"
                         "移除；修正后重新导入完整清册即可")
        if not read.accepted and not read.rejected:
            raise InvalidInput(f"{name} 中没有人员数据行")
        applied = None
        if progress is not None:
            progress(len(read.accepted) + len(read.rejected), len(read.accepted) + len(read.rejected))
        if read.accepted:
            with stages.stage("digest"):
                digest = content_sha256()
            with self._db.write() as conn, large_write(conn):
                before = roster.listed_count(conn)
                applied = apply_rows(conn, read.accepted, tombstones=tombstones,
                                     keep=read.rejected_ids, stages=stages)
                if applied.removed * 5 > before and not allow_removals:
                    raise RemovalsNeedConfirmation(applied.removed, before)  # rolls back
                digest_start = perf_counter()
                # The roster decides who owes what: each version is a journal entry naming the
                # file by its content hash and what it changed, so a roster swapped in and out
                # again leaves its trace.
                entry = RosterEntry(
                    file=name, sha256=digest, version=roster.current_version(conn), imported=applied.imported,
                    updated=applied.updated, removed=applied.removed, unchanged=applied.unchanged,
                    rejected_rows=len({r.row for r in read.rejected}), correction=read.is_correction,
                    by="县级服务器" if county_version is not None else (by.name if by else None),
                    county_version=county_version)
                journal.append(conn, self._clock().isoformat(),
                               replace(entry, **_digest_field(roster_digest(conn))))
                stages.add("digest", perf_counter() - digest_start)
                commit_start = perf_counter()
            stages.add("commit", perf_counter() - commit_start)
            # The search index is not rebuilt here: whoever searches rebuilds it when it sees the
            # new roster version (the window warms it off the GUI thread right after an import).
        header = read.header
        return ImportResult(
            applied.imported if applied else 0, applied.updated if applied else 0,
            applied.removed if applied else 0, tuple(read.rejected),
            applied.unchanged if applied else 0, tuple(notes), header.names,
            header.columns.get(Column.ID_NUMBER), stages.rounded())

    def export_rejected_xlsx(self, result: ImportResult, path: Path) -> int:
        """The rejected rows with a reason column, to fix and import again; returns the rows."""
        if not result.rejected:
            raise InvalidInput("没有被拒绝的行，无需导出")
        return export.write_rejected(Path(path), result.header, result.rejected, result.id_column)

    # -- lookup ----------------------------------------------------------------------------

    def is_empty(self) -> bool:
        """No roster imported yet: the desk says so where the agent types."""
        with self._db.read() as conn:
            return roster.is_empty(conn)

    def person(self, id_number: str) -> PersonInfo | None:
        with self._db.read() as conn:
            people = roster.load_people(conn, "id_number = ?", (id_number.strip().upper(),))
            return person_infos(conn, people, self._setup.config)[0] if people else None

    def people(self, id_numbers: Iterable[str]) -> dict[str, Person]:
        """The roster rows of many people at once (a report's lines), keyed by ID number;
        unknown numbers are left out. One query per thousand people, not one per line."""
        wanted = sorted({i.strip().upper() for i in id_numbers})
        with self._db.read() as conn:
            return {p.id_number: p for p in roster.people_by_id(conn, wanted)}

    def household(self, id_number: str) -> list[PersonInfo]:
        """The person and everyone of their household (户号, else 户主 within the group), the
        person first: the whole family can pay on one receipt."""
        with self._db.read() as conn:
            found = roster.load_people(conn, "id_number = ?", (id_number.strip().upper(),))
            if not found:
                return []
            me = found[0]
            if me.household_no:
                others = roster.load_people(conn, "household_no = ?", (me.household_no,))
            elif me.household_head:
                others = roster.load_people(conn, "group_name = ? AND household_head = ?",
                                     (me.group, me.household_head))
            else:
                others = []
            rest = sorted((p for p in others if p.id_number != me.id_number),
                          key=lambda p: (p.removed, p.name != p.household_head, p.id_number))
            return person_infos(conn, [me, *rest], self._setup.config)

    def search(self, text: str, limit: int = 50) -> list[PersonInfo]:
        """Name (whole, start, any part), pinyin initials or full pinyin, the last 4 or 6 of the
        ID, the full ID, a phone number or a group; exact matches first."""
        with self._db.read() as conn:
            index = self._ready_index(conn)
            people = index.find(text, limit) if index is not None else scan(conn, text, limit)
            return person_infos(conn, people, self._setup.config) if people else []

    def _ready_index(self, conn: sqlite3.Connection) -> SearchIndex | None:
        """The index when it is built for the current roster; None while another thread builds
        it (the search is then answered by a scan, not made to wait seconds); otherwise it is
        built here."""
        index = self._index
        if index is not None and index.version == roster.current_version(conn):
            return index
        if self._index_lock.locked():
            return None
        return self.index(conn)

    def index(self, conn: sqlite3.Connection | None = None) -> SearchIndex:
        """The in-memory search index, rebuilt when another writer moved the roster version."""
        if conn is None:
            with self._db.read() as conn2:
                return self.index(conn2)
        version = roster.current_version(conn)
        index = self._index
        if index is None or index.version != version:
            with self._index_lock:
                index = self._index
                if index is None or index.version != version:
                    with long_lived_objects():
                        index = self._index = _build_index(conn, version)
        return index

    # -- progress --------------------------------------------------------------------------

    def progress(self, year: int | None = None) -> RosterProgress:
        with self._db.read() as conn:
            return _progress.progress(conn, self._setup.config, self._year(conn, year))

    def unpaid(self, year: int | None = None) -> tuple[UnpaidPerson, ...]:
        with self._db.read() as conn:
            return _progress.unpaid(conn, self._setup.config, self._year(conn, year))

    def export_unpaid_xlsx(self, path: Path, year: int | None = None) -> int:
        """The unpaid list as .xlsx for door-to-door reminders; returns the people listed."""
        with self._db.read() as conn:
            y = self._year(conn, year)
            people = _progress.unpaid(conn, self._setup.config, y)
        return export.write_unpaid(Path(path), people, village=self._setup.device.village_name,
                                   year=y, today=self._clock().date())

    def _year(self, conn: sqlite3.Connection, year: int | None) -> int:
        if year is not None:
            return year
        latest = roster.newest_year(conn)
        if latest is None:
            raise NotFound("征收清册为空：请先导入征收清册")
        return latest


def _build_index(conn: sqlite3.Connection, version: int) -> SearchIndex:
    # Removed people stay findable only when they paid something: the agent must be able to
    # show them the receipt; the others are tombstones nobody looks for.
    paid = roster.ids_with_payments(conn)
    entries: list[tuple[Person, str, str]] = []
    for person, initials, full in roster.people_with_keys(conn):
        if person.removed and person.id_number not in paid:
            continue
        if not initials and not full:  # written by something that did not fill them in
            initials, full = encoded_name_keys(person.name)
        entries.append((person, initials, full))
    index = SearchIndex(entries, version)
    release_in_steps(entries)
    return index


__all__ = ["ImportResult", "InvalidInput", "RejectedRow", "Roster"]


def _digest_field(digest: str) -> dict[str, Any]:
    """The roster's digest under the name the journal gives it (ROSTER_DIGEST_KEY)."""
    return {ROSTER_DIGEST_KEY: digest}

"""A newer roster updates in place: tombstones, never receipts; paid elsewhere blocks cash."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.domain.insurance import Insurance
from app.services.desk import Desk
from app.services.errors import Refused
from app.services.receipts import LineRequest
from app.services.roster import apply as roster_apply
from tests.factories import signed_agent
from tests.roster.conftest import agent
from tests.roster.factory import family, person_id, row, write_csv, write_xlsx

ZHANG, LI, WANG = person_id(11), person_id(12, born="19821212"), person_id(13, born="20150601")
RARE = person_id(33, born="19660909")


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _snapshot(desk: Desk) -> tuple[list[tuple[object, ...]], ...]:
    db = desk.db.path
    return (_rows(db, "SELECT * FROM person ORDER BY id_number"),
            _rows(db, "SELECT * FROM due ORDER BY id"),
            _rows(db, "SELECT * FROM receipt_line ORDER BY receipt_number, line_no"))


def _pay(desk: Desk, idn: str, insurance: Insurance, cash: int) -> str:
    return desk.receipts.record(agent(desk), [LineRequest(idn, insurance, 2027)], cash_fen=cash).number


def test_newer_roster_adds_changes_and_tombstones(desk: Desk, tmp_path: Path) -> None:
    desk.roster.import_file(write_xlsx(tmp_path / "v1.xlsx", family()), by=signed_agent(desk))
    paid = _pay(desk, WANG, Insurance.MEDICAL, 40000)  # 王䶮 pays, then leaves the roster
    receipts_before = _snapshot(desk)[2]
    v2 = [r for r in family() if r[2] not in ("王䶮", "李秀英")]
    v2 = [row(r[1], r[2], r[3], tier=r[5], amount="", category="低保" if r[2] == "张三丰" else r[7],
              group=r[8], household=r[9], head=r[10], phone=r[11], status=r[12])  # type: ignore[arg-type]
          for r in v2]
    v2.append(row(person_id(61), "曾国敏", "医疗", household="0009"))
    result = desk.roster.import_file(write_xlsx(tmp_path / "v2.xlsx", v2), by=signed_agent(desk),
                                     allow_removals=True)
    assert (result.imported, result.updated, result.removed) == (1, 1, 2)
    assert result.unchanged == 2
    zhang = desk.roster.person(ZHANG)
    assert zhang is not None and zhang.category == "低保"
    assert {d.insurance: d.due_fen for d in zhang.dues} == {Insurance.PENSION: 40000,
                                                             Insurance.MEDICAL: 12000}
    # Tombstones: kept, marked, never deleted; the receipt is untouched.
    li, wang = desk.roster.person(LI), desk.roster.person(WANG)
    assert li is not None and li.removed and li.dues[0].removed
    assert wang is not None and wang.removed and wang.dues[0].paid_cash_receipt == paid
    assert _snapshot(desk)[2] == receipts_before
    # The removed person who paid stays findable, marked; the one who did not is gone from search.
    assert [(p.name, p.removed) for p in desk.roster.search("王䶮")] == [("王䶮", True)]
    assert desk.roster.search("李秀英") == []
    # ... and nobody takes cash from someone the county no longer lists.
    with pytest.raises(Refused, match="移除"):
        _pay(desk, LI, Insurance.MEDICAL, 40000)
    # Coming back on a later roster makes them a payer again.
    back = desk.roster.import_file(write_xlsx(tmp_path / "v3.xlsx", family()), by=signed_agent(desk),
                                   allow_removals=True)
    assert back.removed == 1  # 曾国敏 is not on v3
    assert desk.roster.person(LI).removed is False  # type: ignore[union-attr]


def test_same_roster_twice_changes_nothing(desk: Desk, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", family())
    desk.roster.import_file(path, by=signed_agent(desk))
    before = _snapshot(desk)
    again = desk.roster.import_file(path, by=signed_agent(desk))
    assert (again.imported, again.updated, again.removed, again.unchanged) == (0, 0, 0, 5)
    assert [r[:-3] for r in _snapshot(desk)[0]] == [r[:-3] for r in before[0]]


def test_paid_elsewhere_blocks_cash_and_leaves_the_unpaid_list(desk: Desk, tmp_path: Path) -> None:
    rows = family()
    rows[1] = row(ZHANG, "张三丰", "医疗", household="0001", phone="13800001111", status="已缴")
    desk.roster.import_file(write_csv(tmp_path / "r.csv", rows), by=signed_agent(desk))
    with pytest.raises(Refused, match="已通过其他渠道缴费"):
        _pay(desk, ZHANG, Insurance.MEDICAL, 40000)
    unpaid = {p.name: [d.insurance for d in p.dues] for p in desk.roster.unpaid()}
    assert unpaid["张三丰"] == [Insurance.PENSION]
    medical = next(t for t in desk.roster.progress().totals if t.insurance is Insurance.MEDICAL)
    assert medical.paid_elsewhere == 2  # 张三丰 and 𠇔明
    # A later roster that forgets the mark does not lift it: the same insurance paid twice
    # is worse than a block the county must clear.
    desk.roster.import_file(write_csv(tmp_path / "r2.csv", family()), by=signed_agent(desk))
    with pytest.raises(Refused, match="已通过其他渠道缴费"):
        _pay(desk, ZHANG, Insurance.MEDICAL, 40000)


@pytest.mark.parametrize("where", ["_tombstone", "Applied"])
def test_failure_midway_leaves_the_previous_roster_untouched(
        desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    desk.roster.import_file(write_xlsx(tmp_path / "v1.xlsx", family()), by=signed_agent(desk))
    _pay(desk, ZHANG, Insurance.PENSION, 50000)
    before = _snapshot(desk)
    found_before = [p.name for p in desk.roster.search("z")]

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(roster_apply, where, boom)
    v2 = [*family()[:3], row(person_id(61), "曾国敏", "医疗")]
    with pytest.raises(OSError):
        desk.roster.import_file(write_xlsx(tmp_path / "v2.xlsx", v2), by=signed_agent(desk))
    assert _snapshot(desk) == before
    assert [p.name for p in desk.roster.search("z")] == found_before


def test_the_writer_gives_back_the_import_cache_after_success_and_failure(
        desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A township import writes with a 64 MB page cache; the desk's writer keeps SQLite's
    default the rest of the day, whether the import landed or failed midway."""
    with desk.db.write() as conn:
        default = conn.execute("PRAGMA cache_size").fetchone()[0]
    desk.roster.import_file(write_xlsx(tmp_path / "v1.xlsx", family()), by=signed_agent(desk))
    with desk.db.write() as conn:
        assert conn.execute("PRAGMA cache_size").fetchone()[0] == default

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(roster_apply, "_tombstone", boom)
    with pytest.raises(OSError):
        desk.roster.import_file(write_xlsx(tmp_path / "v2.xlsx", family()[:3]), by=signed_agent(desk))
    with desk.db.write() as conn:
        assert conn.execute("PRAGMA cache_size").fetchone()[0] == default


def test_unreadable_ids_mark_nobody_removed(desk: Desk, tmp_path: Path) -> None:
    desk.roster.import_file(write_xlsx(tmp_path / "v1.xlsx", family()), by=signed_agent(desk))
    result = desk.roster.import_file(write_xlsx(tmp_path / "v2.xlsx", family(), numeric_ids=True), by=signed_agent(desk))
    assert result.removed == 0 and any("没有把任何人标记为移除" in n for n in result.notes)
    assert all(not p.removed for p in desk.roster.search("第一村民小组"))


def test_a_row_rejected_for_another_column_keeps_the_person(desk: Desk, tmp_path: Path) -> None:
    desk.roster.import_file(write_xlsx(tmp_path / "v1.xlsx", family()), by=signed_agent(desk))
    rows = family()
    rows[2] = row(LI, "李秀英", "医疗", amount="1", household="0001", head="张三丰")
    result = desk.roster.import_file(write_xlsx(tmp_path / "v2.xlsx", rows), by=signed_agent(desk))
    assert result.rejected_rows == 1 and result.removed == 0
    assert desk.roster.person(LI).removed is False  # type: ignore[union-attr]
    assert desk.roster.person(RARE) is not None

"""Progress counted as the data arrives (issue 24, progress_count.py), on SQLite and PostgreSQL:
after each of roster versions, payments through other channels and a desk's uploads with a void,
every village's kept row equals a full recount, before anyone opens the overview; the overview of
the whole year reads the rows (counts nothing) and says what the period path (which counts from
the receipts, payments and rosters) says; `daishou-server check` finds a wrong row and corrects it."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from sqlmodel import select

from app.domain.records import UserInfo
from app.services.desk import Desk
from sync.server import cli, county_view, progress, progress_count, progress_sql
from sync.server import models as m
from tests.core.test_receipts import med, pen
from tests.factories import (
    AYGUL,
    WECHAT,
    ZHANG,
    ZHANG_WIFE,
    FakeClock,
    Resident,
    make_id,
    write_roster,
)
from tests.server.conftest import Server
from tests.server.test_progress import V201, V202, V301, _cli, _get, build_county

# The whole year by the period path: bounds inside the open ones, so nothing is read from the rows.
WHOLE_BY_PERIOD = "progress?year=2027&from=2000-01-02&to=9999-12-30"


def _kept(server: Server) -> dict[str, tuple[int | None, Any]]:
    with server.session() as s:
        return {r.village_code: (r.roster_version, orjson.loads(r.body)) for r in s.exec(select(m.VillageCount)).all()}


def _stamps(server: Server) -> dict[str, str]:
    with server.session() as s:
        return {r.village_code: r.stamp for r in s.exec(select(m.VillageCount)).all()}


def _recounted(server: Server) -> dict[str, tuple[int | None, Any]]:
    with server.session() as s:
        sha, config = progress._config(s)
        codes = [v.code for v in s.exec(select(m.Village)).all()]
        return {c: (number, orjson.loads(progress_count._body(years)))
                for c, (number, years) in progress_count.count(s, codes, sha, config).items()}


def check_names_and_corrects(server: Server, wrong: str, kept: Callable[[Server], Any],
                             recounted: Callable[[Server], Any]) -> None:
    """`daishou-server check` names the row gone wrong (`wrong`) and exits 1, having corrected it:
    the kept rows equal a recount again, and the next check exits 0."""
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(["--db", server.url, "check"], stdout=out, stderr=err) == 1, err.getvalue()
    assert wrong in out.getvalue()
    assert kept(server) == recounted(server)
    out = io.StringIO()
    assert cli.main(["--db", server.url, "check"], stdout=out, stderr=err) == 0, out.getvalue()
    assert "各村、乡镇征缴进度计数与重新统计一致" in out.getvalue()


def _lines(view: dict[str, Any]) -> dict[str, Any]:
    return {v["code"]: {k: {f: x for f, x in line.items() if f != "period_paid"}
                        for k, line in v["progress"]["lines"].items()} for v in view["villages"]}


def _agrees(server: Server) -> dict[str, Any]:
    """Kept = recounted, and the overview (rows) = the period path (a count): the whole-year view."""
    kept = _kept(server)
    assert set(kept) == {V201, V202, V301}
    assert kept == _recounted(server)
    stamps = _stamps(server)
    view = _get(server, "progress?year=2027").json()
    assert _stamps(server) == stamps  # the overview read the rows: it counted nothing again
    progress._VILLAGES.clear()
    assert _lines(view) == _lines(_get(server, WHOLE_BY_PERIOD).json())
    return {v["code"]: v["progress"] for v in view["villages"]}


def _pay(server: Server, tmp_path: Path, line: str) -> None:
    (tmp_path / "more.csv").write_text("村代码,证件号码,险种,缴费年度,金额,缴费渠道,缴费日期\n" + line + "\n", encoding="utf-8")
    _cli(server, "payments", "load", str(tmp_path / "more.csv"))


def test_counts_kept_as_data_arrives_equal_a_recount(server: Server, desk: Desk, agent: UserInfo, head: UserInfo,
                                                    clock: FakeClock, tmp_path: Path) -> None:
    client = build_county(server, desk, agent, head, clock, tmp_path)
    # Counted by the loads and the upload themselves: nobody has opened the overview yet.
    first = _agrees(server)
    assert first[V201]["lines"]["medical"]["cash"] == 1 and first[V202]["lines"]["pension"]["bank"] == 1

    # A new roster version for 202 lists one more person (not paid).
    extra = Resident(make_id(date(1979, 3, 3), 31), "冯新增")
    _cli(server, "roster", "load", str(write_roster(tmp_path / "202b.csv", [extra])), "--village-code", V202)
    second = _agrees(server)
    assert second[V202]["roster_version"] > first[V202]["roster_version"] and second[V202]["lines"]["medical"]["due"] == 1

    # A payment through another channel for 201 (AYGUL's medical by WeChat): the roster's next
    # version marks it 已缴.
    _pay(server, tmp_path, f"{V201},{AYGUL.id_number},医疗,2027,400,微信,2026-11-21")
    third = _agrees(server)
    assert third[V201]["lines"]["medical"]["other"] == first[V201]["lines"]["medical"]["other"] + 1
    # The bank's record of WECHAT's medical, already marked 已缴 on the roster: no new version,
    # yet it moves from 其他渠道 to 银行代扣.
    _pay(server, tmp_path, f"{V201},{WECHAT.id_number},医疗,2027,400,银行代扣,2026-11-22")
    also = _agrees(server)
    assert also[V201]["roster_version"] == third[V201]["roster_version"]
    assert also[V201]["lines"]["medical"]["bank"] == third[V201]["lines"]["medical"]["bank"] + 1

    # The desk's next day: ZHANG's medical in cash (his first was voided), ZHANG_WIFE's pension
    # taken and voided; settled and uploaded.
    clock.next_day()
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    wrong = desk.receipts.record(agent, [pen(ZHANG_WIFE)], cash_fen=50000)
    desk.receipts.void(wrong.number, reason="收错了", agent=agent, head=head)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    client.run()
    fourth = _agrees(server)
    assert fourth[V201]["lines"]["medical"]["cash"] == 2
    assert fourth[V201]["lines"]["pension"]["cash"] == first[V201]["lines"]["pension"]["cash"]

    # A row gone wrong (edited by hand, or a path that forgot to count): check says so, corrects it.
    with server.session() as s:
        row = s.get(m.VillageCount, V301)
        assert row is not None
        row.body = orjson.dumps({"2027": {**orjson.loads(row.body)["2027"], "renewal": {}}}).decode()
    check_names_and_corrects(server, f"村 {V301} 的征缴进度计数与重新统计不一致", _kept, _recounted)


def test_a_village_without_a_row_is_counted_when_read(server: Server, desk: Desk, agent: UserInfo, head: UserInfo,
                                                      clock: FakeClock, tmp_path: Path) -> None:
    """A database from before the rows (or a row deleted): the overview counts the village and
    keeps its row; the figures are those counted as the data arrived."""
    build_county(server, desk, agent, head, clock, tmp_path)
    before = _get(server, "progress?year=2027").json()
    with server.session() as s:
        s.delete(s.get(m.VillageCount, V202))
    progress_count._KEPT.clear()
    after = _get(server, "progress?year=2027").json()
    assert [v["progress"] for v in after["villages"]] == [v["progress"] for v in before["villages"]]
    assert V202 in _kept(server)
    # A new server process prepares before it serves: every village's row read and parsed.
    progress_count._KEPT.clear()
    county_view.warm(server.engine)
    assert {code for _, code in progress_count._KEPT} == {V201, V202, V301}


def test_summaries_of_chosen_periods_are_pruned_after_a_week(server: Server, desk: Desk, agent: UserInfo,
                                                            head: UserInfo, clock: FakeClock, tmp_path: Path) -> None:
    build_county(server, desk, agent, head, clock, tmp_path)
    now = datetime.now(UTC)
    with server.session() as s:
        for days, period in ((8, "2027|2026-10-01|2026-10-31"), (6, "2027|2026-09-01|2026-09-30")):
            s.add(m.ProgressSummary(village_code=V301, period=period, fingerprint="x", body="{}",
                                    computed_at=now - timedelta(days=days)))
    progress_sql._PRUNED.clear()
    _get(server, "progress?year=2027&from=2026-11-01&to=2026-11-30")
    with server.session() as s:
        periods = sorted({r.period for r in s.exec(select(m.ProgressSummary)).all()})
    # The one counted 8 days ago is gone; 6 days ago stays; the new period's rows are kept.
    assert periods == ["2027|2026-09-01|2026-09-30", "2027|2026-11-01|2026-11-30"]

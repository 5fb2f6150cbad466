"""Township sums kept as data arrives (issue 24, township_count.py) and the province overview read
from them (province_view.py), on SQLite and PostgreSQL: after roster versions, payments through
other channels, a desk's uploads with voids, a remittance and its confirmation, each township's
kept row equals the sum of a full recount of its villages; the overview without villages
(`villages=none`, what a province's account gets) says what the village-by-village path says for
its townships and total, money and reporting included, on several county days; a township whose
row is missing is summed when read; `daishou-server check` finds a wrong row and corrects it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import delete
from sqlmodel import select

from app.domain.records import UserInfo
from app.services.desk import Desk
from sync.server import models as m
from sync.server import progress, progress_count, service, township_count
from tests.core.test_receipts import med, pen
from tests.factories import AYGUL, ZHANG, ZHANG_WIFE, FakeClock, Resident, make_id, write_roster
from tests.server.conftest import Server
from tests.server.test_progress import V201, V202, V301, _cli, _get, build_county
from tests.server.test_progress_count import _pay, check_names_and_corrects

TOWNS = {V201[:9], V301[:9]}


def _kept(server: Server) -> dict[str, tuple[str, int, Any]]:
    with server.session() as s:
        return {r.township_code: (r.config_sha256, r.villages, orjson.loads(r.body))
                for r in s.exec(select(township_count.TownshipCount)).all()}


def _recounted(server: Server) -> dict[str, tuple[str, int, Any]]:
    """Every village counted again from the rosters, receipts and payments, summed by hand."""
    with server.session() as s:
        sha, config = progress._config(s)
        villages = [(v.code, v.township_code) for v in s.exec(select(m.Village)).all()]
        counted = progress_count.count(s, [c for c, _ in villages], sha, config)
    out: dict[str, tuple[str, int, Any]] = {}
    for code, town in villages:
        _, n, years = out.get(town, (sha, 0, {}))
        for year, found in counted[code][1].items():
            years.setdefault(year, progress.Progress(year)).add(found)
        out[town] = (sha, n + 1, years)
    return {t: (sha, n, orjson.loads(township_count._body(years))) for t, (sha, n, years) in out.items()}


def _same_figures(server: Server, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The townships' and the total's figures by the kept sums = by every village's row, on the
    county's today and on days after it (reporting depends on the day)."""
    now = datetime.now(UTC).date()
    statuses: set[str] = set()
    for today in (now, now + timedelta(days=2), now + timedelta(days=9)):
        monkeypatch.setattr("sync.server.routers.staff._today", lambda day=today: day)
        fast = _get(server, "progress?year=2027&villages=none").json()
        slow = _get(server, "progress?year=2027&villages=all").json()
        assert not fast["villages_listed"] and slow["villages_listed"]
        assert fast["townships"] == slow["townships"], today
        assert fast["county"] == slow["county"], today
        assert fast["village_count"] == slow["village_count"] == 3
        statuses |= {k for k, n in fast["county"]["reporting"].items() if n}
    assert len(statuses) >= 3, statuses  # the comparison saw villages of different statuses
    return fast["county"]


def test_township_sums_kept_equal_a_recount_and_the_villages(server: Server, desk: Desk, agent: UserInfo,
                                                            head: UserInfo, clock: FakeClock, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    client = build_county(server, desk, agent, head, clock, tmp_path)
    with server.session() as s:  # 202's desk enrolled, never synced: 未报
        service.issue_enrolment_code(s, V202, 1)
    assert set(_kept(server)) == TOWNS  # summed by the loads and the upload: nobody has looked yet
    assert _kept(server) == _recounted(server)
    first = _same_figures(server, monkeypatch)
    assert first["receipts"] >= 1 and first["progress"]["lines"]["medical"]["cash"] == 1

    # A roster version, a payment through another channel, a day with a void, remitted and the
    # slip confirmed, and an open day the desk reports (cash not settled).
    extra = Resident(make_id(date(1979, 3, 3), 31), "冯新增")
    _cli(server, "roster", "load", str(write_roster(tmp_path / "202b.csv", [extra])), "--village-code", V202)
    _pay(server, tmp_path, f"{V201},{AYGUL.id_number},医疗,2027,400,微信,2026-11-21")
    clock.next_day()
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    wrong = desk.receipts.record(agent, [pen(ZHANG_WIFE)], cash_fen=50000)
    desk.receipts.void(wrong.number, reason="收错了", agent=agent, head=head)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    desk.settlements.remit(amount_fen=40000, slip_no="JK-2026-0107", day=clock().date(), by=agent)
    client.run()
    with server.session() as s:
        assert service.confirm(s, "JK-2026-0107", 40000, clock().date().isoformat()) == 1
    clock.next_day()
    desk.receipts.record(agent, [pen(ZHANG_WIFE)], cash_fen=50000)  # open: reported, not uploaded
    client.run()
    assert _kept(server) == _recounted(server)
    after = _same_figures(server, monkeypatch)
    assert after["confirmed_fen"] == 40000 and after["receipts"] > first["receipts"]
    # 202's new version lists one person in place of its three
    assert after["progress"]["lines"]["medical"]["due"] == first["progress"]["lines"]["medical"]["due"] - 3 + 1

    # After the upgrade no township has a row: the first province overview sums them.
    with server.session() as s:
        s.execute(delete(township_count.TownshipCount))
    _same_figures(server, monkeypatch)
    assert _kept(server) == _recounted(server)

    # A row gone wrong: check says so and corrects it.
    with server.session() as s:
        row = s.get(township_count.TownshipCount, V301[:9])
        assert row is not None
        body = orjson.loads(row.body)
        body["2027"]["lines"]["pension"]["due"] += 5
        row.body = orjson.dumps(body).decode()
    check_names_and_corrects(server, f"乡镇 {V301[:9]} 的征缴进度合计与各村计数之和不一致", _kept, _recounted)


"""Each device's review figures kept at upload (issue 24, device_figures.py), on SQLite and
PostgreSQL: the upload itself writes the row (nobody has opened an overview yet), equal to a
review of the held chain; the overview's village row (receipts, money, flags and their labels)
equals the full review of the same entries on several county days, so that cash settled and not
remitted, too much cash held and a month not closed appear, and it reviews no ledger to say so;
a province's township sums say what the village rows say; a row missing (a server from before)
or stale is made when read; `daishou-server check` finds a wrong row and corrects it."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import delete
from sqlmodel import col, select

from app.domain.records import UserInfo
from app.domain.review import review_entries
from app.services.desk import Desk
from sync import protocol as p
from sync.server import device_figures
from sync.server import models as m
from tests.core.test_receipts import med, pen
from tests.factories import AYGUL, FakeClock
from tests.server.conftest import Server
from tests.server.test_progress import V201, build_county
from tests.server.test_progress_count import check_names_and_corrects

DAYS = (date(2026, 11, 21), date(2026, 11, 23), date(2026, 11, 26), date(2026, 12, 10))
DEVICE = V201 + "-01"


def _kept(server: Server) -> dict[str, Any]:
    with server.session() as s:
        return {r.device_id: device_figures._kept_as(r) for r in s.exec(select(m.DeviceFigure)).all()}


def _recounted(server: Server) -> dict[str, Any]:
    with server.session() as s:
        ids = [d.id for d in s.exec(select(m.Device).where(col(m.Device.held_seq) > 0)).all()]
        return {i: device_figures._kept_as(SimpleNamespace(**device_figures._row(i, seq, h, f)))
                for i, (seq, h, f) in device_figures.count(s, ids).items()}


def _full_review(server: Server, as_of: date) -> dict[str, Any]:
    """The village's figures by reviewing every entry its desk sent, as the village page does."""
    with server.session() as s:
        rows = s.exec(select(m.Entry.seq, m.Entry.kind, m.Entry.recorded_at, m.Entry.body)
                      .where(m.Entry.device_id == DEVICE).order_by(col(m.Entry.seq))).all()
    review = review_entries(((seq, kind, at, orjson.loads(body)["data"]) for seq, kind, at, body in rows), as_of=as_of)
    return {"receipts": len(review.receipts), "collected_fen": review.collected_fen,
            "settled_fen": review.settled_fen, "remitted_fen": review.remitted_fen, "flags": len(review.flags),
            "flag_codes": dict(Counter(f.label for f in review.flags))}


_TOKENS: dict[str, str] = {}


def _get(server: Server, path: str) -> httpx.Response:
    """As the county's account, signed in once per server (sign-ins are rate-limited)."""
    with httpx.Client(base_url=server.base, timeout=30) as http:
        if server.base not in _TOKENS:
            _TOKENS[server.base] = http.post(f"{p.API}/staff/login", json={"name": "县社保",
                                                                           "password": "county-pass-1"}).json()["token"]
        answer = http.get(f"{p.API}/staff/{path}", headers={"Authorization": f"Bearer {_TOKENS[server.base]}"})
    assert answer.status_code == 200, answer.text
    return answer


def _village(server: Server) -> dict[str, Any]:
    row = next(r for r in _get(server, "overview").json() if r["code"] == V201)
    return {k: row[k] for k in ("receipts", "collected_fen", "settled_fen", "remitted_fen", "flags", "flag_codes")}


def _same_as_full_review(server: Server, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """On each county day: the overview's row = the full review; the townships without villages
    = the village-by-village path. The labels seen over the days."""
    def no_review(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the overview reviewed a ledger")

    seen: Counter[str] = Counter()
    for today in DAYS:
        monkeypatch.setattr("sync.server.routers.staff._today", lambda day=today: day)
        full = _full_review(server, today)
        with monkeypatch.context() as patched:
            patched.setattr("sync.server.review.review_entries", no_review)
            assert _village(server) == full, today
            fast = _get(server, "progress?year=2027&villages=none").json()
            slow = _get(server, "progress?year=2027&villages=all").json()
        assert fast["townships"] == slow["townships"], today
        assert fast["county"] == slow["county"], today
        assert fast["county"]["flags"] == full["flags"]  # one desk, and no flag of the county's own
        seen.update(full["flag_codes"])
    return seen


def test_figures_kept_at_upload_equal_the_full_review(server: Server, desk: Desk, agent: UserInfo, head: UserInfo,
                                                      clock: FakeClock, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    client = build_county(server, desk, agent, head, clock, tmp_path)  # a void, a day settled
    # Kept by the upload itself: no overview has been read.
    assert set(_kept(server)) == {DEVICE}
    assert _kept(server) == _recounted(server)

    # Part of the cash remitted; then ¥5,000 taken at night and settled the next day, not remitted.
    desk.settlements.remit(amount_fen=50000, slip_no="JK-2026-0101", day=clock().date(), by=agent)
    clock.next_day(hour=23)
    day = clock().date()
    desk.receipts.record(agent, [pen(AYGUL, tier=500000)], cash_fen=500000)
    desk.receipts.record(agent, [med(AYGUL)], cash_fen=100000, cash_confirmed=True)
    clock.next_day()
    desk.settlements.settle(day, agent=agent, head=head, counted_fen=540000)
    client.run()
    assert _kept(server) == _recounted(server)
    seen = _same_as_full_review(server, monkeypatch)
    for label in ("作废", "夜间收款", "未当日日结", "大额找零", "现金未及时解缴", "持有现金超过限额", "未月结"):
        assert seen[label], (label, seen)

    # After the upgrade no device has a row: made when read.
    with server.session() as s:
        s.execute(delete(m.DeviceFigure))
    _same_as_full_review(server, monkeypatch)
    assert _kept(server) == _recounted(server)
    # A row of a shorter chain (kept by an overview while an upload landed) is not used.
    with server.session() as s:
        row = s.get(m.DeviceFigure, DEVICE)
        assert row is not None
        row.held_seq, row.collected_fen = row.held_seq - 1, row.collected_fen + 100
    _same_as_full_review(server, monkeypatch)
    assert _kept(server) == _recounted(server)

    # A row gone wrong: check names it and corrects it.
    with server.session() as s:
        row = s.get(m.DeviceFigure, DEVICE)
        assert row is not None
        row.collected_fen += 100
    check_names_and_corrects(server, f"设备 {DEVICE} 的审核汇总", _kept, _recounted)

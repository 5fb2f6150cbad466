"""Each device's review figures kept as its ledger arrives (issue 24): receipts, collected,
settled and remitted fen, the flags no day changes and what the day-dependent rules read
(app/domain/review_figures.py), in `device_figure`, so the county's overview and a province's
township sums read one row per device and review no ledger.

Written by the upload that grew the chain, in its own transaction (uploads.accept_batch calls
`recount` directly, not through a before_commit hook as village counts are: the upload holds the
device's row locked, so two uploads of one device never review at once, and the row it writes
is of the chain it has just stored). The whole held chain is reviewed again at each upload: the
receipts a later void or payment refers to are held only in the entries (measured: README, bench
sync). A row names the chain it reviewed (held sequence and hash): a row that does not match its
device's chain (a server from before, an overview that kept a row while an upload landed) is
reviewed again when read. `daishou-server check` reviews every chain and compares (`verify`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

import orjson
from sqlalchemy import or_
from sqlalchemy import select as sa_select
from sqlmodel import Session

from app.domain.review_figures import DayInputs, Figures, add_labels, ledger_figures
from sync.server import models as m
from sync.server.db import among, upsert

Counted = dict[str, tuple[int, str, Figures]]  # device id -> (held seq, held hash, figures)
CHUNK = 200  # devices whose entries are read in one query


def _entries(s: Session, device_ids: list[str]) -> Iterator[tuple[str, list[tuple[int, str, str, dict[str, Any]]]]]:
    """Each device's held entries, in order, read a few devices a query."""
    e = m.table_of(m.Entry)
    for start in range(0, len(device_ids), CHUNK):
        ids = device_ids[start:start + CHUNK]
        found: dict[str, list[tuple[int, str, str, dict[str, Any]]]] = {i: [] for i in ids}
        for device, seq, kind, at, body in s.execute(
                sa_select(e.c.device_id, e.c.seq, e.c.kind, e.c.recorded_at, e.c.body)
                .where(among(s, e.c.device_id, ids)).order_by(e.c.device_id, e.c.seq)).all():
            found[device].append((int(seq), kind, at, orjson.loads(body)["data"]))
        yield from found.items()


def count(s: Session, device_ids: Iterable[str]) -> Counted:
    """The devices' figures from their held entries (up to each one's held sequence), nothing stored."""
    d = m.table_of(m.Device)
    ids = sorted(set(device_ids))
    held = {i: (int(seq), h) for i, seq, h in s.execute(sa_select(d.c.id, d.c.held_seq, d.c.held_hash)
                                                       .where(among(s, d.c.id, ids))).all()} if ids else {}
    out: Counted = {}
    for device, entries in _entries(s, [i for i in ids if held.get(i, (0, ""))[0] > 0]):
        seq, h = held[device]
        out[device] = (seq, h, ledger_figures(x for x in entries if x[0] <= seq))
    return out


def _row(device: str, seq: int, h: str, f: Figures) -> dict[str, Any]:
    return {"device_id": device, "held_seq": seq, "held_hash": h, "receipts": f.receipts,
            "collected_fen": f.collected_fen, "settled_fen": f.settled_fen, "remitted_fen": f.remitted_fen,
            "flags": sum(f.labels.values()), "labels": orjson.dumps(f.labels, option=orjson.OPT_SORT_KEYS).decode(),
            "pending": f.day.key()}


def _store(s: Session, counted: Counted) -> None:
    at = datetime.now(UTC)
    upsert(s, m.table_of(m.DeviceFigure), [_row(device, seq, h, f) | {"counted_at": at}
                                           for device, (seq, h, f) in counted.items()], "device_id")


def recount(s: Session, device_ids: Iterable[str]) -> Counted:
    """Review the devices' held chains again and keep their rows (an upload: its own device)."""
    counted = count(s, device_ids)
    _store(s, counted)
    return counted


@dataclass(frozen=True)
class Kept:
    """A device's row as the overview reads it."""

    receipts: int
    collected_fen: int
    settled_fen: int
    remitted_fen: int
    labels: dict[str, int]
    pending: str


class DayLabels:
    """The day-dependent flags' labels for one day, judged once per distinct DayInputs text."""

    def __init__(self, as_of: date) -> None:
        self.as_of = as_of
        self._found: dict[str, list[str]] = {}

    def __call__(self, pending: str) -> list[str]:
        found = self._found.get(pending)
        if found is None:
            found = self._found[pending] = DayInputs.from_key(pending).labels(self.as_of)
        return found

    def of(self, kept: Kept) -> dict[str, int]:
        """Every flag's label of the device on the day, counted."""
        return add_labels(kept.labels, self(kept.pending))


def _kept(f: Figures) -> Kept:
    return Kept(f.receipts, f.collected_fen, f.settled_fen, f.remitted_fen, dict(f.labels), f.day.key())


def read(s: Session, devices: Iterable[Any]) -> dict[str, Kept]:
    """`devices`: rows of id, held_seq and held_hash (those that uploaded). Each one's kept
    figures; a device without a row, or whose row reviewed another chain, is reviewed now (and kept)."""
    wanted = {d.id: (int(d.held_seq), d.held_hash) for d in devices}
    if not wanted:
        return {}
    f = m.table_of(m.DeviceFigure)
    out: dict[str, Kept] = {}
    query = sa_select(f.c.device_id, f.c.held_seq, f.c.held_hash, f.c.receipts, f.c.collected_fen, f.c.settled_fen,
                      f.c.remitted_fen, f.c.labels, f.c.pending)
    for row in s.execute(query if len(wanted) > 5000 else query.where(among(s, f.c.device_id, list(wanted)))).all():
        if wanted.get(row.device_id) == (int(row.held_seq), row.held_hash):
            out[row.device_id] = Kept(int(row.receipts), int(row.collected_fen), int(row.settled_fen),
                                      int(row.remitted_fen), orjson.loads(row.labels), row.pending)
    missing = [i for i in wanted if i not in out]
    if missing:
        out.update((i, _kept(fig)) for i, (_, _, fig) in recount(s, missing).items())
    return out


def stale(s: Session) -> list[str]:
    """Devices that uploaded and have no row of their held chain."""
    d, f = m.table_of(m.Device), m.table_of(m.DeviceFigure)
    return [i for (i,) in s.execute(
        sa_select(d.c.id).outerjoin(f, f.c.device_id == d.c.id)
        .where(d.c.held_seq > 0, or_(f.c.device_id.is_(None), f.c.held_seq != d.c.held_seq,
                                     f.c.held_hash != d.c.held_hash))).all()]


def _kept_as(row: Any) -> tuple[Any, ...]:
    """A row's figures as compared: its columns, the JSON parsed."""
    return (int(row.held_seq), row.held_hash, int(row.receipts), int(row.collected_fen), int(row.settled_fen),
            int(row.remitted_fen), int(row.flags), orjson.loads(row.labels), orjson.loads(row.pending))


def verify(s: Session) -> list[str]:
    """Review every device's held chain again and compare with its kept row: the devices that
    differed (in Chinese), whose rows are replaced by the new review. A device that uploaded and
    has no row is not a difference: its row is made when it is next read."""
    f = m.table_of(m.DeviceFigure)
    kept = {row.device_id: row for row in s.execute(sa_select(f)).all()}
    problems: list[str] = []
    ids = sorted(kept)
    for start in range(0, len(ids), CHUNK * 5):
        wrong: Counted = {}
        for device, (seq, h, found) in count(s, ids[start:start + CHUNK * 5]).items():
            if _kept_as(kept[device]) != _kept_as(SimpleNamespace(**_row(device, seq, h, found))):
                problems.append(f"设备 {device} 的审核汇总（收据、金额、疑点）与重新审核不一致（已按重新审核的结果改正）")
                wrong[device] = (seq, h, found)
        _store(s, wrong)
    return problems

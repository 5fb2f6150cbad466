"""A device's review reduced to what an overview shows (issue 24): its receipts and money, how
many flags of each kind, kept when its ledger arrives rather than reviewed again whenever a
province's overview is read.

Most flags are decided by the entries alone and are simply counted. Four rules depend on the day
of the review (`as_of`): cash taken and not paid on the payer's behalf (_not_paid), settled cash
not remitted (_unremitted), a month not closed (_months_open), a 台账 scan not sent (_scans).
For them the figures keep what those rules read, reduced to what can still raise a flag: the
receipts not paid on behalf, the settled cash no remittance covered yet (remit_limits.uncovered),
the months not closed, the years whose scan is due. `labels_on(as_of)` then calls the same rule
functions as review_entries, so the overview's flags are the full review's, by test
(tests/core/test_review_figures.py, tests/server/test_device_figure.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import orjson

from app.domain.remit_limits import RemitLimits, uncovered
from app.domain.review import (
    Entry,
    ReceiptRow,
    _fold,
    _months_open,
    _not_paid,
    _scans,
    _unremitted,
    _windows,
)


@dataclass(frozen=True)
class DayInputs:
    """What the rules that depend on the review day read, none of it changing with the day.
    Stored as canonical JSON (`key`): devices whose inputs are the same (most desks: no cash held,
    nothing unpaid, the same months open) have the same text, judged once per overview."""

    pays_on_behalf: bool = False
    limits: RemitLimits = field(default_factory=RemitLimits)
    unpaid: tuple[ReceiptRow, ...] = ()  # pays on behalf: valid receipts with no payment recorded
    held: tuple[tuple[str, int], ...] = ()  # remitting: (settled day, fen) no remittance covered
    open_months: tuple[str, ...] = ()  # months with receipts, not closed
    windows: dict[int, date] = field(default_factory=dict)  # configured year -> end of its collection
    years: tuple[int, ...] = ()  # benefit years cash was taken for
    scans: dict[int, str] = field(default_factory=dict)  # year -> the day its scanned 台账 was sent
    configured: bool = False  # a county configuration is journalled (else no scan is due)

    def labels(self, as_of: date) -> list[str]:
        """The labels of the flags that depend on the review day, by the review's own rules."""
        found = (_not_paid(list(self.unpaid), {}, as_of) if self.pays_on_behalf
                 else _unremitted(list(self.held), 0, as_of, self.limits))
        found += _months_open(set(self.open_months), as_of)
        if self.configured:
            found += _scans(self.windows, set(self.years), self.scans, as_of)
        return [f.label for f in found]

    def key(self) -> str:
        return orjson.dumps({
            "pays": self.pays_on_behalf, "limits": [self.limits.amount_fen, self.limits.days],
            "unpaid": [[r.number, r.seq, r.day, r.total_fen, r.agent] for r in self.unpaid],
            "held": [list(h) for h in self.held], "months": list(self.open_months),
            "windows": {str(y): d.isoformat() for y, d in self.windows.items()}, "years": list(self.years),
            "scans": {str(y): d for y, d in self.scans.items()}, "configured": self.configured},
            option=orjson.OPT_SORT_KEYS).decode()

    @classmethod
    def from_key(cls, key: str) -> DayInputs:
        body = orjson.loads(key)
        return cls(bool(body["pays"]), RemitLimits(int(body["limits"][0]), int(body["limits"][1])),
                   tuple(ReceiptRow(str(n), int(seq), str(day), "", "", "", (), int(total), str(agent))
                         for n, seq, day, total, agent in body["unpaid"]),
                   tuple((str(d), int(f)) for d, f in body["held"]), tuple(body["months"]),
                   {int(y): date.fromisoformat(d) for y, d in body["windows"].items()}, tuple(body["years"]),
                   {int(y): str(d) for y, d in body["scans"].items()}, bool(body["configured"]))


@dataclass(frozen=True)
class Figures:
    receipts: int = 0
    collected_fen: int = 0
    settled_fen: int = 0
    remitted_fen: int = 0
    labels: dict[str, int] = field(default_factory=dict)  # the flags no day changes: label -> how many
    day: DayInputs = field(default_factory=DayInputs)

    def labels_on(self, as_of: date) -> dict[str, int]:
        """Every flag's label the full review of the same entries gives on `as_of`, counted."""
        return add_labels(self.labels, self.day.labels(as_of))


def add_labels(labels: dict[str, int], more: Iterable[str]) -> dict[str, int]:
    out = dict(labels)
    for label in more:
        out[label] = out.get(label, 0) + 1
    return out


def ledger_figures(entries: Iterable[Entry]) -> Figures:
    """The figures of a device's whole ledger (the same pass as review_entries)."""
    out, held = _fold(entries)
    config = held.config
    pays = config is not None and config.pays_on_behalf
    valid = [r for r in out.receipts if r.status != "已作废"]
    labels = Counter(f.label for f in out.flags)
    unpaid: tuple[ReceiptRow, ...] = ()
    rounds: tuple[tuple[str, int], ...] = ()
    limits = config.remit_limits if config is not None else RemitLimits()
    if pays:
        # A receipt paid on behalf is judged once (paid late or not): no later day changes it.
        labels.update(f.label for f in _not_paid([r for r in valid if r.number in held.paid], held.paid, date.min))
        unpaid = tuple(r for r in valid if r.number not in held.paid)
    else:
        rounds = tuple((d.isoformat(), fen) for d, fen in
                       uncovered([(date.fromisoformat(day), fen) for day, fen in held.settled_when], out.remitted_fen))
    day = DayInputs(pays, limits, unpaid, rounds, tuple(sorted({r.day[:7] for r in out.receipts} - held.closed)),
                    _windows(config) if config is not None else {}, tuple(sorted(held.years)),
                    dict(sorted(held.scans.items())), config is not None)
    return Figures(len(out.receipts), out.collected_fen, out.settled_fen, out.remitted_fen, dict(labels), day)

"""When a year's scanned 台账 is due (003 第三十条): one rule for the desk (F6, `daishou
ledger-scan status`) and the township's review, so the two never disagree.

The 《现金征缴登记台账》 is the paper record of cash taken. A year for which the village took no
cash has no 台账 to scan: nothing is due, and nothing can be overdue. A year with cash receipts
(voided ones too: their lines stand struck through on the paper) has its scan due within 7
working days after the collection period ends."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from app.domain.workdays import SCAN_WITHIN_WORKING_DAYS, add_working_days


def scan_deadline(period_end: date) -> date:
    """The last day the scan of a period ending `period_end` may be sent."""
    return add_working_days(period_end, SCAN_WITHIN_WORKING_DAYS)


def scan_due(year: int, cash_years: Collection[int]) -> bool:
    """Whether the year's 台账 must be scanned and sent: cash was taken for that year."""
    return year in cash_years


def scan_overdue_days(*, due: bool, sent: bool, deadline: date, today: date) -> int:
    """Days past the deadline with no scan sent (0: not due, sent, or still in time)."""
    if not due or sent:
        return 0
    return max(0, (today - deadline).days)

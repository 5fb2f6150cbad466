"""One rule decides whether a year's scanned 台账 is due (a year with cash receipts): F6 /
`daishou ledger-scan status` and the township's review agree, both ways."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from app.domain.records import UserInfo
from app.domain.scan_rule import scan_deadline, scan_due, scan_overdue_days
from app.services.desk import Desk
from app.services.review import review_file
from tests.core.test_cli import Cli
from tests.core.test_receipts import med
from tests.factories import ZHANG, FakeClock, plain_backup


def test_the_rule_itself() -> None:
    assert scan_deadline(date(2026, 6, 30)) == date(2026, 7, 9)  # 7 working days after a Tuesday
    assert scan_due(2027, {2027}) and not scan_due(2026, {2027})
    late = {"deadline": date(2026, 7, 9), "today": date(2026, 12, 6)}
    assert scan_overdue_days(due=True, sent=False, **late) == 150
    assert scan_overdue_days(due=False, sent=False, **late) == 0  # no cash, no 台账, nothing overdue
    assert scan_overdue_days(due=True, sent=True, **late) == 0
    assert scan_overdue_days(due=True, sent=False, deadline=date(2026, 7, 9), today=date(2026, 7, 9)) == 0


def _scan_flags(desk: Desk, tmp_path: Path, name: str, today: date) -> dict[str, str]:
    review = review_file(plain_backup(desk, tmp_path / name), as_of=today).review
    return {f.ref: f.reason for f in review.flags if f.code.startswith("scan")}


def test_a_year_without_cash_is_due_nowhere_and_a_year_with_cash_everywhere(
        desk: Desk, agent: UserInfo, clock: FakeClock, tmp_path: Path) -> None:
    """The demo configuration has 2026 (period ended 2026-06-30) and 2027; this village took
    cash for 2027 only. On 2027-12-06 both 2026 and 2027 are long past their deadlines."""
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    clock.now = datetime(2027, 12, 6, 9, 0)
    today = clock().date()

    none_2026, cash_2027 = desk.scans.status(2026), desk.scans.status(2027)
    assert not none_2026.due and none_2026.overdue_days(today) == 0
    assert none_2026.unsent_text(today) == "本机没有收取过该年度的现金，没有台账要扫描报送"
    assert "报送税务" not in none_2026.headline
    assert cash_2027.due and cash_2027.overdue_days(today) == (today - cash_2027.deadline).days > 100

    flags = _scan_flags(desk, tmp_path, "review", today)
    assert set(flags) == {"2027"}  # the review raises what F6 says is overdue, and nothing else
    assert cash_2027.deadline.isoformat() in flags["2027"]

    desk.close()
    run = Cli(desk.home, clock)
    code, out, err = run("ledger-scan", "status", "--year", "2026")
    assert code == 0, err
    assert "没有台账要扫描报送" in out and "已过期限" not in out
    code, out, err = run("ledger-scan", "status", "--year", "2027")
    assert code == 0, err
    assert f"已过期限 {cash_2027.overdue_days(today)} 天" in out

"""The scanned 台账 (第三十条): sent to the tax office within 7 working days after the collection
period; recorded with its hash and a kept copy, and flagged in review when missing or late."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from app.domain.chain import ChainRules
from app.domain.records import UserInfo
from app.domain.workdays import add_working_days, working_days_between
from app.services.desk import Desk
from app.services.errors import InvalidInput, Refused
from app.services.review import review_file
from tests.conftest import AGENT_PIN
from tests.core.test_chain_rules import journal
from tests.core.test_cli import Cli
from tests.core.test_receipts import med
from tests.factories import ZHANG, FakeClock, plain_backup

SCAN = b"%PDF-1.4\n% the signed ledger, scanned\n" + bytes(range(256)) * 40


def test_working_days_skip_weekends() -> None:
    assert add_working_days(date(2027, 6, 30), 7) == date(2027, 7, 9)  # Wednesday + 7 = the next Friday
    assert add_working_days(date(2027, 7, 9), 1) == date(2027, 7, 12)  # Friday + 1 = Monday
    assert working_days_between(date(2027, 7, 9), date(2027, 7, 12)) == 1
    assert working_days_between(date(2027, 7, 9), date(2027, 7, 9)) == 0


def test_a_scan_recorded_late_is_kept_and_flagged(desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock,
                                                  tmp_path: Path) -> None:
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    clock.now = datetime(2027, 7, 12, 9, 0)
    status = desk.scans.status(2027)
    assert (status.period_end, status.deadline, status.scans) == (date(2027, 6, 30), date(2027, 7, 9), [])
    before = review_file(plain_backup(desk, tmp_path / "a"), as_of=date(2027, 7, 12)).review.flags
    missing = [f for f in before if f.code == "scan_missing"]
    assert len(missing) == 1 and "2027-07-09 前报送税务" in missing[0].reason

    scan = tmp_path / "台账扫描.pdf"
    scan.write_bytes(SCAN)
    other = tmp_path / "照片.docx"
    other.write_bytes(b"PK\x03\x04 not a scan")
    with pytest.raises(InvalidInput, match="不是 PDF、JPEG、PNG 或 TIFF"):
        desk.scans.record(2027, other, sent_on=date(2027, 7, 12), by=agent)
    with pytest.raises(Refused, match="征期结束后扫描报送"):
        desk.scans.record(2027, scan, sent_on=date(2027, 6, 30), by=agent)
    with pytest.raises(InvalidInput, match="在未来"):
        desk.scans.record(2027, scan, sent_on=date(2027, 7, 13), by=agent)
    status = desk.scans.record(2027, scan, sent_on=date(2027, 7, 12), by=agent)
    assert status.late_by == 3 and status.scans[0].intact and status.scans[0].path.read_bytes() == SCAN
    with pytest.raises(Refused, match="已经登记过"):
        desk.scans.record(2027, scan, sent_on=date(2027, 7, 12), by=agent)
    assert desk.verify().ok
    rules = ChainRules()
    for e in journal(desk):
        rules.feed(*e)
    after = review_file(plain_backup(desk, tmp_path / "b"), as_of=date(2027, 7, 12)).review.flags
    assert [f.code for f in after if f.code.startswith("scan")] == ["scan_late"]
    assert "1 个工作日" in next(f.reason for f in after if f.code == "scan_late")
    status.scans[0].path.write_bytes(SCAN + b"changed")  # the kept copy swapped
    assert not desk.scans.status(2027).scans[0].intact


def test_the_command_line_records_and_shows_it(desk: Desk, clock: FakeClock, tmp_path: Path) -> None:
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(SCAN)
    clock.now = datetime(2027, 7, 2, 9, 0)
    desk.close()
    run = Cli(desk.home, clock)

    code, out, err = run("ledger-scan", "record", "--year", "2027", "--file", str(scan), "--sent-on", "2027-07-02",
                         "--by", "李代收", stdin=AGENT_PIN + "\n")
    assert code == 0, err
    assert "2027-07-09 前报送税务" in out and "2027-07-02 报送（李代收）" in out and "晚于期限" not in out
    code, out, err = run("ledger-scan", "status", "--year", "2027", "--json")
    shown = json.loads(out)
    assert shown["late_by_days"] == 0 and shown["scans"][0]["intact"] is True


def test_an_unsent_scan_says_how_long_it_is_overdue(desk: Desk, agent: UserInfo, clock: FakeClock) -> None:
    """F6 and `ledger-scan status` say the same: nothing on the deadline day, then the days
    past it (calendar days: the agent counts from the date on the screen)."""
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)  # cash taken for 2027: its 台账 is due
    clock.now = datetime(2027, 7, 9, 17, 0)
    assert desk.scans.status(2027).unsent_text(clock().date()) == "尚未登记报送"
    clock.now = datetime(2027, 7, 14, 9, 0)
    desk.close()
    code, out, err = Cli(desk.home, clock)("ledger-scan", "status", "--year", "2027")
    assert code == 0, err
    assert "2027-07-09 前报送税务；尚未登记报送，已过期限 5 天" in out


def test_a_kept_copy_swapped_for_one_of_the_same_size_and_time_is_seen(
        desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock, tmp_path: Path) -> None:
    """F6 hashes the kept copy at every look: one changed byte, the size the same and the
    modification time put back, still shows the copy is not the one journalled."""
    import os

    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    clock.now = datetime(2027, 7, 5, 9, 0)
    scan = tmp_path / "台账扫描.pdf"
    scan.write_bytes(SCAN)
    kept = desk.scans.record(2027, scan, sent_on=date(2027, 7, 5), by=agent).scans[0].path
    assert desk.scans.status(2027).scans[0].intact
    before = kept.stat()
    swapped = bytearray(SCAN)
    swapped[-1] ^= 0xFF
    kept.write_bytes(bytes(swapped))
    os.utime(kept, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert kept.stat().st_size == before.st_size and kept.stat().st_mtime_ns == before.st_mtime_ns
    assert not desk.scans.status(2027).scans[0].intact

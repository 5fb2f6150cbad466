"""A township reviewer opens a village's backup file: every suspicious record is listed with its
reason, and at least 10% of the receipts are drawn again the same way from the same seed."""

from __future__ import annotations

import io
import json
import random
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from app.cli import main
from app.cli.common import Context
from app.domain.records import UserInfo
from app.domain.review import draw_sample
from app.services.desk import Desk
from app.services.errors import InvalidInput
from app.services.review import review_file
from tests.core.test_receipts import med, pen
from tests.factories import AYGUL, ZHANG, ZHANG_WIFE, FakeClock, plain_backup


@pytest.fixture
def village_file(desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock, tmp_path: Path) -> Path:
    """Two days of a village desk with one of each thing a reviewer must see."""
    plain = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.receipts.record(agent, [med(ZHANG_WIFE, amount=35000)], cash_fen=35000,
                         override_reason="家中困难，村里研究少收五十元")
    clock.advance(minutes=5)
    big = desk.receipts.record(agent, [med(AYGUL)], cash_fen=500000, cash_confirmed=True)
    desk.receipts.void(big.number, reason="现金点错重开", agent=agent, head=head)
    desk.receipts.record_print(plain.number, ok=True)
    desk.receipts.record_print(plain.number, ok=True)  # 补打
    clock.advance(hours=8)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=74000, reason="少了十元，找不到")
    clock.advance(hours=6)  # 23:05, after the day was settled
    desk.receipts.record(agent, [pen(ZHANG)], cash_fen=50000)
    clock.next_day()
    desk.settlements.settle(date(2026, 11, 20), agent=agent, head=head, counted_fen=50000)
    desk.settlements.remit(amount_fen=40000, slip_no="YH-0001", day=clock().date(), by=agent)
    return plain_backup(desk, tmp_path / "usb")


def test_each_suspicious_record_is_flagged_with_its_reason(village_file: Path) -> None:
    r = review_file(village_file, as_of=date(2026, 11, 25), seed="123456")
    assert r.check.ok and r.device.village_code == "341824100201"
    by_code: dict[str, list[str]] = {}
    for f in r.review.flags:
        by_code.setdefault(f.code, []).append(f.reason)
    assert set(by_code) == {"override", "large_change", "void", "reprint", "difference", "night",
                            "late_settlement", "late_round", "not_remitted"}
    assert "家中困难" in by_code["override"][0] and "应缴 400.00 元收 350.00 元" in by_code["override"][0]
    assert "现金点错重开" in by_code["void"][0] and "王村长" in by_code["void"][0]
    assert "少 10.00 元" in by_code["difference"][0] and "找不到" in by_code["difference"][0]
    assert "第 1 次补打" in by_code["reprint"][0]
    assert "23:05" in by_code["night"][0]
    assert "晚 1 天" in by_code["late_settlement"][0]
    assert "第 2 次日结" in by_code["late_round"][0]
    assert "840.00 元" in by_code["not_remitted"][0] and "2026-11-20" in by_code["not_remitted"][0]
    v = r.review
    assert (len(v.receipts), v.collected_fen, v.voided_fen, v.settled_fen, v.remitted_fen) == (
        4, 125000, 40000, 124000, 40000)
    assert [x.status for x in v.receipts].count("已作废") == 1


def test_no_flag_for_cash_remitted_in_time(village_file: Path) -> None:
    """The same file reviewed the day after the last settlement: the cash is not late yet."""
    r = review_file(village_file, as_of=date(2026, 11, 21), seed="1")
    assert "not_remitted" not in {f.code for f in r.review.flags}


def test_the_sample_is_at_least_a_tenth_and_the_seed_draws_it_again() -> None:
    numbers = [f"341824100201-01-{i:06d}" for i in range(1, 26)]
    first = draw_sample(numbers, "204817")
    assert len(first) == 3  # 2.5 rounded up
    assert draw_sample(list(reversed(numbers)), "204817") == list(reversed(first))  # order does not matter
    assert set(draw_sample(random.sample(numbers, len(numbers)), "204817")) == set(first)
    others = {tuple(draw_sample(numbers, str(seed))) for seed in range(20)}
    assert len(others) > 10  # another seed, another sample
    assert draw_sample(numbers[:1], "x") == numbers[:1] and draw_sample([], "x") == []
    assert len(draw_sample([str(i) for i in range(100)], "x")) == 10


def test_the_command_line_prints_flags_and_sample_and_the_seed_reproduces_it(village_file: Path) -> None:
    runs = []
    for _ in range(2):
        out = io.StringIO()
        code = main(["review", str(village_file), "--seed", "777001", "--as-of", "2026-11-25", "--json"],
                    context=Context(stdout=out, stderr=io.StringIO()))
        assert code == 0
        runs.append(json.loads(out.getvalue()))
    assert runs[0]["sample"] == runs[1]["sample"] and len(runs[0]["sample"]) == 1  # 4 receipts: 1 drawn
    assert runs[0]["seed"] == "777001" and len(runs[0]["flags"]) == 9
    out = io.StringIO()
    assert main(["review", str(village_file), "--as-of", "2026-11-25"],
                context=Context(stdout=out, stderr=io.StringIO())) == 0
    text = out.getvalue()
    assert "示范村（341824100201）" in text and "疑点 9 条" in text and "[作废]" in text and "抽查 1 张" in text


def test_the_json_of_a_file_without_receipts_names_its_village(desk: Desk, tmp_path: Path) -> None:
    empty = plain_backup(desk, tmp_path / "usb")
    out = io.StringIO()
    assert main(["review", str(empty), "--as-of", "2026-11-25", "--json"],
                context=Context(stdout=out, stderr=io.StringIO())) == 0
    got = json.loads(out.getvalue())
    assert (got["village_code"], got["device_no"], got["receipts"]) == ("341824100201", 1, 0)


def test_a_changed_file_is_reviewed_but_says_it_failed_the_check(village_file: Path) -> None:
    conn = sqlite3.connect(village_file)
    conn.execute("DROP TRIGGER IF EXISTS receipt_no_update")
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'receipt'"
                                ).fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute("UPDATE receipt SET total_fen = 30000 WHERE receipt_seq = 1")
    conn.commit()
    conn.close()
    err = io.StringIO()
    out = io.StringIO()
    assert main(["review", str(village_file)], context=Context(stdout=out, stderr=err)) == 5
    assert "账本校验失败" in out.getvalue() and "疑点" in out.getvalue()


def test_a_file_that_is_not_a_ledger_is_named(tmp_path: Path) -> None:
    other = tmp_path / "照片.sqlite3"
    other.write_bytes(b"not a database at all" * 100)
    with pytest.raises(InvalidInput, match="照片.sqlite3 不是代收账本文件"):
        review_file(other, as_of=date(2026, 11, 25))
    with pytest.raises(InvalidInput, match="找不到账本文件"):
        review_file(tmp_path / "missing.sqlite3", as_of=date(2026, 11, 25))
    err = io.StringIO()
    assert main(["review", str(other)], context=Context(stdout=io.StringIO(), stderr=err)) == 1
    assert "不是代收账本文件" in err.getvalue()


def test_a_month_left_open_and_a_month_closed_short_are_flagged(desk: Desk, agent: UserInfo, head: UserInfo,
                                                                  clock: FakeClock, tmp_path: Path) -> None:
    from datetime import datetime

    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    clock.now = datetime(2026, 12, 10, 9, 0)
    open_file = plain_backup(desk, tmp_path / "a")
    flags = review_file(open_file, as_of=date(2026, 12, 10)).review.flags
    assert [(f.code, f.ref) for f in flags if f.code.startswith("month")] == [("month_open", "2026-11")]
    assert "已结束 10 天仍未月结" in next(f.reason for f in flags if f.code == "month_open")
    desk.months.close("2026-11", agent=agent, head=head, counted_fen=30000, reason="少一百元待查")
    closed_file = plain_backup(desk, tmp_path / "b")
    flags = review_file(closed_file, as_of=date(2026, 12, 10)).review.flags
    month = [f for f in flags if f.code.startswith("month")]
    assert [(f.code, f.ref) for f in month] == [("month_difference", "2026-11")]
    assert "差额 -100.00 元" in month[0].reason and "少一百元待查" in month[0].reason


def test_a_village_that_took_no_cash_yet_has_nothing_to_flag_or_draw(desk: Desk, tmp_path: Path) -> None:
    r = review_file(plain_backup(desk, tmp_path / "usb"), as_of=date(2026, 11, 25), seed="1")
    assert r.check.ok and (r.review.receipts, r.review.flags, r.sample) == ([], [], [])
    assert r.review.first_day is None and r.review.collected_fen == 0

"""The 日结单 as a township auditor checks it: every receipt number of the round in order,
voided ones listed as such, the run continuous; and the county's acknowledgement stated only
once the county has acknowledged the day."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.domain.records import UserInfo
from app.services.desk import Desk
from printing.reports import render_report
from tests.core.test_receipts import med
from tests.factories import AYGUL, ZHANG, ZHANG_WIFE, FakeClock
from tests.printing.pdftext import read_pdf
from tests.server.conftest import Server, server  # noqa: F401  (the live server fixture)
from tests.server.test_sync_flow import enrol


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    yield str(tmp_path / "county.sqlite3")


def test_numbers_voids_and_the_countys_acknowledgement(desk: Desk, agent: UserInfo, head: UserInfo,
                                                       clock: FakeClock, server: Server) -> None:  # noqa: F811
    numbers = [desk.receipts.record(agent, [med(p)], cash_fen=40000).number for p in (ZHANG, ZHANG_WIFE, AYGUL)]
    desk.receipts.void(numbers[1], reason="重复收款", agent=agent, head=head)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=80000)
    day = clock().date()
    before = read_pdf(render_report(desk.paper.report("settlement", (day, day), today=day))[0]).all
    flat = "".join(before.split())  # as read, whatever the line breaks
    assert f"收据号{numbers[0]}至{numbers[2]}，共3张（有效2张，作废1张），号码连续，无缺号" in flat
    assert "作废：重复收款（会签王村长）" in flat
    assert "本日结尚未上传县级服务器" in before and "已确认收到" not in before
    enrol(desk, server).run()
    after = read_pdf(render_report(desk.paper.report("settlement", (day, day), today=day))[0]).all
    assert "县级服务器已确认收到本日结及以前的全部记录" in after

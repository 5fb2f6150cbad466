"""The 公示 covers every channel (003 第四十三条): everyone whose payment the tax office reports
(the roster's paid-elsewhere marks, with their channel) is posted beside the cash taken here,
masked the same way."""

from __future__ import annotations

from app.domain.ids import mask_id
from app.domain.paper import PostingReport
from app.domain.records import UserInfo
from app.services.desk import Desk
from printing.reports import render_report
from tests.core.test_receipts import med
from tests.factories import WECHAT, ZHANG, FakeClock
from tests.printing.pdftext import read_pdf


def test_the_posting_lists_payments_through_other_channels(desk: Desk, agent: UserInfo, clock: FakeClock) -> None:
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    day = clock().date()
    report = desk.paper.report("posting", (day, day), today=day)
    assert isinstance(report, PostingReport)
    rows = {r.name: r for r in report.rows}
    assert set(rows) == {ZHANG.name, WECHAT.name}
    assert (rows[ZHANG.name].channel, rows[ZHANG.name].paid_on) == ("现金代收", day)
    other = rows[WECHAT.name]
    assert other.paid_on is None and other.channel and other.channel != "现金代收"
    assert other.amount_fen == 40000  # the medical amount due for the year
    text = "".join(read_pdf(render_report(report)[0]).all.split())
    assert WECHAT.name in text and "税务提供" in text and other.channel in text
    assert mask_id(WECHAT.id_number) in text and WECHAT.id_number not in text
    assert "合计2人次，￥800.00" in text


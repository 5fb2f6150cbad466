"""The 公示 as it goes on the village notice board: its 公示期 dates, the county's 监督举报电话
from the county configuration, and the village committee's seal and date line."""

from __future__ import annotations

import json

import pytest

from app.domain.config import ConfigError, load_config_text
from app.domain.records import UserInfo
from app.services.desk import Desk
from printing.reports import render_report
from tests.core.test_receipts import med
from tests.factories import CONFIG_PATH, ZHANG, FakeClock
from tests.printing.pdftext import read_pdf


def test_posting_period_phone_and_seal(desk: Desk, agent: UserInfo, clock: FakeClock) -> None:
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    day = clock().date()
    text = "".join(read_pdf(render_report(desk.paper.report("posting", (day, day), today=day))[0]).all.split())
    assert "公示期：2026年11月20日至2026年11月26日（共7天）" in text
    assert "监督举报电话：0563-8100000" in text  # resources/demo/county-config.json
    assert "村民委员会（盖章）：" in text and "日期：______年____月____日" in text


@pytest.mark.parametrize(("contacts", "message"), [
    ({"report_phone": "请拨打领导手机"}, "paper.report_phone"),
    ({"verify_url": "javascript:alert(1)"}, "paper.verify_url"),
    ({"posting_days": 0}, "公示期应为 1–60 天"),
])
def test_county_contacts_are_checked_when_the_configuration_is_read(contacts: dict[str, object], message: str) -> None:
    data = json.loads(CONFIG_PATH.read_text(encoding="utf-8"))
    data["paper"] = contacts
    with pytest.raises(ConfigError, match=message):
        load_config_text(json.dumps(data, ensure_ascii=False))

"""The public receipt-check page names the county's 监督举报电话 (003 第三十二条) where it tells a
payer to report: the number from the county configuration the server holds."""

from __future__ import annotations

import httpx

from sync.server import service
from tests.factories import CONFIG_PATH
from tests.server.conftest import Server


def test_the_receipt_check_page_names_the_report_phone(server: Server) -> None:
    with httpx.Client(base_url=server.base) as http:
        before = http.get("/receipt", params={"no": "X-1", "code": "0" * 12}).text
        with server.session() as s:
            service.load_config(s, CONFIG_PATH.read_text(encoding="utf-8"))
        after = http.get("/receipt", params={"no": "X-1", "code": "0" * 12}).text
    assert "请拨打公示上的监督举报电话" in before
    assert "如有疑问请拨打监督举报电话 0563-8100000" in after

"""What the county's checks found is in front of staff: in the overview page (Debian's chromium,
headless, against a real server on loopback) a village's refused upload and its county flags are
counted in its row and read, with their reasons, on a click."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from app.domain.receipt_numbers import format_receipt_number
from sync.server import service
from tests.core.test_receipts import med
from tests.factories import ZHANG, FakeClock
from tests.server.conftest import Server
from tests.server.redteam.attack import B, chained, forged_receipt, journal, send
from tests.server.redteam.conftest import Village

SHOTS = Path(__file__).resolve().parents[3] / "build" / "screenshots"


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:  # one server, on SQLite: the page is the same on both
    yield str(tmp_path / "county.sqlite3")


def _b_number(data: dict[str, Any]) -> None:
    data["number"], data["village_code"] = format_receipt_number(B, 1, data["receipt_seq"]), B


def test_staff_read_refusals_and_county_flags_on_the_overview(
        server: Server, browser: webdriver.Chrome, village_b: Village,  # noqa: F811
        village_c: Village, clock: FakeClock) -> None:
    c, b = village_c, village_b
    c.desk.receipts.record(c.agent, [med(ZHANG)], cash_fen=40000)
    assert send(server, c.client, c.device_id, chained(forged_receipt(journal(c.desk), _b_number))).status_code == 422
    c.desk.settlements.settle(clock().date(), agent=c.agent, head=c.head, counted_fen=40000)
    b.desk.receipts.record(b.agent, [med(ZHANG)], cash_fen=40000)
    b.desk.settlements.settle(clock().date(), agent=b.agent, head=b.head, counted_fen=40000)
    assert b.client.run().sent and c.client.run().sent  # ZHANG paid in both villages
    with server.session() as s:
        service.add_staff(s, "县社保", "county", "county-pass-1", None)
    browser.get(server.base + "/overview")
    browser.find_element(By.ID, "name").send_keys("县社保")
    browser.find_element(By.ID, "password").send_keys("county-pass-1")
    browser.find_element(By.CSS_SELECTOR, "#login button").click()
    WebDriverWait(browser, 10).until(ec.presence_of_element_located((By.CSS_SELECTOR, "tr.village")))
    rows = {tr.get_attribute("data-code"): tr for tr in browser.find_elements(By.CSS_SELECTOR, "tr.village")}
    for village, forks in ((c.code, "0（拒收 1）"), (b.code, "0")):
        cells = rows[village].find_elements(By.TAG_NAME, "td")
        # 疑点 (its title names the county's flag among the review's) and 分叉 (with the refused upload)
        assert "县级核对：两村重复缴费 1" in (cells[10].get_attribute("title") or ""), village
        assert cells[11].text == forks, village
    browser.find_element(By.CSS_SELECTOR, f"tr.village[data-code='{c.code}']").click()
    WebDriverWait(browser, 10).until(ec.text_to_be_present_in_element((By.ID, "devices"), "被县里拒收的上传（1 次）"))
    shown = browser.find_element(By.ID, "devices").text
    assert "县级核对疑点（1 条）" in shown and "张三丰" in shown and f"在村 {b.code}" in shown
    assert "不是本机的收据号" in shown and "只能开自己村、自己设备号的收据" in shown
    heading = browser.find_element(By.XPATH, "//h4[starts-with(., '县级核对疑点')]")
    browser.execute_script("arguments[0].scrollIntoView()", heading)
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SHOTS / "redteam-overview-refusals.png"))

"""The 月度统计 page on the county server (issues 24/25), in Debian's headless chromium against a
real server on loopback with no internet: a county officer picks a township and a month (the
benefit year follows the month), reads the township's counts and 续费率 as worked out by hand,
and exports the same as an xlsx; a township account sees its own township only, and another
township's export is refused."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
from openpyxl import load_workbook
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from app.domain.insurance import Insurance
from app.domain.records import UserInfo
from app.services.desk import Desk
from app.services.receipts import LineRequest
from sync import protocol as p
from sync.server import service
from sync.server.progress_targets import load_places
from tests.factories import (
    POOR,
    ZHANG_MOTHER,
    FakeClock,
)
from tests.server.conftest import Server
from tests.server.test_doubt_pages import db_url, shot, sign_in, wait_text  # noqa: F401 - fixtures
from tests.server.test_monthly_api import load_two_years
from tests.server.test_review_api import sign_in as api_sign_in
from tests.server.test_sync_flow import enrol


def cells(browser: webdriver.Chrome, table: str) -> list[list[str]]:  # noqa: F811
    return [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
            for tr in browser.find_elements(By.CSS_SELECTOR, f"#{table} tbody tr")]


def test_a_townships_month_on_the_page_and_in_its_xlsx(server: Server, browser: webdriver.Chrome,  # noqa: F811
                                                       desk: Desk, agent: UserInfo, head: UserInfo,
                                                       clock: FakeClock, tmp_path: Path) -> None:
    client = enrol(desk, server)
    with server.session() as s:
        load_two_years(s, tmp_path)
        load_places(s, [["341824100", "城关镇"], ["341824200", "河口镇"], ["341824100201", "城关村"]])
        service.add_staff(s, "县社保", "county", "county-pass-1", None)
        service.add_staff(s, "城关镇", "township", "township-pass", "341824100")
    desk.receipts.record(agent, [LineRequest(POOR.id_number, Insurance.PENSION, 2027, tier_fen=50000)], cash_fen=30000)
    desk.receipts.record(agent, [LineRequest(ZHANG_MOTHER.id_number, Insurance.MEDICAL, 2027)], cash_fen=12000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=42000)
    client.run()

    # -- the county: a township and a month picked; the benefit year follows the month --
    sign_in(browser, server.base, "县社保", "county-pass-1")
    browser.find_element(By.ID, "to-monthly").click()
    wait_text(browser, "who", "已登录：县社保")
    WebDriverWait(browser, 10).until(lambda b: len(Select(b.find_element(By.ID, "township")).options) == 2)
    township = Select(browser.find_element(By.ID, "township"))
    assert [o.text for o in township.options] == ["城关镇（341824100）", "河口镇（341824200）"]
    township.select_by_visible_text("城关镇（341824100）")
    browser.execute_script("const m = document.getElementById('month'); m.value = '2026-11';"
                           "m.dispatchEvent(new Event('change'))")
    assert browser.find_element(By.ID, "year").get_attribute("value") == "2027"  # 2026-09-01 to 2027-06-30
    browser.find_element(By.CSS_SELECTOR, "#pick button[type=submit]").click()
    wait_text(browser, "title", "城关镇（341824100）　2026年11月　2027年度　当月缴费 2 人、420.00 元")
    # By hand: 曾特困 300 of the 500 tier (特困 200 by the state), 王䶮 120 of the medical 400 (低保 280).
    tiers = cells(browser, "tiers")
    assert ["养老 500元档", "1", "300.00", "1", "300.00"] in tiers and ["医疗", "1", "120.00", "1", "120.00"] in tiers
    assert tiers[-1] == ["合计", "2", "420.00", "", "420.00"]
    assert cells(browser, "subsidies")[-1][:4] == ["合计", "", "", "480.00"]
    assert browser.find_element(By.ID, "special-counts").text == "特困 1 人（已缴或代缴 1，未缴 0）；低保 1 人（已缴或代缴 1，未缴 0）"
    specials = browser.find_element(By.ID, "specials").text
    assert POOR.name in specials and POOR.id_number not in specials  # masked
    # 续费率: 16–44 李秀英 paid last year, not yet this year; 45–59 曾特困 paid both.
    assert cells(browser, "renewal") == [["16–44岁", "1", "0", "0.0%", "70%"], ["45–59岁", "1", "1", "100.0%", "100%"]]
    assert "below" in browser.find_element(By.CSS_SELECTOR, "#renewal tbody tr td:nth-child(4)").get_attribute("class")
    shot(browser, "monthly-county.png")
    browser.find_element(By.ID, "xlsx").click()
    wait_text(browser, "notice", "已导出 月度统计-341824100-2026-11-2027年度.xlsx")

    with httpx.Client(base_url=server.base) as http:  # the export holds what the page shows
        county = api_sign_in(http, "县社保", "county-pass-1")
        answer = http.get(f"{p.API}/staff/monthly/341824100.xlsx", params={"month": "2026-11", "year": 2027},
                          headers=county)
        book = load_workbook(io.BytesIO(answer.content))
        first = [list(r) for r in book["各档次缴费"].iter_rows(values_only=True)]
        assert first[0][0] == "城关镇2026年11月两险缴费统计（2027年度）"
        assert ["养老 500元档", 1, 300.0, 1, 300.0] in first and first[-1][:3] == ["合计", 2, 420.0]
        assert [list(r) for r in book["续费率"].iter_rows(min_row=3, values_only=True)] == [
            ["16–44岁", 1, 0, "0.0%", "70%"], ["45–59岁", 1, 1, "100.0%", "100%"]]
        town = api_sign_in(http, "城关镇", "township-pass")
        refused = http.get(f"{p.API}/staff/monthly/341824200.xlsx", params={"month": "2026-11", "year": 2027},
                           headers=town)
        assert refused.status_code == 404 and "管辖" in refused.json()["message"]
        assert http.get(f"{p.API}/staff/places", headers=town).json()["townships"] == {"341824100": "城关镇"}

    # -- the township: its own only, the choice fixed --
    browser.find_element(By.ID, "logout").click()
    WebDriverWait(browser, 10).until(ec.url_to_be(server.base + "/"))
    sign_in(browser, server.base, "城关镇", "township-pass")
    browser.find_element(By.ID, "to-monthly").click()
    WebDriverWait(browser, 10).until(lambda b: len(Select(b.find_element(By.ID, "township")).options) == 1)
    assert not browser.find_element(By.ID, "township").is_enabled()
    browser.execute_script("document.getElementById('month').value = '2026-11'")
    browser.find_element(By.CSS_SELECTOR, "#pick button[type=submit]").click()
    wait_text(browser, "title", "城关镇（341824100）　2026年11月")
    shot(browser, "monthly-township.png")

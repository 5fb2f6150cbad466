"""The county overview page in Debian's chromium, headless, against a real server on loopback:
a county officer signs in, sees one row per village with what it collected, settled, remitted
and had confirmed, clicks a village and reads its flags and sample. Text a village typed is
shown as text, never run as markup."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from app.domain.records import UserInfo
from app.services.desk import Desk
from sync import protocol as p
from sync.server import models as m
from sync.server import service
from sync.server.county_view import local_text
from tests.core.test_receipts import med
from tests.factories import ZHANG, ZHANG_WIFE, FakeClock
from tests.server.conftest import Server
from tests.server.test_progress import build_county
from tests.server.test_sync_flow import enrol


@pytest.fixture(autouse=True)
def county_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server reviews as of its own date; the tests' desk works in November 2026."""
    monkeypatch.setattr("sync.server.routers.staff._today", lambda: date(2026, 11, 25))


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:  # the page's test needs one server, on SQLite
    yield str(tmp_path / "county.sqlite3")


def synced_day_with_a_marked_up_void(desk: Desk, server: Server, agent: UserInfo, head: UserInfo,
                                     clock: FakeClock) -> None:
    """A settled day uploaded: one receipt kept, one voided with a reason written as HTML and
    script (a page must show it as text)."""
    client = enrol(desk, server)
    wrong = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.receipts.void(wrong.number, reason="<b>收错了人</b><script>alert(1)</script>", agent=agent, head=head)
    desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    client.run()


def test_a_county_officer_signs_in_and_reads_a_villages_flags(server: Server, browser: webdriver.Chrome,
                                                              desk: Desk, agent: UserInfo, head: UserInfo,
                                                              clock: FakeClock, tmp_path: Path) -> None:
    synced_day_with_a_marked_up_void(desk, server, agent, head, clock)
    with server.session() as s:
        service.issue_enrolment_code(s, "341824100202", 1)
        service.add_staff(s, "县社保", "county", "county-pass-1", None)
    browser.get(server.base + "/overview")
    browser.find_element(By.ID, "name").send_keys("县社保")
    browser.find_element(By.ID, "password").send_keys("wrong-pass")
    browser.find_element(By.CSS_SELECTOR, "#login button").click()
    WebDriverWait(browser, 10).until(ec.text_to_be_present_in_element((By.ID, "error"), "用户名或密码不对"))
    password = browser.find_element(By.ID, "password")
    password.clear()
    password.send_keys("county-pass-1")
    browser.find_element(By.CSS_SELECTOR, "#login button").click()
    WebDriverWait(browser, 10).until(ec.presence_of_element_located((By.CSS_SELECTOR, "tr.village")))
    rows = browser.find_elements(By.CSS_SELECTOR, "#villages tbody tr")
    cells = [[td.text for td in row.find_elements(By.TAG_NAME, "td")] for row in rows]
    ours = next(c for c in cells if c[1] == "341824100201")
    # 村代码, 设备, 收据, 实收, 已日结, 已解缴, 已入库, 日结未解缴, 疑点, 分叉
    assert ours[3:12] == ["1", "2", "400.00", "400.00", "0.00", "0.00", "400.00", "2", "0"], ours
    assert next(c for c in cells if c[1] == "341824100202")[12] == "从未同步"
    assert cells[-1][0] == "合计" and cells[-1][5] == "400.00"
    browser.find_element(By.CSS_SELECTOR, "tr.village[data-code='341824100201']").click()
    WebDriverWait(browser, 10).until(ec.text_to_be_present_in_element((By.ID, "devices"), "疑点数据（2 条）"))
    devices = browser.find_element(By.ID, "devices").text
    assert "<b>收错了人</b><script>alert(1)</script>" in devices  # shown as typed, not run
    assert "随机抽查（共 2 张，抽取 1 张" in devices
    seed = browser.find_element(By.ID, "seed")
    seed.clear()
    seed.send_keys("13579")
    browser.find_element(By.CSS_SELECTOR, "#reseed button").click()
    WebDriverWait(browser, 10).until(ec.text_to_be_present_in_element((By.ID, "devices"), "种子 13579"))
    browser.save_screenshot(str(tmp_path / "overview.png"))


def test_the_overview_shows_names_subtotals_local_times_and_exports_the_same(
        server: Server, browser: webdriver.Chrome, desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock,
        tmp_path: Path) -> None:
    build_county(server, desk, agent, head, clock, tmp_path)
    browser.get(server.base + "/overview")
    browser.find_element(By.ID, "name").send_keys("县社保")
    browser.find_element(By.ID, "password").send_keys("county-pass-1")
    browser.find_element(By.CSS_SELECTOR, "#login button").click()
    WebDriverWait(browser, 10).until(ec.presence_of_element_located((By.CSS_SELECTOR, "#progress tbody tr")))
    for field, value in (("year", "2027"), ("from", "2026-11-01"), ("to", "2026-11-30")):
        browser.execute_script("document.getElementById(arguments[0]).value = arguments[1]", field, value)
    browser.find_element(By.CSS_SELECTOR, "#period button[type=submit]").click()
    WebDriverWait(browser, 10).until(ec.text_to_be_present_in_element((By.ID, "period-said"), "本期自 2026-11-01"))
    money = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
             for tr in browser.find_elements(By.CSS_SELECTOR, "#villages tbody tr")]
    assert [(r[0], r[2]) for r in money] == [("上庄镇", "示范村"), ("上庄镇", "石门村"), ("上庄镇", "乡镇小计"),
                                             ("瀛洲镇", "龙川村"), ("瀛洲镇", "乡镇小计"), ("合计", "")]
    with server.session() as s:
        seen = s.get(m.Device, "341824100201-01").last_seen_at  # type: ignore[union-attr]
    assert money[0][12] == local_text(seen)  # Beijing time, not UTC
    assert money[0][15] == "900.00" and "超过解缴双限" in money[0][16]  # the desk's own word on its cash
    progress = {tr.get_attribute("data-code") or tr.find_elements(By.TAG_NAME, "td")[0].text:
                [td.text for td in tr.find_elements(By.TAG_NAME, "td")]
                for tr in browser.find_elements(By.CSS_SELECTOR, "#progress tbody tr")}
    with httpx.Client(base_url=server.base, timeout=30) as http:
        token = http.post(f"{p.API}/staff/login", json={"name": "县社保", "password": "county-pass-1"}).json()["token"]
        xlsx = http.get(f"{p.API}/staff/progress.xlsx?year=2027&from=2026-11-01&to=2026-11-30",
                        headers={"Authorization": f"Bearer {token}"}).content
    rows = list(load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True))
    sheet = {row[1] or row[0]: dict(zip(rows[2], row, strict=True)) for row in rows[3:]}
    for code in ("341824100201", "341824100202", "341824200301", "全县"):
        page, book = progress[code if code != "全县" else "合计"], sheet[code]
        # 应缴, 已缴, 政府代缴, 未缴, 完成率 of each insurance, as the page shows them and the file says
        assert [page[2], page[3], page[5], page[6], page[8]] == [
            str(book["养老应缴"]), str(book["养老已缴"]), str(book["养老政府代缴"]), str(book["养老未缴"]), book["养老完成率"]]
        assert [page[10], page[11], page[13], page[14], page[16]] == [
            str(book["医疗应缴"]), str(book["医疗已缴"]), str(book["医疗政府代缴"]), str(book["医疗未缴"]), book["医疗完成率"]]
    assert progress["341824100201"][16] == "40.0%" and progress["合计"][10] == "11"
    browser.find_element(By.ID, "export-xlsx").click()  # the page fetches them with the session's token
    WebDriverWait(browser, 10).until(ec.text_to_be_present_in_element((By.ID, "notice"), ".xlsx"))
    browser.find_element(By.ID, "export-pdf").click()
    WebDriverWait(browser, 10).until(ec.text_to_be_present_in_element((By.ID, "notice"), ".pdf"))
    assert browser.find_element(By.ID, "notice").text.startswith("已导出 progress-2027-2026-11-01-2026-11-30")
    assert browser.find_element(By.ID, "error").text == ""
    browser.set_window_size(2000, 1150)
    browser.save_screenshot(str(tmp_path / "progress.png"))


def test_a_province_lists_its_townships_first_and_a_townships_villages_when_opened(
        server: Server, browser: webdriver.Chrome, desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock,
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Over LIST_UP_TO villages (a province: 20,000) the first load lists townships only; the
    figures of the subtotals and the total are those of the full list; a click on a township
    lists its villages above its subtotal, in both tables."""
    build_county(server, desk, agent, head, clock, tmp_path)
    with httpx.Client(base_url=server.base, timeout=30) as http:
        token = http.post(f"{p.API}/staff/login", json={"name": "县社保", "password": "county-pass-1"}).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        full = http.get(f"{p.API}/staff/progress?year=2027", headers=auth).json()
        monkeypatch.setattr("sync.server.county_view.LIST_UP_TO", 2)  # three villages: a "province"
        first = http.get(f"{p.API}/staff/progress?year=2027", headers=auth)
        town = http.get(f"{p.API}/staff/progress?year=2027&township=341824100", headers=auth).json()
        unknown = http.get(f"{p.API}/staff/progress?year=2027&township=341824999", headers=auth)
        town_token = http.post(f"{p.API}/staff/login", json={"name": "上庄", "password": "town-pass-1"}).json()["token"]
        other = http.get(f"{p.API}/staff/progress?year=2027&township=341824200",
                         headers={"Authorization": f"Bearer {town_token}"})
    view = first.json()
    assert view["villages"] == [] and not view["villages_listed"] and view["village_count"] == 3
    assert view["townships"] == full["townships"] and view["county"] == full["county"]
    assert "progress;dur=" in first.headers["Server-Timing"]
    assert [v["code"] for v in town["villages"]] == ["341824100201", "341824100202"]
    assert town["villages"] == full["villages"][:2] and town["county"]["progress"] == full["townships"][0]["progress"]
    assert unknown.status_code == 404 and unknown.json()["code"] == "no_township"
    assert other.status_code == 404 and other.json()["code"] == "no_township"  # not its township

    browser.get(server.base + "/overview")
    browser.find_element(By.ID, "name").send_keys("县社保")
    browser.find_element(By.ID, "password").send_keys("county-pass-1")
    browser.find_element(By.CSS_SELECTOR, "#login button").click()
    WebDriverWait(browser, 10).until(ec.presence_of_element_located((By.CSS_SELECTOR, "#progress tbody tr")))
    assert "先列出各乡镇小计" in browser.find_element(By.ID, "who").text

    def labels(table: str) -> list[tuple[str, str]]:
        return [(tds[0].text, tds[1].text if table == "progress" else tds[2].text)
                for tr in browser.find_elements(By.CSS_SELECTOR, f"#{table} tbody tr")
                if (tds := tr.find_elements(By.TAG_NAME, "td"))]

    assert labels("villages") == [("上庄镇", "乡镇小计"), ("瀛洲镇", "乡镇小计"), ("合计", "")]
    browser.find_element(By.CSS_SELECTOR, "#villages tr[data-township='341824100']").click()
    WebDriverWait(browser, 10).until(ec.presence_of_element_located((By.CSS_SELECTOR, "#villages tr[data-code]")))
    assert labels("villages") == [("上庄镇", "示范村"), ("上庄镇", "石门村"), ("上庄镇", "乡镇小计"),
                                  ("瀛洲镇", "乡镇小计"), ("合计", "")]
    assert labels("progress") == [("上庄镇", "示范村"), ("上庄镇", "石门村"), ("上庄镇", "乡镇小计"),
                                  ("瀛洲镇", "乡镇小计"), ("合计", "")]
    browser.find_element(By.CSS_SELECTOR, "#villages tr[data-township='341824100']").click()  # once only
    assert len(browser.find_elements(By.CSS_SELECTOR, "#villages tr[data-code]")) == 2
    assert browser.find_element(By.ID, "error").text == ""
    browser.set_window_size(2000, 900)
    browser.save_screenshot(str(tmp_path / "province.png"))
    Path("/tmp/i24").mkdir(exist_ok=True)
    browser.save_screenshot("/tmp/i24/province.png")

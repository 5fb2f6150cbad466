"""The pages a county officer and a township reviewer open (issue 24), in Debian's headless
chromium against a real server on loopback, with every name but 127.0.0.1 unresolvable (no
internet): `/` signs in and leads to the overview and the 疑点 page; the county pushes a village's
疑点 and draws from them by a seed; the township answers one and attaches a scanned page; logout
is there on each page; /docs draws Swagger UI from the server's own files; /receipt with no code
is a form. Screenshots are saved in the test's folder."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from app.domain.records import UserInfo
from app.services.desk import Desk
from sync.server import service
from sync.server.progress_targets import load_places
from tests.factories import FakeClock
from tests.server.conftest import Server
from tests.server.test_overview_page import synced_day_with_a_marked_up_void


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:  # the pages need one server, on SQLite
    yield str(tmp_path / "county.sqlite3")


@pytest.fixture(autouse=True)
def county_day(monkeypatch: pytest.MonkeyPatch) -> None:
    moment = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 10:00 in the county
    monkeypatch.setattr("sync.server.doubts.clock", lambda: moment)
    monkeypatch.setattr("sync.server.routers.staff._today", lambda: moment.date())


def wait_text(browser: webdriver.Chrome, element_id: str, text: str) -> None:
    WebDriverWait(browser, 10).until(ec.text_to_be_present_in_element((By.ID, element_id), text))


def shot(browser: webdriver.Chrome, name: str) -> None:
    """The whole page, into the test's folder (pytest --basetemp=DIR keeps them to look at)."""
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1366, min(max(int(height) + 140, 700), 3000))  # the window less its frame
    browser.execute_script("window.scrollTo(0, 0)")
    browser.save_screenshot(str(Path(browser.capabilities["chrome"]["userDataDir"]).parent / name))


def sign_in(browser: webdriver.Chrome, base: str, name: str, password: str) -> None:
    browser.get(base + "/")
    browser.find_element(By.ID, "name").send_keys(name)
    browser.find_element(By.ID, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "#login button").click()
    wait_text(browser, "who", "已登录：" + name)


def fill(browser: webdriver.Chrome, element_id: str, text: str) -> WebElement:
    element = browser.find_element(By.ID, element_id)
    element.clear()
    element.send_keys(text)
    return element


def test_sign_in_push_draw_answer_and_log_out_in_a_browser(server: Server, browser: webdriver.Chrome, desk: Desk,
                                                          agent: UserInfo, head: UserInfo, clock: FakeClock,
                                                          tmp_path: Path) -> None:
    synced_day_with_a_marked_up_void(desk, server, agent, head, clock)
    with server.session() as s:
        service.add_staff(s, "县社保", "county", "county-pass-1", None)
        service.add_staff(s, "城关镇", "township", "township-pass", "341824100")
        load_places(s, [["341824100", "城关镇"], ["341824100201", "城关村"]])
    for path in ("/", "/doubts", "/monthly", "/docs", "/static/staff.js", "/static/staff.css"):  # nothing from elsewhere
        assert "://" not in httpx.get(server.base + path).text.replace("http://www.w3.org", "")
    # One sign-in script and stylesheet for every staff page, kept by the browser a day.
    js = httpx.get(server.base + "/static/staff.js")
    assert js.headers["content-type"].startswith("text/javascript") and "async signIn" in js.text
    assert js.headers["cache-control"] == "public, max-age=86400"
    assert httpx.get(server.base + "/static/staff.js", headers={"If-None-Match": js.headers["etag"]}).status_code == 304
    assert httpx.get(server.base + "/static/other.js").status_code == 422
    for path in ("/", "/overview", "/doubts", "/monthly"):
        page = httpx.get(server.base + path).text
        assert '<script src="/static/staff.js?v=' in page and '<link rel="stylesheet" href="/static/staff.css?v=' in page
        assert "/api/v1/staff/login" not in page and "font-family" not in page  # no copy of the shared parts

    # -- the county: / signs in, the menu leads to the 疑点 page; push and draw there --
    browser.get(server.base + "/")
    shot(browser, "signin.png")
    sign_in(browser, server.base, "县社保", "county-pass-1")
    assert browser.find_element(By.ID, "to-overview").is_displayed()
    browser.find_element(By.ID, "to-doubts").click()
    wait_text(browser, "list-title", "2026 年推送的疑点（0 条")
    fill(browser, "push-village", "341824100201")
    browser.find_element(By.CSS_SELECTOR, "#find-form button").click()
    wait_text(browser, "notice", "可推送")
    assert "<b>收错了人</b><script>alert(1)</script>" in browser.find_element(By.ID, "candidates").text
    picked = len(browser.find_elements(By.CSS_SELECTOR, "#candidates input:checked"))
    browser.find_element(By.ID, "push-picked").click()
    wait_text(browser, "notice", f"已推送 {picked} 条疑点，答复期限 2026-12-10")
    wait_text(browser, "list-title", f"（{picked} 条")
    fill(browser, "seed", "2468")
    browser.find_element(By.CSS_SELECTOR, "#draw-form button").click()
    wait_text(browser, "notice", "已抽查，种子 2468")
    wait_text(browser, "draws", "一致")
    fill(browser, "sp-town", "341824100")
    browser.execute_script("document.getElementById('sp-on').value = '2026-11-03'")
    fill(browser, "sp-summary", "抽查十个村的现金收缴")
    browser.find_element(By.CSS_SELECTOR, "#special-form button").click()
    wait_text(browser, "specials", "抽查十个村的现金收缴")
    wait_text(browser, "short", "专项检查不足两次的乡镇：城关镇（341824100）（1 次）")
    listed = browser.find_element(By.ID, "list").text
    assert "城关镇（341824100）" in listed and "城关村（341824100201）" in listed
    browser.find_element(By.ID, "pdf").click()
    wait_text(browser, "notice", "已导出 疑点核查报告-2026.pdf")
    shot(browser, "doubts-county.png")
    browser.find_element(By.ID, "logout").click()
    WebDriverWait(browser, 10).until(ec.visibility_of_element_located((By.ID, "login")))
    assert browser.execute_script("return sessionStorage.getItem('token')") is None

    # -- the township: its 疑点, one answered with a scanned page --
    sign_in(browser, server.base, "城关镇", "township-pass")
    browser.find_element(By.ID, "to-doubts").click()
    wait_text(browser, "list-title", f"（{picked} 条")
    assert browser.find_element(By.ID, "county").is_displayed() is False
    browser.find_element(By.XPATH, "//tr[contains(@class,'pick')][td[4][contains(., '作废')]]").click()
    wait_text(browser, "detail-title", "作废")
    Select(browser.find_element(By.ID, "verdict")).select_by_visible_text("已整改")
    fill(browser, "by", "赵审核")
    fill(browser, "note", "已退回多收的钱")
    browser.find_element(By.CSS_SELECTOR, "#answer-form button").click()
    wait_text(browser, "detail-title", "按时答复")
    scan = tmp_path / "自查报告.pdf"
    scan.write_bytes(b"%PDF-1.4\n% scanned\n%%EOF\n")
    browser.find_element(By.ID, "file").send_keys(str(scan))
    browser.find_element(By.CSS_SELECTOR, "#attach-form button").click()
    wait_text(browser, "detail-body", "下载 自查报告.pdf")
    assert "已整改　赵审核　2026-11-25（网页）" in browser.find_element(By.ID, "list").text
    assert "2026-11-25 10:00" in browser.find_element(By.ID, "detail-body").text  # the county's time
    shot(browser, "doubts-township.png")
    browser.find_element(By.ID, "logout").click()
    WebDriverWait(browser, 10).until(ec.url_to_be(server.base + "/"))


def test_docs_work_offline_and_the_receipt_page_asks_for_a_code(server: Server, browser: webdriver.Chrome) -> None:
    browser.get(server.base + "/docs")
    WebDriverWait(browser, 20).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".swagger-ui .info .title")))
    assert "Daishou county server" in browser.find_element(By.CSS_SELECTOR, ".swagger-ui .info .title").text
    WebDriverWait(browser, 10).until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".swagger-ui"),
                                                                       "/api/v1/staff/doubts/push"))
    shot(browser, "docs-offline.png")
    browser.get(server.base + "/redoc")
    WebDriverWait(browser, 20).until(ec.text_to_be_present_in_element((By.TAG_NAME, "body"), "Daishou county server"))
    browser.set_window_size(1366, 700)
    browser.get(server.base + "/receipt")
    browser.find_element(By.NAME, "no").send_keys("341824100201-01-000001")
    browser.find_element(By.NAME, "code").send_keys("000000000000")
    shot(browser, "receipt-form.png")
    browser.find_element(By.CSS_SELECTOR, "form button").click()
    # The form is a GET to a new page: wait for that page before reading its body (read while the
    # old one is torn down, chromium answered "Node ... does not belong to the document").
    WebDriverWait(browser, 10).until(ec.url_contains("code=000000000000"))
    WebDriverWait(browser, 10).until(ec.text_to_be_present_in_element((By.TAG_NAME, "body"), "县级服务器没有这张收据"))

"""The staff page's sign-out and password change, in Debian's chromium against a real server on
loopback: the officer changes the password, signs out, and the old session and password are
refused while the new password signs in."""

from __future__ import annotations

from pathlib import Path

import httpx
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from sync import protocol as p
from sync.server import service
from tests.server.conftest import Server
from tests.server.test_overview_page import db_url  # noqa: F401 - fixture: one SQLite server


def sign_in(browser: webdriver.Chrome, password: str) -> None:  # noqa: F811
    name = browser.find_element(By.ID, "name")
    name.clear()
    name.send_keys("县社保")
    field = browser.find_element(By.ID, "password")
    field.clear()
    field.send_keys(password + Keys.ENTER)


def test_the_officer_changes_the_password_and_signs_out_from_the_page(
        server: Server, browser: webdriver.Chrome, tmp_path: Path) -> None:  # noqa: F811
    with server.session() as s:
        service.add_staff(s, "县社保", "county", "county-pass-1", None)
    browser.get(server.base + "/overview")
    sign_in(browser, "county-pass-1")
    WebDriverWait(browser, 10).until(ec.text_to_be_present_in_element((By.ID, "who"), "已登录：县社保"))
    token = browser.execute_script("return sessionStorage.getItem('token')")
    # 修改密码 opens from the keyboard: Tab to the summary, Enter, then the form.
    logout = browser.find_element(By.ID, "logout")
    assert "Alt+Q" in logout.text
    logout.send_keys(Keys.TAB)
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    WebDriverWait(browser, 5).until(ec.visibility_of_element_located((By.ID, "old-password")))
    browser.find_element(By.ID, "old-password").send_keys("county-pass-1")
    browser.find_element(By.ID, "new-password").send_keys("county-pass-2" + Keys.ENTER)
    WebDriverWait(browser, 10).until(ec.text_to_be_present_in_element((By.ID, "notice"), "密码已修改"))
    browser.save_screenshot(str(tmp_path / "password-changed.png"))
    logout.click()
    WebDriverWait(browser, 10).until(ec.visibility_of_element_located((By.ID, "login")))
    assert browser.find_element(By.ID, "notice").text == "已退出登录"
    assert not browser.find_element(By.ID, "overview").is_displayed()
    assert browser.execute_script("return sessionStorage.getItem('token')") is None
    browser.save_screenshot(str(tmp_path / "signed-out.png"))
    with httpx.Client(base_url=server.base) as http:  # the session is over on the server too
        assert http.get(f"{p.API}/staff/villages", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    sign_in(browser, "county-pass-1")
    WebDriverWait(browser, 10).until(ec.text_to_be_present_in_element((By.ID, "error"), "用户名或密码不对"))
    sign_in(browser, "county-pass-2")
    WebDriverWait(browser, 10).until(ec.text_to_be_present_in_element((By.ID, "who"), "已登录：县社保"))

"""The web page end to end in headless Chromium: a streamed answer with figures, citations
and a chart; the proposal approved from the queue by another user; the audit view."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from tests.api.conftest import Service, make_service

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
if not (CHROMIUM and DRIVER):
    pytest.skip("chromium and chromedriver are not installed", allow_module_level=True)
webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import (  # noqa: E402
    NoSuchElementException,
    StaleElementReferenceException,
)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Service, str]]:
    svc = make_service(tmp_path / "ws")
    port = free_port()
    config = uvicorn.Config(svc.client.app, host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield svc, f"http://127.0.0.1:{port}"
    finally:
        uv.should_exit = True
        thread.join(10)


@pytest.fixture
def browser() -> Iterator[object]:
    from selenium.webdriver.chrome.service import Service as DriverService

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,900",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=DriverService(DRIVER), options=options)
    driver.set_page_load_timeout(20)
    try:
        yield driver
    finally:
        driver.quit()


def use_key(driver, key: str) -> None:
    field = driver.find_element(By.ID, "api-key")
    field.clear()
    field.send_keys(key)
    driver.execute_script("document.getElementById('api-key').dispatchEvent(new Event('change'))")


def test_chat_approve_and_audit_in_the_browser(server: tuple[Service, str], browser) -> None:
    svc, url = server
    driver, wait = browser, WebDriverWait(browser, 15)
    driver.get(url + "/")
    use_key(driver, "key-ann")
    wait.until(ec.text_to_be_present_in_element((By.ID, "me"), "ann (analyst)"))

    driver.find_element(By.ID, "question").send_keys("cash in 13 weeks?\n")
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".msg.assistant[data-state=done]")))
    answer = driver.find_element(By.CSS_SELECTOR, ".msg.assistant")
    assert "1,234,567 USD" in answer.find_element(By.CSS_SELECTOR, ".text").text
    assert "Expected closing cash" in answer.find_element(By.CSS_SELECTOR, ".figures").text
    assert "Treasury policy" in answer.find_element(By.CSS_SELECTOR, ".citations").text
    img = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, ".chart img"))
    wait.until(lambda d: d.execute_script("return arguments[0].naturalWidth", img) > 100)

    driver.find_element(By.ID, "question").send_keys("pay 5000\n")
    wait.until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, ".msg.assistant[data-state=done]")) == 2
    )
    assert "Proposal P-" in driver.find_elements(By.CSS_SELECTOR, ".proposal-inline")[0].text

    use_key(driver, "key-bob")
    wait.until(ec.text_to_be_present_in_element((By.ID, "me"), "bob (approver)"))
    driver.find_element(By.CSS_SELECTOR, "nav button[data-view=proposals]").click()

    def click_approve(d) -> bool:  # the table re-renders while it loads: retry stale rows
        try:
            d.find_element(By.CSS_SELECTOR, "#proposals button.approve").click()
            return True
        except (NoSuchElementException, StaleElementReferenceException):
            return False

    wait.until(click_approve)
    wait.until(ec.text_to_be_present_in_element((By.ID, "proposal-note"), "executed"))
    assert len(svc.assistant.executions) == 1

    driver.find_element(By.CSS_SELECTOR, "nav button[data-view=audit]").click()
    wait.until(ec.text_to_be_present_in_element((By.ID, "audit-verify"), "Chain intact"))
    read = "return [...document.querySelectorAll('#audit td.event')].map(e => e.textContent)"
    wait.until(lambda d: d.execute_script(read)[:3] == ["execute", "execute_claim", "approve"])
    assert driver.execute_script(read)[-1] == "propose"

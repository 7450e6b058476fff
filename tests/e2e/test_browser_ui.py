"""A fact-checker's path in a real browser: the verify-article Custom run form, a run, its verdict table."""

import shutil
import time

import httpx
import pytest

from tests.conftest import SAMPLE_ARTICLE
from tests.e2e.conftest import wait_for

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = [
    pytest.mark.skipif(
        not (CHROMIUM and CHROMEDRIVER), reason="chromium and chromedriver are not installed (.ci/run installs them)"
    ),
    pytest.mark.skipif(not SAMPLE_ARTICLE.exists(), reason="sample article not available"),
]


@pytest.fixture
def browser(tmp_path, served):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-dev-shm-usage",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1400,2200",
        f"--user-data-dir={tmp_path / 'chrome'}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.save_screenshot(str(served["logs"] / "last-page.png"))
    driver.quit()


def _element(driver, xpath: str, timeout: float = 60):
    from selenium.webdriver.common.by import By

    return wait_for(lambda: next(iter(driver.find_elements(By.XPATH, xpath)), None), timeout, xpath)


def test_launch_verify_article_from_the_ui_and_read_the_verdict_table(served, browser):
    api, ui = served["api"], served["ui"]
    deployment = httpx.get(f"{api}/deployments/name/verify-article/sanad", timeout=10).json()

    browser.get(f"{ui}/deployments/deployment/{deployment['id']}/run")
    text_box = _element(browser, "(//*[normalize-space(text())='Article text']/following::textarea)[1]")
    browser.execute_script(
        "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
        text_box,
        SAMPLE_ARTICLE.read_text(encoding="utf-8"),
    )
    _element(browser, "//button[@type='submit' and normalize-space()='Submit']").click()

    run_id = wait_for(
        lambda: (
            browser.current_url.split("/runs/flow-run/")[1].split("?")[0]
            if "/runs/flow-run/" in browser.current_url
            else None
        ),
        60,
        "the flow run page",
    )

    def finished():
        state = httpx.get(f"{api}/flow_runs/{run_id}", timeout=10).json()["state"]["type"]
        return state if state in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") else None

    assert wait_for(finished, 600, "the verify-article run to finish") == "COMPLETED"
    browser.refresh()
    _element(browser, "//*[normalize-space(text())='Completed']", 60)

    browser.get(f"{ui}/runs/flow-run/{run_id}?tab=Artifacts")
    _element(browser, "//*[contains(normalize-space(.), 'verdict-table')][not(*)]").click()
    header = _element(browser, "//th[contains(normalize-space(.), 'verdict')] | //*[@role='columnheader']", 60)
    assert header is not None
    time.sleep(1)
    page = browser.page_source
    assert "confidence" in page
    assert any(label in page for label in ("supported", "disputed", "unverified"))

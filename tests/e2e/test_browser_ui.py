"""A fact-checker's path in a real browser: the verify-article Custom run form, a run, its verdict table."""

import shutil

import pytest
from selenium.webdriver.common.by import By

from tests.support.prefect_api import api_json, wait_for
from tests.support.shared import SAMPLE_ARTICLE

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
    return wait_for(lambda: next(iter(driver.find_elements(By.XPATH, xpath)), None), timeout, xpath)


def test_launch_verify_article_from_the_ui_and_read_the_verdict_table(served, browser):
    api, ui = served["api"], served["ui"]
    deployment = api_json("GET", f"{api}/deployments/name/verify-article/sanad")

    browser.get(f"{ui}/deployments/deployment/{deployment['id']}/run")
    text_box = _element(browser, "(//*[contains(text(), 'Article text')]/following::textarea)[1]")
    browser.execute_script(
        "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
        text_box,
        SAMPLE_ARTICLE.read_text(encoding="utf-8"),
    )
    _element(browser, "//button[@type='submit' and normalize-space()='Submit']").click()

    def submitted_run():
        runs = api_json(
            "POST",
            f"{api}/flow_runs/filter",
            json={"deployments": {"id": {"any_": [deployment["id"]]}}, "sort": "EXPECTED_START_TIME_DESC"},
        )
        return runs[0]["id"] if runs else None

    run_id = wait_for(submitted_run, 60, "the submitted flow run")
    _element(browser, f"//a[contains(@href, '{run_id}')]", 60)  # the UI lists the new run

    def finished():
        state = api_json("GET", f"{api}/flow_runs/{run_id}")["state"]["type"]
        return state if state in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") else None

    assert wait_for(finished, 600, "the verify-article run to finish") == "COMPLETED"
    browser.get(f"{ui}/runs/flow-run/{run_id}")
    _element(browser, "//*[normalize-space(text())='Completed']", 60)

    _element(browser, "//li[@id='artifacts']").click()  # the run page's Artifacts tab
    _element(browser, "//*[contains(@class, 'artifact-card__title')][normalize-space()='verdict-table']").click()
    headers = _element(browser, "//th[normalize-space()='confidence']/..", 60).text
    assert "verdict" in headers and "top source" in headers
    cells = [cell.text for cell in browser.find_elements(By.XPATH, "//td")]
    assert any(cell.startswith(("SUPPORTED", "DISPUTED", "UNVERIFIED")) for cell in cells), cells

"""A fact-checker's path in a real browser: the verify-article Custom run form, a run that pauses for review, the
review form on the run's page, then the reviews in `sanad report` and its HTML page, and the verdict table."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.support.prefect_api import SANAD, api_json, wait_for
from tests.support.shared import SAMPLE_ARTICLE

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
# where to save the screenshots of the review form and the report that docs/ shows (unset: none are saved)
SCREENSHOTS = Path(os.environ["SANAD_SCREENSHOTS"]) if os.environ.get("SANAD_SCREENSHOTS") else None
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


def _launch_sample_article(browser, api: str, ui: str) -> str:
    """Fill the verify-article deployment's Custom run form with the sample article, submit; the new run's id."""
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
    return run_id


def _state(api: str, run_id: str) -> str:
    return api_json("GET", f"{api}/flow_runs/{run_id}")["state"]["type"]


def _type(browser, field, text: str) -> None:
    browser.execute_script(
        "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
        field,
        text,
    )


def _sanad(served, *args: str) -> str:
    done = subprocess.run([str(SANAD), *args], env=served["env"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_launch_from_the_ui_review_two_claims_in_the_pause_form_and_find_the_reviews(served, browser, tmp_path):
    api, ui = served["api"], served["ui"]
    run_id = _launch_sample_article(browser, api, ui)
    assert wait_for(lambda: _state(api, run_id) == "PAUSED", 600, "the run to pause for review")  # the deployment's
    scored = {row["claim_id"]: row for row in json.loads(_sanad(served, "report", "--run", run_id, "--format", "json"))}
    assert len(scored) >= 2 and not any(row["review_rating"] for row in scored.values())

    browser.get(f"{ui}/runs/flow-run/{run_id}")
    _element(browser, "//button[normalize-space()='Resume']").click()
    _element(browser, "//*[contains(text(), 'Review these verdicts')]")  # the form's description lists each claim
    _type(browser, _element(browser, "(//*[contains(text(), 'Your name')]/following::textarea)[1]"), "Rania")
    for number, rating, note in (
        (1, "misleading", "The visit was in 2019."),
        (2, "true", "Confirmed by the UN panel."),
    ):
        label = f"//*[starts-with(concat(normalize-space(text()), ' '), 'Note on claim {number} ')]"  # not claim 10
        Select(_element(browser, f"({label}/preceding::select[option[@value='{rating}']])[last()]")).select_by_value(
            rating
        )
        _type(browser, _element(browser, f"({label}/following::textarea)[1]"), note)
    if SCREENSHOTS:
        browser.save_screenshot(str(SCREENSHOTS / "review-form.png"))
    _element(browser, "//button[normalize-space()='Submit']").click()

    finished = wait_for(
        lambda: _state(api, run_id) in ("COMPLETED", "FAILED", "CRASHED") and _state(api, run_id),
        180,
        "the run to finish",
    )
    assert finished == "COMPLETED"
    rows = json.loads(_sanad(served, "report", "--run", run_id, "--format", "json"))
    reviews = [(row["review_rating"], row["reviewer"], row["review_note"]) for row in rows if row["review_rating"]]
    assert reviews == [
        ("misleading", "Rania", "The visit was in 2019."),
        ("true", "Rania", "Confirmed by the UN panel."),
    ]

    page = tmp_path / "report.html"
    _sanad(served, "report", "--run", run_id, "--format", "html", "--out", str(page))
    browser.get(page.as_uri())
    reviewed = browser.find_elements(By.XPATH, "//div[@class='review']")
    assert len(reviewed) == 2 and all("Rania" in review.text for review in reviewed)
    first_claim_rating = browser.find_elements(By.XPATH, "//article[1]//span[contains(@class, 'rating')]")[0].text
    assert first_claim_rating in ("مضلِّل", "Misleading")  # in the claim's language
    if SCREENSHOTS:
        browser.save_screenshot(str(SCREENSHOTS / "report.png"))

    browser.get(f"{ui}/runs/flow-run/{run_id}")
    _element(browser, "//li[@id='artifacts']").click()  # the run page's Artifacts tab
    _element(browser, "//*[contains(@class, 'artifact-card__title')][normalize-space()='verdict-table']").click()
    headers = _element(browser, "//th[normalize-space()='confidence']/..", 60).text
    assert "verdict" in headers and "top source" in headers
    cells = [cell.text for cell in browser.find_elements(By.XPATH, "//td")]
    assert any(cell.startswith(("SUPPORTED", "DISPUTED", "UNVERIFIED")) for cell in cells), cells

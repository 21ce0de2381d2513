"""The HTML report in a real headless browser: Debian's chromium, driven by selenium.

Installs nothing: CI installs ``chromium`` and ``chromium-driver`` with apt-get.
Without them this test fails (it does not skip): the report's filters are only
proven by a browser running them.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement

from redline.batch.reader import ReadCounts, RowError
from redline.batch.report import write_report
from tests.screenshots import screenshot_dir

from .conftest import sample_verdicts

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1400",
)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not path.is_file():
            pytest.fail(
                f"{path} not found: install Debian's browser and driver with "
                f"'apt-get install -y chromium chromium-driver' (missing: {package})"
            )
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path: selenium never looks for (or downloads) a driver.
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def visible_ids(driver: webdriver.Chrome) -> list[str]:
    rows = driver.find_elements(By.CSS_SELECTOR, "#rows tbody tr")
    return [r.find_element(By.CSS_SELECTOR, ".row-id").text for r in rows if r.is_displayed()]


def bar_width(driver: webdriver.Chrome, rect: WebElement) -> float:
    return float(driver.execute_script("return arguments[0].getBBox().width;", rect))


def test_report_renders_charts_and_filters(browser: webdriver.Chrome, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    write_report(
        report,
        sample_verdicts(),
        input_file="orders-q3.csv",
        list_versions={"us_ofac_sdn": "2025-01-01", "eu_fsf": "2024-12-30"},
        counts=ReadCounts(rows_in=6, rows_out=5, errors=1, blank=0),
        errors=[RowError(7, "R6", "no party name in any role: column 'buyer_name' is empty", {})],
        generated_at=dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
    )
    driver = browser
    driver.get(report.as_uri())

    # It renders: title and counts.
    assert driver.title == "redline screening report: orders-q3.csv"
    assert driver.find_element(By.ID, "count-in").text == "6"
    assert driver.find_element(By.ID, "count-out").text == "5"
    assert driver.find_element(By.ID, "count-errors").text == "1"
    assert driver.find_element(By.ID, "count-block").text == "2"
    assert driver.find_element(By.ID, "shown").text == "5"
    assert (
        "rows in: 6 = rows out: 5 + rows in error file: 1"
        in driver.find_element(By.ID, "reconcile").text
    )

    # The hostile party name is shown as text and never ran.
    assert driver.execute_script("return window.__pwned === undefined;") is True
    assert "<script>window.__pwned = 1</script>" in driver.find_element(By.ID, "rows").text

    # Four charts, each drawn with bars of real width.
    charts = driver.find_elements(By.CSS_SELECTOR, "figure.chart svg")
    assert len(charts) == 4
    for chart in charts:
        rects = chart.find_elements(By.CSS_SELECTOR, "rect.seg")
        assert rects, chart.get_attribute("aria-label")
        assert all(bar_width(driver, r) > 0 for r in rects)
    risk_rects = driver.find_elements(By.CSS_SELECTOR, "#chart-risk rect.seg")
    assert [r.get_attribute("class") for r in risk_rects] == [
        "seg seg-block",
        "seg seg-review",
        "seg seg-clear",
    ]

    # Typing in the filter box hides the rows that do not match.
    box = driver.find_element(By.ID, "filter")
    box.send_keys("kolibri")
    assert visible_ids(driver) == ["R2"]
    assert driver.find_element(By.ID, "shown").text == "1"
    box.clear()
    box.send_keys("chpl tier")  # every word must match, anywhere in the row
    assert visible_ids(driver) == ["R1", "R2"]
    box.clear()
    box.send_keys(" ")  # an input event with an empty filter
    assert visible_ids(driver) == ["R1", "R2", "R3", "R4", "R5"]

    # The 'block' button shows only block rows; 'all' shows them all again.
    driver.find_element(By.CSS_SELECTOR, "button[data-risk='block']").click()
    assert visible_ids(driver) == ["R1", "R4"]
    assert (
        driver.find_element(By.CSS_SELECTOR, "button[data-risk='block']").get_attribute(
            "aria-pressed"
        )
        == "true"
    )
    box.send_keys("acme")  # text and risk filters combine
    assert visible_ids(driver) == ["R1"]
    box.clear()
    box.send_keys(" ")
    driver.find_element(By.CSS_SELECTOR, "button[data-risk='all']").click()
    assert len(visible_ids(driver)) == 5

    # Clicking a chart bar filters on it; the chip clears it.
    driver.find_element(By.CSS_SELECTOR, "#chart-rule g.bar[data-value='route.diversion']").click()
    assert visible_ids(driver) == ["R2"]
    chip = driver.find_element(By.ID, "chart-filter")
    assert chip.is_displayed() and "rule: route.diversion" in chip.text
    driver.find_element(By.ID, "chart-filter-clear").click()
    assert len(visible_ids(driver)) == 5
    assert not chip.is_displayed()

    # No script errors, no blocked resources.
    severe = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    assert severe == []

    box.clear()  # the placeholder shows in the screenshot
    driver.execute_script("window.scrollTo(0, 0);")
    shot = tmp_path / "report.png"
    assert driver.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    kept = screenshot_dir(tmp_path) / "report.png"
    if kept != shot:
        shutil.copyfile(shot, kept)

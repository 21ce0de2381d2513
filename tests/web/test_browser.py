"""The workspace in a real browser: Playwright driving Debian's chromium (headless).

Nothing is downloaded: the browser is ``/usr/bin/chromium`` (CI installs it with
apt-get); without it this test fails, it does not skip.  The app is served by
uvicorn over a copy of the real lists, with the session screener.

Screenshots of the main pages are taken as ``workspace-*.png``, into
``docs/screenshots`` with ``make screenshots`` (:mod:`tests.screenshots`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.screenshots import screenshot_dir
from tests.web.conftest import PASSWORD, MakeWorkspace, Workspace
from tests.web.server import serving

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SHIPMENTS = ROOT / "examples" / "shipments.csv"
LISTED = "Vladimir Putin"


@pytest.fixture(scope="module")
def site(make_workspace: MakeWorkspace) -> Iterator[tuple[Workspace, str]]:
    workspace = make_workspace()
    with serving(workspace.app) as url:
        yield workspace, url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} not found: apt-get install -y chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        )
        yield browser
        browser.close()


_SCRATCH: list[Path] = []


@pytest.fixture(scope="module", autouse=True)
def _scratch(tmp_path_factory: pytest.TempPathFactory) -> None:
    _SCRATCH[:] = [tmp_path_factory.mktemp("screenshots")]


def shot(page: Page, name: str, *, full_page: bool = True) -> None:
    path = screenshot_dir(_SCRATCH[0]) / f"workspace-{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    assert path.stat().st_size > 5_000, f"{name}: an empty screenshot"


def logged_in(browser: Browser, url: str, username: str, screenshot: bool = False) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{url}/web/alerts")  # not logged in: sent to the login page
    expect(page).to_have_url(re.compile(r"/web/login\?next="))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    if screenshot:
        shot(page, "login")
    page.click("button[type=submit]")
    expect(page.locator("#who")).to_contain_text(username)
    expect(page).to_have_url(re.compile(r"/web/alerts$"))
    return page


def screen(page: Page, url: str, name: str) -> None:
    page.goto(f"{url}/web/screen")
    page.fill("input[name=name]", name)
    page.select_option("select[name=schema]", "Person")
    page.click("#screen-form button[type=submit]")
    expect(page.locator("#results-title")).to_be_visible()


def open_alert(page: Page, url: str, alert_id: int) -> None:
    page.goto(f"{url}/web/alerts/{alert_id}")
    expect(page.locator("h1")).to_contain_text(f"Alert {alert_id}")


def test_wrong_password_is_refused(site: tuple[Workspace, str], browser: Browser) -> None:
    _workspace, url = site
    page = browser.new_page()
    page.goto(f"{url}/web/login")
    page.fill("input[name=username]", "ana")
    page.fill("input[name=password]", "not the password")
    page.click("button[type=submit]")
    expect(page.locator(".error")).to_contain_text("wrong password")
    page.context.close()


def test_review_workflow(site: tuple[Workspace, str], browser: Browser) -> None:
    workspace, url = site
    queue = workspace.records.alerts

    # Analyst A (alice) screens a listed name: hits with their explanation, alerts raised.
    alice = logged_in(browser, url, "alice", screenshot=True)
    screen(alice, url, LISTED)
    hits = alice.locator("li.hit")
    expect(hits.first).to_contain_text("PUTIN")
    expect(hits.first.locator("table.pairs")).to_contain_text("putin")
    expect(hits.first.locator(".badge")).to_have_text("match")
    shot(alice, "screening")
    raised = queue.list_alerts(origin="workspace")
    assert {a.source for a in raised} >= {"us_ofac_sdn", "gb_hmt"}
    ofac = next(a for a in raised if a.source == "us_ofac_sdn")
    hmt = next(a for a in raised if a.source == "gb_hmt")

    # The entity page: names with their scripts, programmes, source, history.
    alice.locator(f"li.hit[data-entity='{hmt.entity_id}'] a.caption").click()
    expect(alice.locator("#names")).to_contain_text("Cyrillic")
    expect(alice.locator("#history")).to_contain_text("appeared")
    shot(alice, "entity")

    # The queue, filtered.
    alice.goto(f"{url}/web/alerts?status=open&origin=workspace")
    expect(alice.locator("#alerts")).to_contain_text("us_ofac_sdn")
    shot(alice, "alerts")

    # A decides a true match; a missing reason is refused first.
    open_alert(alice, url, ofac.id)
    alice.check("input[value=true_match]")
    alice.click("#decide-form button[type=submit]")
    expect(alice.locator("#error")).to_contain_text("reason is required")
    alice.check("input[value=true_match]")
    alice.fill("textarea[name=reason]", "Same name, birth date and nationality as the listing.")
    alice.click("#decide-form button[type=submit]")
    expect(alice.locator("#message")).to_contain_text("decision is recorded")
    expect(alice.locator("#alert-status")).to_contain_text("pending approval")

    # A cannot approve A's own decision: refused, visibly.
    alice.click("#approve-form button[value=approve]")
    expect(alice.locator("#error")).to_contain_text("someone else must review it")
    shot(alice, "alert-refused")
    assert queue.get(ofac.id).status == "pending_approval"

    # B approves: the alert closes as a true match.
    bert = logged_in(browser, url, "bert")
    open_alert(bert, url, ofac.id)
    bert.fill("textarea[name=reason]", "Checked the listing: agreed.")
    bert.click("#approve-form button[value=approve]")
    expect(bert.locator("#message")).to_contain_text("approved")
    expect(bert.locator("#alert-status")).to_contain_text("closed: true match")
    expect(bert.locator("#history")).to_contain_text("approve")
    shot(bert, "alert-decision")

    # Another alert cleared as a false positive (a match-level one: approved by B) ...
    ana = logged_in(browser, url, "ana")
    open_alert(ana, url, hmt.id)
    ana.check("input[value=false_positive]")
    ana.fill("textarea[name=reason]", "Test party: a namesake, not the listed person.")
    ana.click("#decide-form button[type=submit]")
    expect(ana.locator("#message")).to_be_visible()
    open_alert(bert, url, hmt.id)
    bert.click("#approve-form button[value=approve]")
    expect(bert.locator("#alert-status")).to_contain_text("false positive")

    # ... is remembered: screening the same name again raises no alert for that entity
    # and the hit is left out, while the true match is alerted again.
    before = len(queue.list_alerts(entity_id=hmt.entity_id))
    screen(ana, url, LISTED)
    expect(ana.locator(f"li.hit[data-entity='{ofac.entity_id}']")).to_have_count(1)
    expect(ana.locator(f"li.hit[data-entity='{hmt.entity_id}']")).to_have_count(0)
    assert len(queue.list_alerts(entity_id=hmt.entity_id)) == before
    assert len(queue.list_alerts(entity_id=ofac.entity_id)) == 2


def test_batch_upload_progress_and_report(site: tuple[Workspace, str], browser: Browser) -> None:
    workspace, url = site
    page = logged_in(browser, url, "ana")
    page.goto(f"{url}/web/batches")
    page.set_input_files("input[name=file]", str(SHIPMENTS))
    page.click("#upload-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/web/batches/[0-9T-]+[0-9a-f]+$"))
    # The progress script reloads the page when the batch is done.
    expect(page.locator("#batch-status")).to_have_text("done", timeout=60_000)
    expect(page.locator("#batch-files")).to_contain_text("results.csv")
    expect(page.locator("#batch-files")).to_contain_text("errors.csv")  # 3 malformed rows
    expect(page.locator("#batch-rows")).to_contain_text("/ 297")
    shot(page, "batch")
    href = page.locator("#report-link").get_attribute("href")
    assert href is not None
    page.goto(url + href)
    expect(page.locator("body")).to_contain_text("shipments.csv")
    shot(page, "batch-report", full_page=False)  # the whole report is megabytes
    alerts = workspace.records.alerts.list_alerts(origin="batch", limit=1000)
    assert alerts, "party hits of the batch must become alerts"
    page.goto(f"{url}/web/alerts?origin=batch")
    expect(page.locator("#alerts tbody tr").first).to_contain_text("batch")

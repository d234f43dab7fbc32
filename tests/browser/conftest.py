"""Playwright against Debian's chromium (never a downloaded browser) and axe-core for WCAG 2.2 AA.

Locally a missing browser skips these tests with the reason; with REQUIRE_BROWSER=1 (set by .ci/run)
a missing browser fails the run instead, so CI can never pass without them."""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model

from tests.factories import otp_code

User = get_user_model()

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
# (fixtures building data) are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(autouse=True)
def _migration_data(migration_data):
    """Browser tests need a live server, so they run in transactional tests (see tests/conftest.py)."""


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda msg: "Content Security Policy" in msg.text and refused.append(msg.text))
    page.csp_refused = refused  # type: ignore[attr-defined]  # read by assert_accessible
    yield page
    context.close()
    assert refused == [], "the Content Security Policy refused something the page needs"


@pytest.fixture
def assert_accessible():
    """assert_accessible(page): axe-core finds no WCAG 2.2 A/AA violation on the page as shown."""
    axe = Axe()

    def check(page):
        before = len(page.csp_refused)
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
        # axe's own injected script sets inline styles while it measures some widgets (the admin's date
        # fields): the policy refuses those, which is the policy working, not the page needing them.
        del page.csp_refused[before:]
        assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"

    return check


def sign_in(page, username, password="test-password-123"):
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code from your authenticator app").fill(otp_code(User.objects.get(username=username)))
    page.get_by_role("button", name="Continue").click()


def fill_contact(page, day, time: str, notes: str) -> None:
    """Fill the Log a contact form: a phone call on ``day`` at ``time`` with ``notes``."""
    date_group = page.get_by_role("group", name="Date of contact")
    date_group.get_by_label("Day").fill(str(day.day))
    date_group.get_by_label("Month").fill(str(day.month))
    date_group.get_by_label("Year").fill(str(day.year))
    page.get_by_label("Time").fill(time)
    page.get_by_label("Phone call").check()
    page.get_by_label("Notes").fill(notes)

"""
A real Chromium, driven by Playwright, against the site served by pytest-django's live server.

The browser is Debian's chromium (`apt-get install chromium`); `MIA_CHROMIUM` points elsewhere.
Without it these tests are skipped, unless `MIA_REQUIRE_BROWSER=1` (as in CI) makes that a failure.
"""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop in this thread; the ORM calls in tests are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("MIA_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(os.environ.get("MIA_SCREENSHOTS", "var/screenshots"))


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}; install it with `apt-get install chromium`."
        if os.environ.get("MIA_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh Danish-speaking browser tab whose relative URLs go to the live server."""
    context = browser.new_context(
        base_url=live_server.url, locale="da-DK", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.outside_requests = []
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith((live_server.url, "data:"))
            else page.outside_requests.append(request.url)
        ),
    )
    yield page
    context.close()


@pytest.fixture
def screenshot(page, request):
    """Save a full-page screenshot under var/screenshots/, named after the test."""

    def take(name=""):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{request.node.name}{'-' + name if name else ''}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return take

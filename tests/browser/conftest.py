"""Playwright driving Debian's chromium (never a downloaded browser) against pytest-django's live server.

axe-core comes from the npm devDependency and is injected into each page; every page visited must
report 0 violations.

The Content-Security-Policy is enforced (no bypass_csp): the pages must work under the production
policy, and any CSP violation the browser reports fails the test. axe-core is evaluated through the
DevTools protocol (page.evaluate), which the page's CSP does not govern, so no nonce, no
'unsafe-inline' and no bypass are needed for it; `add_script_tag` would insert an inline <script>
that the policy rightly blocks.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures are safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

# Assertions wait as long as actions do. CI runs the SQLite and PostgreSQL suites side by side on two
# cores, and a form post can wait behind the other suite's heaviest test (PySpark's JVM, the 1,000-case
# demo) for well over ten seconds; a passing test never waits this long.
BROWSER_TIMEOUT_MS = 45_000
expect.set_options(timeout=BROWSER_TIMEOUT_MS)

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"Debian's chromium is needed at {CHROMIUM} (apt-get install chromium)"
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def watch_csp(page: Page) -> list[str]:
    """Collect the browser's Content-Security-Policy complaints for this page."""
    found: list[str] = []
    page.on("console", lambda msg: found.append(msg.text) if "Content Security Policy" in msg.text else None)
    return found


@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, locale="nb-NO")
    pg = context.new_page()
    pg.set_default_timeout(BROWSER_TIMEOUT_MS)
    violations = watch_csp(pg)
    yield pg
    context.close()
    assert violations == [], violations


def axe_violations(page: Page) -> list[dict]:
    """Run axe-core (WCAG 2.0/2.1 A and AA rules) on the current page (CSP stays enforced)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: " + json.dumps(violations, indent=1)

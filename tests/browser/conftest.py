"""Playwright on Debian's Chromium against Django's live server, with axe-core on every page."""

from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
ARTIFACTS = Path(__file__).parent / "artifacts"
VIEWPORTS = [(1366, 768), (768, 1024)]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--lang=pl-PL",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "pl-PL", "viewport": {"width": 1366, "height": 768}}


class Checker:
    """Runs the checks every page gets: axe-core, no sideways scrolling, no CSP violations.

    ``settle``: what the page waits for before the checks. "networkidle" (half a second of quiet
    after loading) catches content fetched after the load; a test of server-rendered pages only
    may set "load" to save that half second on every page.
    """

    settle = "networkidle"

    def __init__(self, page, live_server):
        self.page = page
        self.base = live_server.url
        self.console_errors = []
        page.on("console", self._console)
        self.visited = []

    def _console(self, message):
        if message.type == "error":
            self.console_errors.append(message.text)

    def url(self, path):
        return self.base + path

    def check(self, name, admin=False):
        """``admin``: a page of Django's admin, whose layout is Django's own (no h1 rule)."""
        page = self.page
        page.wait_for_load_state(self.settle)
        if not admin:
            assert page.locator("h1").count() == 1, f"{name}: not exactly one h1"
        page.add_script_tag(url=self.url("/static/axe.min.js"))
        violations = page.evaluate(
            """async () => {
                const result = await axe.run(document, {resultTypes: ['violations']});
                return result.violations
                    .filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => v.id + ': ' + v.help + ' — ' + v.nodes.slice(0, 3)
                        .map(n => n.target.join(' ')).join(', '));
            }"""
        )
        assert not violations, f"{name}: axe found {violations}"
        size = page.viewport_size
        for width, height in VIEWPORTS:
            page.set_viewport_size({"width": width, "height": height})
            scrolls = page.evaluate(
                "document.documentElement.scrollWidth > document.documentElement.clientWidth"
            )
            assert not scrolls, f"{name}: scrolls sideways at {width}x{height}"
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
        page.set_viewport_size(size)
        csp = [text for text in self.console_errors if "Content Security Policy" in text]
        assert not csp, f"{name}: {csp}"
        self.visited.append(name)


@pytest.fixture
def checker(page, live_server):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make test` (it downloads axe-core from npm)")
    return Checker(page, live_server)

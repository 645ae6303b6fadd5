"""Playwright on Debian's Chromium against Django's live server, with axe-core on every page."""

import base64
from pathlib import Path

import pytest

from tests.browser.helpers import load_lazy_parts

# Debian's Chromium, in its headless build when installed (package chromium-headless-shell, the
# same version as chromium; the build Playwright itself runs headless): the same Blink, without
# the full browser's user-interface process, which took a third of the CPU of the browser tests.
HEADLESS_SHELL = Path("/usr/bin/chromium-headless-shell")
CHROMIUM = str(HEADLESS_SHELL) if HEADLESS_SHELL.exists() else "/usr/bin/chromium"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
ARTIFACTS = Path(__file__).parent / "artifacts"
VIEWPORTS = [(1366, 768), (768, 1024)]

# What page.screenshot(full_page=True) does before it captures: hide the caret, wait for the web
# fonts, measure the whole document (Playwright's own formula).
PREPARE_SCREENSHOT = """async () => {
    const carets = [...document.querySelectorAll("input, textarea, [contenteditable]")].map(
        element => [element, element.style.getPropertyValue("caret-color"),
                    element.style.getPropertyPriority("caret-color")]);
    for (const [element] of carets) {
        element.style.setProperty("caret-color", "transparent", "important");
    }
    window.__kisShowCarets = () => {
        for (const [element, value, priority] of carets) {
            element.style.setProperty("caret-color", value, priority);
        }
        delete window.__kisShowCarets;
    };
    await document.fonts.ready;
    const body = document.body, root = document.documentElement;
    return {
        width: Math.max(body.scrollWidth, root.scrollWidth, body.offsetWidth, root.offsetWidth,
                        body.clientWidth, root.clientWidth),
        height: Math.max(body.scrollHeight, root.scrollHeight, body.offsetHeight,
                         root.offsetHeight, body.clientHeight, root.clientHeight),
    };
}"""


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
    # Reduced motion: Bootstrap scrolls smoothly otherwise (``scroll-behavior: smooth`` under
    # ``prefers-reduced-motion: no-preference``), and Playwright waits for every element it
    # clicks, checks or fills below the fold to stop moving: up to a third of a second an action.
    return {
        **browser_context_args,
        "locale": "pl-PL",
        "viewport": {"width": 1366, "height": 768},
        "reduced_motion": "reduce",
    }


class Checker:
    """Runs the checks every page gets: axe-core, no sideways scrolling, no CSP violations.

    ``settle``: what the page waits for before the checks. The pages are rendered on the server
    and fetch nothing after the load but the parts below the fold that load when they come into
    view (``data-lazy``, which the checks scroll to and wait for) and what kis.js fetches on a
    click, so "load" is the page as the user sees it. A test of a page that fetches content after
    loading may set "networkidle" (half a second of quiet after loading, on every page it checks).
    """

    settle = "load"

    def __init__(self, page, live_server):
        self.page = page
        self.base = live_server.url
        self.console_errors = []
        page.on("console", self._console)
        self.visited = []
        self._devtools = None

    def _console(self, message):
        if message.type == "error":
            self.console_errors.append(message.text)

    def url(self, path):
        return self.base + path

    def check(self, name, admin=False):
        """``admin``: a page of Django's admin, whose layout is Django's own (no h1 rule)."""
        page = self.page
        page.wait_for_load_state(self.settle)
        load_lazy_parts(page)
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
            self.screenshot(ARTIFACTS / f"{name}-{width}.png")
        page.set_viewport_size(size)
        csp = [text for text in self.console_errors if "Content Security Policy" in text]
        assert not csp, f"{name}: {csp}"
        self.visited.append(name)

    def screenshot(self, path):
        """The whole page as a PNG: the same pixels as ``page.screenshot(path, full_page=True)``,
        captured by Chromium's DevTools with ``optimizeForSpeed`` (a faster PNG encoding, a
        larger file), which about halves the time of the two screenshots of every check."""
        page = self.page
        if self._devtools is None:
            self._devtools = page.context.new_cdp_session(page)
        document = page.evaluate(PREPARE_SCREENSHOT)
        viewport = page.viewport_size
        beyond = document["width"] > viewport["width"] or document["height"] > viewport["height"]
        try:
            shot = self._devtools.send(
                "Page.captureScreenshot",
                {
                    "format": "png",
                    "optimizeForSpeed": True,
                    "captureBeyondViewport": beyond,
                    "clip": {"x": 0, "y": 0, **document, "scale": 1},
                },
            )
        finally:
            page.evaluate("() => window.__kisShowCarets && window.__kisShowCarets()")
        ARTIFACTS.mkdir(exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))


@pytest.fixture
def checker(page, live_server):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make test` (it downloads axe-core from npm)")
    return Checker(page, live_server)

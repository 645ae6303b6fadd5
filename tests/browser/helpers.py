"""What every browser journey does: log in and out, read a PDF the page serves, move the office
calendar."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import time_machine
from playwright.sync_api import expect

from tests import records


def log_in(checker, username, password="Haslo-testowe-123", *, check_login=True):
    page = checker.page
    page.goto(checker.url("/login/"))
    if check_login:
        checker.check("login")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    expect(page).to_have_url(checker.url("/"))


# Scroll the first part still to load into view, until none is left.
_LOAD_LAZY_PARTS = """() => {
    const part = document.querySelector("[data-lazy]");
    if (part === null) return true;
    part.scrollIntoView({block: "center"});
    return false;
}"""


def load_lazy_parts(page):
    """The parts below the fold load when they come into view (``data-lazy``: htmx with
    ``hx-trigger="revealed"``, such as the panels, notes and timeline of the file): scroll each
    into view and wait until it has arrived."""
    page.wait_for_function(_LOAD_LAZY_PARTS, polling=100)


def log_out(page):
    page.click("header form[action='/logout/'] button")


def pdf_text(response) -> str:
    """The text of a PDF a page served (a Playwright response)."""
    assert response.headers["content-type"] == "application/pdf"
    return records.pdf_text(response.body())


WARSAW = ZoneInfo("Europe/Warsaw")


class Clock:
    """The office calendar: jumps to a day at 9:00 in Warsaw and lets time tick from there (the
    live server sees the travelled time). Jump forward only: the browser keeps its cookies by the
    real clock."""

    def __init__(self):
        self.traveller = None
        self.jumps = 0

    def jump(self, day: date):
        self.stop()
        self.traveller = time_machine.travel(datetime.combine(day, time(9), WARSAW), tick=True)
        self.traveller.start()
        self.jumps += 1

    def stop(self):
        if self.traveller is not None:
            self.traveller.stop()
            self.traveller = None

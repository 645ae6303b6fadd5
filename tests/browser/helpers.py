"""What every browser journey does: log in and out, read a PDF the page serves, move the office
calendar."""

import subprocess
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import time_machine
from playwright.sync_api import expect


def log_in(checker, username, password="Haslo-testowe-123"):
    page = checker.page
    page.goto(checker.url("/login/"))
    checker.check("login")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    expect(page).to_have_url(checker.url("/"))


def log_out(page):
    page.click("header form[action='/logout/'] button")


def pdf_text(response) -> str:
    assert response.headers["content-type"] == "application/pdf"
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.body(), capture_output=True, check=True
    ).stdout.decode()


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

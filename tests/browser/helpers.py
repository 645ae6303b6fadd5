"""What every browser journey does: log in and out, and read a PDF the page serves."""

import subprocess

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

"""Every user-visible string has a Polish translation: makemessages finds nothing missing."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "pl" / "LC_MESSAGES" / "django.po"


@pytest.fixture
def regenerated_po(tmp_path):
    """Runs makemessages on the code as it is, then puts the committed file back."""
    backup = tmp_path / "django.po"
    shutil.copy(PO, backup)
    try:
        result = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "makemessages",
                "-l",
                "pl",
                "--no-obsolete",
                "--ignore",
                ".venv/*",
                "--ignore",
                "tests/*",
                "--ignore",
                "bench/*",
                "--ignore",
                "static/*",
            ],
            cwd=ROOT,
            env={"DEBUG": "true", "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        yield PO.read_text()
    finally:
        shutil.copy(backup, PO)


def msgattrib(*args, text):
    result = subprocess.run(
        ["msgattrib", *args, "-"], input=text, capture_output=True, text=True, check=True
    )
    return result.stdout


def test_no_empty_or_fuzzy_polish_entries(regenerated_po):
    untranslated = msgattrib("--untranslated", "--no-obsolete", text=regenerated_po)
    fuzzy = msgattrib("--only-fuzzy", "--no-obsolete", text=regenerated_po)
    missing = [line for line in untranslated.splitlines() if line.startswith("msgid ")]
    assert not missing, "untranslated: " + "; ".join(missing[:30])
    fuzzy_ids = [line for line in fuzzy.splitlines() if line.startswith("msgid ")]
    assert not [m for m in fuzzy_ids if m != 'msgid ""'], "fuzzy: " + "; ".join(fuzzy_ids[:30])


def test_polish_plural_forms_are_declared():
    text = PO.read_text()
    assert "nplurals=3;" in text
    assert "Language: pl" in text

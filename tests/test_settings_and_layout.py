"""Configuration, security headers, the base layout, strict-CSP-ready pages, the demo data."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x7#kP2!vQ9@mL4$wR8^tY6&uI3*oA1(sD5)fG0-hJ7+kL2=zX9_cV4~bN8|mQ",
    "ALLOWED_HOSTS": "kis.example.pl",
    "DATABASE_URL": "sqlite:////tmp/kis-deploy-check.sqlite3",
}


def run_manage(*args, env):
    return run_python("manage.py", *args, env=env)


def run_python(*args, env):
    base = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DJANGO_SETTINGS_MODULE",
            "SECRET_KEY",
            "DEBUG",
            "ALLOWED_HOSTS",
            "SECURE_SSL_REDIRECT",
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
            "PLAIN_STATIC",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,  # a server that starts instead of failing would otherwise run forever
    )


@pytest.fixture(scope="module")
def collected_static(tmp_path_factory):
    """A STATIC_ROOT filled by collectstatic with the production storage (about 20 s, once)."""
    root = tmp_path_factory.mktemp("static")
    env = {**PRODUCTION_ENV, "STATIC_ROOT": str(root)}
    result = run_manage("collectstatic", "--noinput", "-v0", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return root


def test_deploy_check_passes_with_production_values(collected_static):
    env = {**PRODUCTION_ENV, "STATIC_ROOT": str(collected_static)}
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


STARTS = (
    "import kis_site.wsgi; from django.templatetags.static import static; "
    "print(static('css/kis.css'))"
)
COLLECTSTATIC = "Run `python manage.py collectstatic --noinput`"


def test_production_does_not_start_before_collectstatic(tmp_path, collected_static):
    """Without the manifest every page would answer 500: the start fails and says what to run."""
    env = {**PRODUCTION_ENV, "STATIC_ROOT": str(tmp_path / "empty")}
    started = run_python("-c", STARTS, env=env)  # what gunicorn and runserver do first
    assert started.returncode != 0
    assert "ImproperlyConfigured" in started.stderr and COLLECTSTATIC in started.stderr
    served = run_manage("runserver", "--noreload", "127.0.0.1:8799", env=env)
    assert served.returncode != 0 and COLLECTSTATIC in served.stderr
    check = run_manage("check", "--deploy", env=env)
    assert check.returncode != 0 and "kis.E001" in check.stderr
    # What comes before collectstatic is not blocked by it.
    assert run_manage("migrate", "--plan", env=env).returncode == 0

    env["STATIC_ROOT"] = str(collected_static)
    started = run_python("-c", STARTS, env=env)
    assert started.returncode == 0, started.stderr
    assert re.fullmatch(r"/static/css/kis\.[0-9a-f]{12}\.css", started.stdout.strip())


def test_missing_secret_key_says_what_to_set():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "ImproperlyConfigured" in result.stderr


@pytest.mark.django_db
def test_security_headers(client_for, manager):
    response = client_for(manager).get(reverse("home"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp


@pytest.mark.django_db
def test_pages_have_no_inline_scripts_or_styles(personas, participant, client_for):
    client = client_for(personas["manager"])
    urls = [
        reverse("home"),
        reverse("participants:list"),
        reverse("participants:detail", args=[participant.pk]),
        reverse("participants:edit", args=[participant.pk]),
        reverse("recruitment:list"),
        reverse("recruitment:new"),
        reverse("cohorts:list"),
        reverse("audit-log"),
    ]
    for url in urls:
        html = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"\sstyle=", html), url
        assert not re.search(r"\son[a-z]+=", html), url
        assert '<html lang="pl">' in html


@pytest.mark.django_db
def test_layout_shows_kis_name_person_role_and_only_allowed_navigation(client_for, lawyer):
    html = client_for(lawyer).get(reverse("home")).content.decode()
    assert "Ewa Mazur" in html
    assert "Prawnik" in html
    assert reverse("participants:list") in html
    assert reverse("recruitment:list") not in html
    assert reverse("audit-log") not in html
    assert 'class="visually-hidden-focusable skip-link"' in html


@pytest.mark.django_db
def test_login_page_is_polish():
    from django.test import Client

    html = Client().get(reverse("login")).content.decode()
    assert "Zaloguj się" in html
    assert "Nazwa użytkownika" in html


@pytest.mark.django_db
def test_health_check_is_open(client):
    assert client.get("/health/").json() == {"status": "ok", "database": "ok", "media": "ok"}


@pytest.mark.django_db
def test_reference_data_exists_in_every_database():
    from django.contrib.auth.models import Group

    from kis_site.models import KisSettings
    from kis_site.vocabulary import Role

    assert set(Group.objects.values_list("name", flat=True)) >= {r.group_name for r in Role}
    manager_group = Group.objects.get(name=Role.MANAGER.group_name)
    assert manager_group.permissions.filter(codename="change_kissettings").exists()
    assert KisSettings.load().justified_absence_limit == 4


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_believable():
    from django.contrib.auth import get_user_model

    from participants.models import Application, Cohort, Enrolment, Participant

    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    counts = (Participant.objects.count(), Enrolment.objects.count(), Application.objects.count())
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert counts == (
        Participant.objects.count(),
        Enrolment.objects.count(),
        Application.objects.count(),
    )
    assert Cohort.objects.count() == 2
    assert all(c.enrolments.count() == 30 for c in Cohort.objects.all())
    assert Enrolment.objects.filter(cohort__isnull=True).count() >= 3
    assert Application.objects.filter(decision="pending").exists()
    assert get_user_model().objects.filter(username="case1").exists()
    for participant in Participant.objects.exclude(pesel__isnull=True):
        from stdnum.pl import pesel

        assert pesel.is_valid(participant.pesel)
    _the_demo_tells_a_true_story()


def _the_demo_tells_a_true_story():
    """What a visitor of the demo sees holds together: the active group's sessions began when
    the group did and stay within each module's hours; diagnoses were signed within the month the
    KIS allows, except the newest; the trainer leads sessions this week; monitoring flags only a
    few people; signed documents print."""
    from datetime import timedelta

    from django.db.models import Max, Min, Sum

    from activities.models import Attendance, ProgrammeModule, Session
    from diagnosis.models import DiagnosisKind, DiagnosticReport
    from kis_site import documents
    from kis_site.models import KisSettings
    from participants.models import Cohort, Participant
    from reports.monitoring import monitoring_gaps

    today = timezone.localdate()
    group = Cohort.objects.get(starts_on__lte=today, ends_on__gte=today)
    sessions = Session.objects.filter(module__programme__cohort=group)
    first = sessions.aggregate(first=Min("date"))["first"]
    assert first - group.starts_on < timedelta(days=7)
    for module in ProgrammeModule.objects.filter(programme__cohort=group):
        held = sum(s.hours_per_day for s in sessions.filter(module=module))
        assert held <= module.hours, module.name
    past = sessions.filter(date__lt=today)
    assert Attendance.objects.filter(session__in=past).values("session").distinct().count() == (
        past.count() - 1  # the trainer's last session waits for its attendance
    )
    monday = today - timedelta(days=today.weekday())
    this_week = sessions.filter(date__range=(monday, monday + timedelta(days=6)))
    assert this_week.filter(leader__user__username="trener").exists()

    due = KisSettings.load().diagnosis_due_days
    late = []
    for report in DiagnosticReport.objects.filter(kind=DiagnosisKind.INITIAL):
        signed_on = documents.version_signed_on(documents.current_revision(report))
        if signed_on is None or (signed_on - report.enrolment.starts_on).days > due:
            late.append(report.enrolment.starts_on)
    assert len(late) <= 2 and all(today - start < timedelta(weeks=8) for start in late)
    assert len(monitoring_gaps(Participant.objects.all(), today)) <= 3
    pdf = documents.document_pdf(document=DiagnosticReport.objects.filter(state="locked").first())
    assert pdf.final and pdf.content.startswith(b"%PDF")
    assert Session.objects.aggregate(last=Max("date"))["last"] > today
    assert Attendance.objects.aggregate(hours=Sum("hours"))["hours"] > 1000


def test_migrations_are_complete():
    result = run_manage(
        "makemigrations",
        "--check",
        "--dry-run",
        env={"DEBUG": "true", "DATABASE_URL": "sqlite:////tmp/kis-mig.sqlite3"},
    )
    assert result.returncode == 0, result.stdout + result.stderr

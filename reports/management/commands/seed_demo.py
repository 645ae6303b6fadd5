"""python manage.py seed_demo: a believable club to look around (idempotent)."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from activities.demo import seed_activities
from diagnosis.demo import seed_diagnoses
from ipd.demo import seed_plans
from kis_site.demo import (
    DEMO_PASSWORD,
    DEMO_STAFF,
    relax_two_factor,
    seed_club,
    seed_club_documents,
)
from kis_site.documents import originals_kept_on_first_open
from participants.demo import seed_participants
from partners.demo import seed_network, seed_partners
from reports.demo import seed_change_reports, seed_exits_and_letters, seed_grants


class Command(BaseCommand):
    help = "Creates demo staff for every role, institutions, two cohorts and a waiting list."

    def handle(self, *args, **options):
        today = timezone.localdate()
        # Hundreds of signed documents: each original PDF is rendered when first printed.
        with transaction.atomic(), originals_kept_on_first_open():
            staff = seed_club(today)
            still_required = relax_two_factor()
            seed_club_documents(today, staff["kierownik"].user)
            seed_partners()
            seed_network(today, staff["kierownik"].user)
            seed_participants(today=today, staff=staff)
            seed_diagnoses(today=today, staff=staff)
            seed_activities(today=today, staff=staff)
            seed_plans(today=today, staff=staff)
            seed_change_reports(today=today, staff=staff)
            seed_exits_and_letters(today=today, staff=staff)
            seed_grants(today=today)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Demo logins (password for all: {DEMO_PASSWORD}):")
        )
        for username, first, last, role, *_rest in DEMO_STAFF:
            self.stdout.write(f"  {username:<10} {first} {last} — {role.label}")
        if still_required:
            roles = ", ".join(str(role.label) for role in still_required)
            self.stdout.write(
                f"Two-factor login is required for: {roles} (the manager's decision); those "
                "logins ask for a code from an authenticator app."
            )
        else:
            self.stdout.write(
                "Two-factor login is relaxed for every role in the demo, so no authenticator app "
                "is needed. The manager (kierownik) switches it back on under Moje konto → "
                "Logowanie dwuetapowe ról (/account/two-factor-roles/); a real installation "
                "without demo data requires it."
            )

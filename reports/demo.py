"""Demo change reports: for the active group's people with a signed plan, a report for each month
since the plan (the last one left as a draft for some), ratings moving as people do (Polish)."""

import random
from datetime import date, timedelta

from auditlog.context import set_actor
from django.db import transaction

from ipd.models import ActionPlan
from kis_site.demo import sign_on
from kis_site.documents import document_sign
from kis_site.models import DocumentState, StaffMember
from reports import services
from reports.models import ChangeReport, ChangeSphere, Effect
from reports.months import add_months, first_day

WHAT_CHANGED = [
    "Regularnie uczestniczy w zajęciach i dotrzymuje ustaleń.",
    "Bez zmian: sytuacja stabilna, cele w trakcie realizacji.",
    "Trudniejszy miesiąc: nieobecności i wycofanie z kontaktów.",
]
VIEWS = [
    "Czuję, że idę do przodu, łatwiej mi rozmawiać z ludźmi.",
    "Jest ciężko, ale chcę skończyć kurs.",
    "Pierwszy raz od dawna mam plan na każdy tydzień.",
]


def seed_change_reports(*, today: date, staff: dict[str, StaffMember]) -> None:
    if ChangeReport.objects.exists():
        return
    rng = random.Random(2026)
    plans = ActionPlan.objects.filter(state=DocumentState.LOCKED).select_related(
        "enrolment", "participant__case_manager__user"
    )
    with set_actor(staff["kierownik"].user), transaction.atomic():
        for index, plan in enumerate(plans.order_by("pk")):
            by = (plan.participant.case_manager or staff["kierownik"]).user
            month = first_day(add_months(plan.drawn_up_on, 1))
            last = first_day(add_months(today, -1)) if index % 4 else first_day(today)
            while month <= last:
                report = services.report_start(enrolment=plan.enrolment, period_start=month, by=by)
                for part in ChangeSphere.objects.filter(report=report):
                    if part.previous_rating is None:
                        continue
                    step = rng.choices([-1, 0, 1], weights=[1, 5, 3])[0]
                    part.rating = min(5, max(1, part.previous_rating + step))
                    part.what_changed = WHAT_CHANGED[{1: 0, 0: 1, -1: 2}[step]]
                    part.resources = "Wsparcie rodziny i grupy w KIS."
                    part.participation = "Utrzymuje kontakt z OPS i PUP."
                    services.sphere_save(part=part, expected_version=part.version, by=by)
                report = ChangeReport.objects.get(pk=report.pk)
                report.participant_view = rng.choice(VIEWS)
                report.effects = rng.sample([e.value for e in Effect], 3)
                report.recommendations = "Kontynuować działania zaplanowane w IPD."
                services.report_save(report=report, expected_version=report.version, by=by)
                if month < first_day(today) and plan.participant.case_manager_id:
                    # written up in the first week of the next month
                    day = add_months(month, 1) + timedelta(days=rng.randint(1, 6))
                    sign_on(report, slot_key="case_manager", user=by, day=min(day, today))
                month = add_months(month, 1)


def seed_exits_and_letters(*, today: date, staff: dict[str, StaffMember]) -> None:
    """Exit assessments for most of last year's finishers; letters to the referring institutions:
    the earlier periods sent, the latest left due, a notice for some exits."""
    from participants.models import Enrolment, EnrolmentStatus, ExitOutcome
    from reports import exits, referrers
    from reports.models import ExitAssessment, LetterKind, ReferrerLetter

    if ExitAssessment.objects.exists() or ReferrerLetter.objects.exists():
        return
    rng = random.Random(12)
    manager = staff["kierownik"].user
    effective = set(ExitOutcome.employment_or_education())
    vocational = [Effect.CAREER_PLANNING, Effect.JOB_SEARCH, Effect.LABOUR_MARKET]
    personal = [Effect.MOTIVATION, Effect.OWN_POTENTIAL, Effect.SOCIAL_COMPETENCES, Effect.BONDS]
    closed = Enrolment.objects.filter(status__in=EnrolmentStatus.closed()).select_related(
        "participant__case_manager__user", "application"
    )
    with set_actor(manager), transaction.atomic():
        for index, enrolment in enumerate(closed.order_by("pk")):
            by = (enrolment.participant.case_manager or staff["kierownik"]).user
            if index % 5:  # a few are left for the start page to ask for
                assessment = exits.assessment_for(enrolment, by)
                chosen = rng.sample(personal, 2)
                if enrolment.exit_outcome in effective:
                    chosen += rng.sample(vocational, 2)
                elif enrolment.status == EnrolmentStatus.DROPPED_OUT:
                    chosen = chosen[:1] if index % 2 else []
                assessment.effects = chosen
                assessment.assessed_on = enrolment.ended_on or today
                assessment.notes = "Na podstawie diagnozy końcowej i raportów zmiany."
                exits.assessment_save(assessment=assessment, expected_version=None, by=by)
            if referrers.referrer_of(enrolment) and index % 3 == 0:
                letter = referrers.letter_start(enrolment=enrolment, kind=LetterKind.EXIT, by=by)
                letter.progress = "Uczestnik ukończył program zgodnie z planem."
                letter.save()
                document_sign(document=letter, slot_key="case_manager", user=by)
        open_ones = Enrolment.objects.filter(status=EnrolmentStatus.ACTIVE).select_related(
            "participant__case_manager__user", "application"
        )
        for index, enrolment in enumerate(open_ones.order_by("pk")):
            if referrers.referrer_of(enrolment) is None or not enrolment.participant.case_manager:
                continue
            by = enrolment.participant.case_manager.user
            periods = referrers.progress_periods(enrolment.starts_on, today, 3)
            for start, _end in periods[:-1] if index % 2 else periods:
                letter = referrers.letter_start(
                    enrolment=enrolment, kind=LetterKind.PROGRESS, period_start=start, by=by
                )
                letter.progress = "Uczestniczy regularnie w zajęciach grupowych i konsultacjach."
                letter.save()
                letter = document_sign(document=letter, slot_key="case_manager", user=by)
                ReferrerLetter.objects.filter(pk=letter.pk).update(sent_on=letter.written_on)


def seed_grants(*, today: date) -> None:
    """Grants of last year and this year from the demo's funding sources, for the yearly report."""
    from decimal import Decimal

    from kis_site.models import FundingSource
    from reports.models import GrantSettlement

    if GrantSettlement.objects.exists():
        return
    for index, source in enumerate(FundingSource.objects.order_by("pk")[:3]):
        for year, settled in ((today.year - 1, date(today.year, 1, 25)), (today.year, None)):
            granted = Decimal(60000 - 15000 * index)
            spent = granted - Decimal(1250 * (index + 1)) if settled else granted / 2
            GrantSettlement.objects.create(
                year=year,
                funding_source=source,
                purpose="Prowadzenie zajęć reintegracyjnych KIS",
                granted=granted,
                received=granted,
                spent=spent,
                returned=granted - spent if settled else Decimal(0),
                settled_on=settled,
            )

"""Demo change reports: for the active group's people with a signed plan, a report for each month
since the plan (the last one left as a draft for some), ratings moving as people do (Polish)."""

import random
from datetime import date

from auditlog.context import set_actor
from django.db import transaction

from ipd.models import ActionPlan
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
                    document_sign(document=report, slot_key="case_manager", user=by)
                month = add_months(month, 1)

"""Nobody drops out of monitoring (issue: working week, 9): counted from the enrolment date, a
participation without a signed diagnosis after N days, without a signed plan after M days, or
enrolled individually without a programme, is flagged on the list and the start-page tile."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from diagnosis import services as diagnosis_services
from kis_site.models import DocumentState, KisSettings
from reports.monitoring import NO_DIAGNOSIS, NO_PLAN, NO_PROGRAMME, NO_REPORT, monitoring_gaps
from tests.factories import CohortFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db


def enrolled(case_manager, days_ago, **fields):
    return EnrolmentFactory(
        participant__case_manager=case_manager.staff,
        starts_on=timezone.localdate() - timedelta(days=days_ago),
        **fields,
    )


@time_machine.travel(date(2026, 11, 20), tick=False)
def test_flags_count_from_the_enrolment_date(case_manager, client_for):
    today = timezone.localdate()
    settings = KisSettings.load()
    settings.diagnosis_due_days, settings.plan_due_days = 30, 45
    settings.save()
    cohort = CohortFactory()
    fresh = enrolled(case_manager, 10, cohort=cohort)  # nothing is late yet
    october = enrolled(case_manager, 31, cohort=cohort)  # 20 Oct: not all of October yet
    no_diagnosis = enrolled(case_manager, 35, cohort=cohort)
    no_plan = enrolled(case_manager, 50, cohort=cohort)
    diagnosis = diagnosis_services.report_start(
        enrolment=no_plan, kind="initial", started_on=no_plan.starts_on, by=case_manager
    )
    type(diagnosis).objects.filter(pk=diagnosis.pk).update(state=DocumentState.LOCKED)
    alone = enrolled(case_manager, 40)  # rolling intake, no programme

    gaps = {
        gap.enrolment.pk: gap.missing
        for gap in monitoring_gaps(type(no_plan.participant).objects.all(), today)
    }
    assert fresh.pk not in gaps
    assert october.pk in gaps and NO_REPORT not in gaps[october.pk]
    # Enrolled on 16 October, all of it without a diagnosis: no change report can fall due.
    assert gaps[no_diagnosis.pk] == [NO_DIAGNOSIS]
    assert gaps[no_plan.pk] == [NO_PLAN]  # diagnosed: its reports follow the due rule
    assert gaps[alone.pk] == [NO_DIAGNOSIS, NO_PROGRAMME]
    september = enrolled(case_manager, 80)  # 1 September
    gaps = {
        g.enrolment.pk: g.missing
        for g in monitoring_gaps(type(alone.participant).objects.all(), today)
    }
    assert gaps[september.pk] == [NO_DIAGNOSIS, NO_PLAN, NO_PROGRAMME, NO_REPORT]

    client = client_for(case_manager)
    page = client.get(reverse("reports:monitoring")).content.decode()
    assert "brak podpisanej diagnozy wstępnej" in page
    assert "brak programu (nabór indywidualny)" in page
    home = client.get(reverse("home"))
    tile = next(t for t in home.context["tiles"] if t["url"] == reverse("reports:monitoring"))
    assert tile["count"] == 5
    assert (
        "brak raportu zmian za poprzedni miesiąc"
        in client.get(reverse("reports:monitoring")).content.decode()
    )


def test_other_roles_do_not_keep_the_monitoring_list(psychologist, client_for):
    assert client_for(psychologist).get(reverse("reports:monitoring")).status_code == 403

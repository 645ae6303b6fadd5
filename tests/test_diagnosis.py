"""The diagnostic report: five spheres written in parallel, ratings, tools, Holland, signatures,
what each role sees, and the printed form checked label by label against the template."""

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from diagnosis import services
from diagnosis.models import (
    DiagnosisKind,
    DiagnosticReport,
    HollandResult,
    Job,
    Tool,
    ToolUse,
)
from diagnosis.selectors import spheres_to_fill, waiting_for_signature
from kis_site import documents
from kis_site.locking import ConflictError
from participants import services as participant_services
from participants.models import EnrolmentStatus, ExitOutcome
from tests.factories import EnrolmentFactory
from tests.records import file_panel, pdf_text

pytestmark = pytest.mark.django_db

# The official form, label by label (a copy kept in the repository: it stands alone).
TEMPLATE = Path(__file__).resolve().parent / "data" / "diagnostic-template.md"


@pytest.fixture
def enrolment(participant):
    return EnrolmentFactory(participant=participant)


@pytest.fixture
def report(enrolment, case_manager):
    return services.report_start(
        enrolment=enrolment,
        kind=DiagnosisKind.INITIAL,
        started_on=timezone.localdate(),
        by=case_manager,
    )


def fresh(report):
    return DiagnosticReport.objects.get(pk=report.pk)


def sphere_post(part, **fields):
    """What the sphere form posts: its current values, with ``fields`` changed."""
    data = {"expected_version": part.version, "rating": "", "rating_reason": ""}
    data.update(fields)
    return data


def test_starting_a_diagnosis_opens_five_empty_spheres_and_version_one(report):
    assert report.revision == 1
    for related in ("socio_living", "health", "social", "psychological", "vocational"):
        assert getattr(fresh(report), related).rating is None
    assert documents.current_revision(report).number == 1


def test_one_initial_per_participation_and_the_final_needs_the_initial(report, enrolment, manager):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        services.report_start(
            enrolment=enrolment, kind=DiagnosisKind.INITIAL, started_on=today, by=manager
        )
    assert "kind" in error.value.message_dict
    other = EnrolmentFactory()
    with pytest.raises(ValidationError) as error:
        services.report_start(
            enrolment=other, kind=DiagnosisKind.FINAL, started_on=today, by=manager
        )
    assert "kind" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.report_start(
            enrolment=other,
            kind=DiagnosisKind.INITIAL,
            started_on=today + timedelta(days=3),
            by=manager,
        )
    assert "started_on" in error.value.message_dict


def test_three_specialists_save_their_spheres_in_parallel_without_conflicts(
    report, client_for, social_worker, psychologist, career_advisor
):
    loaded = {user: fresh(report) for user in (social_worker, psychologist, career_advisor)}
    forms = [
        (social_worker, "socio_living", {"institutional_help": "Zasiłek okresowy z OPS."}),
        (psychologist, "health", {"health_state": "Nadciśnienie, leczone."}),
        (
            career_advisor,
            "vocational",
            {"education_level": "basic_vocational", "skills": "Spawanie."},
        ),
    ]
    for user, sphere, fields in forms:
        part = getattr(loaded[user], sphere)
        data = sphere_post(part, **fields)
        if sphere == "socio_living":
            data.update(formset("incomes", [{"kind": "periodic_benefit", "amount": "420.00"}]))
        if sphere == "vocational":
            data.update(formset("jobs", []))
        response = client_for(user).post(
            reverse("diagnosis:sphere", args=[report.pk, sphere]), data
        )
        assert response.status_code == 302, _errors(response)
    report = fresh(report)
    assert report.socio_living.institutional_help == "Zasiłek okresowy z OPS."
    assert report.socio_living.incomes.get().amount == Decimal("420.00")
    assert report.health.health_state == "Nadciśnienie, leczone."
    assert report.vocational.skills == "Spawanie."
    assert report.socio_living.updated_by == social_worker


def _errors(response):
    context = response.context
    found = [context["form"].errors]
    for name in ("incomes", "jobs"):
        if context.get(name) is not None:
            found.append(context[name].errors)
    return found


def formset(prefix, rows, total=None):
    data = {
        f"{prefix}-TOTAL_FORMS": str(total or max(len(rows), 1)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "20",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{index}-{name}"] = value
    return data


def test_the_same_sphere_saved_twice_at_once_gives_the_conflict_page(
    report, client_for, social_worker, case_manager
):
    stale = fresh(report).social
    services.sphere_save(
        part=fresh(report).social, expected_version=stale.version, by=social_worker
    )
    with pytest.raises(ConflictError):
        services.sphere_save(part=stale, expected_version=stale.version, by=case_manager)
    response = client_for(case_manager).post(
        reverse("diagnosis:sphere", args=[report.pk, "social"]),
        sphere_post(stale, family_situation="Mój tekst, którego nie wolno zgubić."),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "kis-conflict" in page
    assert "Mój tekst, którego nie wolno zgubić." in page


def test_a_rating_needs_its_reason_and_stays_within_one_to_five(report, client_for, social_worker):
    url = reverse("diagnosis:sphere", args=[report.pk, "social"])
    part = fresh(report).social
    client = client_for(social_worker)
    response = client.post(url, sphere_post(part, rating="7", rating_reason="x"))
    assert "rating" in response.context["form"].errors
    response = client.post(
        url, sphere_post(part, rating="3", social_relations="Kontakt z siostrą.")
    )
    assert "rating_reason" in response.context["form"].errors
    assert "Kontakt z siostrą." in response.content.decode()  # nothing typed is lost
    response = client.post(
        url,
        sphere_post(
            part,
            rating="3",
            rating_reason="Wsparcie siostry, brak innych relacji.",
            strengths="utrzymuje kontakt z siostrą\n- chętnie pomaga innym\n\n",
            deficits="izolacja",
        ),
    )
    assert response.status_code == 302
    part = fresh(report).social
    assert part.rating == 3
    assert part.strengths == ["utrzymuje kontakt z siostrą", "chętnie pomaga innym"]
    assert part.deficits == ["izolacja"]


def test_a_20000_character_answer_gets_a_message_and_is_kept_in_the_form(
    report, client_for, social_worker
):
    text = "a" * 20000
    response = client_for(social_worker).post(
        reverse("diagnosis:sphere", args=[report.pk, "social"]),
        sphere_post(fresh(report).social, family_situation=text),
    )
    assert response.status_code == 200
    assert "family_situation" in response.context["form"].errors
    assert text in response.content.decode()


def test_work_history_in_order_and_not_in_the_future(report, client_for, career_advisor):
    today = timezone.localdate()
    url = reverse("diagnosis:sphere", args=[report.pk, "vocational"])
    part = fresh(report).vocational
    client = client_for(career_advisor)
    bad = formset(
        "jobs",
        [
            {"employer": "Budimex", "started_on": "2020-05-01", "ended_on": "2019-01-01"},
            {"employer": "Biedronka", "started_on": str(today + timedelta(days=5))},
        ],
    )
    response = client.post(url, {**sphere_post(part), **bad})
    assert response.status_code == 200
    jobs = response.context["jobs"]
    assert "ended_on" in jobs.forms[0].errors
    assert "started_on" in jobs.forms[1].errors
    good = formset(
        "jobs",
        [
            {
                "employer": "Budimex",
                "position": "pomocnik",
                "started_on": "2015-03-01",
                "ended_on": "2019-01-31",
            }
        ],
    )
    response = client.post(
        url,
        {**sphere_post(part, pup_status="unemployed", pup_since="2023-02-01"), **good},
    )
    assert response.status_code == 302
    assert Job.objects.get(sphere=part, removed=False).employer == "Budimex"
    # Saving again without the row removes it from the form, kept for the record.
    part = fresh(report).vocational
    client.post(url, {**sphere_post(part), **formset("jobs", [])})
    assert not Job.objects.filter(sphere=part, removed=False).exists()
    assert Job.objects.filter(sphere=part, removed=True).exists()
    with pytest.raises(ValidationError):
        part = fresh(report).vocational
        services.sphere_save(
            part=part,
            expected_version=part.version,
            by=career_advisor,
            jobs=[{"employer": "X", "started_on": today, "ended_on": today - timedelta(days=1)}],
        )


@pytest.mark.parametrize(
    ("scores", "code", "tie"),
    [
        ((9, 3, 12, 5, 7, 1), "AR" + "E", False),
        ((10, 10, 3, 10, 2, 1), "RIS", True),  # three equal: the fixed order R, I, S
        ((2, 8, 1, 8, 5, 5), "ISE", True),  # E and C equal at the edge: E before C
        ((0, 0, 0, 0, 0, 0), "RIA", True),
    ],
)
def test_the_holland_code_and_the_tie_rule(scores, code, tie):
    result = HollandResult(**dict(zip(HollandResult.SCALES, scores, strict=True)))
    assert result.code == code
    assert result.has_tie is tie


def test_holland_scores_are_checked_against_the_instrument(report, client_for, psychologist):
    url = reverse("diagnosis:holland", args=[report.pk])
    client = client_for(psychologist)
    data = {
        "instrument": "Kwestionariusz Hollanda (wersja skrócona)",
        "max_score": "10",
        "realistic": "11",
        "investigative": "4",
        "artistic": "-1",
        "social": "9",
        "enterprising": "2",
        "conventional": "8",
        "tested_on": str(timezone.localdate()),
    }
    response = client.post(url, data)
    errors = response.context["form"].errors
    assert {"realistic", "artistic"} <= set(errors)
    data.update(realistic="10", artistic="1")
    assert client.post(url, data).status_code == 302
    result = fresh(report).holland
    assert result.code == "RSC"
    page = client.get(reverse("diagnosis:report", args=[report.pk])).content.decode()
    assert "<svg" in page and "RSC" in page


def test_who_writes_what(report, client_for, personas):
    expected = {
        "socio_living": {"manager", "case_manager", "social_worker"},
        "health": {"manager", "case_manager", "psychologist"},
        "social": {"manager", "case_manager", "social_worker"},
        "psychological": {"manager", "case_manager", "psychologist"},
        "vocational": {"manager", "case_manager", "career_advisor"},
    }
    for sphere, writers in expected.items():
        url = reverse("diagnosis:sphere", args=[report.pk, sphere])
        for name in (
            "manager",
            "case_manager",
            "social_worker",
            "psychologist",
            "career_advisor",
            "pedagogue",
            "therapist",
        ):
            status = client_for(personas[name]).get(url).status_code
            assert (status == 200) == (name in writers), (sphere, name, status)


def test_each_role_sees_only_its_sections_of_the_page(
    report, client_for, social_worker, career_advisor, psychologist, pedagogue, other_case_manager
):
    report = fresh(report)
    save(report.health, health_state="Cukrzyca typu 2, insulina.", by=psychologist)
    save(
        report.socio_living,
        legal_notes="Wyrok w zawieszeniu do 2027 r.",
        criminal_record=True,
        institutional_help="Pomoc OPS.",
        by=social_worker,
    )
    url = reverse("diagnosis:report", args=[report.pk])
    seen = {
        user.username: client_for(user).get(url).content.decode()
        for user in (social_worker, career_advisor, psychologist, pedagogue)
    }
    assert "Cukrzyca" in seen["psycholog"]
    assert "Wyrok w zawieszeniu" in seen["socjalny"]
    for name in ("doradca", "pedagog", "socjalny"):
        assert "Cukrzyca" not in seen[name]
    for name in ("doradca", "pedagog", "psycholog"):
        assert "Wyrok w zawieszeniu" not in seen[name]
        assert "Pomoc OPS." in seen[name]

    # The sphere-I form of a case manager of someone else leaves the legal item out.
    def fields(user):
        return (
            client_for(user)
            .get(reverse("diagnosis:sphere", args=[report.pk, "socio_living"]))
            .context["form"]
            .fields
        )

    assert "legal_notes" in fields(social_worker)
    assert "legal_notes" not in fields(other_case_manager)
    assert "institutional_help" in fields(other_case_manager)


def save(part, *, by, **fields):
    return services.sphere_save(part=_with(part, **fields), expected_version=part.version, by=by)


def _with(part, **fields):
    for name, value in fields.items():
        setattr(part, name, value)
    return part


def test_the_pdf_opens_for_those_who_see_everything_and_the_three_signers(
    report, client_for, personas
):
    url = reverse("documents:pdf", args=["diagnosis", report.pk])
    allowed = {"manager", "case_manager", "social_worker", "psychologist", "career_advisor"}
    for name in (
        "manager",
        "case_manager",
        "other_case_manager",
        "social_worker",
        "psychologist",
        "career_advisor",
        "pedagogue",
        "lawyer",
        "therapist",
    ):
        status = client_for(personas[name]).get(url).status_code
        assert (status == 200) == (name in allowed), (name, status)


def test_three_signatures_lock_the_report_and_a_change_clears_them(
    report, case_manager, social_worker, psychologist, career_advisor, client_for
):
    documents.document_sign(document=fresh(report), slot_key="social_worker", user=social_worker)
    save(fresh(report).social, by=social_worker)
    assert documents.active_signatures(fresh(report)) == {}
    with pytest.raises(ValidationError):
        documents.document_sign(document=fresh(report), slot_key="psychologist", user=social_worker)
    for slot, user in (("social_worker", social_worker), ("psychologist", psychologist)):
        documents.document_sign(document=fresh(report), slot_key=slot, user=user)
    # The advisor has not rated the vocational sphere yet: it is on the list of spheres to fill.
    assert list(spheres_to_fill(career_advisor)) == [report]
    assert not waiting_for_signature(psychologist).exists()
    documents.document_record_paper_signature(
        document=fresh(report),
        slot_key="career_advisor",
        signer_name="Agnieszka Wójcik",
        signed_on=timezone.localdate(),
        by=case_manager,  # the case manager records a colleague's signature given by hand
    )
    report = fresh(report)
    assert report.is_locked
    with pytest.raises(ValidationError):
        services.sphere_save(part=report.social, expected_version=None, by=social_worker)
    response = client_for(social_worker).get(
        reverse("diagnosis:sphere", args=[report.pk, "social"])
    )
    assert response.status_code == 302
    text = pdf_text(documents.document_pdf(document=report).content)
    assert "podpisano odręcznie" in text or "odręcznie" in text
    assert "Agnieszka Wójcik" in text


def _template_labels() -> list[str]:
    """Every line of the official form (diagnostic-template.md), hints joined, in order."""
    block = TEMPLATE.read_text(encoding="utf-8").split("```")[1]
    labels: list[str] = []
    for line in block.splitlines():
        if not line.strip():
            continue
        if line.startswith("   ") and labels:  # a hint continued on the next line
            labels[-1] += " " + line.strip()
        elif line.startswith("/-/"):
            labels += [part.strip() for part in line.split("/-/") if part.strip()]
        else:
            labels.append(line.strip())
    return labels


def test_the_pdf_prints_every_label_of_the_template_in_order(
    report, manager, social_worker, client_for
):
    save(
        fresh(report).social,
        family_situation="<script>alert(1)</script> & <b>",
        rating=2,
        rating_reason="Izolacja.",
        by=social_worker,
    )
    content = client_for(manager).get(reverse("documents:pdf", args=["diagnosis", report.pk]))
    text = " ".join(pdf_text(content.content).split())
    labels = _template_labels()
    assert len(labels) > 40
    position = 0
    for label in labels:
        found = text.find(label, position)
        assert found >= 0, f"missing or out of order: {label!r}"
        position = found + len(label)
    assert "OCZEKIWANIA W STOSUNKU DO UDZIAŁU W PROJEKCIE KIS" in text
    assert "<script>alert(1)</script> & <b>" in text
    assert re.search(r"Strona 1 z \d", text)
    assert "Izolacja." in text and "2/5" in text


def test_html_is_shown_escaped_on_the_page(report, social_worker, client_for):
    save(fresh(report).social, family_situation="<script>alert(1)</script>", by=social_worker)
    page = client_for(social_worker).get(reverse("diagnosis:report", args=[report.pk]))
    html = page.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_health_sphere_is_masked_in_the_audit_log(report, psychologist):
    save(
        fresh(report).health,
        addictions="Alkohol, terapia 2019.",
        strengths=["abstynencja od roku"],
        by=psychologist,
    )
    entries = LogEntry.objects.filter(
        content_type__model="healthsphere", object_pk=str(fresh(report).health.pk)
    )
    assert entries.exists()
    dump = " ".join(str(entry.changes) for entry in entries)
    assert "Alkohol" not in dump and "abstynencja" not in dump


def test_the_file_shows_the_state_and_who_still_signs(
    report, client_for, case_manager, social_worker, participant
):
    page = file_panel(client_for(case_manager), participant.pk, "diagnosis").content.decode()
    assert reverse("diagnosis:report", args=[report.pk]) in page
    assert "diagnosis-preparing" in page
    documents.document_sign(document=fresh(report), slot_key="social_worker", user=social_worker)
    page = file_panel(client_for(case_manager), participant.pk, "diagnosis").content.decode()
    assert "diagnosis-awaiting" in page


def test_tools_are_recorded_with_who_and_when(report, client_for, career_advisor):
    client = client_for(career_advisor)
    url = reverse("diagnosis:tool-add", args=[report.pk])
    client.post(
        url,
        {
            "tool": Tool.INTERVIEW,
            "used_on": str(timezone.localdate()),
            "used_by": career_advisor.staff.pk,
        },
    )
    assert not ToolUse.objects.exists()  # an interview needs its length
    client.post(
        url,
        {
            "tool": Tool.INTERVIEW,
            "used_on": str(timezone.localdate()),
            "used_by": career_advisor.staff.pk,
            "hours": "2.5",
        },
    )
    tool = ToolUse.objects.get()
    assert tool.hours == Decimal("2.5")
    client.post(reverse("diagnosis:tool-remove", args=[tool.pk]))
    tool.refresh_from_db()
    assert tool.removed


def test_initial_and_final_are_compared_sphere_by_sphere(
    report, enrolment, manager, social_worker, client_for
):
    save(fresh(report).social, rating=2, rating_reason="Izolacja.", by=social_worker)
    participant_services.enrolment_change_status(
        enrolment=enrolment,
        to_status=EnrolmentStatus.COMPLETED,
        changed_on=timezone.localdate(),
        reason="Koniec.",
        by=manager,
        expected_version=enrolment.version,
        exit_outcome=ExitOutcome.EMPLOYMENT,
    )
    final = services.report_start(
        enrolment=enrolment,
        kind=DiagnosisKind.FINAL,
        started_on=timezone.localdate(),
        by=manager,
    )
    save(fresh(final).social, rating=4, rating_reason="Nowe znajomości w grupie.", by=social_worker)
    page = (
        client_for(manager)
        .get(reverse("diagnosis:compare", args=[enrolment.participant_id]))
        .content.decode()
    )
    assert "↑ +2" in page
    assert "Nowe znajomości w grupie." in page


def test_a_new_version_of_a_signed_report_reopens_the_spheres(
    report, social_worker, psychologist, career_advisor, manager, client_for
):
    save(fresh(report).social, by=social_worker, family_situation="Mieszka sam.")
    for slot, user in (
        ("social_worker", social_worker),
        ("psychologist", psychologist),
        ("career_advisor", career_advisor),
    ):
        documents.document_sign(document=fresh(report), slot_key=slot, user=user)
    locked = documents.current_revision(fresh(report))
    assert locked.snapshot["social"]["family_situation"] == "Mieszka sam."
    documents.document_new_revision(
        document=fresh(report), reason="Nowe informacje o rodzinie.", by=manager
    )
    report = fresh(report)
    assert report.revision == 2 and not report.is_locked
    save(report.social, by=social_worker, family_situation="Zamieszkał z córką.")
    assert fresh(report).social.family_situation == "Zamieszkał z córką."
    admin = client_for(manager)
    assert admin.get("/admin/diagnosis/diagnosticreport/").status_code == 200
    assert admin.get(f"/admin/diagnosis/diagnosticreport/{report.pk}/change/").status_code == 200


def test_an_unsigned_line_names_who_filled_the_spheres(report, social_worker, manager, client_for):
    save(fresh(report).social, by=social_worker, family_situation="Mieszka sam.")
    save(fresh(report).health, by=manager, paper_author="dr Anna Lis (Poradnia Zdrowia)")
    text = " ".join(
        pdf_text(
            client_for(manager).get(reverse("documents:pdf", args=["diagnosis", report.pk])).content
        ).split()
    )
    assert "Joanna Kamińska — data, podpis" in text
    assert "dr Anna Lis" in text.split("ZALECENIA/UWAGI:")[1]  # under the psychologist's line


def test_spheres_to_fill_are_listed_apart_from_diagnoses_to_sign(
    report, social_worker, career_advisor, client_for
):
    assert list(spheres_to_fill(career_advisor)) == [report]
    assert not waiting_for_signature(career_advisor).exists()
    vocational = fresh(report).vocational
    vocational.rating, vocational.rating_reason = 3, "Zna zawód magazyniera."
    vocational.save()
    assert not spheres_to_fill(career_advisor).exists()
    assert list(waiting_for_signature(career_advisor)) == [report]
    home = client_for(career_advisor).get(reverse("home"))
    counts = {tile["url"]: tile["count"] for tile in home.context["tiles"]}
    assert counts[reverse("diagnosis:to-fill")] == 0
    assert counts[reverse("diagnosis:to-sign")] == 1
    page = client_for(social_worker).get(reverse("diagnosis:to-fill")).content.decode()
    assert report.participant.full_name in page

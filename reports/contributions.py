"""What change reports add to the shared pages: the document kind, the trajectory and the reports
on the participant's file, the case manager's to-do tiles."""

from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy

from kis_site.access import Action, policy
from kis_site.models import KisSettings
from kis_site.registries import (
    DocumentKind,
    Panel,
    TodoCount,
    TodoItem,
    document_kinds,
    enrolment_panels,
    home_panels,
    participant_panels,
    todo_items,
)
from kis_site.search import normalise
from kis_site.vocabulary import Section, sphere_visible
from participants.models import Participant
from reports.models import (
    EFFECT_GROUPS,
    ChangeReport,
    Dimension,
    ExitAssessment,
    LetterKind,
    ReferrerLetter,
)


def _pdf_context(report, sections=frozenset(Section)) -> dict:
    from reports.selectors import trajectory, visible_parts

    report = ChangeReport.objects.select_related("participant", "enrolment__cohort").get(
        pk=report.pk
    )
    parts, _hidden = visible_parts(report, sections)
    points, spheres = trajectory([report.enrolment_id], sections)
    return {
        "report": report,
        "participant": report.participant,
        "parts": parts,
        "legal_parts": [part for part in parts if part.legal_notes and Section.LEGAL in sections],
        "dimensions": Dimension.choices,
        "effect_groups": EFFECT_GROUPS,
        "points": points,
        "spheres": spheres,
        "programme": KisSettings.load().programme_name,
        "title": gettext_lazy("Change report"),
    }


def _filename(report) -> str:
    return slugify(
        normalise(f"raport zmiany {report.participant.last_name} {report.period_label} {report.pk}")
    )


def register():
    document_kinds.register(
        DocumentKind(
            key="change_report",
            title=gettext_lazy("Change report"),
            model=ChangeReport,
            pdf_context=_pdf_context,
            url=lambda r: reverse("reports:change-report", args=[r.pk]),
            filename=_filename,
            subject=lambda r: r.participant.full_name,
            order=25,
        )
    )
    participant_panels.register(
        Panel(
            key="change_reports",
            title=gettext_lazy("Change reports"),
            template="reports/_file_panel.html",
            context=_file_panel,
        )
    )
    todo_items.register(
        TodoItem("change-reports-due", gettext_lazy("Change reports due this month"), _due, 39)
    )
    todo_items.register(
        TodoItem(
            "monitoring",
            gettext_lazy("Participants without a signed diagnosis or plan in time"),
            _monitoring,
            38,
        )
    )
    todo_items.register(
        TodoItem(
            "change-reports-overdue",
            gettext_lazy("Change reports overdue (none for over two months)"),
            _overdue,
            40,
        )
    )
    todo_items.register(
        TodoItem(
            "change-reports-to-sign",
            gettext_lazy("Change reports waiting for my signature"),
            _to_sign,
            36,
        )
    )
    _register_exits_and_letters()
    home_panels.register(
        Panel(
            key="club-figures",
            title=gettext_lazy("The club this month"),
            template="reports/_club_figures.html",
            context=_club_figures,
        )
    )


def _file_panel(request, participant):
    from reports.selectors import trajectory

    user = request.user
    if not policy().can(user, Action.VIEW, participant):
        return None
    enrolments = list(participant.enrolments.all())
    if not enrolments:
        return None
    reports = list(
        ChangeReport.objects.filter(participant=participant)
        .only("pk", "period_start", "period_end", "state", "revision", "enrolment_id")
        .order_by("-period_start")
    )
    points, spheres, charted = [], [], None
    if reports:  # the chart says something once there is a report between the diagnoses
        # One cycle on the chart: the latest participation with a report (an earlier round's
        # are on its own reports' pages).
        latest = reports[0].enrolment_id
        charted = next((e for e in enrolments if e.pk == latest), None)
        sections = policy().sections_for(user, participant)
        points, spheres = trajectory([latest], sections)
    return {
        "participant": participant,
        "reports": reports,
        "points": points,
        "spheres": spheres,
        "charted": charted if len(enrolments) > 1 else None,
        "can_start": policy().may_start(user, ChangeReport, participant),
    }


def _club_figures(request, user):
    if not policy().runs_club(user):
        return None
    from reports.dashboard import cached_club_figures

    return {"figures": cached_club_figures(timezone.localdate())}


# --- To-do -----------------------------------------------------------------------------------


def _counts(user):
    """(due, overdue) of the user's participants, once per request (both tiles read them)."""
    from participants.access import managed_participants
    from reports.selectors import due_counts

    cached = getattr(user, "_kis_due_counts", None)
    if cached is None:
        cached = due_counts(managed_participants(user), timezone.localdate())
        user._kis_due_counts = cached
    return cached


def _monitoring(user):
    if not policy().follows_cases(user):
        return None
    from participants.access import managed_participants
    from reports.monitoring import gaps_queryset

    # Counted with the other tiles, in one query.
    count = gaps_queryset(managed_participants(user), timezone.localdate())
    return TodoCount(count, reverse("reports:monitoring"), "danger")


def _due(user):
    if not policy().follows_cases(user):
        return None
    return TodoCount(_counts(user)[0], reverse("reports:due") + "?show=month", "info")


def _to_sign(user):
    """Only for a co-signer: while the KIS names their role, or a report still waits for it."""
    from reports.selectors import cosigner_keys, reports_to_sign

    keys = cosigner_keys(user)
    if not keys:
        return None
    count = reports_to_sign(user).count()
    if not count and not set(keys) & set(KisSettings.load().change_report_cosigners):
        return None
    return TodoCount(count, reverse("reports:to-sign"), "warning")


def _overdue(user):
    if not policy().follows_cases(user):
        return None
    return TodoCount(_counts(user)[1], reverse("reports:due") + "?show=overdue", "danger")


# --- The exit assessment and the letters to the referring institution ---------------------------


def _letter_pdf_context(letter, sections=frozenset(Section)) -> dict:
    letter = ReferrerLetter.objects.select_related(
        "participant", "institution", "contact_person"
    ).get(pk=letter.pk)
    return {
        "letter": letter,
        "ratings": [row for row in letter.ratings if sphere_visible(row["sphere"], sections)],
        "participant": letter.participant,
        "programme": KisSettings.load().programme_name,
        "title": str(letter),
    }


def _letter_filename(letter) -> str:
    what = "zakonczenie" if letter.kind == LetterKind.EXIT else f"informacja {letter.period_label}"
    return slugify(normalise(f"pismo {what} {letter.participant.last_name} {letter.pk}"))


def _exit_panel(request, enrolment):
    if enrolment.is_open or not policy().can(request.user, Action.VIEW, enrolment.participant):
        return None
    assessment = ExitAssessment.objects.filter(enrolment=enrolment).first()
    probe = assessment or ExitAssessment(participant=enrolment.participant, enrolment=enrolment)
    return {
        "enrolment": enrolment,
        "assessment": assessment,
        "can_edit": policy().can(request.user, Action.EDIT, probe),
    }


def _letters_panel(request, enrolment):
    from reports.referrers import letters_due, referrer_of

    referrer = referrer_of(enrolment)
    if referrer is None:
        return None
    participant = enrolment.participant
    probe = ReferrerLetter(participant=participant, enrolment=enrolment)
    due, _to_send = letters_due(Participant.objects.filter(pk=participant.pk))
    return {
        "enrolment": enrolment,
        "institution": referrer[0],
        "contact": referrer[1],
        "letters": list(
            ReferrerLetter.objects.filter(enrolment=enrolment).select_related("institution")
        ),
        "due": [item for item in due if item.enrolment.pk == enrolment.pk],
        "can_write": policy().can(request.user, Action.EDIT, probe),
        "today": timezone.localdate(),
    }


def _letters_due(user):
    if not policy().follows_cases(user):
        return None
    from participants.access import managed_participants
    from reports.referrers import letters_due

    due, to_send = letters_due(managed_participants(user))
    return TodoCount(len(due) + len(to_send), reverse("reports:letters-due"), "warning")


def _exits_to_assess(user):
    if not policy().follows_cases(user):
        return None
    from participants.access import managed_participants
    from reports.exits import exits_to_assess

    count = exits_to_assess(managed_participants(user))
    return TodoCount(count, reverse("reports:exits-due"), "warning")


def _register_exits_and_letters():
    document_kinds.register(
        DocumentKind(
            key="referrer_letter",
            title=gettext_lazy("Letter to the referring institution"),
            model=ReferrerLetter,
            pdf_context=_letter_pdf_context,
            url=lambda letter: reverse("reports:letter", args=[letter.pk]),
            filename=_letter_filename,
            subject=lambda letter: letter.participant.full_name,
            order=27,
        )
    )
    enrolment_panels.register(
        Panel(
            key="exit-assessment",
            title=gettext_lazy("Reintegration effects at the exit"),
            template="reports/_enrolment_exit.html",
            context=_exit_panel,
        )
    )
    enrolment_panels.register(
        Panel(
            key="referrer-letters",
            title=gettext_lazy("Letters to the referring institution"),
            template="reports/_enrolment_letters.html",
            context=_letters_panel,
        )
    )
    todo_items.register(
        TodoItem(
            "referrer-letters",
            gettext_lazy("Letters due to referring institutions"),
            _letters_due,
            45,
        )
    )
    todo_items.register(
        TodoItem(
            "exits-to-assess",
            gettext_lazy("Exits without the assessment of effects"),
            _exits_to_assess,
            47,
        )
    )

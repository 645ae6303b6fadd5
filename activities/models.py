"""The programme (modules and their hours), sessions with their rosters, and attendance.

Hours are group hours except the consultants' duty (a pool shared by the group) and the diagnostic
interviews (per participant individually): see shared/domain.md §5.
"""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from kis_site.locking import Versioned
from kis_site.models import ParticipantRecord, StaffMember, StoredFile
from participants.models import Cohort, Enrolment, Participant
from partners.models import Institution


class Category(models.TextChoices):
    SOCIAL = "social", _("social reintegration")
    VOCATIONAL = "vocational", _("vocational reintegration")


class ModuleForm(models.TextChoices):
    WORKSHOP = "workshop", _("group workshops")
    SELF_HELP = "self_help", _("self-help group")
    OUTING = "outing", _("integration outing")
    COURSE = "course", _("course")
    NON_FORMAL = "non_formal", _("non-formal education")
    SOCIAL_ACTIVITY = "social_activity", _("social activity")
    CONSULTATION = "consultation", _("individual consultations")
    INTERVIEW = "interview", _("diagnostic interview")


class HoursBasis(models.TextChoices):
    PER_PARTICIPANT = "per_participant", _("per participant (group hours)")
    POOL = "pool", _("a pool shared by the group (duty hours)")
    INDIVIDUAL = "individual", _("per participant individually")


HOURS = {
    "max_digits": 6,
    "decimal_places": 1,
    "validators": [MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("2000"))],
}


class ModuleFields(models.Model):
    """What a module is, in a template and in a cohort's own copy."""

    name = models.CharField(_("module"), max_length=200)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    form = models.CharField(_("form"), max_length=20, choices=ModuleForm.choices)
    hours = models.DecimalField(_("hours"), **HOURS)
    basis = models.CharField(
        _("hours counted"),
        max_length=20,
        choices=HoursBasis.choices,
        default=HoursBasis.PER_PARTICIPANT,
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    COPIED = ("name", "category", "form", "hours", "basis", "order")

    class Meta:
        abstract = True

    def __str__(self):
        return self.name


class ProgrammeTemplate(models.Model):
    """A programme the KIS runs (the manager keeps them in the admin)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    weeks = models.PositiveSmallIntegerField(
        _("length in weeks"), validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    description = models.TextField(_("description"), blank=True)
    is_default = models.BooleanField(_("default for new cohorts"), default=False)
    is_archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        verbose_name = _("programme template")
        verbose_name_plural = _("programme templates")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="one_default_programme",
                violation_error_message=_("Only one programme can be the default."),
            )
        ]

    def __str__(self):
        return self.name


class TemplateModule(ModuleFields):
    template = models.ForeignKey(
        ProgrammeTemplate, on_delete=models.CASCADE, related_name="modules"
    )

    class Meta:
        verbose_name = _("module of the template")
        verbose_name_plural = _("modules of the template")
        ordering = ["order", "pk"]


class Programme(Versioned):
    """The programme a cohort (or one person enrolled individually) follows: a copy it adjusts."""

    cohort = models.OneToOneField(
        Cohort, on_delete=models.PROTECT, null=True, blank=True, related_name="programme"
    )
    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.PROTECT, null=True, blank=True, related_name="programme"
    )
    copied_from = models.ForeignKey(
        ProgrammeTemplate,
        verbose_name=_("copied from"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                condition=Q(cohort__isnull=False, enrolment__isnull=True)
                | Q(cohort__isnull=True, enrolment__isnull=False),
                name="programme_of_a_cohort_or_an_enrolment",
            )
        ]

    def __str__(self):
        owner = self.cohort or self.enrolment
        return str(_("Programme: %(owner)s")) % {"owner": owner}


class ProgrammeModule(ModuleFields, Versioned):
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="modules")
    is_retired = models.BooleanField(_("no longer run"), default=False)

    class Meta:
        verbose_name = _("programme module")
        verbose_name_plural = _("programme modules")
        ordering = ["order", "pk"]


class Session(Versioned):
    """One meeting of a module: a date with local start and end times (a trip may last days)."""

    module = models.ForeignKey(
        ProgrammeModule,
        verbose_name=_("module"),
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    date = models.DateField(_("date"))
    last_date = models.DateField(
        _("last day"), null=True, blank=True, help_text=_("Only for an event of several days.")
    )
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"))
    leader = models.ForeignKey(
        StaffMember,
        verbose_name=_("led by (staff)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_sessions",
    )
    leader_name = models.CharField(
        _("led by (from outside)"),
        max_length=200,
        blank=True,
        help_text=_("A partner's trainer, a volunteer, or a participant leading with a volunteer."),
    )
    leader_institution = models.ForeignKey(
        Institution,
        verbose_name=_("leader's institution"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",  # the network knows no session (see test_architecture)
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    topic = models.CharField(_("topic"), max_length=300, blank=True)
    cancelled = models.BooleanField(_("cancelled"), default=False)
    series = models.CharField(max_length=36, blank=True, editable=False, db_index=True)
    # Kept with the row (derived from the times and days) so that ledgers sum it in the database.
    planned_hours = models.DecimalField(max_digits=6, decimal_places=2, default=0, editable=False)
    list_scan = models.ForeignKey(
        StoredFile,
        verbose_name=_("scan of the signed attendance list"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["date", "starts_at", "pk"]
        # The sessions of a period (the weeks the 2/3 rule checks, a timetable's days).
        indexes = [models.Index(fields=["date"], name="session_day")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_it_starts",
                violation_error_message=_("The session must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(last_date__isnull=True) | Q(last_date__gte=models.F("date")),
                name="session_days_in_order",
                violation_error_message=_("The last day cannot be before the first."),
            ),
        ]

    def __str__(self):
        return (
            f"{self.module.name}, {self.date:%d.%m.%Y} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"
        )

    @property
    def days(self) -> int:
        return ((self.last_date - self.date).days + 1) if self.last_date else 1

    @property
    def is_ahead(self) -> bool:
        """Still to come: attendance is taken on the day of the session or later."""
        return self.date > timezone.localdate()

    @property
    def hours_per_day(self) -> Decimal:
        start = datetime.combine(self.date, self.starts_at)
        end = datetime.combine(self.date, self.ends_at)
        minutes = Decimal((end - start).total_seconds()) / 60
        return (minutes / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def hours(self) -> Decimal:
        return self.hours_per_day * self.days

    @property
    def leader_display(self) -> str:
        if self.leader_id:
            return str(self.leader)
        return self.leader_name

    def save(self, *args, **kwargs):
        if self.starts_at and self.ends_at and self.ends_at > self.starts_at:
            self.planned_hours = self.hours
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "planned_hours" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "planned_hours"]
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The session must end after it starts.")
        if self.last_date and self.date and self.last_date < self.date:
            errors["last_date"] = _("The last day cannot be before the first.")
        if not self.leader_id and not (self.leader_name or "").strip():
            errors["leader"] = _("Give who leads the session.")
        if errors:
            raise ValidationError(errors)


class RosterEntry(ParticipantRecord):
    """A person expected at a session (or a walk-in added on the day)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="roster")
    # Indexed by the covering index below (a person's sessions without reading the table).
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="roster_entries", db_index=False
    )
    walk_in = models.BooleanField(_("walk-in"), default=False)

    class Meta:
        verbose_name = _("roster entry")
        verbose_name_plural = _("roster entries")
        # The hours planned of many people (activities.hours) read only this index.
        indexes = [models.Index(fields=["participant", "session"], name="roster_person_session")]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant"], name="one_roster_entry_per_person"
            )
        ]


class Mark(models.TextChoices):
    PRESENT = "present", _("present")
    LATE = "late", _("late")
    EXCUSED = "excused", _("absent, justified")
    ABSENT = "absent", _("absent, unjustified")


class ExcuseKind(models.TextChoices):
    SICK_NOTE = "sick_note", _("sick note (zwolnienie lekarskie)")
    OTHER = "other", _("other document")


class Attendance(ParticipantRecord, Versioned):
    """One mark per person and session (a database constraint: two tablets never make two)."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="attendance")
    # Indexed by the covering index below (a person's marks without reading the table).
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="attendance", db_index=False
    )
    mark = models.CharField(_("attendance"), max_length=10, choices=Mark.choices)
    minutes_late = models.PositiveSmallIntegerField(_("minutes late"), default=0)
    hours = models.DecimalField(_("hours credited"), max_digits=5, decimal_places=2, default=0)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    # A justified absence: its document (zwolnienie lekarskie or other), date, optional scan.
    excuse = models.CharField(
        _("justified by"), max_length=12, choices=ExcuseKind.choices, blank=True
    )
    excuse_date = models.DateField(_("date of the document"), null=True, blank=True)
    excuse_note = models.CharField(_("notes"), max_length=300, blank=True)
    excuse_scan = models.ForeignKey(
        StoredFile,
        verbose_name=_("scan of the document"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        # The hours done of many people (activities.hours) read only this index.
        indexes = [
            models.Index(
                fields=["participant", "session", "mark", "hours"], name="attendance_person_hours"
            ),
            # The marks of the sessions of a period, without reading the rows (hours by period).
            models.Index(
                fields=["session", "participant", "mark", "hours"], name="attendance_session_hours"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant"],
                name="one_mark_per_person_and_session",
                violation_error_message=_("This person already has a mark for this session."),
            )
        ]

    def __str__(self):
        return f"{self.participant} — {self.get_mark_display()}"

    def get_additional_data(self):
        """The reason of a correction, kept with the audit entry of the change."""
        reason = getattr(self, "_change_reason", "")
        return {"reason": reason} if reason else None

    def credited_hours(self, session: Session) -> Decimal:
        """Hours actually attended: a late arrival loses the minutes missed."""
        if self.mark == Mark.PRESENT:
            return session.hours
        if self.mark == Mark.LATE:
            missed = Decimal(self.minutes_late) / 60
            per_day = max(session.hours_per_day - missed, Decimal(0))
            return (per_day + session.hours_per_day * (session.days - 1)).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
        return Decimal(0)


class CaseReason(models.TextChoices):
    """Why an absence counts in a case. The limit is the number of justified absences the
    regulations allow: the last allowed one may bring a warning, the next one exceeds it."""

    WARNING = "warning", _("last allowed justified absence (warning)")
    LIMIT = "limit", _("limit of justified absences exceeded")
    BREACH = "breach", _("unjustified absence")


class AbsenceCase(ParticipantRecord, Versioned):
    """What the regulations' absence rule raised, for the case manager to follow up: one open case
    per participation, to which each further absence is added (its entries). The counts shown
    are computed from the attendance now (``activities.absences``); ``absences`` keeps only the
    count at the opening, for the history. The decision itself (e.g. removal from the list) goes
    through the enrolment's status change, never here."""

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="absence_cases"
    )
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="absence_cases")
    reason = models.CharField(_("opened because of"), max_length=10, choices=CaseReason.choices)
    attendance = models.ForeignKey(
        Attendance,
        verbose_name=_("the absence that opened it"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    absences = models.PositiveSmallIntegerField(_("justified absences when it opened"), default=0)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    outcome = models.CharField(_("how it ended"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("absence case")
        verbose_name_plural = _("absence cases")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(closed_on__isnull=True),
                name="one_open_absence_case_per_enrolment",
            ),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} — {self.participant}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class AbsenceCaseEntry(ParticipantRecord):
    """One absence counted in a case, with why it counts: the case's history."""

    case = models.ForeignKey(AbsenceCase, on_delete=models.PROTECT, related_name="entries")
    attendance = models.ForeignKey(
        Attendance, verbose_name=_("the absence"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("counts as"), max_length=10, choices=CaseReason.choices)
    added_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("absence in a case")
        verbose_name_plural = _("absences in a case")
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "attendance"], name="one_entry_per_absence_in_a_case"
            ),
        ]


class FollowUpKind(models.TextChoices):
    TALK = "talk", _("talk with the participant")
    WARNING = "warning", _("warning (upomnienie)")
    REMOVAL_REQUEST = "removal_request", _("request to remove from the list")


class AbsenceAction(ParticipantRecord):
    case = models.ForeignKey(AbsenceCase, on_delete=models.PROTECT, related_name="actions")
    kind = models.CharField(_("what followed"), max_length=20, choices=FollowUpKind.choices)
    taken_on = models.DateField(_("date"))
    note = models.CharField(_("notes"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("follow-up of an absence case")
        verbose_name_plural = _("follow-ups of absence cases")
        ordering = ["taken_on", "pk"]

    def clean(self):
        if self.taken_on and self.taken_on > timezone.localdate():
            raise ValidationError({"taken_on": _("The date cannot be in the future.")})


class ConsultationKind(models.TextChoices):
    PSYCHOLOGICAL = "psychological", _("psychological")
    LEGAL = "legal", _("legal")
    VOCATIONAL = "vocational", _("vocational")
    SOCIAL = "social", _("social work")
    PEDAGOGICAL = "pedagogical", _("pedagogical")
    THERAPEUTIC = "therapeutic", _("therapeutic")


# Notes of these consultations are sensitive sections of the file.
CONSULTATION_SECTIONS = {
    ConsultationKind.PSYCHOLOGICAL: "psychological",
    ConsultationKind.THERAPEUTIC: "psychological",
    ConsultationKind.LEGAL: "legal",
}


class Consultation(ParticipantRecord, Versioned):
    """An individual consultation or diagnostic interview: it draws on its module's hours (the
    consultants' duty pool, or the interview's hours per participant)."""

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="consultations"
    )
    module = models.ForeignKey(
        ProgrammeModule,
        verbose_name=_("module"),
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    kind = models.CharField(_("kind"), max_length=15, choices=ConsultationKind.choices)
    specialist = models.ForeignKey(
        StaffMember,
        verbose_name=_("specialist"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultations",
    )
    specialist_name = models.CharField(_("specialist from outside"), max_length=200, blank=True)
    date = models.DateField(_("date"))
    duration = models.DecimalField(
        _("duration (hours)"),
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal("8"))],
    )
    note = models.TextField(_("short note"), blank=True)
    section = models.CharField(max_length=15, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("individual consultation")
        verbose_name_plural = _("individual consultations")
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()}, {self.date:%d.%m.%Y}"

    def save(self, *args, **kwargs):
        self.section = CONSULTATION_SECTIONS.get(self.kind, "")
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.date and self.date > timezone.localdate():
            errors["date"] = _("The date cannot be in the future.")
        if not self.specialist_id and not (self.specialist_name or "").strip():
            errors["specialist"] = _("Give who held the consultation.")
        if errors:
            raise ValidationError(errors)


class PlacementKind(models.TextChoices):
    PSU = "psu", _("socially useful work (PSU)")
    PUBLIC_WORKS = "public_works", _("public works")
    INTERNSHIP = "internship", _("internship (staż)")
    PRACTICE = "practice", _("work practice")
    SUPPORTED = "supported", _("supported employment")


class Placement(ParticipantRecord, Versioned):
    """Work outside the KIS: its hours are kept apart from the programme's (the 2/3 rule does
    not count them)."""

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="placements"
    )
    kind = models.CharField(_("kind"), max_length=15, choices=PlacementKind.choices)
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",  # the network knows no participant
    )
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    hours_per_week = models.DecimalField(
        _("hours per week"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("40"))],
    )
    pup_referral = models.CharField(_("PUP referral number"), max_length=60, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="placement_dates_in_order",
                violation_error_message=_("The end cannot be earlier than the start."),
            )
        ]

    def __str__(self):
        where = self.institution.name if self.institution_id else self.employer
        return f"{self.get_kind_display()} — {where}"

    def clean(self):
        errors = {}
        if not self.institution_id and not (self.employer or "").strip():
            errors["employer"] = _("Give the employer or choose the institution.")
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The end cannot be earlier than the start.")
        if errors:
            raise ValidationError(errors)


class PlacementHours(ParticipantRecord):
    """Hours worked on a day (or a month's total, recorded on its first day)."""

    placement = models.ForeignKey(Placement, on_delete=models.PROTECT, related_name="hours")
    day = models.DateField(_("day"))
    whole_month = models.BooleanField(_("total for the month"), default=False)
    hours = models.DecimalField(
        _("hours"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("250"))],
    )

    class Meta:
        verbose_name = _("placement hours")
        verbose_name_plural = _("placement hours")
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "day"],
                name="one_hour_record_per_day",
                violation_error_message=_("Hours for this day are already recorded."),
            )
        ]


class PsuRates(Versioned):
    """The money of socially useful work from a date on: the hourly rate the gmina pays the
    participant, the share of it the PUP refunds (the starosta–gmina agreement) and the hours
    allowed in a month. Each period uses the values in force then (the legal basis changed on
    1 June 2025), so a new value is a new row, never an edit of an old one."""

    valid_from = models.DateField(_("in force from"), unique=True)
    hourly_rate = models.DecimalField(
        _("hourly rate (PLN)"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("What the gmina pays the participant for an hour of socially useful work."),
    )
    refund_percent = models.DecimalField(
        _("share refunded by the PUP (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("As set in the agreement between the starosta and the gmina."),
    )
    monthly_hours_limit = models.DecimalField(
        _("hours allowed in a month"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("250"))],
    )
    basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("set of PSU rates")
        verbose_name_plural = _("PSU rates")
        ordering = ["-valid_from"]

    def __str__(self):
        return _("PSU rates from %(date)s") % {
            "date": date_format(self.valid_from, "SHORT_DATE_FORMAT")
        }

    @property
    def refund_share(self) -> Decimal:
        return self.refund_percent / 100

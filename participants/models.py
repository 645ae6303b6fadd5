from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from kis_site.locking import Versioned
from kis_site.models import FundingSource, ParticipantRecord, SignedDocument, StaffMember
from kis_site.months import add_months
from kis_site.registries import SignerSlot
from kis_site.search import normalise, polish_sort_key
from kis_site.vocabulary import RiskGroup, Role, Section
from partners.models import ContactPerson, Institution

# --- Vocabulary of the participant's case ----------------------------------------------------


class Sex(models.TextChoices):
    FEMALE = "F", _("woman")
    MALE = "M", _("man")


class IdDocumentType(models.TextChoices):
    ID_CARD = "id_card", _("identity card")
    PASSPORT = "passport", _("passport")
    RESIDENCE_CARD = "residence_card", _("residence card")
    OTHER = "other", _("other document")


class EducationLevel(models.TextChoices):
    NONE = "none", _("no education or incomplete primary")
    PRIMARY = "primary", _("primary")
    LOWER_SECONDARY = "lower_secondary", _("lower secondary (gimnazjum)")
    BASIC_VOCATIONAL = "basic_vocational", _("basic vocational / first-level sectoral")
    GENERAL_SECONDARY = "general_secondary", _("general secondary")
    VOCATIONAL_SECONDARY = "vocational_secondary", _("vocational secondary")
    POST_SECONDARY = "post_secondary", _("post-secondary")
    HIGHER = "higher", _("higher")


class Relation(models.TextChoices):
    SPOUSE = "spouse", _("spouse or partner")
    CHILD = "child", _("child")
    PARENT = "parent", _("parent")
    SIBLING = "sibling", _("brother or sister")
    GRANDPARENT = "grandparent", _("grandparent")
    OTHER = "other", _("other relative or household member")


class ApplicationSource(models.TextChoices):
    REFERRAL = "referral", _("referral from an institution")
    SELF = "self", _("own application")


class Decision(models.TextChoices):
    PENDING = "pending", _("awaiting decision")
    QUALIFIED = "qualified", _("qualified")
    NOT_QUALIFIED = "not_qualified", _("not qualified")
    RESERVE = "reserve", _("reserve list")


class EnrolmentStatus(models.TextChoices):
    CANDIDATE = "candidate", _("candidate")
    ACTIVE = "active", _("active")
    SUSPENDED = "suspended", _("suspended")
    COMPLETED = "completed", _("completed")
    DROPPED_OUT = "dropped_out", _("dropped out")
    REMOVED = "removed", _("removed")

    @classmethod
    def open(cls):
        return [cls.CANDIDATE, cls.ACTIVE, cls.SUSPENDED]

    @classmethod
    def closed(cls):
        return [cls.COMPLETED, cls.DROPPED_OUT, cls.REMOVED]


class ExitOutcome(models.TextChoices):
    EMPLOYMENT = "employment", _("employment")
    SOCIAL_COOPERATIVE = "social_cooperative", _("social cooperative")
    SELF_EMPLOYMENT = "self_employment", _("own business")
    EDUCATION = "education", _("continued education")
    CIS = "cis", _("referral to a social integration centre (CIS)")
    INTERNSHIP = "internship", _("internship")
    SOCIALLY_USEFUL_WORK = "psu", _("socially useful work")
    PUBLIC_WORKS = "public_works", _("public works")
    PUP_REGISTRATION = "pup_registration", _("registration at the labour office")
    RESIGNATION = "resignation", _("resignation")
    REMOVAL = "removal", _("removal from the list")
    OTHER = "other", _("other")

    @classmethod
    def employment_or_education(cls):
        """Outcomes counted as effective in the KIS's effectiveness rate (domain.md §9)."""
        return [cls.EMPLOYMENT, cls.SOCIAL_COOPERATIVE, cls.SELF_EMPLOYMENT, cls.EDUCATION]


class FollowUpResult(models.TextChoices):
    EMPLOYED = "employed", _("working")
    OWN_BUSINESS = "own_business", _("own business or social cooperative")
    IN_EDUCATION = "in_education", _("in education")
    REGISTERED_UNEMPLOYED = "registered_unemployed", _("registered unemployed")
    NOT_WORKING = "not_working", _("not working, not registered")
    NO_CONTACT = "no_contact", _("no contact")
    OTHER = "other", _("other")


class NoteKind(models.TextChoices):
    CONVERSATION = "conversation", _("conversation")
    PHONE = "phone", _("phone call")
    VISIT = "visit", _("visit")
    INTERVENTION = "intervention", _("intervention")
    OTHER = "other", _("other")


FOLLOW_UP_MONTHS = (3, 6, 12)
STANDARD_MAX_MONTHS = 12


# --- Participant ----------------------------------------------------------------------------


class ParticipantQuerySet(models.QuerySet):
    def search(self, text: str):
        """By name (any order, any case, with or without Polish letters) or by PESEL prefix."""
        text = (text or "").strip()
        if not text:
            return self
        if text.isdigit():
            return self.filter(pesel__startswith=text)
        query = self
        for word in normalise(text).split(" "):
            query = query.filter(search_text__contains=word)
        return query

    def for_list(self):
        """What a row of the list shows, and nothing else (no PESEL, no address)."""
        return self.select_related("case_manager", "current_enrolment__cohort").only(
            "first_name",
            "last_name",
            "birth_date",
            "case_manager__first_name",
            "case_manager__last_name",
            "current_enrolment__status",
            "current_enrolment__starts_on",
            "current_enrolment__ended_on",
            "current_enrolment__planned_end_on",
            "current_enrolment__cohort__name",
        )


class Participant(ParticipantRecord, Versioned):
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    pesel = models.CharField(_("PESEL"), max_length=11, null=True, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    id_document_type = models.CharField(
        _("identity document"), max_length=20, choices=IdDocumentType.choices, blank=True
    )
    id_document_number = models.CharField(_("document number"), max_length=30, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=6, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    education_level = models.CharField(
        _("education"), max_length=30, choices=EducationLevel.choices, blank=True
    )
    primary_risk_group = models.CharField(
        _("primary risk group"),
        max_length=30,
        choices=RiskGroup.choices,
        blank=True,
        help_text=_("The group under which the person is counted in the report to the voivode."),
    )
    risk_group_other = models.CharField(
        _("other risk group: description"),
        max_length=250,
        blank=True,
        help_text=_("E.g. a young person leaving foster care."),
    )
    ops_client_since = models.DateField(
        _("client of the social welfare centre since"), null=True, blank=True
    )
    registered_unemployed_since = models.DateField(
        _("registered unemployed since"), null=True, blank=True
    )
    case_manager = models.ForeignKey(
        StaffMember,
        verbose_name=_("case manager"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_participants",
    )
    rodo_clause_given_on = models.DateField(
        _("GDPR information clause handed over on"), null=True, blank=True
    )
    restricted_on = models.DateField(
        _("processing restricted since"),
        null=True,
        blank=True,
        editable=False,
        help_text="Kept by participants.restriction, for lists and the access policy.",
    )
    anonymised_on = models.DateField(
        _("anonymised on"),
        null=True,
        blank=True,
        editable=False,
        help_text="Kept by retention.anonymise: the file is read-only and out of every list.",
    )
    current_enrolment = models.ForeignKey(
        "Enrolment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text="The latest participation (kept by the enrolment services, for lists).",
    )
    current_status = models.CharField(
        max_length=20,
        choices=EnrolmentStatus.choices,
        blank=True,
        default="",
        editable=False,
        help_text="The status of the latest participation, kept with it (the list's filter).",
    )
    search_text = models.CharField(max_length=250, editable=False, db_index=True, default="")
    sort_name = models.CharField(max_length=500, editable=False, default="")
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
    )

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["sort_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pesel"],
                condition=Q(pesel__isnull=False),
                name="participant_pesel_unique",
                violation_error_message=_("A participant with this PESEL already exists."),
            ),
        ]
        indexes = [
            models.Index(fields=["sort_name", "id"], name="participant_order"),
            # A case manager's start page counts their people without the GDPR clause.
            models.Index(
                fields=["case_manager", "rodo_clause_given_on"], name="participant_rodo_clause"
            ),
            # The files in processing (not restricted, not anonymised), in the list's order, with
            # their current participation: every list counts them (by status too) and shows a page.
            models.Index(
                fields=["restricted_on", "anonymised_on", "sort_name", "id", "current_enrolment"],
                name="participant_in_processing",
            ),
            # ... and by the status of their current participation: the list filtered by status
            # counts and pages them from the index alone.
            models.Index(
                fields=["restricted_on", "anonymised_on", "current_status", "sort_name", "id"],
                name="participant_by_status",
            ),
            # ... and those found by name among them: the search counts without reading rows.
            models.Index(
                fields=["restricted_on", "anonymised_on", "search_text"],
                name="participant_search",
            ),
        ]

    def __str__(self):
        # Never the PESEL: this text lands in the audit log's object representation.
        return self.full_name

    @property
    def full_name(self) -> str:
        # The case number (retention.anonymise) once anonymised; a list that loads only the names
        # (the field deferred) shows only people in processing, never anonymised ones.
        if self.__dict__.get("anonymised_on") is not None:
            return self.last_name
        return f"{self.first_name} {self.last_name}"

    @property
    def address(self) -> str:
        town = " ".join(part for part in (self.postal_code, self.city) if part)
        return ", ".join(part for part in (self.street, town) if part)

    def save(self, *args, **kwargs):
        # Derived search and sort columns kept in step with the name, whichever path writes.
        self.search_text = normalise(f"{self.first_name} {self.last_name}")
        self.sort_name = polish_sort_key(f"{self.last_name} {self.first_name}")
        super().save(*args, **kwargs)


class ParticipantRiskGroup(ParticipantRecord):
    """One risk group of a participant; ended, never deleted, when it no longer applies."""

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="risk_group_rows",
    )
    group = models.CharField(_("risk group"), max_length=30, choices=RiskGroup.choices)
    since = models.DateField(_("since"), default=timezone.localdate)
    ended_on = models.DateField(_("no longer applies since"), null=True, blank=True)

    class Meta:
        verbose_name = _("risk group of a participant")
        verbose_name_plural = _("risk groups of participants")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "group"],
                condition=Q(ended_on__isnull=True),
                name="one_current_row_per_risk_group",
                violation_error_message=_("This risk group is already recorded for the person."),
            ),
        ]

    def __str__(self):
        # The group itself is special-category data: not in the audit log's text.
        return str(_("risk group entry #%(pk)s") % {"pk": self.pk})


class FamilyMember(ParticipantRecord, Versioned):
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="family_members",
    )
    first_name = models.CharField(_("first name"), max_length=100)
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    lives_in_household = models.BooleanField(_("lives in the household"), default=True)
    needs_childcare = models.BooleanField(
        _("needs childcare during classes"),
        default=False,
    )
    notes = models.CharField(_("notes"), max_length=250, blank=True)
    is_current = models.BooleanField(
        _("current"),
        default=True,
        help_text=_("Untick when the person no longer belongs to the family's situation."),
    )

    class Meta:
        verbose_name = _("family member")
        verbose_name_plural = _("family members")
        ordering = ["-is_current", "birth_year", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_year__isnull=True) | Q(birth_year__gte=1900),
                name="family_birth_year_plausible",
                violation_error_message=_("Give a plausible year of birth."),
            ),
        ]

    def __str__(self):
        return f"{self.first_name} ({self.get_relation_display()})"


# --- Recruitment ----------------------------------------------------------------------------


class Application(ParticipantRecord, Versioned):
    """An incoming referral or an own application, its eligibility check and the decision."""

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    received_on = models.DateField(_("received on"), default=timezone.localdate)
    source = models.CharField(
        _("source"),
        max_length=20,
        choices=ApplicationSource.choices,
        default=ApplicationSource.REFERRAL,
    )
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("referring institution"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    contact_person = models.ForeignKey(
        ContactPerson,
        verbose_name=_("referring person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("reason for the referral or application"), blank=True)
    eligible_groups = models.JSONField(
        _("groups of art. 1 sec. 2 that apply"), default=list, blank=True
    )
    receives_unemployment_benefit = models.BooleanField(
        _("receives unemployment benefit"), default=False
    )
    receives_pre_retirement = models.BooleanField(
        _("receives a pre-retirement allowance or benefit"), default=False
    )
    receives_structural_pension = models.BooleanField(
        _("receives a structural pension"), default=False
    )
    receives_retirement_pension = models.BooleanField(
        _("receives a retirement pension"), default=False
    )
    receives_teacher_compensation = models.BooleanField(
        _("receives the teachers' compensation benefit"), default=False
    )
    receives_incapacity_pension = models.BooleanField(
        _("receives an incapacity-for-work pension"),
        default=False,
        help_text=_("Does not exclude: art. 1 sec. 3a allows these people to attend a KIS."),
    )
    decision = models.CharField(
        _("decision"), max_length=20, choices=Decision.choices, default=Decision.PENDING
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        StaffMember,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_reason = models.TextField(_("justification of the decision"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["received_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="pending") | Q(decided_on__isnull=False),
                name="application_decision_dated",
                violation_error_message=_("A decision needs its date."),
            ),
            models.CheckConstraint(
                condition=Q(source="self") | Q(institution__isnull=False),
                name="application_referral_has_institution",
                violation_error_message=_("Choose the institution that refers the person."),
            ),
        ]
        indexes = [
            # The start pages count the applications awaiting a decision: the few of them.
            models.Index(
                fields=["decision"], condition=Q(decision="pending"), name="application_pending"
            ),
        ]

    def __str__(self):
        return str(_("application of %(date)s") % {"date": self.received_on.strftime("%d.%m.%Y")})

    @property
    def referrer_section(self):
        """A referral from the probation service, a prison, addiction treatment or psychiatric
        care tells the person's risk group: who referred them, and why, is in that section."""
        if self.institution_id and self.institution.reveals_risk_group:
            return Section.RISK_GROUPS
        return None

    EXCLUDING_BENEFITS = (
        "receives_unemployment_benefit",
        "receives_pre_retirement",
        "receives_structural_pension",
        "receives_retirement_pension",
        "receives_teacher_compensation",
    )

    @property
    def exclusions(self) -> list[str]:
        """Verbose names of the benefits that, by art. 1 sec. 3, exclude the person."""
        return [
            str(self._meta.get_field(name).verbose_name)
            for name in self.EXCLUDING_BENEFITS
            if getattr(self, name)
        ]

    @property
    def statutory_groups(self) -> list[str]:
        statutory = {group.value for group in RiskGroup.statutory()}
        return [group for group in self.eligible_groups if group in statutory]

    @property
    def eligible_by_act(self) -> bool:
        return bool(self.statutory_groups) and not self.exclusions

    @property
    def eligible_groups_display(self) -> list[str]:
        labels = dict(RiskGroup.choices)
        return [str(labels.get(group, group)) for group in self.eligible_groups]


# --- Cohorts and enrolments -------------------------------------------------------------------


class CohortQuerySet(models.QuerySet):
    def with_counts(self):
        return self.annotate(
            open_count=models.Count(
                "enrolments",
                filter=Q(enrolments__status__in=EnrolmentStatus.open()),
                distinct=True,
            ),
            active_count=models.Count(
                "enrolments",
                filter=Q(enrolments__status=EnrolmentStatus.ACTIVE),
                distinct=True,
            ),
        )


class Cohort(Versioned):
    """A group or edition (grupa / edycja). Optional: rolling intake enrols people individually."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    capacity = models.PositiveSmallIntegerField(_("number of places"), default=30)
    lead_social_worker = models.ForeignKey(
        StaffMember,
        verbose_name=_("lead social worker"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_cohorts",
    )
    funding_source = models.ForeignKey(
        FundingSource,
        verbose_name=_("funding source or project"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cohorts",
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = CohortQuerySet.as_manager()

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="cohort_dates_in_order",
                violation_error_message=_("The end cannot be earlier than the start."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1),
                name="cohort_has_places",
                violation_error_message=_("A cohort needs at least one place."),
            ),
        ]

    def __str__(self):
        return self.name


class EnrolmentQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=EnrolmentStatus.open())


class Enrolment(ParticipantRecord, Versioned):
    """One participation cycle of a person in the KIS."""

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    cohort = models.ForeignKey(
        Cohort,
        verbose_name=_("cohort"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrolments",
        help_text=_("Leave empty for an individual (rolling) enrolment."),
    )
    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrolments",
    )
    starts_on = models.DateField(_("start"))
    planned_end_on = models.DateField(_("planned end"))
    extension_reason = models.TextField(
        _("justification of a participation longer than 12 months"), blank=True
    )
    funding_source = models.ForeignKey(
        FundingSource,
        verbose_name=_("funding source or project"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrolments",
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=EnrolmentStatus.choices,
        default=EnrolmentStatus.CANDIDATE,
    )
    status_changed_on = models.DateField(_("status since"), default=timezone.localdate)
    ended_on = models.DateField(_("end of participation"), null=True, blank=True)
    exit_outcome = models.CharField(
        _("outcome at exit"), max_length=30, choices=ExitOutcome.choices, blank=True
    )
    exit_notes = models.TextField(_("notes on the exit"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
    )

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end_on__gte=models.F("starts_on")),
                name="enrolment_planned_end_after_start",
                violation_error_message=_("The planned end cannot be earlier than the start."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("starts_on")),
                name="enrolment_end_after_start",
                violation_error_message=_(
                    "The end of participation cannot be earlier than the start."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["completed", "dropped_out", "removed"])
                | (Q(ended_on__isnull=False) & ~Q(exit_outcome="")),
                name="enrolment_exit_recorded",
                violation_error_message=_("An ended participation needs its end date and outcome."),
            ),
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(status__in=["candidate", "active", "suspended"]),
                name="one_open_enrolment_per_participant",
                violation_error_message=_("This person already has an open participation."),
            ),
        ]
        indexes = [models.Index(fields=["participant", "-starts_on"])]

    def __str__(self):
        return str(_("participation from %(date)s") % {"date": self.starts_on.strftime("%d.%m.%Y")})

    @property
    def is_open(self) -> bool:
        return self.status in EnrolmentStatus.open()


class EnrolmentStatusChange(ParticipantRecord):
    """The history of an enrolment's status: every change with its date, reason and author."""

    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("participation"),
        on_delete=models.PROTECT,
        related_name="status_changes",
    )
    from_status = models.CharField(
        _("previous status"), max_length=20, choices=EnrolmentStatus.choices, blank=True
    )
    to_status = models.CharField(_("new status"), max_length=20, choices=EnrolmentStatus.choices)
    changed_on = models.DateField(_("date"))
    reason = models.TextField(_("reason"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-changed_on", "-pk"]

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class FollowUp(ParticipantRecord, Versioned):
    """A check on the person's situation 3, 6 or 12 months after the exit."""

    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("participation"),
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )
    months = models.PositiveSmallIntegerField(_("months after exit"))
    due_on = models.DateField(_("due on"))
    checked_on = models.DateField(_("checked on"), null=True, blank=True)
    result = models.CharField(
        _("result"), max_length=30, choices=FollowUpResult.choices, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        StaffMember,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "months"],
                name="one_follow_up_per_term",
                violation_error_message=_("This follow-up is already planned."),
            ),
            models.CheckConstraint(
                condition=Q(checked_on__isnull=True) | ~Q(result=""),
                name="follow_up_checked_has_result",
                violation_error_message=_("Choose the result of the check."),
            ),
        ]

    def __str__(self):
        return str(_("follow-up after %(months)s months") % {"months": self.months})


class CaseNote(ParticipantRecord, Versioned):
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="notes",
    )
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("participation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notes",
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=NoteKind.choices, default=NoteKind.CONVERSATION
    )
    happened_on = models.DateField(_("date"), default=timezone.localdate)
    author = models.ForeignKey(
        StaffMember, verbose_name=_("author"), on_delete=models.PROTECT, related_name="case_notes"
    )
    text = models.TextField(_("note"))
    section = models.CharField(
        _("sensitive content"),
        max_length=20,
        choices=Section.choices,
        blank=True,
        help_text=_(
            "Choose when the note concerns health, psychological or legal matters: "
            "only people allowed to see that section will see it."
        ),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")
        ordering = ["-happened_on", "-pk"]

    def __str__(self):
        return str(
            _("%(kind)s on %(date)s")
            % {"kind": self.get_kind_display(), "date": self.happened_on.strftime("%d.%m.%Y")}
        )


# --- Documents of the case --------------------------------------------------------------------


class BasisKind(models.TextChoices):
    SOCIAL_CONTRACT = "social_contract", _("social contract")
    PUP_REFERRAL = "pup_referral", _("referral from the labour office (PUP)")
    OTHER = "other", _("other basis of participation")


class ContractOrigin(models.TextChoices):
    RECORDED = "recorded", _("concluded at the social welfare centre (recorded here)")
    DRAFTED = "drafted", _("drafted at the KIS")


class SocialContractQuerySet(models.QuerySet):
    def valid_on(self, day):
        return self.filter(valid_from__lte=day, valid_until__gte=day)


class SocialContract(ParticipantRecord, SignedDocument):
    """The basis of participation: a social contract (art. 108 of the social assistance act),
    recorded from the OPS or drafted here, or another basis such as a PUP referral."""

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    basis_kind = models.CharField(
        _("basis of participation"),
        max_length=20,
        choices=BasisKind.choices,
        default=BasisKind.SOCIAL_CONTRACT,
    )
    origin = models.CharField(
        _("how it was made"),
        max_length=10,
        choices=ContractOrigin.choices,
        default=ContractOrigin.RECORDED,
    )
    number = models.CharField(_("number"), max_length=60, blank=True)
    concluded_on = models.DateField(_("concluded on"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    ops_worker = models.CharField(
        _("social worker of the social welfare centre"), max_length=200, blank=True
    )
    ops_department = models.ForeignKey(
        Institution,
        verbose_name=_("social welfare centre or department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    family_parties = models.ManyToManyField(
        FamilyMember,
        verbose_name=_("family members who are parties"),
        blank=True,
        related_name="contracts",
    )
    situation = models.TextField(
        _("the person's (family's) situation"),
        blank=True,
        help_text=_("The assessment that the contract answers."),
    )
    goals = models.TextField(_("goals"), blank=True)
    person_obligations = models.TextField(_("the person's obligations"), blank=True)
    worker_obligations = models.TextField(_("the social worker's obligations"), blank=True)
    evaluation_every_months = models.PositiveSmallIntegerField(
        _("evaluation every (months)"),
        null=True,
        blank=True,
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_(
            "How often the contract has its carrying out evaluated, counted from the start of "
            "its term. Leave empty when the contract sets no such rule."
        ),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
    )

    objects = SocialContractQuerySet.as_manager()
    SNAPSHOT_EXCLUDE = ("created_at", "created_by")

    pdf_template = "participants/pdf/contract.html"

    class Meta:
        verbose_name = _("social contract or basis of participation")
        verbose_name_plural = _("social contracts and bases of participation")
        ordering = ["-valid_from", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")),
                name="contract_term_in_order",
                violation_error_message=_("The contract cannot end before it starts."),
            ),
        ]

    def __str__(self):
        label = self.get_basis_kind_display()
        return f"{label} {self.number}".strip() if self.number else str(label)

    def clean(self):
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The contract cannot end before it starts.")})

    def covers(self, day) -> bool:
        return self.valid_from <= day <= self.valid_until

    def signer_slots(self) -> list[SignerSlot]:
        """A social contract: the participant, the family members who are parties and the
        social worker (of the OPS when recorded from there, of the KIS when drafted here).
        Another basis: a staff member confirms the copy against the original."""
        participant = SignerSlot(
            "participant",
            _("Participant"),
            default_name=lambda c: c.participant.full_name,
        )
        if self.basis_kind != BasisKind.SOCIAL_CONTRACT:
            return [
                SignerSlot(
                    "verified",
                    _("Checked against the original at the KIS"),
                    roles=(Role.CASE_MANAGER, Role.SOCIAL_WORKER, Role.MANAGER),
                )
            ]
        family = [
            SignerSlot(
                f"family-{member.pk}",
                gettext("Family member: %(name)s") % {"name": member.first_name},
                default_name=lambda c, m=member: m.first_name,
            )
            for member in self.family_parties.all()
        ]
        if self.origin == ContractOrigin.RECORDED:
            worker = SignerSlot(
                "ops_worker",
                _("Social worker of the social welfare centre"),
                default_name=lambda c: c.ops_worker,
            )
        else:
            worker = SignerSlot("social_worker", _("Social worker"), roles=(Role.SOCIAL_WORKER,))
        return [participant, *family, worker]

    def sensitive_sections(self) -> frozenset:
        """The contract tells the person's situation: the risk groups."""
        return frozenset({Section.RISK_GROUPS})

    def evaluation_rule_dates(self) -> list[date]:
        """The evaluation dates the contract's rule implies: every ``evaluation_every_months``
        months from the start of its term, within the term (none without a rule)."""
        every = self.evaluation_every_months
        if not every or not self.valid_from or not self.valid_until:
            return []
        days, step = [], 1
        while (day := add_months(self.valid_from, every * step)) <= self.valid_until:
            days.append(day)
            step += 1
        return days


class ContractEvaluation(ParticipantRecord, Versioned):
    """A planned evaluation of a social contract, and what the evaluation found."""

    contract = models.ForeignKey(
        SocialContract,
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    planned_on = models.DateField(_("planned on"))
    done_on = models.DateField(_("held on"), null=True, blank=True)
    result = models.TextField(_("result of the evaluation"), blank=True)
    cancelled = models.BooleanField(_("cancelled"), default=False)

    class Meta:
        verbose_name = _("contract evaluation")
        verbose_name_plural = _("contract evaluations")
        ordering = ["planned_on", "pk"]

    def __str__(self):
        return str(_("evaluation on %(date)s") % {"date": self.planned_on.strftime("%d.%m.%Y")})


class Certificate(ParticipantRecord, SignedDocument):
    """The certificate of participation (zaświadczenie) issued on completion, with its number."""

    enrolment = models.OneToOneField(
        Enrolment,
        verbose_name=_("participation"),
        on_delete=models.PROTECT,
        related_name="certificate",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("number in the year"))
    issued_on = models.DateField(_("issued on"))
    place = models.CharField(_("place of issue"), max_length=100, blank=True)
    programme = models.CharField(_("programme followed"), max_length=250)
    lines = models.JSONField(_("activities and hours"), default=list, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("certificate of participation")
        verbose_name_plural = _("certificates of participation")
        ordering = ["-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "sequence"],
                name="certificate_number_unique",
                violation_error_message=_("This certificate number is already taken."),
            ),
        ]

    pdf_template = "participants/pdf/certificate.html"

    def __str__(self):
        return str(_("certificate no. %(number)s") % {"number": self.number})

    def signer_slots(self) -> list[SignerSlot]:
        """The KIS manager signs the certificate."""
        return [SignerSlot("manager", _("KIS manager"), roles=(Role.MANAGER,))]

    @property
    def number(self) -> str:
        return f"{self.sequence}/{self.year}"


# --- Outgoing referrals to partner institutions -----------------------------------------------


class DataCategory(models.TextChoices):
    IDENTITY = "identity", _("first name, last name, date of birth")
    PESEL = "pesel", _("PESEL")
    CONTACT = "contact", _("address and phone")
    EDUCATION = "education", _("education")
    SOCIAL = "social", _("social and family situation")
    RISK_GROUPS = "risk_groups", _("risk groups")
    HEALTH = "health", _("health and psychological information")
    LEGAL = "legal", _("legal situation and criminal record")


# What each category of passed-on data reveals, in the access policy's sections.
CATEGORY_SECTIONS = {
    DataCategory.RISK_GROUPS: {Section.RISK_GROUPS},
    DataCategory.HEALTH: {Section.HEALTH, Section.PSYCHOLOGICAL},
    DataCategory.LEGAL: {Section.LEGAL},
}


class LegalBasis(models.TextChoices):
    CONSENT = "consent", _("the participant's consent")
    STATUTORY = "statutory", _("a statutory task")


class ReferralStatus(models.TextChoices):
    PREPARED = "prepared", _("prepared")
    SENT = "sent", _("sent")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")
    COMPLETED = "completed", pgettext_lazy("referral", "completed")
    CANCELLED = "cancelled", pgettext_lazy("referral", "cancelled")


class OutgoingReferral(ParticipantRecord, SignedDocument):
    """A referral (skierowanie) of a participant to a partner institution's service, with the
    legal basis for the personal data it passes on."""

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="outgoing_referrals",
    )
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    service = models.ForeignKey(
        "partners.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    contact_person = models.ForeignKey(
        ContactPerson,
        verbose_name=_("addressed to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    referred_on = models.DateField(_("date of the referral"), default=timezone.localdate)
    purpose = models.TextField(_("purpose of the referral"))
    data_passed = models.JSONField(_("personal data passed on"), default=list)
    information = models.TextField(
        _("information passed on"),
        blank=True,
        help_text=_("Only what the chosen categories and the legal basis cover."),
    )
    legal_basis = models.CharField(
        _("legal basis for passing the data"), max_length=20, choices=LegalBasis.choices
    )
    consent_on = models.DateField(_("consent given on"), null=True, blank=True)
    consent_categories = models.JSONField(_("data the consent covers"), default=list, blank=True)
    statutory_basis = models.CharField(
        _("statutory task (provision)"),
        max_length=300,
        blank=True,
        help_text=_("E.g. art. 12 sec. 1 of the act on social employment."),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ReferralStatus.choices,
        default=ReferralStatus.PREPARED,
    )
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answer = models.TextField(_("the institution's answer"), blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
    )

    SNAPSHOT_EXCLUDE = (
        "created_at",
        "created_by",
        "status",
        "sent_on",
        "answered_on",
        "answer",
        "completed_on",
        "outcome",
        "cancelled_on",
    )

    class Meta:
        verbose_name = _("referral to an institution")
        verbose_name_plural = _("referrals to institutions")
        ordering = ["-referred_on", "-pk"]
        indexes = [
            models.Index(fields=["institution", "status"]),
            # The start pages count the referrals sent long ago and still unanswered.
            models.Index(fields=["status", "sent_on"], name="referral_waiting"),
        ]

    pdf_template = "participants/pdf/referral.html"

    def __str__(self):
        return str(_("referral to %(institution)s of %(date)s")) % {
            "institution": self.institution.name,
            "date": self.referred_on.strftime("%d.%m.%Y"),
        }

    def signer_slots(self) -> list[SignerSlot]:
        """The person who prepared the referral signs it (a named person, not a whole role: a
        required signer may open the whole letter, health data included)."""
        return [
            SignerSlot(
                "referring",
                _("Referring on behalf of the KIS"),
                person=lambda r: r.created_by_id,
            )
        ]

    def sensitive_sections(self) -> frozenset:
        """The sections of the data the referral passes on (``sections``)."""
        return self.sections

    @property
    def sections(self) -> frozenset:
        found = set()
        for category in self.data_passed:
            found |= CATEGORY_SECTIONS.get(category, set())
        if self.institution_id and self.institution.reveals_risk_group:
            # A referral to addiction treatment or psychiatric care tells a risk group itself.
            found.add(Section.RISK_GROUPS)
        return frozenset(found)

    @property
    def data_passed_display(self) -> list[str]:
        labels = dict(DataCategory.choices)
        return [str(labels.get(code, code)) for code in self.data_passed]

    @property
    def waiting_days(self) -> int | None:
        if self.status != ReferralStatus.SENT or not self.sent_on:
            return None
        return (timezone.localdate() - self.sent_on).days


class ProcessingRestriction(ParticipantRecord):
    """A restriction of processing of a person's file (GDPR art. 18), from a date until it is
    lifted: the file is read-only and leaves every list; ``participants.restriction`` keeps it."""

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="restrictions",
    )
    restricted_on = models.DateField(_("restricted from"))
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    paused_enrolment = models.ForeignKey(
        Enrolment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text="The participation the restriction suspended, resumed when it is lifted.",
    )
    lifted_on = models.DateField(_("lifted on"), null=True, blank=True)
    person_told_on = models.DateField(_("the person told of the lifting on"), null=True, blank=True)
    lift_note = models.TextField(_("note on the lifting"), blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("restriction of processing")
        verbose_name_plural = _("restrictions of processing")
        ordering = ["-restricted_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(lifted_on__isnull=True),
                name="one_restriction_in_force",
            )
        ]

    def __str__(self):
        return gettext("restriction of processing from %(date)s") % {
            "date": self.restricted_on.strftime("%d.%m.%Y")
        }

"""factory_boy factories for the records the tests build.

The records of the apps further along the cycle (diagnosis, activities, the action plan, the
reports) are mostly written through their services, which keep the bookkeeping a bare ``save()``
would skip: a signed document's first version, a sphere's own version, the roster of a session,
the absence rule, the checks of dates against the participation. Their factories call those
services in ``_create`` (``build()`` still gives a plain unsaved instance with the same values),
so a factory-made record is one the application itself could have written.
"""

from datetime import date, time, timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from activities import absences as absence_services
from activities import services as activity_services
from activities.enrolments import enrolment_on
from activities.models import (
    AbsenceAction,
    AbsenceCase,
    AbsenceCaseEntry,
    Attendance,
    CaseReason,
    Category,
    Consultation,
    ConsultationKind,
    ExcuseKind,
    FollowUpKind,
    HoursBasis,
    Mark,
    ModuleForm,
    Placement,
    PlacementHours,
    PlacementKind,
    Programme,
    ProgrammeModule,
    ProgrammeTemplate,
    PsuRates,
    RosterEntry,
    Session,
    TemplateModule,
)
from diagnosis import services as diagnosis_services
from diagnosis.models import (
    DiagnosisKind,
    DiagnosticReport,
    DisabilityDegree,
    HealthSphere,
    HollandResult,
    HousingTitle,
    IncomeKind,
    IncomeSource,
    Job,
    PsychologicalSphere,
    PupStatus,
    Rating,
    SocialSphere,
    SocioLivingSphere,
    Tool,
    ToolUse,
    VocationalSphere,
)
from ipd import services as ipd_services
from ipd.models import (
    ActionKind,
    ActionPlan,
    ActionStatus,
    CatalogueEntry,
    Goal,
    GoalStatus,
    PlanAction,
)
from kis_site import documents
from kis_site.demo import make_pesel
from kis_site.models import DocumentState, FundingKind, FundingSource, StaffMember
from kis_site.vocabulary import Role, Section, Sphere
from participants import services as participant_services
from participants.models import (
    Application,
    ApplicationSource,
    CaseNote,
    Cohort,
    Decision,
    EducationLevel,
    Enrolment,
    EnrolmentStatus,
    ExitOutcome,
    FamilyMember,
    NoteKind,
    OutgoingReferral,
    Participant,
    Relation,
)
from partners import services as partner_services
from partners.models import (
    Agreement,
    ContactPerson,
    Institution,
    InstitutionType,
    Meeting,
    MeetingTask,
    Service,
    ServiceSphere,
    TaskStatus,
)
from reports import exits as exit_services
from reports import referrers as letter_services
from reports import services as report_services
from reports.models import (
    ChangeReport,
    ChangeSphere,
    Effect,
    ExitAssessment,
    GrantSettlement,
    LetterKind,
    ReferrerLetter,
)
from reports.months import add_months, first_day, last_day

# Every factory-made account's password (the log check at the end of a run looks for it).
PASSWORD = "Haslo-testowe-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Jan"
    last_name = "Testowy"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted.group_name))
        self.save()


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember

    user = factory.SubFactory(UserFactory)
    first_name = factory.SelfAttribute("user.first_name")
    last_name = factory.SelfAttribute("user.last_name")
    position = "pracownik"


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"Instytucja {n}")
    kind = InstitutionType.OPS
    city = "Radom"


class ContactPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactPerson

    institution = factory.SubFactory(InstitutionFactory)
    first_name = "Beata"
    last_name = "Sowa"


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant
        skip_postgeneration_save = True

    first_name = factory.Sequence(lambda n: f"Imię{n}")
    last_name = factory.Sequence(lambda n: f"Nazwisko{n}")
    birth_date = factory.Sequence(lambda n: date(1980, 1, 1) + timedelta(days=n))
    sex = "M"
    pesel = factory.LazyAttributeSequence(
        lambda obj, n: make_pesel(obj.birth_date, obj.sex == "F", n % 1000)
    )
    city = "Radom"


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    name = factory.Sequence(lambda n: f"Edycja {n}")
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    ends_on = factory.LazyAttribute(lambda obj: obj.starts_on + timedelta(weeks=38))
    capacity = 30


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    participant = factory.SubFactory(ParticipantFactory)
    received_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=40))
    source = ApplicationSource.SELF
    eligible_groups = factory.LazyFunction(lambda: ["long_term_unemployed"])
    decision = Decision.QUALIFIED
    decided_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=35))
    decision_reason = "Spełnia kryteria."


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment
        skip_postgeneration_save = True

    participant = factory.SubFactory(ParticipantFactory)
    application = factory.SubFactory(
        ApplicationFactory, participant=factory.SelfAttribute("..participant")
    )
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    planned_end_on = factory.LazyAttribute(lambda obj: obj.starts_on + timedelta(days=300))
    status = EnrolmentStatus.ACTIVE
    status_changed_on = factory.SelfAttribute("starts_on")

    @factory.post_generation
    def current(self, create, extracted, **kwargs):
        if create:
            from participants.services import participant_refresh_current_enrolment

            participant_refresh_current_enrolment(participant=self.participant)


class FamilyMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FamilyMember

    participant = factory.SubFactory(ParticipantFactory)
    first_name = "Ola"
    relation = Relation.CHILD
    birth_year = 2018


class CaseNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseNote

    participant = factory.SubFactory(ParticipantFactory)
    kind = NoteKind.CONVERSATION
    text = "Rozmowa o postępach."
    author = factory.SubFactory(StaffMemberFactory)


class ReferralFactory(factory.django.DjangoModelFactory):
    """A prepared referral passing on the person's name only, with their consent."""

    class Meta:
        model = OutgoingReferral
        skip_postgeneration_save = True

    participant = factory.SubFactory(ParticipantFactory)
    institution = factory.SubFactory(InstitutionFactory)
    referred_on = factory.LazyFunction(timezone.localdate)
    purpose = "Konsultacja doradcy zawodowego."
    data_passed = factory.LazyFunction(lambda: ["identity"])
    legal_basis = "consent"
    consent_on = factory.LazyFunction(timezone.localdate)
    consent_categories = factory.LazyFunction(lambda: ["identity", "contact"])

    @factory.post_generation
    def revision(self, create, extracted, **kwargs):
        if create:
            from kis_site.documents import document_created

            document_created(document=self, by=None)


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement
        skip_postgeneration_save = True

    institution = factory.SubFactory(InstitutionFactory)
    number = factory.Sequence(lambda n: f"POR/{n}/2026")
    concluded_on = factory.LazyFunction(timezone.localdate)
    valid_from = factory.LazyFunction(timezone.localdate)
    scope = "Konsultacje doradcy zawodowego dla uczestników KIS."

    @factory.post_generation
    def revision(self, create, extracted, **kwargs):
        if create:
            from kis_site.documents import document_created

            document_created(document=self, by=None)


# --- Helpers: working days, enrolment in a group, signatures on paper --------------------------


def working_day(first: date, last: date | None = None, *, latest: date | None = None) -> date:
    """The latest working day (Monday to Friday, not a Polish public holiday) from ``first`` to
    ``last`` that is not after ``latest`` (today by default): a day a session can be held on and
    its attendance already taken. When the whole period lies ahead, its first working day."""
    latest = latest or timezone.localdate()
    end = min(latest, last) if last else latest
    off = activity_services.polish_holidays(
        first - timedelta(days=7), max(end, first) + timedelta(days=14)
    )

    def works(day):
        return day.weekday() < 5 and day not in off

    day = end
    while day >= first:
        if works(day):
            return day
        day -= timedelta(days=1)
    day = first
    while not works(day):
        day += timedelta(days=1)
    return day


def programme_period(programme: Programme) -> tuple[date, date | None]:
    """The dates a programme's sessions fall within: its cohort's, or its one participation's."""
    if programme.cohort is not None:
        return programme.cohort.starts_on, programme.cohort.ends_on
    enrolment = programme.enrolment
    return enrolment.starts_on, enrolment.ended_on or enrolment.planned_end_on


def enrol_for(participant: Participant, programme: Programme, day: date) -> Enrolment:
    """The person's participation running on ``day``; without one, a new participation in the
    programme's cohort from the cohort's first day. (An individual programme belongs to one
    participation: its person is enrolled already.)"""
    enrolment = enrolment_on(participant.pk, day)
    if enrolment is not None:
        return enrolment
    if programme.cohort_id is None:
        raise ValueError(f"{participant} is not enrolled on {day} in this individual programme.")
    cohort = programme.cohort
    return EnrolmentFactory(
        participant=participant,
        cohort=cohort,
        starts_on=cohort.starts_on,
        planned_end_on=cohort.ends_on,
        application__received_on=cohort.starts_on - timedelta(days=14),
        application__decided_on=cohort.starts_on - timedelta(days=7),
    )


def _programme_person(path: str = ""):
    """The person of an individual programme (its module reached through ``path``), else a new
    participant (enrolled in the group by the factory's ``_create``)."""
    enrolment = f"{path}.module.programme.enrolment" if path else "module.programme.enrolment"
    return factory.Maybe(
        enrolment,
        yes_declaration=factory.SelfAttribute(f"{enrolment}.participant"),
        no_declaration=factory.SubFactory(ParticipantFactory),
    )


def _same_person(participant, enrolment) -> None:
    if participant is not None and participant.pk != enrolment.participant_id:
        raise ValueError("The record's participant must be the participation's.")


SIGNER_NAMES = ("Joanna Kamińska", "Tomasz Lewandowski", "Agnieszka Wójcik", "Beata Sowa")


def manager_user():
    """A KIS manager with their staff record: a keeper of every document, who may record any
    signature given on paper."""
    return StaffMemberFactory(
        user__role=Role.MANAGER,
        user__first_name="Barbara",
        user__last_name="Kowalczyk",
        position="kierownik KIS",
    ).user


def sign_on_paper(document, *, by=None, signed_on: date | None = None):
    """Record every signature ``document`` still lacks as given by hand on ``signed_on`` (today
    by default), recorded by ``by`` (a new manager by default): the last one locks the version.
    Its PDF is not rendered (kept on first open, as when the demo signs), so tests stay fast.
    Returns the locked document."""
    by = by or manager_user()
    signed_on = signed_on or timezone.localdate()
    with documents.originals_kept_on_first_open():
        for index, slot in enumerate(documents.missing_slots(document)):
            name = slot.default_name(document) if slot.default_name else ""
            document = documents.document_record_paper_signature(
                document=document,
                slot_key=slot.key,
                signer_name=name or SIGNER_NAMES[index % len(SIGNER_NAMES)],
                signed_on=signed_on,
                by=by,
            )
    return document


def _signed(day_of):
    """A post-generation hook: ``signed=True`` locks the document with every signature recorded
    on paper on ``day_of(document)`` (never after today); ``signed__on=`` and ``signed__by=``
    give another day and who records them."""

    def sign(obj, create, extracted, **kwargs):
        if not (create and extracted):
            return
        day = kwargs.get("on") or min(day_of(obj), timezone.localdate())
        sign_on_paper(obj, by=kwargs.get("by"), signed_on=day)
        obj.refresh_from_db()

    return factory.PostGeneration(sign)


# --- The network: services, meetings, funding ------------------------------------------------


class ServiceFactory(factory.django.DjangoModelFactory):
    """A partner's service with its contact person in the same institution, tagged with the life
    spheres it serves through ``service_set_spheres`` (``spheres=[...]``; vocational by default)."""

    class Meta:
        model = Service
        skip_postgeneration_save = True

    institution = factory.SubFactory(InstitutionFactory, kind=InstitutionType.PUP)
    name = "Poradnictwo zawodowe i pośrednictwo pracy"
    description = "Indywidualne spotkania z doradcą klienta, oferty pracy i staży."
    how_to_refer = "Skierowanie e-mailem do doradcy klienta; termin spotkania w ciągu 7 dni."
    contact = factory.SubFactory(
        ContactPersonFactory,
        institution=factory.SelfAttribute("..institution"),
        first_name="Grzegorz",
        last_name="Lis",
        position="doradca klienta",
    )
    is_active = True

    @factory.post_generation
    def spheres(self, create, extracted, **kwargs):
        if create:
            chosen = [Sphere.VOCATIONAL] if extracted is None else extracted
            partner_services.service_set_spheres(service=self, spheres=chosen)


class ServiceSphereFactory(factory.django.DjangoModelFactory):
    """One more life sphere of a service (made without spheres of its own)."""

    class Meta:
        model = ServiceSphere

    service = factory.SubFactory(ServiceFactory, spheres=[])
    sphere = Sphere.SOCIAL


class MeetingFactory(factory.django.DjangoModelFactory):
    """A meeting of the local reintegration network two weeks ago, saved by ``meeting_save``,
    the next one a quarter later. Who was there: ``institutions=[...]``,
    ``contacts_present=[...]``, ``staff_present=[...]`` (nobody recorded by default)."""

    class Meta:
        model = Meeting
        skip_postgeneration_save = True

    held_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=14))
    place = "Sala konferencyjna MOPS w Radomiu, ul. Słowackiego 18"
    agenda = (
        "1. Oferta staży PUP dla uczestników KIS.\n"
        "2. Wspólne działania na rzecz osób wychodzących z bezdomności."
    )
    minutes = "Ustalono comiesięczną wymianę informacji o wolnych miejscach stażowych."
    next_meeting_on = factory.LazyAttribute(lambda o: o.held_on + timedelta(days=91))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return partner_services.meeting_save(
            meeting=model_class(*args, **kwargs), expected_version=None, relations={}
        )

    @factory.post_generation
    def institutions(self, create, extracted, **kwargs):
        if create and extracted:
            self.institutions.set(extracted)

    @factory.post_generation
    def contacts_present(self, create, extracted, **kwargs):
        if create and extracted:
            self.contacts_present.set(extracted)

    @factory.post_generation
    def staff_present(self, create, extracted, **kwargs):
        if create and extracted:
            self.staff_present.set(extracted)


class MeetingTaskFactory(factory.django.DjangoModelFactory):
    """A task the network's meeting decided, saved by ``task_save``, due a month after the
    meeting and owned by a KIS staff member (``for_partner=True``: by a partner's contact)."""

    class Meta:
        model = MeetingTask

    meeting = factory.SubFactory(MeetingFactory)
    description = "Przygotować wspólną ofertę staży dla uczestników KIS na I kwartał."
    owner_staff = factory.SubFactory(StaffMemberFactory, position="koordynator sieci")
    owner_contact = None
    due_on = factory.LazyAttribute(lambda o: o.meeting.held_on + timedelta(days=30))
    status = TaskStatus.OPEN
    done_on = None
    notes = ""

    class Params:
        for_partner = factory.Trait(
            owner_staff=None,
            owner_contact=factory.SubFactory(ContactPersonFactory, position="doradca klienta"),
        )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return partner_services.task_save(task=model_class(*args, **kwargs), expected_version=None)


class FundingSourceFactory(factory.django.DjangoModelFactory):
    """A grant of this calendar year from the voivode."""

    class Meta:
        model = FundingSource

    name = factory.Sequence(lambda n: f"Dotacja Wojewody Mazowieckiego na KIS nr {n + 1}")
    kind = FundingKind.GRANT
    reference = factory.Sequence(lambda n: f"WPS-VII.946.{n + 1}")
    starts_on = factory.LazyFunction(lambda: date(timezone.localdate().year, 1, 1))
    ends_on = factory.LazyAttribute(lambda o: date(o.starts_on.year, 12, 31))
    is_active = True


class CompletedEnrolmentFactory(EnrolmentFactory):
    """A participation that has ended: made active, then completed by ``enrolment_change_status``
    (its status history and the follow-ups 3, 6 and 12 months after the exit come with it), by
    default today, with an employment outcome."""

    status = EnrolmentStatus.COMPLETED
    ended_on = factory.LazyAttribute(
        lambda o: max(o.starts_on, min(o.planned_end_on, timezone.localdate()))
    )
    status_changed_on = factory.SelfAttribute("ended_on")
    exit_outcome = ExitOutcome.EMPLOYMENT
    exit_notes = "Podjął pracę na umowę o pracę jako magazynier."

    @classmethod
    def _create(cls, model_class, *args, status, ended_on, exit_outcome, exit_notes="", **kwargs):
        kwargs["status_changed_on"] = kwargs["starts_on"]
        enrolment = super()._create(model_class, *args, status=EnrolmentStatus.ACTIVE, **kwargs)
        return participant_services.enrolment_change_status(
            enrolment=enrolment,
            to_status=status,
            changed_on=ended_on,
            reason="Zakończenie udziału w KIS zgodnie z planem.",
            by=None,
            expected_version=enrolment.version,
            exit_outcome=exit_outcome,
            exit_notes=exit_notes,
        )


# --- Activities: programmes, sessions, attendance, consultations, placements -------------------


class ProgrammeTemplateFactory(factory.django.DjangoModelFactory):
    """A programme template the manager keeps (not the default: the shipped Radom one is)."""

    class Meta:
        model = ProgrammeTemplate

    name = factory.Sequence(lambda n: f"Program KIS — cykl półroczny {n + 1}")
    weeks = 26
    description = "Zajęcia 3 razy w tygodniu po 4 godziny."
    is_default = False


class TemplateModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TemplateModule

    template = factory.SubFactory(ProgrammeTemplateFactory)
    name = "Psychoedukacja"
    category = Category.SOCIAL
    form = ModuleForm.WORKSHOP
    hours = Decimal("48")
    basis = HoursBasis.PER_PARTICIPANT
    order = factory.Sequence(lambda n: n + 1)


class ProgrammeFactory(factory.django.DjangoModelFactory):
    """A cohort's programme, made by ``programme_copy`` from a template of its own that has no
    modules (add them with ``ProgrammeModuleFactory``); ``default_template=True`` copies the
    shipped Radom programme with its twelve modules instead, ``individual=True`` makes the
    programme of one participation enrolled individually."""

    class Meta:
        model = Programme

    cohort = factory.SubFactory(CohortFactory)
    enrolment = None
    copied_from = factory.SubFactory(ProgrammeTemplateFactory)

    class Params:
        individual = factory.Trait(cohort=None, enrolment=factory.SubFactory(EnrolmentFactory))
        default_template = factory.Trait(
            copied_from=factory.LazyFunction(lambda: ProgrammeTemplate.objects.get(is_default=True))
        )

    @classmethod
    def _create(cls, model_class, *args, copied_from, cohort=None, enrolment=None, **kwargs):
        return activity_services.programme_copy(
            template=copied_from, cohort=cohort, enrolment=enrolment
        )


class ProgrammeModuleFactory(factory.django.DjangoModelFactory):
    """A module of a programme: a 48-hour group workshop; ``consultation=True`` gives the
    consultants' duty pool (38 hours shared by the group), ``interview=True`` the diagnostic
    interview (3 hours per person)."""

    class Meta:
        model = ProgrammeModule

    programme = factory.SubFactory(ProgrammeFactory)
    name = "Psychoedukacja"
    category = Category.SOCIAL
    form = ModuleForm.WORKSHOP
    hours = Decimal("48")
    basis = HoursBasis.PER_PARTICIPANT
    order = factory.Sequence(lambda n: n + 1)

    class Params:
        consultation = factory.Trait(
            name="Konsultacje indywidualne (psycholog, pedagog, prawnik, doradca zawodowy)",
            form=ModuleForm.CONSULTATION,
            hours=Decimal("38"),
            basis=HoursBasis.POOL,
        )
        interview = factory.Trait(
            name="Indywidualny wywiad diagnostyczny",
            form=ModuleForm.INTERVIEW,
            hours=Decimal("3"),
            basis=HoursBasis.INDIVIDUAL,
        )


class SessionFactory(factory.django.DjangoModelFactory):
    """A session made by ``session_create`` (dates within the group's, no public holiday, no
    clash): on the group's latest working day up to today, so its attendance can be taken,
    9:00–13:00 (4 planned hours), led by a staff member, in a room of its own. Its roster is the
    group's members active that day (``roster=[participants or ids]`` gives another)."""

    class Meta:
        model = Session

    module = factory.SubFactory(ProgrammeModuleFactory)
    date = factory.LazyAttribute(lambda o: working_day(*programme_period(o.module.programme)))
    starts_at = time(9)
    ends_at = time(13)
    leader = factory.SubFactory(StaffMemberFactory, position="trener")
    leader_name = ""
    place = factory.Sequence(lambda n: f"Sala nr {n + 1}")
    topic = "Komunikacja i radzenie sobie ze stresem"
    roster = None  # not a field: the participants expected, passed to session_create

    @classmethod
    def _build(cls, model_class, *args, roster=None, **kwargs):
        return super()._build(model_class, *args, **kwargs)

    @classmethod
    def _create(cls, model_class, *args, roster=None, **kwargs):
        ids = None if roster is None else [getattr(person, "pk", person) for person in roster]
        return activity_services.session_create(session=model_class(*args, **kwargs), roster=ids)


class RosterEntryFactory(factory.django.DjangoModelFactory):
    """A person expected at a session; they are enrolled in the session's cohort first when no
    participation of theirs runs on its day."""

    class Meta:
        model = RosterEntry

    session = factory.SubFactory(SessionFactory)
    participant = _programme_person("session")
    walk_in = False

    @classmethod
    def _create(cls, model_class, *args, session, participant, **kwargs):
        enrol_for(participant, session.module.programme, session.date)
        entry, _created = model_class.objects.update_or_create(
            session=session, participant=participant, defaults=kwargs
        )
        return entry


class AttendanceFactory(factory.django.DjangoModelFactory):
    """A mark saved by ``attendance_save``, so the absence rule runs (an unjustified absence
    opens the participation's case). The person is enrolled in the session's cohort and put on
    its roster first when they are not. The hours credited are the service's: the session's
    planned hours when present, less the minutes missed when late (a declared ``hours`` only
    serves ``build()``); the session's leader records it. Traits: ``late`` (15 minutes),
    ``absent``, ``excused`` (a sick note, recorded by ``excuse_record``)."""

    class Meta:
        model = Attendance

    session = factory.SubFactory(SessionFactory)
    participant = _programme_person("session")
    mark = Mark.PRESENT
    minutes_late = 0
    hours = factory.LazyAttribute(
        lambda o: Attendance(mark=o.mark, minutes_late=o.minutes_late).credited_hours(o.session)
    )
    recorded_by = factory.Maybe(  # the session's leader takes it
        "session.leader.user",
        yes_declaration=factory.SelfAttribute("session.leader.user"),
        no_declaration=factory.SubFactory(UserFactory),
    )
    excuse = ""
    excuse_date = None
    excuse_note = ""

    class Params:
        late = factory.Trait(mark=Mark.LATE, minutes_late=15)
        absent = factory.Trait(mark=Mark.ABSENT)
        excused = factory.Trait(
            mark=Mark.EXCUSED,
            excuse=ExcuseKind.SICK_NOTE,
            excuse_date=factory.SelfAttribute("session.date"),
            excuse_note="Zwolnienie lekarskie L4 na trzy dni.",
        )

    @classmethod
    def _create(
        cls,
        model_class,
        *args,
        session,
        participant,
        mark,
        minutes_late=0,
        recorded_by=None,
        excuse="",
        excuse_date=None,
        excuse_note="",
        hours=None,
        **kwargs,
    ):
        enrol_for(participant, session.module.programme, session.date)
        RosterEntry.objects.get_or_create(session=session, participant=participant)
        with transaction.atomic():
            activity_services.attendance_save(
                session=session,
                marks=[activity_services.MarkInput(participant.pk, mark, minutes_late)],
                by=recorded_by,
            )
            row = model_class.objects.get(session=session, participant=participant)
            if excuse:
                row = absence_services.excuse_record(
                    attendance=row, kind=excuse, date=excuse_date, note=excuse_note, by=recorded_by
                )
            if kwargs:
                for name, value in kwargs.items():
                    setattr(row, name, value)
                row.save()
        return row


class AbsenceCaseFactory(factory.django.DjangoModelFactory):
    """The case an unjustified absence opens under the regulations: the absence is marked
    (``AttendanceFactory(absent=True)``) and the case the absence rule opened for it is returned
    (made with its entry here when the KIS settings do not count the absence as a breach)."""

    class Meta:
        model = AbsenceCase

    attendance = factory.SubFactory(AttendanceFactory, absent=True)
    participant = factory.SelfAttribute("attendance.participant")
    enrolment = factory.LazyAttribute(
        lambda o: enrolment_on(o.participant.pk, o.attendance.session.date)
    )
    reason = CaseReason.BREACH
    closed_on = None
    outcome = ""

    @classmethod
    def _create(cls, model_class, *args, attendance, enrolment, reason, **kwargs):
        case = model_class.objects.filter(enrolment=enrolment, closed_on__isnull=True).first()
        if case is None:
            case = model_class.objects.create(
                attendance=attendance, enrolment=enrolment, reason=reason, **kwargs
            )
            AbsenceCaseEntry.objects.create(case=case, attendance=attendance, reason=reason)
        elif kwargs.get("closed_on"):
            case.closed_on, case.outcome = kwargs["closed_on"], kwargs.get("outcome", "")
            case.version += 1
            case.save()
        return case


class AbsenceActionFactory(factory.django.DjangoModelFactory):
    """What followed in an absence case (a talk today), recorded by ``case_action``."""

    class Meta:
        model = AbsenceAction

    case = factory.SubFactory(AbsenceCaseFactory)
    kind = FollowUpKind.TALK
    taken_on = factory.LazyFunction(timezone.localdate)
    note = "Rozmowa o przyczynach nieobecności; uczestnik zobowiązał się do udziału w zajęciach."
    recorded_by = factory.SubFactory(UserFactory, first_name="Marek", last_name="Wiśniewski")

    @classmethod
    def _create(cls, model_class, *args, case, kind, taken_on, note="", recorded_by=None, **kw):
        return absence_services.case_action(
            case=case, kind=kind, taken_on=taken_on, note=note, by=recorded_by
        )


class ConsultationFactory(factory.django.DjangoModelFactory):
    """An hour with a career advisor recorded by ``consultation_save``, drawn on the consultants'
    pool of the person's group programme, on the group's latest working day up to today. The
    person is enrolled in the module's cohort first when they are not."""

    class Meta:
        model = Consultation

    module = factory.SubFactory(ProgrammeModuleFactory, consultation=True)
    participant = _programme_person()
    kind = ConsultationKind.VOCATIONAL
    specialist = factory.SubFactory(StaffMemberFactory, position="doradca zawodowy")
    specialist_name = ""
    date = factory.LazyAttribute(lambda o: working_day(*programme_period(o.module.programme)))
    duration = Decimal("1.00")
    note = "Przygotowanie CV i listu motywacyjnego; omówienie ofert pracy z PUP."
    recorded_by = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        consultation = model_class(*args, **kwargs)
        enrol_for(consultation.participant, consultation.module.programme, consultation.date)
        return activity_services.consultation_save(
            consultation=consultation, by=kwargs.get("recorded_by")
        )


class PlacementFactory(factory.django.DjangoModelFactory):
    """Socially useful work (PSU) for the municipal services from a month ago, 8 hours a week on
    a PUP referral. The person is not enrolled by the factory (the model does not ask it)."""

    class Meta:
        model = Placement

    participant = factory.SubFactory(ParticipantFactory)
    kind = PlacementKind.PSU
    institution = None
    employer = "Zakład Usług Komunalnych w Radomiu"
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    ends_on = None
    hours_per_week = Decimal("8.0")
    pup_referral = factory.LazyAttributeSequence(lambda o, n: f"PSU/{n + 1}/{o.starts_on.year}")


class PlacementHoursFactory(factory.django.DjangoModelFactory):
    """Four hours on the placement's latest working day up to today, recorded by
    ``placement_hours_record`` (which refuses PSU on Sundays, public holidays and over the
    monthly limit in force)."""

    class Meta:
        model = PlacementHours

    placement = factory.SubFactory(PlacementFactory)
    day = factory.LazyAttribute(lambda o: working_day(o.placement.starts_on, o.placement.ends_on))
    whole_month = False
    hours = Decimal("4.00")

    @classmethod
    def _create(cls, model_class, *args, placement, day, hours, whole_month=False, **kwargs):
        return activity_services.placement_hours_record(
            placement=placement, day=day, hours=hours, whole_month=whole_month
        )


class PsuRatesFactory(factory.django.DjangoModelFactory):
    """PSU rates from a day of 2026 on (each factory-made set a day later than the last)."""

    class Meta:
        model = PsuRates

    valid_from = factory.Sequence(lambda n: date(2026, 1, 1) + timedelta(days=n))
    hourly_rate = Decimal("12.50")
    refund_percent = Decimal("60.00")
    monthly_hours_limit = Decimal("40.0")
    basis = "Porozumienie Starosty Radomskiego z Gminą Miasta Radomia"


# --- Diagnosis -------------------------------------------------------------------------------


class DiagnosticReportFactory(factory.django.DjangoModelFactory):
    """A diagnosis opened by ``report_start`` (its five empty spheres and its first document
    version come with it): the initial one, three days into the participation, with its
    recommendations saved by ``recommendations_save``. A final diagnosis needs the
    participation's initial one first. ``signed=True`` locks it (every signature recorded on
    paper a week after it started)."""

    class Meta:
        model = DiagnosticReport
        skip_postgeneration_save = True

    enrolment = factory.SubFactory(EnrolmentFactory)
    participant = factory.SelfAttribute("enrolment.participant")
    kind = DiagnosisKind.INITIAL
    started_on = factory.LazyAttribute(
        lambda o: min(o.enrolment.starts_on + timedelta(days=3), timezone.localdate())
    )
    recommendations = "Terapia uzależnień w poradni, kurs zawodowy, konsultacje z doradcą."
    created_by = None

    @classmethod
    def _create(
        cls,
        model_class,
        *args,
        enrolment,
        kind,
        started_on,
        created_by=None,
        participant=None,
        **kw,
    ):
        _same_person(participant, enrolment)
        report = diagnosis_services.report_start(
            enrolment=enrolment, kind=kind, started_on=started_on, by=created_by
        )
        if kw:
            for name, value in kw.items():
                setattr(report, name, value)
            diagnosis_services.recommendations_save(
                report=report, expected_version=report.version, by=created_by
            )
        return report

    signed = _signed(lambda report: report.started_on + timedelta(days=7))


class _SpherePartFactory(factory.django.DjangoModelFactory):
    """Fills in the sphere ``report_start`` opened, through ``sphere_save``: the sphere's own
    version goes up and the signatures the draft already had are cleared."""

    class Meta:
        abstract = True

    report = factory.SubFactory(DiagnosticReportFactory)
    rating = Rating.PARTIAL
    updated_by = None

    @classmethod
    def _create(cls, model_class, *args, report, updated_by=None, **fields):
        part = model_class.objects.get(report=report)
        for name, value in fields.items():
            setattr(part, name, value)
        return diagnosis_services.sphere_save(
            part=part, expected_version=part.version, by=updated_by
        )


class SocioLivingSphereFactory(_SpherePartFactory):
    class Meta:
        model = SocioLivingSphere

    strengths = factory.LazyFunction(lambda: ["Stałe miejsce zamieszkania"])
    deficits = factory.LazyFunction(lambda: ["Zadłużenie czynszowe", "Brak stałego dochodu"])
    rating = Rating.SERIOUS
    rating_reason = "Zadłużenie i utrzymanie wyłącznie z zasiłku okresowego."
    institutional_help = "Zasiłek okresowy i celowy z MOPS od 2023 r."
    income_notes = "Zasiłek okresowy, ok. 700 zł miesięcznie."
    housing_title = HousingTitle.MUNICIPAL
    housing_notes = "Lokal komunalny, pokój z kuchnią; zaległości w czynszu."
    criminal_record = False
    probation_officer = False
    debts = True
    legal_notes = "Zadłużenie czynszowe ok. 4200 zł, bez postępowania egzekucyjnego."


class HealthSphereFactory(_SpherePartFactory):
    class Meta:
        model = HealthSphere

    strengths = factory.LazyFunction(lambda: ["Podjęta terapia odwykowa"])
    deficits = factory.LazyFunction(lambda: ["Uzależnienie od alkoholu"])
    rating_reason = "Abstynencja od pół roku, regularna terapia."
    health_state = "Nadciśnienie tętnicze, leczone."
    disability = DisabilityDegree.NONE
    addictions = "Uzależnienie od alkoholu; abstynencja od 6 miesięcy."
    psychotherapy = "Terapia grupowa w poradni leczenia uzależnień."


class SocialSphereFactory(_SpherePartFactory):
    class Meta:
        model = SocialSphere

    strengths = factory.LazyFunction(lambda: ["Wsparcie siostry"])
    deficits = factory.LazyFunction(lambda: ["Rzadki kontakt z dorosłymi dziećmi"])
    rating_reason = "Nieliczne, ale stabilne relacje rodzinne."
    family_situation = "Rozwiedziony, dwoje dorosłych dzieci; mieszka sam."
    social_relations = "Utrzymuje kontakt z siostrą i sąsiadem."
    group_membership = "Nie należy do żadnych grup ani organizacji."


class PsychologicalSphereFactory(_SpherePartFactory):
    class Meta:
        model = PsychologicalSphere

    strengths = factory.LazyFunction(lambda: ["Motywacja do zmiany"])
    deficits = factory.LazyFunction(lambda: ["Niska samoocena"])
    rating_reason = "Zmotywowany, lecz wycofuje się w trudnych sytuacjach."
    coping = "Unika konfrontacji, wycofuje się."
    self_esteem = "Zaniżona; podkreśla swoje porażki."
    motivation = "Wysoka motywacja do podjęcia pracy."
    goals = "Stała praca, spłata zadłużenia."
    expectations = "Pomoc w znalezieniu pracy."
    needs = "Wsparcie w budowaniu poczucia własnej wartości."
    help_expected = "Od psychologa i doradcy zawodowego."


class VocationalSphereFactory(_SpherePartFactory):
    class Meta:
        model = VocationalSphere

    strengths = factory.LazyFunction(lambda: ["Prawo jazdy kat. B", "Doświadczenie w magazynie"])
    deficits = factory.LazyFunction(lambda: ["Brak aktualnych kwalifikacji"])
    rating = Rating.SERIOUS
    rating_reason = "Długotrwale bezrobotny, kwalifikacje nieaktualne."
    education_level = EducationLevel.BASIC_VOCATIONAL
    education = "Zasadnicza szkoła zawodowa, ślusarz."
    experience = "Magazynier w hurtowni 2010–2019."
    job_search = "Przegląda oferty w PUP, nie wysyła CV."
    skills = "Obsługa wózka widłowego (uprawnienia wygasły), drobne naprawy."
    preferences = "Praca w magazynie lub w zieleni miejskiej."
    pup_status = PupStatus.UNEMPLOYED
    pup_since = date(2023, 3, 1)


class _DiagnosisRowFactory(factory.django.DjangoModelFactory):
    """A row of a sphere (an income, a job), added as the diagnosis's services do: only to a
    draft, validated, clearing the signatures the draft already had."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        row = model_class(*args, **kwargs)
        report = row.sphere.report
        with transaction.atomic():
            documents.ensure_editable(report)
            row.full_clean()
            row.save()
            documents.document_changed(document=report, by=None)
        return row


class IncomeSourceFactory(_DiagnosisRowFactory):
    class Meta:
        model = IncomeSource

    sphere = factory.SubFactory(SocioLivingSphereFactory)
    kind = IncomeKind.PERIODIC_BENEFIT
    amount = Decimal("719.00")
    regular = True


class JobFactory(_DiagnosisRowFactory):
    class Meta:
        model = Job

    sphere = factory.SubFactory(VocationalSphereFactory)
    employer = "Hurtownia Spożywcza „Społem” w Radomiu"
    position = "magazynier"
    started_on = date(2010, 4, 1)
    ended_on = date(2019, 6, 30)


class ToolUseFactory(factory.django.DjangoModelFactory):
    """A diagnostic tool used on the day the diagnosis started, added by ``tool_add``;
    ``interview=True`` gives the 2.5-hour diagnostic interview."""

    class Meta:
        model = ToolUse

    report = factory.SubFactory(DiagnosticReportFactory)
    tool = Tool.QUESTIONNAIRE
    used_on = factory.SelfAttribute("report.started_on")
    used_by = factory.SubFactory(StaffMemberFactory, position="psycholog")
    used_by_external = ""
    hours = Decimal("1.0")
    notes = "Kwestionariusz wypełniony wspólnie z uczestnikiem."

    class Params:
        interview = factory.Trait(
            tool=Tool.INTERVIEW, hours=Decimal("2.5"), notes="Indywidualny wywiad diagnostyczny."
        )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return diagnosis_services.tool_add(tool=model_class(*args, **kwargs), by=None)


class HollandResultFactory(factory.django.DjangoModelFactory):
    """The Holland test's six scores (code RCS, out of 14), saved by ``holland_save``."""

    class Meta:
        model = HollandResult

    report = factory.SubFactory(DiagnosticReportFactory)
    max_score = 14
    realistic = 11
    investigative = 5
    artistic = 3
    social = 9
    enterprising = 7
    conventional = 10
    tested_on = factory.SelfAttribute("report.started_on")
    tested_by = factory.SubFactory(StaffMemberFactory, position="psycholog")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return diagnosis_services.holland_save(
            result=model_class(*args, **kwargs), expected_version=None, by=None
        )


# --- The individual action plan -----------------------------------------------------------------


class CatalogueEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CatalogueEntry

    sphere = Sphere.SOCIAL
    name = factory.Sequence(lambda n: f"Trening umiejętności społecznych, cykl {n + 1}")
    kind = ActionKind.MODULE
    description = "Zajęcia grupowe z komunikacji i rozwiązywania konfliktów."
    order = factory.Sequence(lambda n: 100 + n)


class ActionPlanFactory(factory.django.DjangoModelFactory):
    """A plan opened by ``plan_start`` two weeks into the participation, its review a quarter
    later (within the participation), the participant's part saved by ``plan_save``. Without a
    signed diagnosis by default (it says why); ``with_diagnosis=True`` sets it against a signed
    initial diagnosis of the same participation. ``family_members=[...]`` involves the person's
    family; ``signed=True`` locks it (signatures recorded on paper the day it was drawn up)."""

    class Meta:
        model = ActionPlan
        skip_postgeneration_save = True

    enrolment = factory.SubFactory(EnrolmentFactory)
    participant = factory.SelfAttribute("enrolment.participant")
    diagnosis = None
    no_diagnosis_reason = "Diagnoza wstępna w przygotowaniu; plan zostanie do niej dostosowany."
    drawn_up_on = factory.LazyAttribute(
        lambda o: min(o.enrolment.starts_on + timedelta(days=14), timezone.localdate())
    )
    review_on = factory.LazyAttribute(
        lambda o: min(
            o.drawn_up_on + ipd_services.REVIEW_AFTER, ipd_services.enrolment_end(o.enrolment)
        )
    )
    participant_goals = "Chcę znaleźć stałą pracę i spłacić zaległości czynszowe."
    participant_commitments = "Udział w zajęciach, rejestracja w PUP, spotkania z doradcą."
    participant_agrees = True
    created_by = None

    class Params:
        with_diagnosis = factory.Trait(
            diagnosis=factory.SubFactory(
                DiagnosticReportFactory, enrolment=factory.SelfAttribute("..enrolment"), signed=True
            ),
            no_diagnosis_reason="",
        )

    @classmethod
    def _create(
        cls,
        model_class,
        *args,
        enrolment,
        drawn_up_on,
        review_on,
        diagnosis=None,
        no_diagnosis_reason="",
        created_by=None,
        participant=None,
        **fields,
    ):
        _same_person(participant, enrolment)
        plan = ipd_services.plan_start(
            enrolment=enrolment,
            diagnosis=diagnosis,
            no_diagnosis_reason=no_diagnosis_reason,
            drawn_up_on=drawn_up_on,
            review_on=review_on,
            by=created_by,
        )
        if fields:
            for name, value in fields.items():
                setattr(plan, name, value)
            ipd_services.plan_save(plan=plan, expected_version=plan.version, by=created_by)
        return plan

    @factory.post_generation
    def family_members(self, create, extracted, **kwargs):
        if create and extracted:
            ipd_services.plan_save(
                plan=self, expected_version=self.version, family_members=extracted, by=None
            )

    signed = _signed(lambda plan: plan.drawn_up_on)


class GoalFactory(factory.django.DjangoModelFactory):
    """A vocational goal of a draft plan, saved by ``goal_save``, due three months after the
    review (within the participation); ``achieved=True`` reaches it today, with evidence."""

    class Meta:
        model = Goal

    plan = factory.SubFactory(ActionPlanFactory)
    sphere = Sphere.VOCATIONAL
    legal_matter = False
    description = "Podjęcie zatrudnienia w zawodzie magazyniera"
    indicator = "Umowa o pracę na co najmniej 3 miesiące"
    target_on = factory.LazyAttribute(
        lambda o: min(
            o.plan.review_on + timedelta(days=90), ipd_services.enrolment_end(o.plan.enrolment)
        )
    )
    status = GoalStatus.NEW
    updated_by = None

    class Params:
        achieved = factory.Trait(
            status=GoalStatus.ACHIEVED,
            achieved_on=factory.LazyFunction(timezone.localdate),
            evidence="Kopia umowy o pracę w aktach.",
        )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return ipd_services.goal_save(
            goal=model_class(*args, **kwargs), expected_version=None, by=kwargs.get("updated_by")
        )


class PlanActionFactory(factory.django.DjangoModelFactory):
    """An action of a draft plan's goal, saved by ``action_save``: by default the participant's
    own task with a staff member responsible, from the plan's date to the goal's. Traits:
    ``referral`` (to a partner's service, its institution with it) and ``on_module`` (a group
    module of the participation's own programme; the person is put on its coming sessions)."""

    class Meta:
        model = PlanAction

    goal = factory.SubFactory(GoalFactory)
    title = "Kurs operatora wózka widłowego"
    kind = ActionKind.OWN_TASK
    responsible = factory.SubFactory(StaffMemberFactory, position="doradca zawodowy")
    planned_hours = Decimal("20.0")
    starts_on = factory.LazyAttribute(lambda o: o.goal.plan.drawn_up_on)
    ends_on = factory.SelfAttribute("goal.target_on")
    status = ActionStatus.PLANNED
    notes = "Uczestnik sam zapisuje się na kurs w PUP."
    updated_by = None

    class Params:
        referral = factory.Trait(
            kind=ActionKind.REFERRAL,
            title="Konsultacje w poradni terapii uzależnień",
            service=factory.SubFactory(ServiceFactory),
            institution=factory.SelfAttribute("service.institution"),
            planned_hours=None,
        )
        on_module = factory.Trait(
            kind=ActionKind.MODULE,
            title="Warsztaty: aktywne postawy na rynku pracy",
            module=factory.SubFactory(
                ProgrammeModuleFactory,
                name="Aktywne postawy na rynku pracy",
                category=Category.VOCATIONAL,
                hours=Decimal("15"),
                programme=factory.SubFactory(
                    ProgrammeFactory,
                    cohort=None,
                    enrolment=factory.SelfAttribute("...goal.plan.enrolment"),
                ),
            ),
            planned_hours=Decimal("15.0"),
        )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        action, _added = ipd_services.action_save(
            action=model_class(*args, **kwargs),
            expected_version=None,
            by=kwargs.get("updated_by"),
        )
        return action


# --- Reports: change reports, the exit, letters, grants ------------------------------------------


def ensure_baseline(enrolment: Enrolment) -> DiagnosticReport:
    """The participation's signed initial diagnosis a change report is read against: made and
    signed when there is none, signed when it is a draft."""
    initial = DiagnosticReport.objects.filter(
        enrolment=enrolment, kind=DiagnosisKind.INITIAL
    ).first()
    if initial is None:
        return DiagnosticReportFactory(enrolment=enrolment, signed=True)
    if initial.state != DocumentState.LOCKED:
        initial = sign_on_paper(initial)
    return initial


class ChangeReportFactory(factory.django.DjangoModelFactory):
    """A change report opened by ``report_start`` for the previous calendar month (or the month
    the participation began, if later), pre-filled with the previous ratings and the plan's
    goals, its own part saved by ``report_save``. It is read against the signed initial
    diagnosis: ``ensure_baseline`` makes (or signs) it first. A ``period_end`` at the end of the
    next month makes a two-month report; a second report of one participation needs another
    ``period_start``. ``signed=True`` locks it (signatures on paper on the meeting day)."""

    class Meta:
        model = ChangeReport
        skip_postgeneration_save = True

    enrolment = factory.SubFactory(EnrolmentFactory)
    participant = factory.SelfAttribute("enrolment.participant")
    period_start = factory.LazyAttribute(
        lambda o: max(
            first_day(o.enrolment.starts_on), add_months(first_day(timezone.localdate()), -1)
        )
    )
    period_end = factory.LazyAttribute(lambda o: last_day(o.period_start))
    met_on = factory.LazyAttribute(lambda o: min(timezone.localdate(), o.period_end))
    participant_view = "Czuję się pewniej, regularnie chodzę na zajęcia."
    effects = factory.LazyFunction(lambda: [Effect.MOTIVATION.value, Effect.JOB_SEARCH.value])
    effects_notes = "Samodzielnie przygotował CV i wysłał trzy aplikacje."
    recommendations = "Kontynuacja warsztatów zawodowych; kurs operatora wózka widłowego."
    ipd_changes = ""
    created_by = None

    @classmethod
    def _create(
        cls,
        model_class,
        *args,
        enrolment,
        period_start,
        period_end,
        created_by=None,
        participant=None,
        **fields,
    ):
        _same_person(participant, enrolment)
        ensure_baseline(enrolment)
        start = first_day(period_start)
        months = (period_end.year - start.year) * 12 + period_end.month - start.month + 1
        report = report_services.report_start(
            enrolment=enrolment, period_start=start, months=months, by=created_by
        )
        if fields:
            for name, value in fields.items():
                setattr(report, name, value)
            report = report_services.report_save(
                report=report, expected_version=report.version, by=created_by
            )
        return report

    signed = _signed(lambda report: report.met_on)


class ChangeSphereFactory(factory.django.DjangoModelFactory):
    """Rates one sphere row of a change report (the row ``report_start`` opened, its previous
    rating and goals kept) through ``sphere_save``: the three dimensions, the current rating and
    what changed."""

    class Meta:
        model = ChangeSphere

    report = factory.SubFactory(ChangeReportFactory)
    sphere = Sphere.VOCATIONAL
    resources = "Ukończył warsztaty aktywnego poszukiwania pracy."
    resources_rating = Rating.PARTIAL
    awareness = "Zna swoje prawa jako osoba bezrobotna; zarejestrował się w PUP."
    awareness_rating = Rating.PARTIAL
    participation = "Samodzielnie odpowiada na oferty pracy."
    participation_rating = Rating.SLIGHT
    rating = Rating.PARTIAL
    what_changed = "Regularnie uczestniczy w zajęciach i samodzielnie szuka pracy."
    updated_by = None

    @classmethod
    def _create(cls, model_class, *args, report, sphere, updated_by=None, **fields):
        part = model_class.objects.get(report=report, sphere=sphere)
        for name, value in fields.items():
            setattr(part, name, value)
        return report_services.sphere_save(part=part, expected_version=part.version, by=updated_by)


class ExitAssessmentFactory(factory.django.DjangoModelFactory):
    """The effects achieved, assessed today by ``assessment_save`` at the exit of a completed
    participation: a personal and a vocational one (so both reintegration effects)."""

    class Meta:
        model = ExitAssessment

    enrolment = factory.SubFactory(CompletedEnrolmentFactory)
    participant = factory.SelfAttribute("enrolment.participant")
    assessed_on = factory.LazyFunction(timezone.localdate)
    effects = factory.LazyFunction(
        lambda: [Effect.MOTIVATION.value, Effect.JOB_SEARCH.value, Effect.LABOUR_MARKET.value]
    )
    notes = "Podjął pracę na umowę o pracę; ocena sfery zawodowej wzrosła z 2 do 4."
    assessed_by = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        assessment = model_class(*args, **kwargs)
        _same_person(assessment.participant, assessment.enrolment)
        return exit_services.assessment_save(
            assessment=assessment, expected_version=None, by=kwargs.get("assessed_by")
        )


def _referred() -> dict:
    """Overrides of EnrolmentFactory for a person referred by a social welfare centre."""
    return {
        "application__source": ApplicationSource.REFERRAL,
        "application__institution": factory.SubFactory(
            InstitutionFactory, kind=InstitutionType.OPS
        ),
        "application__contact_person": factory.SubFactory(
            ContactPersonFactory,
            institution=factory.SelfAttribute("..institution"),
            position="starszy pracownik socjalny",
        ),
    }


class ReferrerLetterFactory(factory.django.DjangoModelFactory):
    """A progress letter to the social welfare centre that referred the person, drawn up by
    ``letter_start`` from the records (attendance, ratings, the stage of the cycle) for the
    participation's first letter period, with a line on how it goes saved by ``letter_save``.
    ``exit_notice=True`` makes the notice of the exit of a completed participation;
    ``signed=True`` locks the letter. The addressee, ``period_end``, ``written_on``, ``stage``,
    ``attendance`` and ``ratings`` are the service's (the declared ones serve ``build()``)."""

    class Meta:
        model = ReferrerLetter
        skip_postgeneration_save = True

    enrolment = factory.SubFactory(EnrolmentFactory, **_referred())
    participant = factory.SelfAttribute("enrolment.participant")
    kind = LetterKind.PROGRESS
    institution = factory.SelfAttribute("enrolment.application.institution")
    contact_person = factory.SelfAttribute("enrolment.application.contact_person")
    period_start = factory.SelfAttribute("enrolment.starts_on")
    period_end = factory.LazyAttribute(
        lambda o: max(
            o.period_start,
            min(last_day(add_months(first_day(o.period_start), 2)), timezone.localdate()),
        )
    )
    written_on = factory.LazyFunction(timezone.localdate)
    progress = "Uczestniczy regularnie w zajęciach grupowych i konsultacjach; podjął terapię."
    created_by = None

    class Params:
        exit_notice = factory.Trait(
            kind=LetterKind.EXIT,
            enrolment=factory.SubFactory(CompletedEnrolmentFactory, **_referred()),
            period_end=factory.SelfAttribute("enrolment.ended_on"),
            progress="Udział zakończony zgodnie z planem; uczestnik podjął zatrudnienie.",
        )

    @classmethod
    def _create(
        cls,
        model_class,
        *args,
        enrolment,
        kind,
        period_start,
        created_by=None,
        participant=None,
        institution=None,
        contact_person=None,
        period_end=None,
        written_on=None,
        **fields,
    ):
        _same_person(participant, enrolment)
        letter = letter_services.letter_start(
            enrolment=enrolment, kind=kind, period_start=period_start, by=created_by
        )
        if institution is not None and institution.pk != letter.institution_id:
            raise ValueError("A letter goes to the institution that referred the person.")
        if fields:
            for name, value in fields.items():
                setattr(letter, name, value)
            letter = letter_services.letter_save(
                letter=letter,
                expected_version=letter.version,
                sections=frozenset(Section),
                by=created_by,
            )
        return letter

    signed = _signed(lambda letter: letter.written_on)


class GrantSettlementFactory(factory.django.DjangoModelFactory):
    """Last year's grant from a funding source, received in full, mostly spent, the rest
    returned, settled at the end of January."""

    class Meta:
        model = GrantSettlement

    year = factory.LazyFunction(lambda: timezone.localdate().year - 1)
    funding_source = factory.SubFactory(
        FundingSourceFactory,
        starts_on=factory.LazyAttribute(lambda o: date(o.factory_parent.year, 1, 1)),
    )
    purpose = "Dotacja celowa na prowadzenie Klubu Integracji Społecznej"
    granted = Decimal("120000.00")
    received = Decimal("120000.00")
    spent = Decimal("118450.00")
    returned = Decimal("1550.00")
    settled_on = factory.LazyAttribute(lambda o: min(date(o.year + 1, 1, 31), timezone.localdate()))
    notes = "Rozliczenie przyjęte bez uwag."


def pdf_bytes(pages: int = 1) -> bytes:
    """A real PDF with blank A4 pages, for uploads that are opened and checked (scans)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def image_bytes(kind: str = "png", size: tuple[int, int] = (40, 30)) -> bytes:
    """A real small PNG or JPEG image."""
    import io

    from PIL import Image

    output = io.BytesIO()
    Image.new("RGB", size, "white").save(output, {"png": "PNG", "jpeg": "JPEG"}[kind])
    return output.getvalue()

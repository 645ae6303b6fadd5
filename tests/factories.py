"""factory_boy factories for the records the tests build."""

from datetime import date, timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from kis_site.demo import make_pesel
from kis_site.models import StaffMember
from participants.models import (
    Application,
    ApplicationSource,
    CaseNote,
    Cohort,
    Decision,
    Enrolment,
    EnrolmentStatus,
    FamilyMember,
    NoteKind,
    OutgoingReferral,
    Participant,
    Relation,
)
from partners.models import Agreement, ContactPerson, Institution, InstitutionType


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Jan"
    last_name = "Testowy"
    password = factory.PostGenerationMethodCall("set_password", "Haslo-testowe-123")

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

"""The official diagnostic form, label by label and hint by hint, in the order of the paper
(shared/diagnostic-template.md). The pages and the PDF are both built from this list."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from kis_site.vocabulary import Section, Sphere


@dataclass(frozen=True)
class Item:
    label: str
    hint: str = ""
    fields: tuple = ()
    rows: str = ""  # a list of rows (incomes, jobs) printed under the label
    section: Section | None = None  # a sensitive part of an otherwise open sphere

    def printed(self, programme: str) -> str:
        """The label as the paper prints it (capitals; one names the programme)."""
        label = str(self.label)
        return label % {"programme": programme} if "%(programme)s" in label else label

    def on_screen(self, programme: str) -> str:
        """The label in sentence case for the pages (capitals are hard to read on screen)."""
        label = str(self.label).lower()
        label = label[:1].upper() + label[1:]
        return label % {"programme": programme} if "%(programme)s" in label else label


@dataclass(frozen=True)
class SphereSpec:
    sphere: Sphere
    heading: str
    items: list = field(default_factory=list)

    @property
    def numeral(self) -> str:
        return str(self.heading).split(".", 1)[0]


TITLE = _("DIAGNOSTIC REPORT")
SUBTITLE = _("OF A PARTICIPANT OF THE SOCIAL INTEGRATION CLUB")
RECOMMENDATIONS = _("RECOMMENDATIONS/REMARKS:")

SPHERES = [
    SphereSpec(
        Sphere.SOCIO_LIVING,
        _("I. SOCIO-LIVING SPHERE"),
        [
            Item(
                _("USE OF INSTITUTIONAL HELP"),
                _(
                    "(government, non-governmental, OPS, specialist units – forms of help; "
                    "taking part in projects)"
                ),
                ("institutional_help",),
            ),
            Item(
                _("SOURCE OF LIVING"), _("(amount, regularity)"), ("income_notes",), rows="incomes"
            ),
            Item(
                _("HOUSING SITUATION"),
                _("(place of residence, right to the dwelling)"),
                ("housing_title", "housing_notes"),
            ),
            Item(
                _("LEGAL SITUATION"),
                _("(criminal record, probation officer's supervision, financial obligations)"),
                ("criminal_record", "probation_officer", "debts", "legal_notes"),
                section=Section.LEGAL,
            ),
        ],
    ),
    SphereSpec(
        Sphere.HEALTH,
        _("II. HEALTH SPHERE"),
        [
            Item(
                _("STATE OF HEALTH"),
                _(
                    "(chronic illnesses, medicines taken permanently, disability, limitations "
                    "and the contraindications they bring)"
                ),
                ("health_state", "disability"),
            ),
            Item(_("MENTAL ILLNESS"), _("(history of treatment)"), ("mental_illness",)),
            Item(_("ADDICTIONS"), _("(history of treatment)"), ("addictions",)),
            Item(
                _("TAKING PART IN PSYCHOTHERAPY/PSYCHOLOGICAL CONSULTATIONS"),
                "",
                ("psychotherapy",),
            ),
        ],
    ),
    SphereSpec(
        Sphere.SOCIAL,
        _("III. SOCIAL SPHERE"),
        [
            Item(
                _("FAMILY SITUATION"),
                _("(family status, family members, relations in the family, children)"),
                ("family_situation",),
            ),
            Item(_("SOCIAL RELATIONS (SOCIAL SUPPORT)"), "", ("social_relations",)),
            Item(_("MEMBERSHIP OF GROUPS"), "", ("group_membership",)),
        ],
    ),
    SphereSpec(
        Sphere.PSYCHOLOGICAL,
        _("IV. PSYCHOLOGICAL SPHERE"),
        [
            Item(
                _("WAYS OF COPING IN DIFFICULT SITUATIONS/DOMINANT DEFENCE MECHANISMS"),
                "",
                ("coping",),
            ),
            Item(_("SELF-ESTEEM"), "", ("self_esteem",)),
            Item(_("PROBLEMS OF A PSYCHOLOGICAL NATURE/ADDICTIONS"), "", ("problems",)),
            Item(_("MOTIVATION TO MAKE CHANGES/ACQUIRE NEW SKILLS"), "", ("motivation",)),
            Item(_("GOALS"), _("(assessment of how realistic they are)"), ("goals",)),
            Item(
                _("EXPECTATIONS OF TAKING PART IN THE PROJECT %(programme)s"), "", ("expectations",)
            ),
            Item(_("PSYCHOLOGICAL NEEDS"), "", ("needs",)),
            Item(_("KIND OF HELP EXPECTED AND FROM WHOM"), "", ("help_expected",)),
        ],
    ),
    SphereSpec(
        Sphere.VOCATIONAL,
        _("V. VOCATIONAL SPHERE"),
        [
            Item(
                _("EDUCATION, PROFESSION, COURSES, LICENCES"), "", ("education_level", "education")
            ),
            Item(_("WORK EXPERIENCE"), "", ("experience",), rows="jobs"),
            Item(
                _(
                    "METHODS OF AND REASONS FOR LOOKING FOR WORK/REASONS FOR NOT LOOKING FOR "
                    "EMPLOYMENT"
                ),
                "",
                ("job_search",),
            ),
            Item(
                _("ASSESSMENT OF THE VOCATIONAL SITUATION"),
                _("(self-declaration)"),
                ("self_assessment",),
            ),
            Item(_("SKILLS OF VOCATIONAL IMPORTANCE/INTERESTS"), "", ("skills",)),
            Item(_("VOCATIONAL PREDISPOSITIONS"), "", ("predispositions",), rows="holland"),
            Item(_("VOCATIONAL PREFERENCES AND EXPECTATIONS"), "", ("preferences",)),
            Item(
                _("REGISTRATION AT THE DISTRICT LABOUR OFFICE"),
                "",
                ("pup_status", "pup_since", "pup_notes"),
            ),
        ],
    ),
]

SPEC_BY_SPHERE = {spec.sphere: spec for spec in SPHERES}

# The three signatures printed under the form, in the order of the paper.
SIGNATURE_LABELS = [
    ("social_worker", _("social worker")),
    ("psychologist", _("psychologist")),
    ("career_advisor", _("career advisor")),
]

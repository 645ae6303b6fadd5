"""The personas grouped as the role table groups them, for the walks over every URL."""

FILE_ROLES = frozenset(
    {
        "manager",
        "case_manager",
        "other_case_manager",
        "social_worker",
        "psychologist",
        "career_advisor",
        "pedagogue",
        "lawyer",
        "therapist",
    }
)
NO_SCOPE = frozenset({"trainer", "administrator", "stranger"})
EVERYONE = FILE_ROLES | NO_SCOPE
EDITORS = frozenset({"manager", "case_manager", "other_case_manager", "social_worker"})
ENROLLERS = frozenset({"manager", "case_manager", "other_case_manager"})
NETWORKERS = ENROLLERS
# The victim's case manager and the manager: they see every section of the victim's file.
OWN = frozenset({"manager", "case_manager"})
ATTENDANCE_TAKERS = FILE_ROLES - {"lawyer"}
DIAGNOSIS_SIGNERS = frozenset({"social_worker", "psychologist", "career_advisor"})
DIAGNOSIS_STARTERS = OWN | DIAGNOSIS_SIGNERS

from django.urls import path

from participants.views import documents, enrolment, file, recruitment, restriction

app_name = "participants"

urlpatterns = [
    path("", file.participant_list, name="list"),
    path("<int:pk>/", file.participant_detail, name="detail"),
    path("<int:pk>/panels/<slug:key>/", file.participant_panel, name="panel"),
    path("<int:pk>/notes/", file.participant_notes, name="notes"),
    path("<int:pk>/timeline/", file.participant_timeline, name="timeline"),
    path("<int:pk>/edit/", file.participant_edit, name="edit"),
    path("<int:pk>/audit/", file.participant_audit, name="audit"),
    path("<int:pk>/gdpr-clause/", documents.rodo_clause_pdf, name="rodo-clause"),
    path("<int:pk>/restrict/", restriction.restrict, name="restrict"),
    path("<int:pk>/restrict/lift/", restriction.lift, name="lift-restriction"),
    path("restricted/", restriction.restricted_files, name="restricted"),
    path("<int:pk>/family/new/", file.family_member_add, name="family-add"),
    path("family/<int:pk>/edit/", file.family_member_edit, name="family-edit"),
    path("<int:pk>/notes/new/", file.note_add, name="note-add"),
    path("notes/<int:pk>/edit/", file.note_edit, name="note-edit"),
    path("<int:pk>/applications/new/", recruitment.application_add, name="application-add"),
    path("<int:pk>/enrol/", enrolment.enrolment_new, name="enrol"),
    path("enrolments/<int:pk>/", enrolment.enrolment_detail, name="enrolment"),
    path("enrolments/<int:pk>/edit/", enrolment.enrolment_edit, name="enrolment-edit"),
    path("follow-ups/", enrolment.follow_up_list, name="follow-ups"),
    path("follow-ups/<int:pk>/", enrolment.follow_up_edit, name="follow-up"),
    path("ending/", enrolment.ending_list, name="ending"),
    path("<int:pk>/contracts/new/", documents.contract_new, name="contract-add"),
    path("contracts/<int:pk>/", documents.contract_detail, name="contract"),
    path("contracts/<int:pk>/edit/", documents.contract_edit, name="contract-edit"),
    path(
        "contracts/<int:pk>/evaluations/new/",
        documents.evaluation_plan,
        name="evaluation-plan",
    ),
    path("evaluations/<int:pk>/cancel/", documents.evaluation_cancel, name="evaluation-cancel"),
    path("evaluations/<int:pk>/", documents.evaluation_record, name="evaluation"),
    path(
        "enrolments/<int:pk>/certificate/",
        documents.certificate_issue,
        name="certificate-issue",
    ),
    path("certificates/", documents.certificate_register, name="certificates"),
    path("<int:pk>/referrals/new/", documents.referral_new, name="referral-add"),
    path("referrals/<int:pk>/", documents.referral_detail, name="referral"),
    path("referrals/<int:pk>/edit/", documents.referral_edit, name="referral-edit"),
    path("referrals/waiting/", documents.referrals_waiting, name="referrals-waiting"),
    path("contracts/due/", enrolment.contracts_due, name="contracts-due"),
    path("certificates/<int:pk>/", documents.certificate_detail, name="certificate"),
]

recruitment_patterns = (
    [
        path("", recruitment.application_list, name="list"),
        path("new/", recruitment.application_new, name="new"),
        path("<int:pk>/", recruitment.application_detail, name="detail"),
        path("<int:pk>/edit/", recruitment.application_edit, name="edit"),
        path("<int:pk>/decide/", recruitment.application_decide, name="decide"),
    ],
    "recruitment",
)

cohort_patterns = (
    [
        path("", enrolment.cohort_list, name="list"),
        path("new/", enrolment.cohort_new, name="new"),
        path("<int:pk>/", enrolment.cohort_detail, name="detail"),
        path("<int:pk>/edit/", enrolment.cohort_edit, name="edit"),
    ],
    "cohorts",
)

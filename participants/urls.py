from django.urls import path

from participants import document_views, enrolment_views, recruitment_views, views

app_name = "participants"

urlpatterns = [
    path("", views.participant_list, name="list"),
    path("<int:pk>/", views.participant_detail, name="detail"),
    path("<int:pk>/edit/", views.participant_edit, name="edit"),
    path("<int:pk>/audit/", views.participant_audit, name="audit"),
    path("<int:pk>/family/new/", views.family_member_add, name="family-add"),
    path("family/<int:pk>/edit/", views.family_member_edit, name="family-edit"),
    path("<int:pk>/notes/new/", views.note_add, name="note-add"),
    path("notes/<int:pk>/edit/", views.note_edit, name="note-edit"),
    path("<int:pk>/applications/new/", recruitment_views.application_add, name="application-add"),
    path("<int:pk>/enrol/", enrolment_views.enrolment_new, name="enrol"),
    path("enrolments/<int:pk>/", enrolment_views.enrolment_detail, name="enrolment"),
    path("enrolments/<int:pk>/edit/", enrolment_views.enrolment_edit, name="enrolment-edit"),
    path("follow-ups/", enrolment_views.follow_up_list, name="follow-ups"),
    path("follow-ups/<int:pk>/", enrolment_views.follow_up_edit, name="follow-up"),
    path("ending/", enrolment_views.ending_list, name="ending"),
    path("<int:pk>/contracts/new/", document_views.contract_new, name="contract-add"),
    path("contracts/<int:pk>/", document_views.contract_detail, name="contract"),
    path("contracts/<int:pk>/edit/", document_views.contract_edit, name="contract-edit"),
    path(
        "contracts/<int:pk>/evaluations/new/",
        document_views.evaluation_plan,
        name="evaluation-plan",
    ),
    path(
        "evaluations/<int:pk>/cancel/", document_views.evaluation_cancel, name="evaluation-cancel"
    ),
    path("evaluations/<int:pk>/", document_views.evaluation_record, name="evaluation"),
    path(
        "enrolments/<int:pk>/certificate/",
        document_views.certificate_issue,
        name="certificate-issue",
    ),
    path("certificates/", document_views.certificate_register, name="certificates"),
    path("<int:pk>/referrals/new/", document_views.referral_new, name="referral-add"),
    path("referrals/<int:pk>/", document_views.referral_detail, name="referral"),
    path("referrals/<int:pk>/edit/", document_views.referral_edit, name="referral-edit"),
    path("referrals/waiting/", document_views.referrals_waiting, name="referrals-waiting"),
    path("contracts/due/", enrolment_views.contracts_due, name="contracts-due"),
    path("certificates/<int:pk>/", document_views.certificate_detail, name="certificate"),
]

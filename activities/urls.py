from django.urls import path

from activities import views

app_name = "activities"

urlpatterns = [
    path("", views.week, name="week"),
    path("month/", views.month, name="month"),
    path("statements/", views.monthly_statements, name="statements"),
    path("cohorts/<int:pk>/programme/", views.cohort_programme, name="programme"),
    path("cohorts/<int:pk>/hours/", views.cohort_hours, name="cohort-hours"),
    path("cohorts/<int:pk>/month-list.pdf", views.cohort_month_list_pdf, name="month-list"),
    path("enrolments/<int:pk>/programme/", views.enrolment_programme, name="enrolment-programme"),
    path("programmes/<int:programme>/modules/new/", views.module_edit, name="module-new"),
    path("modules/<int:pk>/edit/", views.module_edit, name="module-edit"),
    path("programmes/<int:programme>/sessions/new/", views.session_new, name="session-new"),
    path("programmes/<int:programme>/sessions/series/", views.series_new, name="series-new"),
    path("sessions/<int:pk>/", views.session_attendance, name="session"),
    path("sessions/<int:pk>/list.pdf", views.attendance_list_pdf, name="attendance-list"),
    path("sessions/<int:pk>/scan/", views.list_scan, name="list-scan"),
    path("sessions/<int:pk>/scan/upload/", views.list_scan_upload, name="list-scan-upload"),
    path("participants/<int:pk>/hours/", views.hour_card, name="hour-card"),
    path("participants/<int:pk>/timetable/", views.participant_timetable, name="timetable"),
    path("participants/<int:pk>/consultations/", views.consultations, name="consultations"),
    path(
        "participants/<int:participant>/placements/new/",
        views.placement_edit,
        name="placement-new",
    ),
    path("placements/<int:pk>/", views.placement_detail, name="placement"),
    path("placements/<int:pk>/edit/", views.placement_edit, name="placement-edit"),
    path("participants/<int:pk>/hours.pdf", views.hour_card_pdf, name="hour-card-pdf"),
    path("two-thirds/", views.two_thirds, name="two-thirds"),
    path("absence-cases/", views.absence_cases, name="absence-cases"),
    path("absence-cases/<int:pk>/", views.absence_case, name="absence-case"),
    path(
        "absence-cases/<int:pk>/warning.pdf",
        views.absence_case_warning,
        name="absence-case-warning",
    ),
    path(
        "absence-cases/<int:pk>/decision.pdf",
        views.absence_case_decision,
        name="absence-case-decision",
    ),
    path("attendance/<int:pk>/excuse/", views.excuse, name="excuse"),
    path("sessions/<int:pk>/walk-in/", views.walk_in, name="walk-in"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session-cancel"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session-edit"),
]

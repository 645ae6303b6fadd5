from django.urls import path

from activities.views import (
    absences,
    consultations,
    hour_cards,
    placements,
    programme,
    sessions,
    statements,
    timetable,
)

app_name = "activities"

urlpatterns = [
    path("", timetable.week, name="week"),
    path("month/", timetable.month, name="month"),
    path("statements/", statements.monthly_statements, name="statements"),
    path("cohorts/<int:pk>/programme/", programme.cohort_programme, name="programme"),
    path("cohorts/<int:pk>/hours/", hour_cards.cohort_hours, name="cohort-hours"),
    path("cohorts/<int:pk>/month-list.pdf", sessions.cohort_month_list_pdf, name="month-list"),
    path(
        "enrolments/<int:pk>/programme/", programme.enrolment_programme, name="enrolment-programme"
    ),
    path("programmes/<int:programme>/modules/new/", programme.module_edit, name="module-new"),
    path("modules/<int:pk>/edit/", programme.module_edit, name="module-edit"),
    path("programmes/<int:programme>/sessions/new/", sessions.session_new, name="session-new"),
    path("programmes/<int:programme>/sessions/series/", sessions.series_new, name="series-new"),
    path("sessions/<int:pk>/", sessions.session_attendance, name="session"),
    path("sessions/<int:pk>/list.pdf", sessions.attendance_list_pdf, name="attendance-list"),
    path("sessions/<int:pk>/scan/", sessions.list_scan, name="list-scan"),
    path("sessions/<int:pk>/scan/upload/", sessions.list_scan_upload, name="list-scan-upload"),
    path("participants/<int:pk>/hours/", hour_cards.hour_card, name="hour-card"),
    path("participants/<int:pk>/timetable/", timetable.participant_timetable, name="timetable"),
    path("participants/<int:pk>/consultations/", consultations.consultations, name="consultations"),
    path(
        "participants/<int:participant>/placements/new/",
        placements.placement_edit,
        name="placement-new",
    ),
    path("placements/<int:pk>/", placements.placement_detail, name="placement"),
    path("placements/<int:pk>/edit/", placements.placement_edit, name="placement-edit"),
    path("participants/<int:pk>/hours.pdf", hour_cards.hour_card_pdf, name="hour-card-pdf"),
    path("two-thirds/", hour_cards.two_thirds, name="two-thirds"),
    path("absence-cases/", absences.absence_cases, name="absence-cases"),
    path("absence-cases/<int:pk>/", absences.absence_case, name="absence-case"),
    path(
        "absence-cases/<int:pk>/warning.pdf",
        absences.absence_case_warning,
        name="absence-case-warning",
    ),
    path(
        "absence-cases/<int:pk>/decision.pdf",
        absences.absence_case_decision,
        name="absence-case-decision",
    ),
    path("attendance/<int:pk>/excuse/", absences.excuse, name="excuse"),
    path("sessions/<int:pk>/walk-in/", sessions.walk_in, name="walk-in"),
    path("sessions/<int:pk>/cancel/", sessions.session_cancel, name="session-cancel"),
    path("sessions/<int:pk>/edit/", sessions.session_edit, name="session-edit"),
]

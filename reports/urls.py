from django.urls import path

from reports.views import change_reports, exits, manager_reports

app_name = "reports"

urlpatterns = [
    path("change-reports/due/", change_reports.due, name="due"),
    path("monitoring/", change_reports.monitoring, name="monitoring"),
    path("change-reports/to-sign/", change_reports.to_sign, name="to-sign"),
    path(
        "change-reports/participant/<int:pk>/new/",
        change_reports.report_start,
        name="change-report-start",
    ),
    path("change-reports/<int:pk>/", change_reports.report_detail, name="change-report"),
    path("change-reports/<int:pk>/edit/", change_reports.report_edit, name="change-report-edit"),
    path(
        "change-reports/<int:pk>/sphere/<slug:sphere>/",
        change_reports.sphere_edit,
        name="change-report-sphere",
    ),
    path(
        "change-reports/<int:pk>/plan-version/", change_reports.plan_revision, name="plan-revision"
    ),
    path("exits/", exits.exits_due, name="exits-due"),
    path("exits/<int:pk>/", exits.exit_assessment, name="exit-assessment"),
    path("letters/due/", exits.letters_due, name="letters-due"),
    path("letters/participation/<int:pk>/new/", exits.letter_start, name="letter-start"),
    path("letters/<int:pk>/", exits.letter_detail, name="letter"),
    path("letters/<int:pk>/edit/", exits.letter_edit, name="letter-edit"),
    path("letters/<int:pk>/sent/", exits.letter_sent, name="letter-sent"),
    path("yearly/", manager_reports.yearly_report, name="yearly"),
    path("outcomes/", manager_reports.outcomes_report, name="outcomes"),
]

from django.urls import path

from reports import exit_views, report_views, views

app_name = "reports"

urlpatterns = [
    path("change-reports/due/", views.due, name="due"),
    path("monitoring/", views.monitoring, name="monitoring"),
    path("change-reports/to-sign/", views.to_sign, name="to-sign"),
    path(
        "change-reports/participant/<int:pk>/new/", views.report_start, name="change-report-start"
    ),
    path("change-reports/<int:pk>/", views.report_detail, name="change-report"),
    path("change-reports/<int:pk>/edit/", views.report_edit, name="change-report-edit"),
    path(
        "change-reports/<int:pk>/sphere/<slug:sphere>/",
        views.sphere_edit,
        name="change-report-sphere",
    ),
    path("change-reports/<int:pk>/plan-version/", views.plan_revision, name="plan-revision"),
    path("exits/", exit_views.exits_due, name="exits-due"),
    path("exits/<int:pk>/", exit_views.exit_assessment, name="exit-assessment"),
    path("letters/due/", exit_views.letters_due, name="letters-due"),
    path("letters/participation/<int:pk>/new/", exit_views.letter_start, name="letter-start"),
    path("letters/<int:pk>/", exit_views.letter_detail, name="letter"),
    path("letters/<int:pk>/edit/", exit_views.letter_edit, name="letter-edit"),
    path("letters/<int:pk>/sent/", exit_views.letter_sent, name="letter-sent"),
    path("yearly/", report_views.yearly_report, name="yearly"),
    path("outcomes/", report_views.outcomes_report, name="outcomes"),
]

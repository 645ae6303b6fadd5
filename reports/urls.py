from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("change-reports/due/", views.due, name="due"),
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
]

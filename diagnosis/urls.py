from django.urls import path

from diagnosis import views

app_name = "diagnosis"

urlpatterns = [
    path("to-sign/", views.to_sign, name="to-sign"),
    path("to-fill/", views.to_fill, name="to-fill"),
    path("unsigned/", views.unsigned, name="unsigned"),
    path("participant/<int:pk>/new/", views.report_start, name="report-start"),
    path("participant/<int:pk>/compare/", views.compare, name="compare"),
    path("<int:pk>/", views.report_detail, name="report"),
    path("<int:pk>/sphere/<slug:sphere>/", views.sphere_edit, name="sphere"),
    path("<int:pk>/tools/add/", views.tool_add, name="tool-add"),
    path("tools/<int:pk>/remove/", views.tool_remove, name="tool-remove"),
    path("<int:pk>/holland/", views.holland_edit, name="holland"),
    path("<int:pk>/recommendations/", views.recommendations_edit, name="recommendations"),
]

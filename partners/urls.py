from django.urls import path

from partners import views

app_name = "partners"

urlpatterns = [
    path("", views.institution_list, name="list"),
    path("network/", views.network_overview, name="network"),
    path("services/", views.service_catalogue, name="services"),
    path("<int:pk>/", views.institution_detail, name="detail"),
    path("<int:pk>/archive/", views.institution_archive, name="archive"),
    path("agreements/new/", views.agreement_new, name="agreement-add"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="agreement-edit"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/new/", views.meeting_new, name="meeting-add"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting-edit"),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="minutes"),
    path("meetings/<int:pk>/tasks/new/", views.task_add, name="task-add"),
    path("tasks/<int:pk>/", views.task_edit, name="task"),
]

from django.urls import path

from participants import recruitment_views as views

app_name = "recruitment"

urlpatterns = [
    path("", views.application_list, name="list"),
    path("new/", views.application_new, name="new"),
    path("<int:pk>/", views.application_detail, name="detail"),
    path("<int:pk>/edit/", views.application_edit, name="edit"),
    path("<int:pk>/decide/", views.application_decide, name="decide"),
]

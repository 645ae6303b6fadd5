from django.urls import path

from subject_access import views

app_name = "subject_access"

urlpatterns = [
    path("<int:pk>/", views.prepare, name="prepare"),
    path("<int:pk>/release/", views.release, name="release"),
]

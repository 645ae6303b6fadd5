"""The project's URLs plus the floor pages the benchmark compares against."""

from django.urls import path

from bench import floor
from kis_site.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("bench/floor/participants/", floor.participant_list),
    path("bench/floor/participants/<int:pk>/", floor.participant_file),
    path("bench/floor/hours/<int:pk>/", floor.hour_card),
    path("bench/floor/cohort-hours/<int:pk>/", floor.cohort_hours),
    *project_urlpatterns,
]

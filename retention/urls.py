from django.urls import path

from retention import views

app_name = "retention"

urlpatterns = [
    path("", views.due, name="due"),
    path("propose/<int:pk>/", views.propose, name="propose"),
    path("propose/", views.propose_together, name="propose-together"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("confirm/", views.confirm_together, name="confirm-together"),
    path("records/<int:pk>/", views.record, name="record"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]

from django.urls import path

from ipd import views

app_name = "ipd"

urlpatterns = [
    path("reviews/", views.reviews, name="reviews"),
    path("unsigned/", views.unsigned, name="unsigned"),
    path("participant/<int:pk>/new/", views.plan_start, name="plan-start"),
    path("<int:pk>/", views.plan_detail, name="plan"),
    path("<int:pk>/edit/", views.plan_edit, name="plan-edit"),
    path("<int:pk>/review/", views.plan_review, name="plan-review"),
    path("<int:pk>/goal/<slug:sphere>/", views.goal_add, name="goal-add"),
    path("goal/<int:pk>/", views.goal_edit, name="goal"),
    path("goal/<int:pk>/remove/", views.goal_remove, name="goal-remove"),
    path("goal/<int:pk>/action/", views.action_add, name="action-add"),
    path("action/<int:pk>/", views.action_edit, name="action"),
    path("action/<int:pk>/remove/", views.action_remove, name="action-remove"),
]

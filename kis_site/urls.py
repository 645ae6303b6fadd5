from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView

from kis_site import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("session/keepalive/", views.session_keepalive, name="session-keepalive"),
    path("health/", views.health, name="health"),
    path("audit/", views.audit_log, name="audit-log"),
    path("documents/", include("kis_site.document_urls")),
    path("club-documents/", views.club_documents, name="club-documents"),
    path("club-documents/<int:pk>/file/", views.club_document_file, name="club-document-file"),
    path("participants/", include("participants.urls")),
    path("recruitment/", include("participants.recruitment_urls")),
    path("cohorts/", include("participants.cohort_urls")),
    path("partners/", include("partners.urls")),
    path("diagnosis/", include("diagnosis.urls")),
    path("activities/", include("activities.urls")),
    path("ipd/", include("ipd.urls")),
    path("reports/", include("reports.urls")),
    path(
        "admin/login/",
        login_not_required(RedirectView.as_view(pattern_name="login", query_string=True)),
        name="admin-login",
    ),
    path("admin/", admin.site.urls),
]

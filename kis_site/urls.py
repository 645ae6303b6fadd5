from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.module_loading import import_string
from django.views.generic import RedirectView

from kis_site.views import documents, files, pages, two_factor

# The 500 page shows the request's id, the one on the error's log line (kis_site/requestlog.py).
handler500 = "kis_site.requestlog.server_error"

document_patterns = (
    [
        path("without-scan/", documents.missing_scans, name="missing-scans"),
        path("<slug:kind>/<int:pk>/sign/<slug:slot>/", documents.sign, name="sign"),
        path("<slug:kind>/<int:pk>/paper/<slug:slot>/", documents.paper_signature, name="paper"),
        path("<slug:kind>/<int:pk>/new-version/", documents.new_revision, name="revise"),
        path("<slug:kind>/<int:pk>/pdf/", documents.pdf, name="pdf"),
        path(
            "<slug:kind>/<int:pk>/scan/<int:number>/upload/",
            documents.upload_scan,
            name="scan-upload",
        ),
        path("<slug:kind>/<int:pk>/scan/<int:number>/", documents.scan, name="scan"),
    ],
    "documents",
)

urlpatterns = [
    path("", pages.home, name="home"),
    path("login/", pages.LoginView.as_view(), name="login"),
    path("logout/", pages.LogoutView.as_view(), name="logout"),
    path("login/code/", two_factor.verify, name="two-factor-verify"),
    path("login/set-up/", two_factor.enrol, name="two-factor-enrol"),
    path("account/", two_factor.account, name="account"),
    path("account/recovery-codes/", two_factor.recovery_codes, name="two-factor-recovery-codes"),
    path("account/two-factor-roles/", two_factor.requirements, name="two-factor-roles"),
    path("session/keepalive/", pages.session_keepalive, name="session-keepalive"),
    path("health/", pages.health, name="health"),
    path("audit/", pages.audit_log, name="audit-log"),
    path("documents/", include(document_patterns)),
    path("club-documents/", pages.club_documents, name="club-documents"),
    path("club-documents/<int:pk>/file/", pages.club_document_file, name="club-document-file"),
    path("letterhead-logo/", files.letterhead_logo, name="letterhead-logo"),
    path("participants/", include("participants.urls")),
    # The apps to the right of kis_site are named by their dotted path, never imported here
    # (tests/test_architecture.py): participants.urls also holds the recruitment and cohort URLs.
    path("recruitment/", include(import_string("participants.urls.recruitment_patterns"))),
    path("cohorts/", include(import_string("participants.urls.cohort_patterns"))),
    path("partners/", include("partners.urls")),
    path("diagnosis/", include("diagnosis.urls")),
    path("activities/", include("activities.urls")),
    path("ipd/", include("ipd.urls")),
    path("reports/", include("reports.urls")),
    path("subject-access/", include("subject_access.urls")),
    path("retention/", include("retention.urls")),
    path(
        "admin/login/",
        login_not_required(RedirectView.as_view(pattern_name="login", query_string=True)),
        name="admin-login",
    ),
    path("admin/", admin.site.urls),
]

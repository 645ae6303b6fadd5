from django.urls import path

from kis_site import document_views as views

app_name = "documents"

urlpatterns = [
    path("without-scan/", views.missing_scans, name="missing-scans"),
    path("<slug:kind>/<int:pk>/sign/<slug:slot>/", views.sign, name="sign"),
    path("<slug:kind>/<int:pk>/paper/<slug:slot>/", views.paper_signature, name="paper"),
    path("<slug:kind>/<int:pk>/new-version/", views.new_revision, name="revise"),
    path("<slug:kind>/<int:pk>/pdf/", views.pdf, name="pdf"),
    path("<slug:kind>/<int:pk>/scan/<int:number>/upload/", views.upload_scan, name="scan-upload"),
    path("<slug:kind>/<int:pk>/scan/<int:number>/", views.scan, name="scan"),
]

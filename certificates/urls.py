from django.urls import path

from moderation import views_dashboard

from . import views, views_staff

app_name = "certificates"

urlpatterns = [
    path("batch/<int:batch_pk>/", views.batch_certificates, name="batch"),
    path("learner/<int:learner_pk>/", views.learner_certificates, name="learner"),
    path("<int:pk>/download/", views.download, name="download"),
    path("verify/", views.verify, name="verify"),
    # The short address printed on the certificate and held by its QR code (R-CRT-3).
    path("v/<str:token>/", views.verify_short, name="verify-short"),
    # Moderation's dashboard (moderation/views_dashboard.py), at the address it always had.
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
    # The awarding body's staff: print runs, dispatch deadlines, reissue and revoke.
    path("staff/print/", views_staff.print_queue, name="print-queue"),
    path("staff/print/create/", views_staff.print_run_create, name="print-run-create"),
    path("staff/print/<int:pk>/pdf/", views_staff.print_run_download, name="print-run-download"),
    path("staff/print/<int:pk>/posted/", views_staff.print_run_post, name="print-run-post"),
    path("staff/dispatch/", views_staff.dispatch_list, name="dispatch-list"),
    path("staff/certificates/", views_staff.certificate_list, name="staff-list"),
    path("staff/certificates/<int:pk>/", views_staff.certificate_detail, name="staff-detail"),
    path(
        "staff/certificates/<int:pk>/reissue/",
        views_staff.certificate_reissue,
        name="staff-reissue",
    ),
    path(
        "staff/certificates/<int:pk>/revoke/", views_staff.certificate_revoke, name="staff-revoke"
    ),
]

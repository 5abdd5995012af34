from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    # The centre's side (Moderation for batches, Claims for claims).
    path("", views.centre_list, name="list"),
    path("batch/<int:pk>/request/", views.request_batch, name="request-batch"),
    path("claim/<int:pk>/request/", views.request_claim, name="request-claim"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/evidence/", views.evidence, name="evidence"),
    # The reviewer's side.
    path("assigned/", views.reviewer_list, name="reviewer-list"),
    path("assigned/<int:pk>/", views.reviewer_detail, name="reviewer-detail"),
    path("assigned/<int:pk>/start/", views.reviewer_start, name="reviewer-start"),
    path("assigned/<int:pk>/decide/", views.reviewer_decide, name="reviewer-decide"),
    path("assigned/<int:pk>/evidence/", views.reviewer_evidence, name="reviewer-evidence"),
]

from django.urls import path

from . import views, views_assessor

app_name = "claims"

urlpatterns = [
    path("", views.index, name="index"),
    path("qualifications/<int:qualification_pk>/create/", views.claim_create, name="claim-create"),
    path(
        "qualifications/<int:qualification_pk>/assessors/",
        views.centre_assessor_list,
        name="centre-assessor-list",
    ),
    path(
        "qualifications/<int:qualification_pk>/assessors/new/",
        views.centre_assessor_create,
        name="centre-assessor-create",
    ),
    path("assessors/<int:pk>/", views.centre_assessor_edit, name="centre-assessor-edit"),
    path(
        "assessors/<int:pk>/deactivate/",
        views.centre_assessor_deactivate,
        name="centre-assessor-deactivate",
    ),
    path("history/", views.history, name="history"),
    path("history/export.csv", views.history_export, name="history-export"),
    path("<int:pk>/", views.claim_detail, name="claim-detail"),
    path("<int:pk>/details/", views.claim_update_details, name="claim-update-details"),
    path("<int:pk>/candidates/", views.by_candidate, name="by-candidate"),
    path(
        "<int:pk>/candidates/<int:registration_pk>/",
        views.candidate_edit,
        name="candidate-edit",
    ),
    path(
        "<int:pk>/candidates/<int:registration_pk>/other-body/",
        views.other_body,
        name="other-body",
    ),
    path("<int:pk>/units/", views.by_unit, name="by-unit"),
    path("<int:pk>/units/<int:unit_pk>/", views.unit_edit, name="unit-edit"),
    path("<int:pk>/check/", views.claim_check, name="claim-check"),
    path("<int:pk>/submit/", views.claim_submit, name="claim-submit"),
    path("<int:pk>/lines/<int:line_pk>/remove/", views.line_remove, name="line-remove"),
    path("<int:pk>/print/", views.claim_print, name="claim-print"),
    path("<int:pk>/export.csv", views.claim_export, name="claim-export"),
    path("assess/", views_assessor.assessor_list, name="assessor-list"),
    path("assess/<int:pk>/", views_assessor.assessor_claim, name="assessor-claim"),
    path("assess/<int:pk>/sample/", views_assessor.assessor_sample, name="assessor-sample"),
    path("assess/<int:pk>/finalise/", views_assessor.assessor_finalise, name="assessor-finalise"),
    path("assess/<int:pk>/withdraw/", views_assessor.assessor_withdraw, name="assessor-withdraw"),
]

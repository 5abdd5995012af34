from django.urls import path

from . import views, views_sample

app_name = "moderation"

urlpatterns = [
    path("", views.index, name="index"),
    path("add/", views.batch_add, name="batch-add"),
    path("<int:pk>/", views.batch_detail, name="batch-detail"),
    path("<int:pk>/documents/", views.batch_documents, name="batch-documents"),
    path("<int:pk>/units/", views.batch_units, name="batch-units"),
    path("<int:pk>/slots/<int:unit_pk>/", views.sample_upload, name="sample-upload"),
    path("<int:pk>/slots/<int:unit_pk>/remove/", views.sample_remove, name="sample-remove"),
    path(
        "<int:pk>/slots/<int:unit_pk>/take-off/",
        views.batch_unit_remove,
        name="batch-unit-remove",
    ),
    path("<int:pk>/sample/", views_sample.batch_sample, name="batch-sample"),
    path("<int:pk>/submit/", views.batch_submit, name="batch-submit"),
    path("<int:pk>/resubmit/", views.batch_resubmit, name="batch-resubmit"),
    path("<int:pk>/delete/", views.batch_delete, name="batch-delete"),
    path(
        "<int:pk>/request-deletion/",
        views.batch_request_deletion,
        name="batch-request-deletion",
    ),
    path("<int:pk>/files/<int:doc_pk>/", views.document_download, name="document-download"),
    path("queue/", views.queue, name="queue"),
    path("review/<int:pk>/", views.review, name="review"),
    path("review/<int:pk>/take/", views.take, name="take"),
    path("review/<int:pk>/outcome/", views.outcome, name="outcome"),
    path("review/<int:pk>/files/<int:doc_pk>/", views.review_download, name="review-download"),
    path("review/<int:pk>/zip/", views.review_zip, name="review-zip"),
]

from django.urls import path

from . import views

app_name = "downloads"

urlpatterns = [
    path("", views.index, name="index"),
    path("batch/<int:pk>/", views.prepare_batch, name="prepare-batch"),
    path(
        "centre/<int:centre_pk>/qualification/<int:pk>/",
        views.prepare_qualification,
        name="prepare-qualification",
    ),
    path("month/", views.prepare_month, name="prepare-month"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/file/", views.file, name="file"),
]

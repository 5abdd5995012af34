from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("batch/<int:batch_pk>/", views.batch_certificates, name="batch"),
    path("learner/<int:learner_pk>/", views.learner_certificates, name="learner"),
    path("<int:pk>/download/", views.download, name="download"),
    path("verify/", views.verify, name="verify"),
    path("dashboard/", views.dashboard, name="dashboard"),
]

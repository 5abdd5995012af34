from django.urls import path

from . import views

app_name = "par"

urlpatterns = [
    path("", views.index, name="index"),
    path("individual/", views.individual, name="individual"),
    path("individual/add/", views.add_selected, name="add"),
    path("selections/<int:pk>/remove/", views.remove, name="remove"),
    path("learners/<int:pk>/", views.learner_par, name="learner"),
    path("bulk/", views.bulk, name="bulk"),
    path("bulk/apply/", views.bulk_apply, name="bulk-apply"),
]

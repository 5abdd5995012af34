from django.urls import path

from . import views

app_name = "centres"

urlpatterns = [
    path("switch/", views.switch_centre, name="switch"),
    path("learners/", views.learner_list, name="learner-list"),
    path("learners/<int:pk>/", views.learner_detail, name="learner-detail"),
]

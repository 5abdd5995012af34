from django.urls import path

from . import views, views_staff
from .views_import import learner_import, learner_import_job, learner_import_template

app_name = "centres"

urlpatterns = [
    path("switch/", views.switch_centre, name="switch"),
    path("learners/", views.learner_list, name="learner-list"),
    path("learners/<int:pk>/", views.learner_detail, name="learner-detail"),
    path("learners/import/", learner_import, name="learner-import"),
    path("learners/import/<int:pk>/", learner_import_job, name="learner-import-job"),
    path(
        "learners/import/example.csv",
        learner_import_template,
        name="learner-import-template",
    ),
    path("staff/", views_staff.staff_list, name="staff"),
    path("staff/invite/", views_staff.staff_invite, name="staff-invite"),
    path("staff/<int:pk>/", views_staff.staff_edit, name="staff-edit"),
    path(
        "staff/<int:pk>/confirm-revoke/",
        views_staff.staff_revoke_confirm,
        name="staff-revoke-confirm",
    ),
    path("staff/<int:pk>/revoke/", views_staff.staff_revoke, name="staff-revoke"),
]

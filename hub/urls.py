from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from centres.forms import EmailAuthenticationForm, OutboxPasswordResetForm

from . import views

admin.site.site_header = "Awarding Body Hub administration"
admin.site.site_title = "Awarding Body Hub"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("session/keepalive/", views.session_keepalive, name="session-keepalive"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm),
        name="login",
    ),
    # Django's view; its email goes through the outbox, never sent in the request.
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=OutboxPasswordResetForm),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("centres/", include("centres.urls")),
    path("par/", include("par.urls")),
    path("moderation/", include("moderation.urls")),
    path("claims/", include("claims.urls")),
    path("certificates/", include("certificates.urls")),
    path("notices/", include("notices.urls")),
    path("downloads/", include("downloads.urls")),
    path("reviews/", include("reviews.urls")),
    path("admin/", admin.site.urls),
]

from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from hub.tests.matrix import everyone, logged_in, register

register("home", expect=logged_in(200))
register("healthz", expect=everyone(200))
register("readyz", expect=everyone(200))
register("favicon", expect=everyone(200))
register("login", expect=everyone(200))
register("logout", expect=everyone(405), label="GET")
register("logout", method="post", expect=everyone(302), label="POST", anon_to_login=False)
register("password_change", expect=logged_in(200))
register("password_change_done", expect=logged_in(200))
register("password_reset", expect=everyone(200))
register("password_reset_done", expect=everyone(200))
register(
    "password_reset_confirm",
    kwargs=lambda w: {
        "uidb64": urlsafe_base64_encode(force_bytes(w.admin.pk)),
        "token": default_token_generator.make_token(w.admin),
    },
    # A valid link redirects once to the set-password form, for everyone.
    expect=everyone(302),
    anon_to_login=False,
)
register("password_reset_complete", expect=everyone(200))
register("session-keepalive", expect=everyone(405), label="GET")
register("session-keepalive", method="post", expect=everyone(204, anon=302), label="POST")

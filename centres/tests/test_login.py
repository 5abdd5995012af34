from django.urls import reverse

from centres.tests.factories import PASSWORD


def test_login_ignores_the_case_of_the_email(client, world):
    response = client.post(
        reverse("login"),
        {"username": "  ADMIN@Example.test ", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.9",
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(world.admin.pk)


def test_wrong_password_keeps_the_email_and_shows_the_error(client, world):
    response = client.post(
        reverse("login"),
        {"username": "admin@example.test", "password": "nope"},
        REMOTE_ADDR="10.0.0.9",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="admin@example.test"' in body
    assert "correct email address and password" in body

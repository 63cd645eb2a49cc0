"""A new password, by any path, revokes the user's API token (accounts.User.save)."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.authtoken.models import Token

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-42"


def has_token(user) -> bool:
    return Token.objects.filter(user=user).exists()


def test_set_password_and_save_revokes_the_users_token(owner, teammate):
    owner.user.set_password(NEW_PASSWORD)
    owner.user.save()
    assert not has_token(owner.user)
    assert owner.client.get("/api/v1/me/").status_code == 401
    # Only the user's own token goes.
    assert teammate.client.get("/api/v1/me/").status_code == 200


def test_saving_only_the_password_field_revokes_the_token_too(owner):
    owner.user.set_password(NEW_PASSWORD)
    owner.user.save(update_fields=["password"])
    assert not has_token(owner.user)


def test_saving_a_user_without_a_new_password_keeps_the_token(owner):
    owner.user.first_name = "Liv"
    owner.user.save()
    assert owner.client.get("/api/v1/me/").status_code == 200


def test_a_password_hash_upgrade_on_sign_in_keeps_the_token(owner, settings):
    """check_password() re-hashes an outdated hash and saves it; that is no new password."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.ScryptPasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    assert owner.user.check_password("pw")
    assert owner.user.password.startswith("scrypt$")
    assert has_token(owner.user)


def test_a_new_password_then_a_new_token_works(owner):
    owner.user.set_password(NEW_PASSWORD)
    owner.user.save()
    response = Client().post(
        "/api/v1/auth/token/",
        {"username": owner.user.username, "password": NEW_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert Token.objects.get(user=owner.user).key == response.json()["token"]


def test_changing_the_password_in_the_web_app_revokes_the_token(owner):
    browser = Client()
    browser.force_login(owner.user)
    response = browser.post(
        "/password/",
        {"old_password": "pw", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert owner.client.get("/api/v1/me/").status_code == 401
    # The browser's own session stays signed in (Django updates its hash).
    assert browser.get("/").status_code == 200


def test_a_superuser_changing_a_users_password_in_the_admin_revokes_the_token(owner):
    admin = Client()
    admin.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    response = admin.post(
        f"/admin/accounts/user/{owner.user.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert User.objects.get(pk=owner.user.pk).check_password(NEW_PASSWORD)
    assert owner.client.get("/api/v1/me/").status_code == 401


def test_changing_ones_own_password_in_the_admin_revokes_the_token(owner):
    owner.user.is_staff = True
    owner.user.save()
    admin = Client()
    admin.force_login(owner.user)
    response = admin.post(
        "/admin/password_change/",
        {
            "old_password": "pw",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert owner.client.get("/api/v1/me/").status_code == 401


def test_manage_py_changepassword_revokes_the_token(owner, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)
    call_command("changepassword", owner.user.username, stdout=io.StringIO())
    assert User.objects.get(pk=owner.user.pk).check_password(NEW_PASSWORD)
    assert owner.client.get("/api/v1/me/").status_code == 401

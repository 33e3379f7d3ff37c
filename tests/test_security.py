"""Guessing the editors' passwords: a lockout, password rules, and how to open a locked account."""

import io
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from tests.factories import make_webmaster

LOGIN = "/admin/login/?next=/admin/"
LOCKOUT = timedelta(minutes=30)


def log_in(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"})


def is_logged_in(client):
    return client.get("/admin/").status_code == 200


# The admin login -------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client, db):
    webmaster = make_webmaster()
    for _ in range(5):
        log_in(client, webmaster.username, "forkert")

    before = timezone.localtime()
    response = log_in(client, webmaster.username, webmaster.raw_password)
    after = timezone.localtime()

    assert response.status_code == 429
    html = response.content.decode()
    assert "For mange mislykkede login-forsøg" in html
    assert any(f"låst indtil kl. {moment + LOCKOUT:%H:%M}" in html for moment in (before, after))
    assert 'name="password"' not in html
    assert not is_logged_in(client)


def test_a_lockout_holds_for_a_client_that_never_failed_itself(client, db):
    webmaster = make_webmaster()
    for _ in range(5):
        log_in(Client(), webmaster.username, "forkert")

    assert log_in(client, webmaster.username, webmaster.raw_password).status_code == 429


def test_fewer_wrong_passwords_do_not_lock_the_account(client, db):
    webmaster = make_webmaster()
    for _ in range(4):
        log_in(client, webmaster.username, "forkert")

    response = log_in(client, webmaster.username, webmaster.raw_password)

    assert response.status_code == 302
    assert is_logged_in(client)


def test_the_unlock_command_lets_the_right_password_in_again(client, db):
    webmaster = make_webmaster()
    for _ in range(6):
        log_in(client, webmaster.username, "forkert")

    call_command("axes_reset", stdout=io.StringIO())
    response = log_in(client, webmaster.username, webmaster.raw_password)

    assert response.status_code == 302
    assert is_logged_in(client)


# Password rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("a", "mindst 12 tegn"),
        ("123456789012345", "udelukkende numerisk"),
        ("password1234", "for almindelig"),
    ],
)
def test_createwebmaster_refuses_a_weak_password_and_says_why(db, monkeypatch, password, reason):
    monkeypatch.setenv("WEBMASTER_PASSWORD", password)

    with pytest.raises(CommandError, match=reason):
        call_command(
            "createwebmaster",
            username="redaktoer",
            email="redaktoer@ruc.example",
            password_env="WEBMASTER_PASSWORD",
            stdout=io.StringIO(),
        )
    assert not get_user_model().objects.filter(username="redaktoer").exists()


# Headers and request size ----------------------------------------------------------------------


def test_every_page_tells_browsers_it_needs_no_camera_microphone_or_location(client, seeded):
    response = client.get("/")

    policy = {item.strip() for item in response["Permissions-Policy"].split(",")}
    assert policy == {
        "camera=()",
        "microphone=()",
        "geolocation=()",
        "payment=()",
        "usb=()",
        "interest-cohort=()",
    }


def test_hsts_preload_is_off_unless_asked_for():
    def preload(**environment):
        code = "from django.conf import settings; print(settings.SECURE_HSTS_PRELOAD)"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "mia_forum.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "x" * 50,
            **environment,
        }
        result = subprocess.run(
            [sys.executable, "-c", "import django; django.setup(); " + code],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip()

    assert preload() == "False"
    assert preload(DJANGO_SECURE_HSTS_PRELOAD="1") == "True"


def test_a_request_claiming_more_than_a_paper_and_its_form_is_refused_unread(
    client, question, settings
):
    url = f"/debat/{question.slug}/skriv/"
    small_body = b"author_name=Ida"

    response = client.generic(
        "POST",
        url,
        small_body,
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(settings.MIA_MAX_REQUEST_BYTES + 1),
    )

    assert response.status_code == 413
    assert "Det du sendte, er for stort" in response.content.decode()


def test_a_paper_at_the_size_limit_is_not_refused_for_its_size(client, question, settings):
    url = f"/debat/{question.slug}/skriv/"
    response = client.generic(
        "POST",
        url,
        b"author_name=Ida",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(settings.MIA_MAX_ATTACHMENT_MB * 1024 * 1024 + 50_000),
    )

    assert response.status_code != 413

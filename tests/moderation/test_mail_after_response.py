"""
A contributor never waits on the mail server: a request's mail goes out after its response, and
a contribution sent twice in a row is stored once.
"""

import http.cookiejar
import io
import re
import time
import urllib.parse
import urllib.request

from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from debates.models import Contribution, Question
from moderation.models import OutgoingMail
from tests.mail import mails_to, parse


def send_through_the_form(base_url, slug, **fields):
    """A visitor's browser: open the form, post it; return the seconds the POST took."""
    browser = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    form_url = base_url + reverse("moderation:contribution-new", args=[slug])
    page = browser.open(form_url, timeout=30).read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = {
        "csrfmiddlewaretoken": csrf,
        "author_name": "Ida Holm",
        "title": "Tid til at tænke",
        "body": "Vi skal have *tid* til at tænke nyt.",
        "consent": "on",
        "send": "1",
        **fields,
    }
    request = urllib.request.Request(
        form_url, data=urllib.parse.urlencode(data).encode(), headers={"Referer": form_url}
    )
    start = time.monotonic()
    with browser.open(request, timeout=30) as response:
        response.read()
        assert response.url.endswith(reverse("moderation:contribution-sent"))
    return time.monotonic() - start


def test_a_stalled_mail_server_does_not_hold_up_sending_a_contribution(
    live_server, seeded, settings, stalled_smtp_server
):
    slug = Question.objects.get(slug="lederens-roller").slug
    normal = send_through_the_form(live_server.url, slug, author_email="ida@example.dk")
    assert len(mails_to(mail.outbox, "ida@example.dk")) == 1

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", stalled_smtp_server
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 4
    settings.MIA_MAIL_SEND_SECONDS = 2
    stalled = send_through_the_form(live_server.url, slug, author_email="jens@example.dk")

    assert stalled < 1.5 + 3 * normal, (normal, stalled)
    queued = OutgoingMail.objects.get(contribution__author_email="jens@example.dk")
    deadline = time.monotonic() + 10
    while not queued.last_error and time.monotonic() < deadline:
        time.sleep(0.2)
        queued.refresh_from_db()
    assert queued.sent_at is None
    assert "timed out" in queued.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_queued_mail", stdout=io.StringIO())
    assert len(mails_to(mail.outbox, "jens@example.dk")) == 1


def test_mail_queued_outside_a_request_is_sent_at_once(mails_sent_by, question):
    from moderation.services import submit_contribution

    sent = mails_sent_by(
        lambda: submit_contribution(
            question=question, author_name="Ida", author_email="ida@example.dk", body="Tekst."
        )
    )
    assert len(mails_to(sent, "ida@example.dk")) == 1


def test_sending_the_same_contribution_twice_stores_it_once_and_mails_once(
    client, question, django_capture_on_commit_callbacks
):
    url = reverse("moderation:contribution-new", args=[question.slug])
    data = {
        "author_name": "Søren Ærø",
        "author_email": "soren@example.dk",
        "title": "Rum for innovation",
        "body": "Vi skal *skabe rum* for samarbejde.",
        "consent": "on",
        "send": "1",
    }
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, data)
        again = client.post(url, {**data, "author_email": "Soren@Example.dk "})

    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    assert Contribution.objects.filter(author_email__iexact="soren@example.dk").count() == 1
    assert len(mails_to(mail.outbox, "soren@example.dk")) == 1
    page = client.get(again["Location"]).content.decode()
    assert "soren@example.dk" in page


def test_a_different_text_from_the_same_address_is_a_new_contribution(client, question):
    url = reverse("moderation:contribution-new", args=[question.slug])
    data = {
        "author_name": "Søren Ærø",
        "author_email": "soren@example.dk",
        "body": "Første tanke.",
        "consent": "on",
        "send": "1",
    }
    client.post(url, data)
    client.post(url, {**data, "body": "Anden tanke."})
    assert Contribution.objects.filter(author_email="soren@example.dk").count() == 2


def test_a_mail_sent_twice_from_the_outbox_is_one_message_to_mail_programs(question):
    from moderation import outbox, services

    services.submit_contribution(
        question=question, author_name="Ida", author_email="ida@example.dk", body="Tekst."
    )
    queued = OutgoingMail.objects.get()
    outbox.send_queued(ids=[queued.pk])
    OutgoingMail.objects.filter(pk=queued.pk).update(sent_at=None)
    outbox.send_queued(ids=[queued.pk])

    first, again = (parse(m) for m in mail.outbox)
    assert first["Message-ID"] == again["Message-ID"]
    assert first["Message-ID"].endswith("@mia.localhost>")
    other = services.submit_contribution(
        question=question, author_name="Jens", author_email="jens@example.dk", body="Andet."
    )
    outbox.send_queued(ids=[other.mails.get().pk])
    assert parse(mail.outbox[-1])["Message-ID"] != first["Message-ID"]

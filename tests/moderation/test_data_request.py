"""Asking for one's data: the page never tells whether an address is known, not even by its time."""

import pytest
from django.core import mail
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext

from moderation.models import OutgoingMail
from moderation.views import personal_data
from tests.factories import make_contribution

pytestmark = pytest.mark.django_db

KNOWN, UNKNOWN = "kendt@example.dk", "ukendt@example.dk"


def ask(rf, email):
    """The page as the visitor gets it, the queries run before it, and the response to close."""
    request = rf.post("/mine-data/", {"email": email}, REMOTE_ADDR="192.0.2.1")
    request.LANGUAGE_CODE = "da"
    with CaptureQueriesContext(connection) as queries:
        response = personal_data(request)
    return response.content.decode().replace(email, "ADDRESS"), len(queries), response


def close(response):
    """Close the response as the server does once it has sent it, keeping the test's connection."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def test_a_known_and_an_unknown_address_get_the_same_page_after_the_same_work(rf, question):
    make_contribution(question=question, author_email=KNOWN)

    known_page, known_queries, _ = ask(rf, KNOWN)
    unknown_page, unknown_queries, _ = ask(rf, UNKNOWN)

    assert "Tjek din e-mail" in known_page
    assert known_page == unknown_page
    assert known_queries == unknown_queries
    assert not OutgoingMail.objects.exists()  # nothing is looked up or queued before the page


def test_the_link_is_mailed_once_the_page_has_been_sent_and_only_to_a_known_address(
    rf, question, django_capture_on_commit_callbacks
):
    make_contribution(question=question, author_email=KNOWN)
    *_, known = ask(rf, KNOWN)
    *_, unknown = ask(rf, UNKNOWN)

    with django_capture_on_commit_callbacks(execute=True):
        close(known)
        close(unknown)

    (message,) = mail.outbox
    assert message.to == [KNOWN]
    assert OutgoingMail.objects.get().sent_at is not None


def test_a_failure_after_the_page_was_sent_is_logged_not_raised(rf, seeded, monkeypatch, caplog):
    def fail(**kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr("moderation.services.request_personal_data", fail)
    *_, response = ask(rf, KNOWN)

    close(response)

    assert "database gone" in caplog.text

"""Papers parked between a preview or a corrected form and the sending of it."""

import os
import re
from datetime import timedelta

import pytest
from django.core import signing
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from debates.models import Contribution
from moderation.services import staging
from tests.factories import PDF_BYTES

pytestmark = pytest.mark.django_db


def paper(name="mit-paper.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def backdate(staged, **delta):
    moment = (timezone.now() - timedelta(**delta)).timestamp()
    os.utime(storages["contributions"].path(staged.path), (moment, moment))


# The service -------------------------------------------------------------------------------------


def test_a_parked_upload_is_read_back_from_its_token_with_its_name_and_content():
    token = staging.park(paper()).token

    staged = staging.read(token)

    assert staged.name == "mit-paper.pdf"
    with staged.open() as file:
        assert file.read() == PDF_BYTES


def test_a_token_that_was_altered_or_made_for_something_else_reads_as_nothing():
    token = staging.park(paper()).token
    forged = signing.dumps({"path": "../../settings.py", "name": "x.pdf"}, salt="other")
    assert staging.read(token[:-2]) is None
    assert staging.read(forged) is None
    assert staging.read("") is None


def test_a_token_older_than_a_day_reads_as_nothing(monkeypatch):
    import time

    token = staging.park(paper()).token
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + staging.LIFETIME.total_seconds() + 1)
    assert staging.read(token) is None


def test_a_discarded_upload_is_gone():
    staged = staging.park(paper())
    staging.discard(staged)
    assert staging.read(staged.token) is None
    assert not storages["contributions"].exists(staged.path)


def test_only_uploads_parked_longer_than_a_day_have_expired():
    old = staging.park(paper())
    staging.park(paper())
    backdate(old, hours=25)
    assert staging.expired() == [old.path]


def test_nothing_has_expired_before_anything_was_parked():
    assert staging.expired() == []


# The form ----------------------------------------------------------------------------------------


@pytest.fixture
def form_url(question):
    return reverse("moderation:contribution-new", args=[question.slug])


def post(client, url, **overrides):
    data = {
        "author_name": "Søren Ærø",
        "author_email": "soren@example.dk",
        "body": "Vi skal *skabe rum* for samarbejde.",
        "consent": "on",
        "send": "1",
        **overrides,
    }
    return client.post(url, data)


def token_in(response):
    """The hidden token the page carries to the next request ("" when it carries none)."""
    html = response.content.decode()
    return re.search(r'name="attachment_token"(?: value="([^"]*)")?', html)[1] or ""


def parked_files():
    storage = storages["contributions"]
    return storage.listdir(staging.FOLDER)[1] if storage.exists(staging.FOLDER) else []


def test_a_paper_attached_before_a_preview_is_sent_with_the_contribution(client, form_url):
    preview = post(client, form_url, send="", preview="1", attachment=paper())
    assert "Vedhæftet: <strong>mit-paper.pdf</strong>" in preview.content.decode()

    post(client, form_url, attachment_token=token_in(preview))

    contribution = Contribution.objects.get()
    assert contribution.attachment_name == "mit-paper.pdf"
    assert contribution.attachment.read() == PDF_BYTES


def test_a_sent_paper_leaves_nothing_parked(client, form_url):
    preview = post(client, form_url, send="", preview="1", attachment=paper())
    post(client, form_url, attachment_token=token_in(preview))
    assert post(client, form_url, attachment=paper()).status_code == 302
    assert parked_files() == []


def test_a_removed_paper_is_deleted_and_does_not_come_back_with_the_next_correction(
    client, form_url
):
    first = post(client, form_url, author_email="forkert", attachment=paper())

    second = post(
        client,
        form_url,
        author_email="forkert",
        attachment_token=token_in(first),
        remove_attachment="1",
    )

    assert "Vedhæftet" not in second.content.decode()
    assert parked_files() == []
    post(client, form_url, attachment_token=token_in(second))
    assert not Contribution.objects.get().attachment


def test_a_new_paper_replaces_the_parked_one(client, form_url):
    first = post(client, form_url, author_email="forkert", attachment=paper("første.pdf"))
    second = post(
        client,
        form_url,
        author_email="forkert",
        attachment_token=token_in(first),
        attachment=paper("anden.pdf"),
    )
    assert "Vedhæftet: <strong>anden.pdf</strong>" in second.content.decode()
    assert len(parked_files()) == 1
    post(client, form_url, attachment_token=token_in(second))
    assert Contribution.objects.get().attachment_name == "anden.pdf"

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

VISITOR = "192.0.2.1"


def paper(name="mit-paper.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def backdate(staged, **delta):
    moment = (timezone.now() - timedelta(**delta)).timestamp()
    os.utime(storages["contributions"].path(staged.path), (moment, moment))


# The service -------------------------------------------------------------------------------------


def test_a_parked_upload_is_read_back_from_its_token_with_its_name_and_content():
    token = staging.park(paper(), visitor=VISITOR).token

    staged = staging.read(token)

    assert staged.name == "mit-paper.pdf"
    with staged.open() as file:
        assert file.read() == PDF_BYTES


def test_a_token_that_was_altered_or_made_for_something_else_reads_as_nothing():
    token = staging.park(paper(), visitor=VISITOR).token
    forged = signing.dumps({"path": "../../settings.py", "name": "x.pdf"}, salt="other")
    assert staging.read(token[:-2]) is None
    assert staging.read(forged) is None
    assert staging.read("") is None


def test_a_token_older_than_a_day_reads_as_nothing(monkeypatch):
    import time

    token = staging.park(paper(), visitor=VISITOR).token
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + staging.LIFETIME.total_seconds() + 1)
    assert staging.read(token) is None


def test_a_discarded_upload_is_gone():
    staged = staging.park(paper(), visitor=VISITOR)
    staging.discard(staged)
    assert staging.read(staged.token) is None
    assert not storages["contributions"].exists(staged.path)


def test_only_uploads_parked_longer_than_a_day_have_expired():
    old = staging.park(paper(), visitor=VISITOR)
    staging.park(paper(), visitor=VISITOR)
    backdate(old, hours=25)
    assert staging.expired() == [old.path]


def test_nothing_has_expired_before_anything_was_parked():
    assert staging.expired() == []


def test_a_visitor_keeps_at_most_three_parked_files_and_the_oldest_make_way():
    first, second, third = (staging.park(paper(f"{n}.pdf"), visitor=VISITOR) for n in range(3))
    backdate(first, minutes=3)
    backdate(second, minutes=2)
    backdate(third, minutes=1)
    others = staging.park(paper(), visitor="2001:db8::/64")

    fourth = staging.park(paper("3.pdf"), visitor=VISITOR)

    assert staging.read(first.token) is None
    assert all(staging.read(s.token) for s in (second, third, fourth, others))


def test_past_the_total_nothing_is_parked_or_discarded(settings):
    settings.MIA_STAGING_MAX_MB = 2.5 * len(PDF_BYTES) / (1024 * 1024)  # room for two papers
    kept = [staging.park(paper(), visitor=visitor) for visitor in ("192.0.2.1", "192.0.2.2")]

    with pytest.raises(staging.StagingFull):
        staging.park(paper(), visitor="192.0.2.3")
    with pytest.raises(staging.StagingFull):
        staging.park(paper(), visitor="192.0.2.2")  # would discard none of theirs: they have one

    assert len(parked_files()) == 2
    assert all(staging.read(s.token) for s in kept)


def test_past_the_number_of_files_nothing_more_is_parked(monkeypatch):
    monkeypatch.setattr(staging, "MAX_FILES", 2)
    staging.park(paper(), visitor="192.0.2.1")
    staging.park(paper(), visitor="192.0.2.2")

    with pytest.raises(staging.StagingFull):
        staging.park(paper(), visitor="192.0.2.3")
    assert len(parked_files()) == 2


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
    return [p.path for p in staging.parked()]


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


# What anonymous requests may leave on the disk ---------------------------------------------------


def test_previews_are_limited_per_network_and_one_past_the_limit_writes_nothing(
    client, form_url, settings
):
    settings.MIA_PREVIEWS_PER_HOUR = 2
    for _ in range(2):
        assert post(client, form_url, send="", preview="1", attachment=paper()).status_code == 200

    refused = post(client, form_url, send="", preview="1", attachment=paper("tredje.pdf"))

    html = refused.content.decode()
    assert refused.status_code == 400
    assert "Siden viser højst 2 forhåndsvisninger i timen til samme netværk" in html
    assert "“tredje.pdf” blev ikke gemt. Vedhæft den igen, når du sender." in html
    assert "Vi skal *skabe rum* for samarbejde." in html
    assert len(parked_files()) == 2


def test_a_send_over_the_limit_writes_nothing_and_asks_for_the_paper_again(
    client, form_url, settings
):
    settings.MIA_SUBMISSIONS_PER_EMAIL_PER_HOUR = 0

    refused = post(client, form_url, attachment=paper())

    assert refused.status_code == 400
    assert "“mit-paper.pdf” blev ikke gemt. Vedhæft den igen" in refused.content.decode()
    assert parked_files() == []


def test_a_paper_parked_before_a_refused_send_is_still_carried(client, form_url, settings):
    preview = post(client, form_url, send="", preview="1", attachment=paper())
    settings.MIA_SUBMISSIONS_PER_EMAIL_PER_HOUR = 0

    refused = post(client, form_url, attachment_token=token_in(preview))

    assert "Vedhæftet: <strong>mit-paper.pdf</strong>" in refused.content.decode()
    assert token_in(refused) == token_in(preview)
    assert len(parked_files()) == 1


def test_a_paper_sent_at_once_is_never_parked(client, form_url):
    assert post(client, form_url, attachment=paper()).status_code == 302
    assert not storages["contributions"].exists(staging.FOLDER)


def test_a_file_that_is_not_a_pdf_is_not_parked(client, form_url):
    fake = SimpleUploadedFile("paper.pdf", b"<html>%PDF-</html>", content_type="application/pdf")
    assert post(client, form_url, author_email="forkert", attachment=fake).status_code == 400
    assert parked_files() == []


def test_a_flood_of_forms_to_correct_from_one_network_keeps_three_papers(client, form_url):
    for n in range(11):
        post(client, form_url, author_email="forkert", attachment=paper(f"{n}.pdf"))

    assert len(parked_files()) == 3


def test_when_the_folder_is_full_the_form_asks_for_the_paper_on_sending_and_keeps_the_text(
    client, form_url, settings
):
    settings.MIA_STAGING_MAX_MB = 0

    first = post(client, form_url, author_email="forkert", attachment=paper())

    html = first.content.decode()
    assert "gemme flere usendte filer lige nu, så “mit-paper.pdf” blev ikke gemt" in html
    assert "Vi skal *skabe rum* for samarbejde." in html
    assert parked_files() == []
    assert post(client, form_url, attachment=paper()).status_code == 302
    assert Contribution.objects.get().attachment.read() == PDF_BYTES

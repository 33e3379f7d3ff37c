"""The editors' desk shows the mail the site sent without the recipients' personal links."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from moderation import emails, outbox, services
from moderation.models import OutgoingMail
from tests.mail import links, path_of

# Whatever follows a signed link's path: the token that acts for its recipient.
TOKEN_IN_LINK = re.compile(r"/(?:bekraeft|tilbagetraek|afmeld|hent)/([^/\s\"<>]+)/")


@pytest.fixture
def mails_with_personal_links(question, django_capture_on_commit_callbacks, webmaster):
    with django_capture_on_commit_callbacks(execute=True):
        contribution = services.submit_contribution(
            question=question,
            author_name="Ida Holm",
            author_email="ida@example.dk",
            body="Mit indlæg.",
            wants_reply_notice=True,
        )
        emails.queue_data_export("ida@example.dk", "da")
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_contribution(contribution=contribution)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(contribution=contribution, actor=webmaster)
    return OutgoingMail.objects.all()


def test_no_working_personal_link_appears_on_the_desks_mail_pages(
    client, webmaster, mails_with_personal_links
):
    tokens = {token for m in mail.outbox for token in TOKEN_IN_LINK.findall(" ".join(links(m)))}
    assert len(tokens) >= 3  # confirm, withdraw, data download
    client.force_login(webmaster)

    pages = [reverse("admin:moderation_outgoingmail_changelist")]
    for queued in mails_with_personal_links:
        pages.append(reverse("admin:moderation_outgoingmail_change", args=[queued.pk]))
        pages.append(reverse("admin:moderation_outgoingmail_history", args=[queued.pk]))
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        assert not [token for token in tokens if token in html], page

    confirmation = mails_with_personal_links.get(kind=OutgoingMail.Kind.CONFIRMATION)
    html = client.get(
        reverse("admin:moderation_outgoingmail_change", args=[confirmation.pk])
    ).content.decode()
    assert "[personligt link skjult]" in html
    assert "Mit indlæg" in html or "Ida Holm" in html


def test_a_mail_sent_again_from_the_outbox_still_holds_its_working_links(
    client, mails_with_personal_links
):
    confirmation = mails_with_personal_links.get(kind=OutgoingMail.Kind.CONFIRMATION)
    OutgoingMail.objects.filter(pk=confirmation.pk).update(sent_at=None)
    mail.outbox.clear()

    outbox.send_queued(ids=[confirmation.pk])

    withdraw = next(u for u in links(mail.outbox[0]) if "/tilbagetraek/" in u)
    assert client.get(path_of(withdraw)).status_code == 200

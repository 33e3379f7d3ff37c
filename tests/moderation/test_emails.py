"""The mails, read back from their bytes: who gets them, what they say, and that links work."""

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from debates.models import Contribution
from moderation import services
from moderation.models import OutgoingMail, Subscription
from tests.factories import make_contribution, make_user, make_webmaster
from tests.mail import html_of, links, parse, path_of, text_of

Status = Contribution.Status


def submit(question, **overrides):
    return services.submit_contribution(
        question=question,
        author_name="Åse Ødegård",
        author_email="aase@example.dk",
        title="Om siloer",
        body="Siloerne er *ikke* kun et sundhedsproblem.",
        **overrides,
    )


def test_the_confirmation_mail_is_a_proper_danish_mail_with_a_working_link(
    client, question, mails_sent_by, settings
):
    (message,) = mails_sent_by(lambda: submit(question))

    parsed = parse(message)
    assert parsed["To"] == "Åse Ødegård <aase@example.dk>"
    assert parsed["From"] == settings.DEFAULT_FROM_EMAIL
    assert parsed["Reply-To"] == settings.MIA_WEBMASTER_EMAIL
    assert parsed["Subject"] == "Bekræft dit indlæg til MIA-debatten"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["Content-Language"] == "da"
    assert parsed["Message-ID"]
    assert parsed["Date"]
    assert parsed.get_content_type() == "multipart/alternative"
    assert "Kære Åse Ødegård" in text_of(message)
    assert "&" not in text_of(message).split("http")[0]  # plain text is not HTML-escaped
    assert '<a href="http://127.0.0.1:8000/indlaeg/bekraeft/' in html_of(message)
    (link,) = links(message)[:1]
    assert link.startswith(settings.MIA_SITE_URL + "/indlaeg/bekraeft/")
    assert client.get(path_of(link)).status_code == 200


def test_the_editors_hear_of_a_confirmed_contribution_with_a_link_into_the_admin(
    client, question, mails_sent_by, settings
):
    moderator = make_webmaster(email="redaktor@ruc.example")
    make_user(email="anden@ruc.example")  # staff, but no moderation permission
    contribution = submit(question)

    (message,) = mails_sent_by(lambda: services.confirm_contribution(contribution=contribution))

    assert sorted(message.to) == sorted([settings.MIA_WEBMASTER_EMAIL, "redaktor@ruc.example"])
    assert (
        message.subject
        == "Nyt indlæg fra Åse Ødegård om “Igangsætter, facilitator og katalysator på én gang”"
    )
    assert "Siloerne er *ikke* kun et sundhedsproblem." in text_of(message)
    assert "I alt venter 1 indlæg." in text_of(message)
    (admin_link,) = [u for u in links(message) if "/admin/" in u]
    client.force_login(moderator)
    page = client.get(path_of(admin_link))
    assert page.status_code == 200
    assert "Om siloer" in page.content.decode()


def test_the_contributor_is_told_of_publication_with_a_link_to_the_reply(
    client, question, mails_sent_by, webmaster
):
    contribution = make_contribution(question=question, status=Status.PENDING)

    (message,) = mails_sent_by(lambda: services.publish(contribution=contribution, actor=webmaster))

    assert message.to == [f"{contribution.author_name} <{contribution.author_email}>"]
    assert message.subject == "Dit indlæg til MIA-debatten er offentliggjort"
    (link,) = [u for u in links(message) if "#indlaeg-" in u]
    assert link.endswith(f"/debat/{question.slug}/#indlaeg-{contribution.pk}")
    page = client.get(path_of(link).split("#")[0]).content.decode()
    assert f'id="indlaeg-{contribution.pk}"' in page


def test_the_contributor_is_told_why_a_contribution_was_rejected(
    question, mails_sent_by, webmaster
):
    contribution = make_contribution(question=question, status=Status.PENDING)
    (message,) = mails_sent_by(
        lambda: services.reject(
            contribution=contribution, actor=webmaster, reason="Indlægget handler om noget andet."
        )
    )
    assert message.subject == "Dit indlæg til MIA-debatten blev ikke offentliggjort"
    assert "Indlægget handler om noget andet." in text_of(message)
    assert "Indlægget handler om noget andet." in html_of(message)


def test_the_contributor_is_told_why_a_published_contribution_was_taken_down(
    question, mails_sent_by, webmaster
):
    contribution = make_contribution(question=question)
    (message,) = mails_sent_by(
        lambda: services.unpublish(contribution=contribution, actor=webmaster, reason="Ophavsret.")
    )
    assert message.subject == "Dit indlæg til MIA-debatten er taget af siden"
    assert "Ophavsret." in text_of(message)


def test_nobody_is_told_when_something_is_marked_as_spam(question, mails_sent_by, webmaster):
    contribution = make_contribution(question=question, status=Status.PENDING)
    assert (
        mails_sent_by(lambda: services.mark_spam(contribution=contribution, actor=webmaster)) == []
    )


def test_an_english_contributor_is_written_to_in_english(question, mails_sent_by, webmaster):
    contribution = make_contribution(question=question, status=Status.PENDING, language="en")
    (message,) = mails_sent_by(lambda: services.publish(contribution=contribution, actor=webmaster))
    assert message.subject == "Your contribution to the MIA debate has been published"
    assert parse(message)["Content-Language"] == "en"
    assert any("/en/debat/" in u for u in links(message))


def test_every_signed_link_in_an_english_readers_mail_opens_an_english_page(
    client, question, mails_sent_by, webmaster
):
    sent = mails_sent_by(lambda: submit(question, language="en"))  # a link to confirm
    Subscription.objects.create(
        email="bo@example.org", question=question, language="en", status="active"
    )
    published = make_contribution(question=question, status=Status.PENDING, language="en")
    sent += mails_sent_by(lambda: services.publish(contribution=published, actor=webmaster))
    sent += mails_sent_by(
        lambda: services.follow_question(question=question, email="al@example.org", language="en")
    )
    email = published.author_email
    sent += mails_sent_by(lambda: services.request_personal_data(email=email, language="en"))

    signed = [
        path_of(link)
        for message in sent
        for link in links(message)
        if re.match(r"/en/\w+(-\w+)?/(bekraeft|tilbagetraek|afmeld|hent)/", path_of(link))
    ]

    assert {path.rsplit("/", 2)[0] for path in signed} == {
        "/en/indlaeg/bekraeft",
        "/en/indlaeg/tilbagetraek",
        "/en/foelg/bekraeft",
        "/en/foelg/afmeld",
        "/en/mine-data/hent",
    }
    for path in signed:
        response = client.get(path)
        assert (response.status_code, response["Content-Language"]) == (200, "en"), path


def test_no_mail_leaves_when_the_change_is_rolled_back(question, webmaster, mails_sent_by):
    contribution = make_contribution(question=question, status=Status.PENDING)

    def publish_then_fail():
        with transaction.atomic():
            services.publish(contribution=contribution, actor=webmaster)
            raise RuntimeError("something later in the same transaction failed")

    with pytest.raises(RuntimeError):
        mails_sent_by(publish_then_fail)
    assert mail.outbox == []
    assert not OutgoingMail.objects.exists()
    contribution.refresh_from_db()
    assert contribution.status == Status.PENDING


def test_a_mail_that_could_not_be_sent_waits_and_is_sent_later(question, mails_sent_by, settings):
    settings.EMAIL_BACKEND = "tests.moderation.test_emails.BrokenBackend"
    assert mails_sent_by(lambda: submit(question)) == []
    queued = OutgoingMail.objects.get()
    assert queued.sent_at is None
    assert queued.attempts == 1
    assert "the mail server is down" in queued.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    out = io.StringIO()
    call_command("send_queued_mail", stdout=out)

    assert "Sent 1, failed 0, left 0." in out.getvalue()
    (message,) = mail.outbox
    assert message.subject == "Bekræft dit indlæg til MIA-debatten"
    queued.refresh_from_db()
    assert queued.sent_at is not None
    call_command("send_queued_mail", stdout=out)
    assert len(mail.outbox) == 1


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")

"""
The site cannot be used to send its mail to anyone: confirmation mails to one address are few
a day and one unanswered at a time, whether the contributions come by the form or by mail.
"""

from email.message import EmailMessage

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from debates.models import Contribution
from moderation import services
from moderation.services.intake import take_in_mail
from tests.mail import links, mails_to, path_of


def forged_mail(n, sender="Lene Lund <lene@example.dk>"):
    message = EmailMessage()
    message["From"] = sender
    message["Subject"] = f"Kommentar {n}"
    message["Message-ID"] = f"<forged-{n}@example.net>"
    message.set_content(f"Kommentar nummer {n} til konklusionerne.")
    return bytes(message)


def submit(question, n, email="ida@example.dk"):
    return services.submit_contribution(
        question=question, author_name="Ida", author_email=email, body=f"Tekst nummer {n}."
    )


def confirm_by_the_mailed_link(client, message):
    url = next(u for u in links(message) if "/bekraeft/" in u)
    assert client.post(path_of(url)).status_code == 302


def test_forged_mails_from_one_address_send_it_one_confirmation(
    seeded, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        for n in range(8):
            take_in_mail(
                raw=forged_mail(n, sender=f"Lene <{'LENE' if n % 2 else 'lene'}@example.dk>")
            )

    assert Contribution.objects.filter(author_email__iexact="lene@example.dk").count() == 8
    assert len(mails_to(mail.outbox, "lene@example.dk")) == 1


def test_a_second_contribution_gets_its_link_once_the_first_is_confirmed(
    client, question, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = submit(question, 1)
        second = submit(question, 2, email="IDA@example.dk")
    assert len(mails_to(mail.outbox, "ida@example.dk")) == 1

    with django_capture_on_commit_callbacks(execute=True):
        confirm_by_the_mailed_link(client, mail.outbox[0])
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Contribution.Status.PENDING
    assert second.status == Contribution.Status.UNCONFIRMED
    to_ida = mails_to(mail.outbox, "ida@example.dk")
    assert len(to_ida) == 2

    with django_capture_on_commit_callbacks(execute=True):
        confirm_by_the_mailed_link(client, to_ida[1])
    second.refresh_from_db()
    assert second.status == Contribution.Status.PENDING


def test_an_address_gets_at_most_the_daily_number_of_confirmations(
    client, question, settings, django_capture_on_commit_callbacks
):
    settings.MIA_CONFIRMATIONS_PER_ADDRESS_PER_DAY = 3
    for n in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            submit(question, n)
        to_ida = mails_to(mail.outbox, "ida@example.dk")
        if len(to_ida) == n + 1:
            with django_capture_on_commit_callbacks(execute=True):
                confirm_by_the_mailed_link(client, to_ida[-1])

    assert len(mails_to(mail.outbox, "ida@example.dk")) == 3
    assert Contribution.objects.filter(author_email="ida@example.dk").count() == 5


def test_the_form_and_mail_intake_share_the_daily_limit(
    client, question, settings, django_capture_on_commit_callbacks
):
    settings.MIA_CONFIRMATIONS_PER_ADDRESS_PER_DAY = 1
    with django_capture_on_commit_callbacks(execute=True):
        submit(question, 1, email="lene@example.dk")
    with django_capture_on_commit_callbacks(execute=True):
        confirm_by_the_mailed_link(client, mail.outbox[0])
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        take_in_mail(raw=forged_mail(1))
    assert len(mails_to(mail.outbox, "lene@example.dk")) == 1


@pytest.mark.parametrize("earlier_unconfirmed", [False, True])
def test_the_sent_page_says_the_same_whether_or_not_a_mail_went_out(
    client, question, earlier_unconfirmed
):
    if earlier_unconfirmed:
        submit(question, 0, email="soren@example.dk")
    response = client.post(
        reverse("moderation:contribution-new", args=[question.slug]),
        {
            "author_name": "Søren",
            "author_email": "soren@example.dk",
            "body": "Mit indlæg.",
            "consent": "on",
            "send": "1",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "Vi sender ét bekræftelseslink ad gangen til en adresse." in html

"""The signed links in our mails: one answer to a bad or expired link, a redirect after a POST."""

import time

import pytest
from django.core import mail
from django.urls import reverse

from debates.models import Contribution
from moderation import services
from moderation.models import Decision, Subscription
from moderation.tokens import make_token
from tests.factories import make_contribution

Status = Contribution.Status

# Every page a link opens, with the purpose its token is made for and how a browser opens it.
LINK_PAGES = [
    ("contribution-confirm", "confirm", "get"),
    ("contribution-confirmed", "confirm", "get"),
    ("contribution-resend", "confirm", "post"),
    ("contribution-withdraw", "withdraw", "post"),
    ("contribution-withdrawn", "withdraw", "get"),
    ("follow-confirm", "follow", "post"),
    ("follow-confirmed", "follow", "get"),
    ("follow-unsubscribe", "unsubscribe", "post"),
    ("follow-unsubscribed", "unsubscribe", "get"),
    ("personal-data-download", "personal-data", "get"),
]


@pytest.fixture
def subscription(question):
    return Subscription.objects.create(email="laeser@example.dk", question=question)


def url(name, value, purpose):
    return reverse(f"moderation:{name}", args=[make_token(value, purpose)])


@pytest.fixture
def days_later(monkeypatch):
    def travel(days):
        real = time.time
        monkeypatch.setattr(time, "time", lambda: real() + days * 24 * 60 * 60)

    return travel


# Links that do not work ------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "purpose", "method"), LINK_PAGES)
def test_a_link_made_for_something_else_gets_the_page_that_says_it_does_not_work(
    client, question, name, purpose, method
):
    contribution = make_contribution(question=question, status=Status.UNCONFIRMED)
    response = getattr(client, method)(url(name, contribution.pk, "another-purpose"))
    assert response.status_code == 400
    assert "Linket virker ikke" in response.content.decode()
    contribution.refresh_from_db()
    assert contribution.status == Status.UNCONFIRMED


@pytest.mark.parametrize(
    ("name", "purpose", "way_on"),
    [
        ("contribution-confirm", "confirm", "Send mig et nyt link"),
        ("personal-data-download", "personal-data", 'href="/mine-data/"'),
        ("follow-confirm", "follow", None),
    ],
)
def test_an_expired_link_says_so_and_offers_the_way_on_there_is(
    client, question, subscription, settings, days_later, name, purpose, way_on
):
    value = {
        "confirm": make_contribution(question=question, status=Status.UNCONFIRMED).pk,
        "personal-data": "laeser@example.dk",
        "follow": subscription.pk,
    }[purpose]
    link = url(name, value, purpose)
    days_later(settings.MIA_CONFIRMATION_DAYS + 1)

    response = client.get(link)

    assert response.status_code == 410
    html = response.content.decode()
    assert "Linket er udløbet" in html
    for offer in ("Send mig et nyt link", 'href="/mine-data/"'):
        assert (offer in html) == (offer == way_on)


def test_links_to_withdraw_and_to_unsubscribe_never_expire(
    client, question, subscription, days_later
):
    contribution = make_contribution(question=question)
    withdraw = url("contribution-withdraw", contribution.pk, "withdraw")
    unsubscribe = url("follow-unsubscribe", subscription.pk, "unsubscribe")
    days_later(365 * 5)
    assert client.get(withdraw).status_code == 200
    assert client.get(unsubscribe).status_code == 200


# A POST redirects to the outcome ---------------------------------------------------------------


def test_confirming_redirects_to_a_page_a_reload_cannot_confirm_again(client, question):
    contribution = make_contribution(question=question, status=Status.UNCONFIRMED)
    link = url("contribution-confirm", contribution.pk, "confirm")

    response = client.post(link)

    assert response.status_code == 302
    assert response["Location"] == f"{link}bekraeftet/"
    for _reload in range(2):
        page = client.get(response["Location"]).content.decode()
        assert "Tak, dit indlæg er sendt til redaktionen" in page
    assert contribution.decisions.filter(action=Decision.Action.CONFIRMED).count() == 1
    assert "Dette link er allerede brugt" in client.get(link).content.decode()


def test_withdrawing_redirects_to_a_page_that_says_it_is_done(client, question):
    contribution = make_contribution(question=question)
    link = url("contribution-withdraw", contribution.pk, "withdraw")

    response = client.post(link)

    assert response["Location"] == f"{link}trukket-tilbage/"
    page = client.get(response["Location"]).content.decode()
    assert "Dit indlæg er trukket tilbage" in page
    assert "Det er ikke længere på siden, og teksten, dit navn og dine adresser er slettet." in page
    assert "trukket tilbage allerede" in client.get(link).content.decode()


def test_confirming_to_follow_redirects_to_a_page_that_says_so(client, subscription):
    link = url("follow-confirm", subscription.pk, "follow")

    response = client.post(link)

    assert response["Location"] == f"{link}bekraeftet/"
    assert "Du følger debatten" in client.get(response["Location"]).content.decode()
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE


def test_a_persons_click_to_unsubscribe_redirects_but_a_mail_programs_post_is_answered_at_once(
    client, subscription
):
    link = url("follow-unsubscribe", subscription.pk, "unsubscribe")

    person = client.post(link)
    mail_program = client.post(link, {"List-Unsubscribe": "One-Click"})

    assert person["Location"] == f"{link}afmeldt/"
    assert "Mailene er stoppet" in client.get(person["Location"]).content.decode()
    assert mail_program.status_code == 200
    assert "Mailene er stoppet" in mail_program.content.decode()


@pytest.mark.parametrize(
    ("outcome", "link", "purpose"),
    [
        ("contribution-confirmed", "contribution-confirm", "confirm"),
        ("contribution-withdrawn", "contribution-withdraw", "withdraw"),
        ("follow-confirmed", "follow-confirm", "follow"),
        ("follow-unsubscribed", "follow-unsubscribe", "unsubscribe"),
    ],
)
def test_the_outcome_page_of_an_unused_link_leads_to_the_link_and_changes_nothing(
    client, question, outcome, link, purpose
):
    contribution = make_contribution(question=question, status=Status.UNCONFIRMED)
    subscription = Subscription.objects.create(email="laeser@example.dk", question=question)
    pk = subscription.pk if purpose in ("follow", "unsubscribe") else contribution.pk
    token = make_token(pk, purpose)

    response = client.get(reverse(f"moderation:{outcome}", args=[token]))

    assert response.status_code == 302
    assert response["Location"] == reverse(f"moderation:{link}", args=[token])
    contribution.refresh_from_db()
    subscription.refresh_from_db()
    assert (contribution.status, subscription.status) == (Status.UNCONFIRMED, "unconfirmed")


def test_asking_for_a_new_link_redirects_to_a_page_that_says_it_is_on_its_way(
    client, question, settings, days_later, mails_sent_by
):
    contribution = make_contribution(question=question, status=Status.UNCONFIRMED)
    resend = url("contribution-resend", contribution.pk, "confirm")
    days_later(settings.MIA_CONFIRMATION_DAYS + 1)

    sent = mails_sent_by(lambda: client.post(resend))

    assert [m.subject for m in sent] == ["Bekræft dit indlæg til MIA-debatten"]
    assert "Et nyt link er på vej" in client.get("/indlaeg/nyt-link/sendt/").content.decode()


def test_the_page_for_a_new_link_is_only_for_who_asked_for_one(client, seeded):
    assert client.get("/indlaeg/nyt-link/sendt/").status_code == 404


# A withdrawal that races another change ----------------------------------------------------------


def test_a_withdrawal_that_loses_a_race_gets_a_clear_danish_page_not_an_error(
    client, question, monkeypatch
):
    contribution = make_contribution(question=question, title="Mit indlæg")
    real_withdraw = services.withdraw

    def another_click_first(*, contribution):
        real_withdraw(contribution=Contribution.objects.get(pk=contribution.pk))
        return real_withdraw(contribution=contribution)

    monkeypatch.setattr(services, "withdraw", another_click_first)

    link = url("contribution-withdraw", contribution.pk, "withdraw")

    response = client.post(link)

    assert response.status_code == 409
    html = response.content.decode()
    assert "Dit indlæg blev ikke trukket tilbage" in html
    assert "Kan ikke trække tilbage: indlægget har status “trukket tilbage”." in html
    assert f'href="{link}"' in html
    assert contribution.decisions.filter(action=Decision.Action.WITHDRAWN).count() == 1
    assert mail.outbox == []

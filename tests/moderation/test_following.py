"""Following a question or one's own contribution: opt-in, one mail per batch, one-click stop."""

import pytest
from django.core import mail
from django.urls import reverse

from debates.models import Contribution, Question
from moderation import services
from moderation.models import Subscription
from moderation.tokens import make_token
from tests.factories import make_contribution, make_webmaster
from tests.mail import links, parse, path_of, text_of

Status = Contribution.Status


def follow(client, question, email="laeser@example.dk"):
    return client.post(
        reverse("moderation:follow-question", args=[question.slug]), {"email": email}
    )


def active_follower(question, email="laeser@example.dk"):
    return Subscription.objects.create(email=email, question=question, status="active")


def publish_all(contributions, mails_sent_by):
    """Publish as the webmaster's bulk action does: one transaction, one batch."""
    webmaster = make_webmaster()
    return mails_sent_by(
        lambda: services.decide_many(
            contributions=contributions, action="published", actor=webmaster
        )
    )


def notices(messages):
    return [
        m
        for m in messages
        if "Nyt i MIA-debatten" in m.subject or "svar på dit indlæg" in m.subject
    ]


# Double opt-in --------------------------------------------------------------------------------


def test_following_sends_a_confirmation_and_nothing_else_until_it_is_confirmed(
    client, question, mails_sent_by
):
    sent = mails_sent_by(lambda: follow(client, question))
    (confirmation,) = sent
    assert confirmation.to == ["laeser@example.dk"]
    assert confirmation.subject == f"Bekræft, at du vil følge “{question.title}”"
    subscription = Subscription.objects.get()
    assert subscription.status == Subscription.Status.UNCONFIRMED

    pending = make_contribution(question=question, status=Status.PENDING)
    assert notices(publish_all([pending], mails_sent_by)) == []

    (link,) = [u for u in links(confirmation) if "/foelg/bekraeft/" in u]
    assert "Bekræft, at laeser@example.dk" in client.get(path_of(link)).content.decode()
    client.post(path_of(link))
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE


def test_the_follow_form_is_on_open_question_pages_only(client, question):
    assert (
        'action="/debat/lederens-roller/foelg/"'
        in client.get(question.get_absolute_url()).content.decode()
    )
    question.is_open = False
    question.save()
    assert "/foelg/" not in client.get(question.get_absolute_url()).content.decode()
    assert follow(client, question).status_code == 400
    assert not Subscription.objects.exists()


def test_a_bad_address_is_refused_with_a_message(client, question):
    response = follow(client, question, email="ikke-en-adresse")
    assert response.status_code == 400
    assert "Indtast en gyldig e-mail-adresse." in response.content.decode()


def test_following_twice_keeps_one_subscription_and_an_active_one_gets_no_new_mail(
    client, question, mails_sent_by
):
    mails_sent_by(lambda: follow(client, question))
    Subscription.objects.update(status="active")
    assert mails_sent_by(lambda: follow(client, question)) == []
    assert Subscription.objects.count() == 1


# Notices --------------------------------------------------------------------------------------


def test_a_follower_gets_one_mail_for_a_batch_of_publications(client, question, mails_sent_by):
    active_follower(question)
    batch = [
        make_contribution(question=question, status=Status.PENDING, title=f"Indlæg {n}")
        for n in range(3)
    ]

    (notice,) = notices(publish_all(batch, mails_sent_by))

    assert notice.to == ["laeser@example.dk"]
    assert notice.subject == f"Nyt i MIA-debatten: 3 indlæg om “{question.title}”"
    body = text_of(notice)
    for n in range(3):
        assert f"Indlæg {n}" in body
    for contribution in batch:
        assert any(u.endswith(f"#indlaeg-{contribution.pk}") for u in links(notice))


def test_separate_publications_give_separate_mails(question, mails_sent_by):
    active_follower(question)
    first = make_contribution(question=question, status=Status.PENDING)
    second = make_contribution(question=question, status=Status.PENDING)
    assert len(notices(publish_all([first], mails_sent_by))) == 1
    assert len(notices(publish_all([second], mails_sent_by))) == 1


def test_followers_hear_only_of_their_question(question, mails_sent_by):
    active_follower(question, email="denne@example.dk")
    other = Question.objects.get(slug="motivation")
    active_follower(other, email="anden@example.dk")
    contribution = make_contribution(question=question, status=Status.PENDING)

    (notice,) = notices(publish_all([contribution], mails_sent_by))
    assert notice.to == ["denne@example.dk"]


def test_unconfirmed_and_unsubscribed_followers_hear_nothing(question, mails_sent_by):
    Subscription.objects.create(email="a@example.dk", question=question, status="unconfirmed")
    Subscription.objects.create(email="b@example.dk", question=question, status="unsubscribed")
    contribution = make_contribution(question=question, status=Status.PENDING)
    assert notices(publish_all([contribution], mails_sent_by)) == []


def test_nobody_is_told_about_their_own_contribution(question, mails_sent_by):
    active_follower(question, email="forfatter@example.dk")
    contribution = make_contribution(
        question=question, status=Status.PENDING, author_email="Forfatter@example.dk"
    )
    assert notices(publish_all([contribution], mails_sent_by)) == []


def test_a_contributor_can_ask_to_hear_of_replies_to_their_own_contribution(
    client, question, mails_sent_by
):
    data = {
        "author_name": "Ole",
        "author_email": "ole@example.dk",
        "body": "Mit indlæg.",
        "consent": "on",
        "wants_reply_notice": "on",
        "send": "1",
    }
    sent = mails_sent_by(
        lambda: client.post(reverse("moderation:contribution-new", args=[question.slug]), data)
    )
    mine = Contribution.objects.get()
    assert mine.subscriptions.get().status == Subscription.Status.UNCONFIRMED
    (confirm,) = [u for u in links(sent[0]) if "/bekraeft/" in u]
    mails_sent_by(lambda: client.post(path_of(confirm)))
    assert mine.subscriptions.get().status == Subscription.Status.ACTIVE
    publish_all([mine], mails_sent_by)

    reply = make_contribution(
        question=question, parent=mine, status=Status.PENDING, author_name="Kirsten"
    )
    unrelated = make_contribution(question=question, status=Status.PENDING)
    (notice,) = notices(publish_all([reply, unrelated], mails_sent_by))

    assert notice.to == ["ole@example.dk"]
    assert notice.subject == "Et nyt svar på dit indlæg i MIA-debatten"
    assert f"#indlaeg-{reply.pk}" in text_of(notice)
    assert f"#indlaeg-{unrelated.pk}" not in text_of(notice)


# Stopping -------------------------------------------------------------------------------------


def test_every_notice_carries_one_click_unsubscribe_headers_and_link(
    client, question, mails_sent_by
):
    subscription = active_follower(question)
    (notice,) = notices(
        publish_all([make_contribution(question=question, status=Status.PENDING)], mails_sent_by)
    )

    headers = parse(notice)
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = headers["List-Unsubscribe"].strip().strip("<>")
    assert unsubscribe in text_of(notice)

    page = client.get(path_of(unsubscribe)).content.decode()
    assert "Stop mailene om nye indlæg" in page
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE  # looking changes nothing


def test_a_mail_program_unsubscribes_with_one_post_and_no_more_mail_follows(
    question, mails_sent_by
):
    from django.test import Client

    subscription = active_follower(question)
    url = reverse(
        "moderation:follow-unsubscribe", args=[make_token(subscription.pk, "unsubscribe")]
    )
    mail_program = Client(enforce_csrf_checks=True)

    response = mail_program.post(url, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.UNSUBSCRIBED
    assert (
        notices(
            publish_all(
                [make_contribution(question=question, status=Status.PENDING)], mails_sent_by
            )
        )
        == []
    )


def test_an_unsubscribe_link_cannot_be_forged(client, question):
    subscription = active_follower(question)
    forged = make_token(subscription.pk, "follow")  # a token for another purpose
    response = client.post(reverse("moderation:follow-unsubscribe", args=[forged]))
    assert response.status_code == 400
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE


def test_announcing_twice_sends_nothing_new(question, mails_sent_by):
    active_follower(question)
    publish_all([make_contribution(question=question, status=Status.PENDING)], mails_sent_by)
    assert mails_sent_by(services.announce_published) == []


@pytest.mark.django_db(transaction=True)
def test_a_bulk_publication_in_the_admin_sends_each_follower_one_mail(client, seeded):
    """With real commits, as in production: the admin's bulk action is one batch."""
    question = Question.objects.get(slug="lederens-roller")
    active_follower(question)
    batch = [make_contribution(question=question, status=Status.PENDING) for _ in range(3)]
    client.force_login(make_webmaster())

    client.post(
        reverse("admin:debates_contribution_changelist"),
        {"action": "decide_published", "_selected_action": [c.pk for c in batch]},
    )

    assert Contribution.objects.published().count() == 3
    (notice,) = notices(mail.outbox)
    assert "3 indlæg" in notice.subject

"""
The editors' picks on the desk and in the services: a moderator picks a published contribution
and takes it back, its author hears of it once, and nothing off the site stays a pick.
"""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from debates.models import Contribution
from moderation import services
from moderation.models import Decision, OutgoingMail
from tests.factories import make_contribution
from tests.mail import links, mails_to, parse, path_of, text_of
from tests.moderation.desk import CHANGELIST, change_url, decide_on_page, run_action
from tests.moderation.test_services import SERVICES

Status = Contribution.Status
Action = Decision.Action
AUTHOR = "forfatter@example.dk"


@pytest.fixture
def published(question):
    return make_contribution(question=question, title="Tre roller", author_email=AUTHOR)


def pick(contribution, actor):
    return services.pick(contribution=contribution, actor=actor)


def unpick(contribution, actor):
    return services.unpick(contribution=contribution, actor=actor)


def picked_mails(sent):
    return [m for m in mails_to(sent, AUTHOR) if "fremhævet" in m.subject]


# The services -----------------------------------------------------------------------------------


def test_a_pick_stays_published_and_is_recorded_with_who_picked_it(published, webmaster):
    pick(published, webmaster)

    published.refresh_from_db()
    assert published.status == Status.PUBLISHED
    assert published.is_picked
    assert list(Contribution.objects.picks()) == [published]
    decision = published.decisions.get(action=Action.PICKED)
    assert (decision.actor, decision.from_status, decision.to_status) == (
        webmaster,
        Status.PUBLISHED,
        Status.PUBLISHED,
    )


def test_taking_a_pick_back_leaves_it_published_and_mails_nobody(
    published, webmaster, mails_sent_by
):
    pick(published, webmaster)

    sent = mails_sent_by(lambda: unpick(published, webmaster))

    assert sent == []
    published.refresh_from_db()
    assert (published.status, published.picked_at) == (Status.PUBLISHED, None)
    assert not Contribution.objects.picks().exists()
    assert published.decisions.filter(action=Action.UNPICKED, actor=webmaster).count() == 1


def test_a_pick_cannot_be_picked_again_nor_a_contribution_unpicked_that_is_none(
    published, webmaster
):
    with pytest.raises(services.ModerationError) as refused:
        unpick(published, webmaster)
    assert str(refused.value) == "Kan ikke fjerne fremhævningen: indlægget er ikke fremhævet."

    pick(published, webmaster)
    first = Contribution.objects.get(pk=published.pk).picked_at
    with pytest.raises(services.ModerationError) as refused:
        pick(published, webmaster)

    assert str(refused.value) == "Kan ikke fremhæve: indlægget er allerede fremhævet."
    assert Contribution.objects.get(pk=published.pk).picked_at == first
    assert published.decisions.filter(action=Action.PICKED).count() == 1


@pytest.mark.parametrize("status", [s for s in Status if s != Status.PUBLISHED])
def test_only_a_published_contribution_can_be_picked(question, webmaster, status):
    contribution = make_contribution(question=question, status=status)

    with pytest.raises(services.TransitionNotAllowed):
        pick(contribution, webmaster)

    contribution.refresh_from_db()
    assert contribution.picked_at is None
    assert not contribution.decisions.exists()


# Every decision the table lets take a published contribution off the site.
OFF_THE_SITE = [
    rule.action
    for rule in services.DECISIONS.values()
    if Status.PUBLISHED in rule.allowed_from and rule.to not in (None, Status.PUBLISHED)
]


@pytest.mark.parametrize("action", OFF_THE_SITE)
def test_whatever_takes_a_pick_off_the_site_ends_the_pick(published, webmaster, action):
    pick(published, webmaster)

    SERVICES[action](published, webmaster)

    published.refresh_from_db()
    assert published.status != Status.PUBLISHED
    assert published.picked_at is None
    assert not Contribution.objects.picks().exists()


def test_unpublishing_and_withdrawing_are_among_what_ends_a_pick():
    assert {Action.UNPUBLISHED, Action.WITHDRAWN} <= set(OFF_THE_SITE)


def test_a_pick_unpublished_and_published_again_is_no_longer_a_pick(published, webmaster, question):
    pick(published, webmaster)
    services.unpublish(contribution=published, actor=webmaster, reason="Fejl.")
    services.reopen(contribution=published, actor=webmaster)
    services.publish(contribution=published, actor=webmaster)

    published.refresh_from_db()
    assert published.status == Status.PUBLISHED
    assert not published.is_picked


def test_the_database_refuses_a_pick_that_is_not_published(question):
    contribution = make_contribution(question=question, status=Status.PENDING)
    with pytest.raises(IntegrityError), transaction.atomic():
        Contribution.objects.filter(pk=contribution.pk).update(picked_at=timezone.now())


# The author's mail ------------------------------------------------------------------------------


def test_the_author_is_mailed_a_link_to_the_pick_the_first_time(
    published, webmaster, mails_sent_by, client, question
):
    (message,) = picked_mails(mails_sent_by(lambda: pick(published, webmaster)))

    assert message.subject == "Redaktionen har fremhævet dit indlæg i MIA-debatten"
    text = " ".join(text_of(message).split())
    assert f"Redaktionen har fremhævet dit indlæg om “{question.title}”" in text
    (link,) = [url for url in links(message) if "#indlaeg-" in url]
    assert link.endswith(f"#{published.anchor}")
    page = client.get(path_of(link)).content.decode()
    assert f'id="{published.anchor}"' in page
    assert OutgoingMail.objects.get(kind=OutgoingMail.Kind.PICKED).contribution == published


def test_the_author_is_mailed_once_however_often_it_is_picked_again(
    published, webmaster, mails_sent_by
):
    sent = mails_sent_by(lambda: pick(published, webmaster))
    for _again in range(2):
        sent += mails_sent_by(lambda: unpick(published, webmaster))
        sent += mails_sent_by(lambda: pick(published, webmaster))

    assert len(picked_mails(sent)) == 1
    assert OutgoingMail.objects.filter(kind=OutgoingMail.Kind.PICKED).count() == 1
    assert Contribution.objects.get(pk=published.pk).is_picked


def test_an_author_who_wrote_in_english_is_told_in_english(question, webmaster, mails_sent_by):
    contribution = make_contribution(question=question, author_email=AUTHOR, language="en")

    (message,) = mails_to(mails_sent_by(lambda: pick(contribution, webmaster)), AUTHOR)

    assert message.subject == "The editors have picked your contribution to the MIA debate"
    assert "/en/debat/lederens-roller/" in text_of(message)
    assert parse(message)["Content-Language"] == "en"


# The desk ---------------------------------------------------------------------------------------


def test_the_webmaster_picks_from_the_contributions_page(published, moderator, mails_sent_by):
    response = mails_sent_by(lambda: decide_on_page(moderator, published, "picked"))

    published.refresh_from_db()
    assert published.is_picked
    assert len(response) == 1
    page = moderator.get(change_url(published)).content.decode()
    assert "Fremhævet af redaktionen siden" in page
    assert "fremhævede indlægget." in page


def test_the_webmaster_picks_a_selection_and_takes_it_back(question, moderator):
    selected = [make_contribution(question=question) for _ in range(2)]

    response = run_action(moderator, "decide_picked", selected)

    assert "Fremhævet: 2 indlæg." in response.content.decode()
    assert Contribution.objects.picks().count() == 2
    other = make_contribution(question=question)
    listed = moderator.get(f"{CHANGELIST}?pick=yes").content.decode()
    assert all(f"mia-contribution-{c.pk}" in listed for c in selected)
    assert f"mia-contribution-{other.pk}" not in listed

    response = run_action(moderator, "decide_unpicked", selected)

    assert "Fremhævning fjernet: 2 indlæg." in response.content.decode()
    assert not Contribution.objects.picks().exists()


def test_staff_who_may_not_moderate_cannot_pick(published, staff_without_moderation):
    response = staff_without_moderation.post(
        change_url(published), {"decision": "picked", "version": "0"}
    )

    assert response.status_code == 403
    published.refresh_from_db()
    assert not published.is_picked

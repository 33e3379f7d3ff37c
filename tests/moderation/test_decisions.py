"""The table of decisions: the admin's buttons and messages and docs/webmaster.md follow it."""

import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from debates.models import Contribution
from moderation import services
from moderation.models import Decision
from tests.factories import make_contribution
from tests.moderation.desk import CHANGELIST, decide_on_page

Status = Contribution.Status
Action = Decision.Action

# Written out here, apart from the table, so that a wrong table fails.
BUTTONS = {
    Status.UNCONFIRMED: [],
    Status.PENDING: [
        ("published", "Offentliggør"),
        ("rejected", "Afvis"),
        ("marked_spam", "Markér som spam"),
        ("sent_back", "Send tilbage til revision"),
    ],
    Status.PUBLISHED: [("unpublished", "Tag af siden"), ("picked", "Fremhæv")],
    Status.REJECTED: [("reopened", "Sæt tilbage i køen")],
    Status.SPAM: [("reopened", "Sæt tilbage i køen")],
    Status.WITHDRAWN: [],
    Status.SENT_BACK: [],
}
BULK_ACTIONS = [
    ("decide_published", "Offentliggør de valgte indlæg"),
    ("decide_rejected", "Afvis de valgte indlæg (med begrundelse)"),
    ("decide_marked_spam", "Markér de valgte indlæg som spam"),
    ("decide_reopened", "Sæt de valgte indlæg tilbage i køen"),
    ("decide_unpublished", "Tag de valgte indlæg af siden (med begrundelse)"),
    ("decide_sent_back", "Send de valgte indlæg tilbage til revision (med en bemærkning)"),
    ("decide_picked", "Fremhæv de valgte indlæg"),
    ("decide_unpicked", "Fjern fremhævningen af de valgte indlæg"),
]
EXPORTS = [
    ("export_csv", "Eksportér de offentliggjorte blandt de valgte som CSV"),
    ("export_json", "Eksportér de offentliggjorte blandt de valgte som JSON"),
]
DONE = [
    (Action.PUBLISHED, Status.PENDING, "Offentliggjort"),
    (Action.REJECTED, Status.PENDING, "Afvist"),
    (Action.MARKED_SPAM, Status.PENDING, "Markeret som spam"),
    (Action.REOPENED, Status.SPAM, "Sat tilbage i køen"),
    (Action.UNPUBLISHED, Status.PUBLISHED, "Taget af siden"),
    (Action.SENT_BACK, Status.PENDING, "Sendt tilbage til revision"),
    (Action.PICKED, Status.PUBLISHED, "Fremhævet"),
    (Action.UNPICKED, Status.PUBLISHED, "Fremhævning fjernet"),
]


def make_to_decide(action, status, **fields):
    """A contribution in `status` that the decision may be taken on, as far as its pick goes."""
    if action == Action.UNPICKED:
        fields.setdefault("picked_at", timezone.now())
    return make_contribution(status=status, **fields)


def buttons_on(page):
    return [
        (value, html.unescape(label))
        for value, label in re.findall(
            r'<button type="submit" name="decision" value="([^"]+)"[^>]*>([^<]*)</button>', page
        )
    ]


def actions_on(page):
    select = re.search(r'<select name="action"[^>]*>(.*?)</select>', page, re.DOTALL).group(1)
    return [
        (value, html.unescape(label))
        for value, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
        if value
    ]


@pytest.mark.parametrize("status", list(Status))
def test_a_contributions_page_offers_the_decisions_its_status_allows(moderator, question, status):
    contribution = make_contribution(question=question, status=status)
    url = reverse("admin:debates_contribution_change", args=[contribution.pk])

    offered = buttons_on(moderator.get(url).content.decode())

    assert offered == BUTTONS[status]
    assert offered == [
        (rule.action, str(rule.label))
        for rule in services.moderators_decisions(status, is_picked=False)
    ]


def test_a_picks_page_offers_to_remove_it_from_the_picks_instead(moderator, question):
    contribution = make_contribution(question=question, picked_at=timezone.now())
    url = reverse("admin:debates_contribution_change", args=[contribution.pk])

    offered = buttons_on(moderator.get(url).content.decode())

    assert offered == [("unpublished", "Tag af siden"), ("unpicked", "Fjern fremhævningen")]


def test_the_queue_offers_each_of_a_moderators_decisions_as_an_action(moderator, question):
    make_contribution(question=question, status=Status.PENDING)

    offered = actions_on(moderator.get(CHANGELIST).content.decode())

    assert offered == BULK_ACTIONS + EXPORTS
    from_the_table = [
        (f"decide_{rule.action}", str(rule.bulk_label)) for rule in services.moderators_decisions()
    ]
    assert offered == from_the_table + EXPORTS


@pytest.mark.parametrize(("action", "start", "done"), DONE, ids=[a for a, _s, _d in DONE])
def test_a_decision_from_a_page_is_confirmed_in_the_past_tense(
    moderator, question, action, start, done
):
    contribution = make_to_decide(action, start, question=question, title="Om ledelse")

    response = decide_on_page(moderator, contribution, action, reason="Derfor.")

    assert f"{done}: “Om ledelse”." in response.content.decode()
    assert services.DECISIONS[action].done_label == done
    contribution.refresh_from_db()
    assert contribution.status == services.DECISIONS[action].to


@pytest.mark.parametrize(("action", "start", "done"), DONE, ids=[a for a, _s, _d in DONE])
def test_a_decision_on_a_selection_is_confirmed_in_the_past_tense(
    moderator, question, action, start, done
):
    selected = [make_to_decide(action, start, question=question) for _ in range(2)]

    response = moderator.post(
        CHANGELIST,
        {
            "action": f"decide_{action}",
            "_selected_action": [c.pk for c in selected],
            "apply": "1",
            "reason": "Derfor.",
        },
        follow=True,
    )

    assert f"{done}: 2 indlæg." in response.content.decode()


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (Status.PENDING, "skal udfyldes for at afvise eller sende tilbage til revision):"),
        (Status.PUBLISHED, "skal udfyldes for at tage af siden):"),
        (Status.REJECTED, None),
    ],
)
def test_the_reason_field_says_which_decision_needs_it(moderator, question, status, label):
    contribution = make_contribution(question=question, status=status)
    page = moderator.get(
        reverse("admin:debates_contribution_change", args=[contribution.pk])
    ).content.decode()
    if label:
        assert label in page
        assert page.count('name="reason"') == 1
    else:
        assert 'name="reason"' not in page
        assert buttons_on(page)


def test_the_webmaster_guide_shows_the_table_of_decisions():
    guide = (Path(settings.BASE_DIR) / "docs" / "webmaster.md").read_text(encoding="utf-8")
    table = services.decisions_as_markdown()
    assert table in guide, f"Paste this table into docs/webmaster.md:\n\n{table}"


def test_the_table_of_decisions_has_a_row_for_each_decision():
    rows = services.decisions_as_markdown().splitlines()[2:]
    assert [row.split(" | ")[1] for row in rows] == [
        "confirm",
        "publish",
        "reject (with a reason)",
        "mark as spam",
        "put back in the queue",
        "unpublish (with a reason)",
        "withdraw",
        "edit",
        "send back for revision (with a reason)",
        "send a revised version",
        "close as not revised",
        "make an editors' pick",
        "remove from the editors' picks",
    ]
    assert rows[6].startswith(
        "| awaiting confirmation, pending, published, rejected, spam, sent back for revision |"
    )

"""The webmaster's desk as tests reach it: its addresses, its list's actions, a colleague's edit."""

import re

from django.urls import reverse

from moderation import services

CHANGELIST = reverse("admin:debates_contribution_changelist")
QUEUE = reverse("admin:moderation_queueentry_changelist")


def change_url(contribution):
    return reverse("admin:debates_contribution_change", args=[contribution.pk])


def decide_url(contribution):
    return reverse("admin:debates_contribution_decide", args=[contribution.pk])


def run_action(client, action, contributions, **extra):
    """Select the contributions in the list and run one of its actions, following redirects."""
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [c.pk for c in contributions], **extra},
        follow=True,
    )


def edited_by(editor, contribution, **changes):
    """Another moderator corrects the contribution through the services, as the desk would."""
    return services.edit_contribution(
        contribution=contribution,
        actor=editor,
        title=changes.get("title", contribution.title),
        body=changes.get("body", contribution.body),
        question=changes.get("question", contribution.question),
    )


def page_form(client, contribution):
    """
    What the contribution's page sends as it stands: its fields with the values they were shown
    with (as "initial-" fields), and the version it shows.
    """
    html = client.get(change_url(contribution)).content.decode()
    data = {"version": re.search(r'name="version" value="(\d+)"', html).group(1)}
    if 'name="title"' in html:
        shown = {
            "question": contribution.question_id,
            "title": contribution.title,
            "body": contribution.body,
        }
        data.update(shown)
        data.update({f"initial-{name}": value for name, value in shown.items()})
    return data


def decide_on_page(client, contribution, decision, *, follow=True, **changes):
    """Press a decision's button on the contribution's page, with any changes to its fields."""
    data = {**page_form(client, contribution), "decision": decision, **changes}
    return client.post(change_url(contribution), data, follow=follow)

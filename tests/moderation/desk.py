"""The webmaster's desk as tests reach it: its addresses, its list's actions, a colleague's edit."""

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

"""
Sending a contribution back for revision: the editors' note goes to its author with a link to a
form that holds their text, and what they send returns to the queue as the same contribution,
with the text it replaced kept in its history.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files import File
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from debates.markup import render_markdown
from debates.models import Contribution
from moderation import emails
from moderation.models import Decision
from moderation.services.transitions import check_allowed, required_reason, transition
from moderation.text import one_line

Status = Contribution.Status
Action = Decision.Action


def send_back(*, contribution: Contribution, actor: AbstractBaseUser, reason: str) -> Contribution:
    """
    A moderator sends a pending contribution back to its author with a note (the reason); the
    mail quotes it and links to a form with their text. Unseen by readers until it is revised.
    """
    reason = required_reason(reason)
    with transaction.atomic():
        contribution = transition(
            contribution,
            action=Action.SENT_BACK,
            actor=actor,
            reason=reason,
            decided_at=timezone.now(),
            rejection_reason=reason,
        )
        emails.queue_sent_back(contribution)
    return contribution


def resubmit(
    *,
    contribution: Contribution,
    title: str,
    body: str,
    attachment: File | None = None,
    attachment_name: str = "",
) -> Contribution:
    """
    The author, by the link in the mail, sends a revised title and text (and a new paper, if
    they attach one; otherwise the paper stays). The same contribution waits in the queue again;
    the decision keeps the title and text it replaced, and the editors are told.
    """
    title = one_line(title)
    stored = ""
    try:
        with transaction.atomic():
            current = Contribution.objects.select_for_update().get(pk=contribution.pk)
            check_allowed(Action.RESUBMITTED, current.status)
            # The record is the editors', in the site's language whatever the contributor's.
            with translation.override(settings.LANGUAGE_CODE):
                notes = [n for n, changed in _changes(current, title, body, attachment) if changed]
                note = _("Changed: %(changes)s.") % {"changes": ", ".join(notes)}
                note = note if notes else _("Sent again unchanged.")
            earlier = (current.title, current.body)
            replaced = current.attachment.name if attachment is not None else ""
            changes = {"title": title, "body": body, "body_html": render_markdown(body)}
            if attachment is not None:
                current.attachment.save(attachment.name or "paper.pdf", attachment, save=False)
                stored = current.attachment.name
                changes.update(
                    attachment=stored, attachment_name=attachment_name or attachment.name
                )
            contribution = transition(
                current,
                action=Action.RESUBMITTED,
                reason=note,
                earlier=earlier,
                # The contributor's own words again, against which the editors' edits count.
                original_title=title,
                original_body=body,
                decided_at=None,
                rejection_reason="",
                **changes,
            )
            if replaced:
                storage = contribution.attachment.storage
                transaction.on_commit(lambda: storage.delete(replaced))
            emails.queue_new_contribution(contribution)
    except Exception:
        # The file is written before the row; a revision that was never stored leaves none.
        if stored:
            storages["contributions"].delete(stored)
        raise
    return contribution


def _changes(current, title, body, attachment):
    return [
        (_("title"), title != current.title),
        (_("text"), body != current.body),
        (_("paper (PDF)"), attachment is not None),
    ]


def lapse_unrevised(*, now: datetime, dry_run: bool = False) -> int:
    """
    For the retention job: a contribution sent back more than MIA_REVISION_DAYS ago and not
    revised is closed as rejected, and from then on kept like any other rejected one. Nobody is
    told: the mail that sent it back said how long the link works.
    """
    lapsed = Contribution.objects.filter(
        status=Status.SENT_BACK,
        decided_at__lt=now - timedelta(days=settings.MIA_REVISION_DAYS),
    )
    if dry_run:
        return lapsed.count()
    done = 0
    for contribution in lapsed.iterator():
        transition(contribution, action=Action.REVISION_LAPSED, decided_at=now)
        done += 1
    return done

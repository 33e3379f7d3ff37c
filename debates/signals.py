"""
What readers could see changing, as far as the debate's own models tell: any change to the
workshops, talks, speakers, papers, paragraphs, questions or the accessibility statement, and any
change to a published contribution. Changes of status are the moderation app's to report (each
is recorded as a decision); a submission waiting in the queue changes nothing public, so a flood
of them never empties the cache.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from debates import models
from debates.cache import content_changed

CONTENT = (
    models.Workshop,
    models.Speaker,
    models.Talk,
    models.Paper,
    models.Paragraph,
    models.Question,
    models.AccessibilityStatement,
)


def _content_saved_or_deleted(sender, **kwargs):
    content_changed()


def _contribution_saved(sender, instance, **kwargs):
    if instance.status == models.Contribution.Status.PUBLISHED:
        content_changed()


def _contribution_deleted(sender, instance, **kwargs):
    # A deleted contribution may have stood above published replies as a placeholder.
    content_changed()


def connect():
    for model in CONTENT:
        post_save.connect(_content_saved_or_deleted, sender=model, dispatch_uid=f"cache-{model}")
        post_delete.connect(_content_saved_or_deleted, sender=model, dispatch_uid=f"cache-{model}")
    m2m_changed.connect(
        _content_saved_or_deleted, sender=models.Talk.speakers.through, dispatch_uid="cache-talk"
    )
    post_save.connect(_contribution_saved, sender=models.Contribution, dispatch_uid="cache-c")
    post_delete.connect(_contribution_deleted, sender=models.Contribution, dispatch_uid="cache-c")

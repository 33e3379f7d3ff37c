"""A decision that takes a contribution onto the site, off it, or changes it there, is seen."""

from django.db.models.signals import post_save

from debates.cache import content_changed
from debates.models import Contribution
from moderation.models import Decision


def _decided(sender, instance, created, **kwargs):
    if Contribution.Status.PUBLISHED in (instance.from_status, instance.to_status):
        content_changed()


def connect():
    post_save.connect(_decided, sender=Decision, dispatch_uid="cache-decision")

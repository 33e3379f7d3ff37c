"""The admin's "view on site" link, which must not tell staff more than their permissions do."""

from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.http import Http404
from django.shortcuts import redirect

from debates.models import Contribution
from debates.threads import contribution_url
from moderation.roles import MODERATE_PERMISSION


def view_on_site(request, content_type_id, object_id):
    """
    Staff who may see a kind of thing in the admin are sent to its page on the site. Where a
    contribution sits (its question) is for moderators only, until it is published.
    """
    content_type = ContentType.objects.filter(pk=content_type_id).first()
    model = content_type.model_class() if content_type else None
    if model is None:
        raise Http404
    if not request.user.has_perm(f"{content_type.app_label}.view_{content_type.model}"):
        raise Http404
    if model is Contribution:
        visible = Contribution.objects.select_related("question")
        if not request.user.has_perm(MODERATE_PERMISSION):
            visible = visible.published()
        contribution = visible.filter(pk=object_id).first() if object_id.isdigit() else None
        if contribution is None:
            raise Http404
        # Straight to its page of the thread: its lasting address knows only published ones.
        return redirect(contribution_url(contribution))
    return shortcut(request, content_type_id, object_id)

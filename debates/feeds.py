"""Atom feeds of published contributions: the whole debate, and one question's thread."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from debates.models import Contribution, Question
from debates.threads import with_thread_pages

ITEMS = 50


class DebateFeed(Feed):
    """The latest published contributions on every question."""

    feed_type = Atom1Feed
    title = _("The MIA debate: new contributions")
    subtitle = _("Published contributions to the debate on the conclusions of MIA 5.")

    def link(self):
        return reverse("debates:paper-latest")

    def items(self):
        return self.latest(Contribution.objects.published())

    def latest(self, contributions):
        # Each item links to the page of its thread that shows it, found for all in one query.
        return with_thread_pages(
            contributions.select_related("question").order_by("-published_at", "-pk")[:ITEMS]
        )

    def item_link(self, item):
        return item.thread_url

    def item_title(self, item):
        return item.title or _("Contribution by %(name)s") % {"name": item.author_name}

    def item_description(self, item):
        # body_html was sanitised when the text was saved (debates.markup).
        return item.body_html

    def item_author_name(self, item):
        return item.author_name

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.edited_at or item.published_at

    def item_categories(self, item):
        return [item.question.title]


class QuestionFeed(DebateFeed):
    """The latest published contributions on one question."""

    def get_object(self, request, slug):
        return get_object_or_404(Question, slug=slug)

    def title(self, question):
        return _("The MIA debate: %(question)s") % {"question": question.title}

    def subtitle(self, question):
        return question.text

    def link(self, question):
        return question.get_absolute_url()

    def items(self, question):
        return self.latest(Contribution.objects.published().filter(question=question))

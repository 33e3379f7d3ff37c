"""
Atom feeds of published contributions: the whole debate, one question's thread, and the
editors' picks.

Feed readers get the Atom. A browser, which asks for a page first, gets a page about the feed at
the same address: what a feed reader is, the address to give one, and the entries the feed holds.
"""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from debates.models import Contribution, Question
from debates.threads import with_thread_pages

ITEMS = 50
ATOM = "application/atom+xml"
PAGE = "text/html"


def answer_form(request) -> str:
    """
    PAGE for a request that prefers HTML to Atom and XML, as a browser opening a link does; ATOM
    for feed readers, and for anything that says nothing or accepts all alike.
    """
    preferred = request.get_preferred_type([ATOM, "application/xml", "text/xml", PAGE])
    return PAGE if preferred == PAGE else ATOM


class DebateFeed(Feed):
    """The latest published contributions on every question."""

    feed_type = Atom1Feed
    title = _("The MIA debate: new contributions")
    subtitle = _("Published contributions to the debate on the conclusions of MIA 5.")

    def __call__(self, request, *args, **kwargs):
        if answer_form(request) == PAGE:
            response = self.page(request, *args, **kwargs)
        else:
            response = super().__call__(request, *args, **kwargs)
        patch_vary_headers(response, ["Accept"])
        return response

    def page(self, request, *args, **kwargs):
        """The page about the feed, built from the same entries as the feed itself."""
        question = self.get_object(request, *args, **kwargs)
        feed = self.get_feed(question, request)
        return render(
            request,
            "debates/feed_page.html",
            {
                "feed": feed.feed,
                "entries": feed.items,
                "feed_url": request.build_absolute_uri(request.path),
                "question": question,
                "section": "debate",
            },
        )

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


class PicksFeed(DebateFeed):
    """The latest editors' picks, on every question, by when they were picked."""

    title = _("The MIA debate: editors' picks")
    subtitle = _("Contributions to the debate that the editors have picked.")

    def link(self):
        return f"{reverse('debates:home')}#fremhaevet"

    def items(self):
        return with_thread_pages(Contribution.objects.picks().select_related("question")[:ITEMS])

    def item_updateddate(self, item):
        # A feed reader orders by this: a pick is news when it is made, or when it is edited.
        return max(item.picked_at, item.edited_at or item.picked_at)

"""The sitemap: the pages a search engine may list. Only published content has a page."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from debates.models import Paper, Question, Workshop


class PageSitemap(Sitemap):
    i18n = True

    def items(self):
        return ["debates:home", "debates:workshop-list"]

    def location(self, name):
        return reverse(name)


class WorkshopSitemap(Sitemap):
    i18n = True

    def items(self):
        return Workshop.objects.all()


class PaperSitemap(Sitemap):
    i18n = True

    def items(self):
        return Paper.objects.select_related("workshop")


class QuestionSitemap(Sitemap):
    """A question changes when a contribution to it is published."""

    i18n = True

    def items(self):
        return Question.objects.with_last_publication().order_by("paper", "position")

    def lastmod(self, question):
        return question.last_published_at

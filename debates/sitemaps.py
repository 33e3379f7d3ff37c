"""The sitemap: the pages a search engine may list. Only published content has a page."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from debates.models import Paper, Question, Workshop
from debates.threads import outlines, page_url


class PageSitemap(Sitemap):
    i18n = True

    def items(self):
        return ["debates:home", "debates:workshop-list", "debates:figures"]

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
    """Each page of each question's thread; a question changes when something is published."""

    i18n = True

    def items(self):
        questions = list(Question.objects.with_last_publication().order_by("paper", "position"))
        found = outlines(q.pk for q in questions)
        return [
            (question, number)
            for question in questions
            for number in range(1, found[question.pk].page_count + 1)
        ]

    def location(self, item):
        return page_url(*item)

    def lastmod(self, item):
        return item[0].last_published_at

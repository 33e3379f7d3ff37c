"""The way in's public pages, for the sitemap."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse


class PageSitemap(Sitemap):
    i18n = True

    def items(self):
        return ["moderation:guidelines", "moderation:privacy"]

    def location(self, name):
        return reverse(name)

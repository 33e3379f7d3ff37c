from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from debates import sitemaps as debates_sitemaps
from debates.cache import public_page
from mia_forum.views import health
from moderation import sitemaps as moderation_sitemaps
from moderation.admin.shortcuts import view_on_site

SITEMAPS = {
    "pages": debates_sitemaps.PageSitemap,
    "workshops": debates_sitemaps.WorkshopSitemap,
    "papers": debates_sitemaps.PaperSitemap,
    "questions": debates_sitemaps.QuestionSitemap,
    "about": moderation_sitemaps.PageSitemap,
}

# Danish pages live at /, English ones at /en/; the admin is for the Danish editorial staff.
urlpatterns = [
    # Before the admin's own: its "view on site" redirect, bound by the viewer's permissions.
    path(
        "admin/r/<int:content_type_id>/<path:object_id>/",
        admin.site.admin_view(view_on_site),
        name="admin-view-on-site",
    ),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    path("sitemap.xml", public_page(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
]
urlpatterns += i18n_patterns(
    path("", include("debates.urls")),
    path("", include("moderation.urls")),
    prefix_default_language=False,
)

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

# Danish pages live at /, English ones at /en/; the admin is for the Danish editorial staff.
urlpatterns = [
    path("admin/", admin.site.urls),
]
urlpatterns += i18n_patterns(
    path("", include("debates.urls")),
    path("", include("moderation.urls")),
    prefix_default_language=False,
)

from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language

from debates.cache import release
from debates.previews import OG_LOCALES


def site(request):
    """
    The institution behind the site, the current page in each of the site's languages, and the
    release the page's cached parts are kept for; the site's address and the page's locale in
    Open Graph's terms, for link previews.
    """
    path = request.get_full_path()
    language = get_language()
    return {
        "site_release": release(),
        "site_url": settings.MIA_SITE_URL,
        "og_locale": OG_LOCALES.get(language, OG_LOCALES[settings.LANGUAGE_CODE]),
        "og_locale_alternates": [locale for code, locale in OG_LOCALES.items() if code != language],
        "institution": settings.MIA_INSTITUTION,
        "language_links": [
            {"code": code, "name": name, "url": translate_url(path, code)}
            for code, name in settings.LANGUAGES
        ],
    }

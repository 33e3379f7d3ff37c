from django.conf import settings
from django.urls import translate_url

from debates.cache import release


def site(request):
    """
    The institution behind the site, the current page in each of the site's languages, and the
    release the page's cached parts are kept for.
    """
    path = request.get_full_path()
    return {
        "site_release": release(),
        "institution": settings.MIA_INSTITUTION,
        "language_links": [
            {"code": code, "name": name, "url": translate_url(path, code)}
            for code, name in settings.LANGUAGES
        ],
    }

from django.conf import settings
from django.urls import translate_url


def site(request):
    """The institution behind the site, and the current page in each of the site's languages."""
    path = request.get_full_path()
    return {
        "institution": settings.MIA_INSTITUTION,
        "language_links": [
            {"code": code, "name": name, "url": translate_url(path, code)}
            for code, name in settings.LANGUAGES
        ],
    }

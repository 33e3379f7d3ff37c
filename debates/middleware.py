"""
What every request to the site goes through: refused early when it cannot be served, and answered
with the site's own page when the database is away.
"""

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "interest-cohort")
)


def permissions_policy(get_response):
    """The site uses no camera, microphone, location, payment or USB, and says so to browsers."""

    def middleware(request):
        response = get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response

    return middleware


def request_size_limit(get_response):
    """
    A request that says it is larger than the largest paper plus its form is refused from its
    Content-Length, before a byte of its body is read.
    """

    def middleware(request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MIA_MAX_REQUEST_BYTES:
            return HttpResponse(render_to_string("413.html"), status=413)
        return get_response(request)

    return middleware


class DatabaseUnavailableMiddleware:
    """When the database cannot be reached, the visitor gets the site's 503 page, not an error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        return response

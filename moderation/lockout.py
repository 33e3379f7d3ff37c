"""The admin's login, refused while too many failed logins have locked an account (django-axes)."""

from axes.backends import AxesBackend
from axes.helpers import get_cool_off
from django.contrib import admin
from django.contrib.auth.backends import ModelBackend
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _


def locked_out(request, original_response=None, credentials=None):
    """
    Whoever tries a locked account sees when it opens again, even with the right password;
    `manage.py axes_reset` opens it at once.
    """
    context = {
        **admin.site.each_context(request),
        "title": _("Log in"),
        # Every attempt during the lockout starts it again, so it ends one cool-off from now.
        "locked_until": timezone.localtime() + get_cool_off(request),
    }
    return render(request, "admin/login.html", context, status=429)


class LockoutModelBackend(AxesBackend):
    """
    Django's own login and permissions, as one backend: a locked-out login is refused before the
    password is checked, and User.objects.with_perm() still needs no backend named.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        super().authenticate(request, username, password, **kwargs)  # raises while locked out
        return ModelBackend.authenticate(self, request, username, password, **kwargs)

"""WSGI entry point: `gunicorn mia_forum.wsgi` or any WSGI server."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mia_forum.settings")

application = get_wsgi_application()

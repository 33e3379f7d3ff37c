"""
Settings for the MIA debate forum.

Everything that differs between a laptop and production comes from the environment (or a
`.env` file beside manage.py); `.env.example` lists each variable. The defaults are safe for
local work: an SQLite file, mail printed to the console, a local-memory cache.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

# Core ----------------------------------------------------------------------

DEBUG = env.bool("DJANGO_DEBUG", default=True)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0.")
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS",
    default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [],
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "axes",
    "simple_history",
    "debates",
    "moderation",
]

MIDDLEWARE = [
    # Outermost: a request's mail is sent after its response has gone out, whatever happens inside.
    "moderation.middleware.send_mail_after_response",
    "django.middleware.security.SecurityMiddleware",
    "debates.middleware.permissions_policy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the body: an over-size request is refused from its Content-Length.
    "debates.middleware.request_size_limit",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Content saved during a request is versioned with the editor who saved it.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Inside everything that reads a request's cookies and language, and that sets the headers
    # every response carries: a page served from the cache gets them as a rendered one does.
    "debates.cache.PublicPageCacheMiddleware",
    "debates.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mia_forum.urls"
WSGI_APPLICATION = "mia_forum.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "debates.context_processors.site",
                "moderation.context_processors.participation",
            ],
        },
    },
]

# Authentication ------------------------------------------------------------

# Django's ModelBackend with django-axes in front: a locked-out login is refused before the
# password is even checked. One backend, so that User.objects.with_perm() needs no argument.
AUTHENTICATION_BACKENDS = ["moderation.lockout.LockoutModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Database, cache, mail -----------------------------------------------------

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable database is a quick 503 page, not a request that hangs.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DJANGO_DB_CONNECT_TIMEOUT", default=3)
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The default local-memory cache is each process's own, so the site's limits only hold across
# processes and servers when CACHE_URL points at a shared cache (Redis).
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "mia_forum.cache.RedisCache"
# What {% cache %} keeps: the blank forms, the same for every visitor until the next release,
# so each process keeps its own and asks no one.
CACHES["template_fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "template-fragments",
}
# Seconds a public page rendered for anonymous readers is kept whole in the cache. Any change a
# reader could see invalidates every page at once, so this is only a backstop. The page cache
# must be shared by every process that serves the site (one runserver, or Redis); 0 turns it off,
# as `make serve` does when several workers would each have a local-memory cache of their own.
# Each contribution's rendered HTML is cached as well, keyed by what it shows, so never stale.
MIA_PAGE_CACHE_SECONDS = env.int("MIA_PAGE_CACHE_SECONDS", default=600)

# EMAIL_URL sets EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, ... (django-environ).
EMAIL_URL = env.str("EMAIL_URL", default="consolemail://")
globals().update(env.email_url_config(EMAIL_URL))
if EMAIL_URL.startswith("filemail:"):
    # As in any URL, filemail:///var/spool/mia is absolute (django-environ would drop the first
    # slash) and filemail://var/mail is relative to the project.
    _mail_dir = urlsplit(EMAIL_URL)
    _mail_path = _mail_dir.netloc + _mail_dir.path
    EMAIL_FILE_PATH = (
        "/" + _mail_path.lstrip("/") if _mail_path.startswith("/") else str(BASE_DIR / _mail_path)
    )
# Seconds a mail server may take to answer before sending fails and the mail waits in the outbox.
EMAIL_TIMEOUT = env.int("DJANGO_EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str(
    "DJANGO_DEFAULT_FROM_EMAIL", default="MIA-debatforum <noreply@mia.localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Internationalisation ------------------------------------------------------

LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

# Static files and uploads --------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Contributors' papers: never served from MEDIA_URL, only by a view that checks publication.
    "contributions": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT / "contributions", "base_url": "/no-public-url/"},
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}
# With several servers, uploads go to one S3-compatible bucket they all share (the `s3` extra:
# django-storages with boto3). Objects are private, as the bucket is: a paper is only ever served
# through the site, by the view that checks its publication; no ACL is sent, which buckets with
# ACLs disabled would refuse. Without the keys, boto3 finds credentials as it always does.
MIA_S3_BUCKET = env.str("MIA_S3_BUCKET", default="")
if MIA_S3_BUCKET:
    _bucket = {
        "bucket_name": MIA_S3_BUCKET,
        "endpoint_url": env.str("MIA_S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("MIA_S3_REGION", default="") or None,
        "access_key": env.str("MIA_S3_ACCESS_KEY_ID", default="") or None,
        "secret_key": env.str("MIA_S3_SECRET_ACCESS_KEY", default="") or None,
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
    }
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _bucket}
    STORAGES["contributions"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**_bucket, "location": "contributions"},
    }

# Security ------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading is hard to undo (browsers ship the list), so it is asked for, never assumed.
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# axes.W006 asks to count per network address too; the site counts per user name on purpose
# (see # axes below), since behind a proxy every visitor has the proxy's address; security.W021
# asks for HSTS preloading, which is DJANGO_SECURE_HSTS_PRELOAD's choice; models.W040 says that
# SQLite ignores an index's extra columns, which only PostgreSQL needs (for index-only scans).
SILENCED_SYSTEM_CHECKS = env.list(
    "DJANGO_SILENCED_SYSTEM_CHECKS", default=["axes.W006", "security.W021", "models.W040"]
)

# Logging -------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}

# axes ----------------------------------------------------------------------

# Failed logins are counted per user name in the database, so every process and server sees
# them and a network address shared by a whole ministry (or a proxy) is not locked out.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_FAILURE_LIMIT = env.int("MIA_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("MIA_LOGIN_LOCKOUT_MINUTES", default=30))
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "moderation.lockout.locked_out"

# csp -----------------------------------------------------------------------

# Everything the site loads comes from itself: no CDN, no fonts, no analytics.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# crispy-forms --------------------------------------------------------------

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# The forum -----------------------------------------------------------------

# Absolute address of the site, for links in e-mails sent outside a request.
# `make run PORT=8123` passes its port on, so that mailed links reach the server it starts.
MIA_SITE_URL = env.str(
    "MIA_SITE_URL", default=f"http://127.0.0.1:{env.int('MIA_DEV_PORT', default=8000)}"
).rstrip("/")

# The editors' address: told of every newly confirmed contribution, and Reply-To on mails.
MIA_WEBMASTER_EMAIL = env.str("MIA_WEBMASTER_EMAIL", default="webmaster@mia.localhost")

# The address contributors may mail their contributions to, read by `ingest_mail`.
MIA_INTAKE_EMAIL = env.str("MIA_INTAKE_EMAIL", default="")
# Seconds a request's mail may take to send once its response is out; what the mail server does
# not take in time waits in the outbox, and requests leave mail to the outbox for the pause after.
MIA_MAIL_SEND_SECONDS = env.int("MIA_MAIL_SEND_SECONDS", default=5)
MIA_MAIL_PAUSE_SECONDS = env.int("MIA_MAIL_PAUSE_SECONDS", default=60)
# An identical contribution (same address, question, reply and text) sent again within this many
# minutes is the first one, not a second copy: a contributor who sends twice is not a duplicate.
MIA_DUPLICATE_WINDOW_MINUTES = env.int("MIA_DUPLICATE_WINDOW_MINUTES", default=10)
# Confirmation mails one address may receive a day, from the form and mail intake together; and
# only one unanswered at a time (a later contribution's link follows when the first is confirmed).
MIA_CONFIRMATIONS_PER_ADDRESS_PER_DAY = env.int("MIA_CONFIRMATIONS_PER_ADDRESS_PER_DAY", default=5)
# Days that sent mail is kept in the outbox log before the retention job removes it.
MIA_MAIL_LOG_DAYS = env.int("MIA_MAIL_LOG_DAYS", default=30)

# How deep replies nest; a reply to a reply at this depth becomes its sibling.
MIA_MAX_REPLY_DEPTH = env.int("MIA_MAX_REPLY_DEPTH", default=4)
# How many contributions a page of a thread shows at most, whatever the thread's shape: a
# sub-thread too big for one page goes on over the next (about a phone screen each).
MIA_CONTRIBUTIONS_PER_PAGE = env.int("MIA_CONTRIBUTIONS_PER_PAGE", default=8)
# How long a confirmation link in a mail works.
MIA_CONFIRMATION_DAYS = env.int("MIA_CONFIRMATION_DAYS", default=7)
# How long a contribution sent back for revision waits for the revised version (and its link works).
MIA_REVISION_DAYS = env.int("MIA_REVISION_DAYS", default=14)
# Limits on what a contributor sends.
MIA_MAX_ATTACHMENT_MB = env.int("MIA_MAX_ATTACHMENT_MB", default=10)
MIA_MAX_TEXT_CHARS = env.int("MIA_MAX_TEXT_CHARS", default=20_000)
# The form's fields without its file: a text at the limit, every character percent-encoded
# four-byte UTF-8, fits, and so does the admin's largest form (Django's own default).
DATA_UPLOAD_MAX_MEMORY_SIZE = max(12 * MIA_MAX_TEXT_CHARS, 2_621_440)
# An upload larger than this goes to a temporary file rather than memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# A request claiming more than the largest paper plus its form is refused before it is read.
MIA_MAX_REQUEST_BYTES = MIA_MAX_ATTACHMENT_MB * 1024 * 1024 + DATA_UPLOAD_MAX_MEMORY_SIZE
# Months after the editors' decision that a contributor's e-mail and network address are kept.
MIA_RETENTION_MONTHS = env.int("MIA_RETENTION_MONTHS", default=24)
# Proxies in front of the site that append to X-Forwarded-For (0: the site faces the internet).
MIA_PROXY_COUNT = env.int("MIA_PROXY_COUNT", default=0)
# Limits against floods, counted in the cache (shared by all processes only when CACHE_URL points
# at Redis): contributions, follows and data requests, each kind counted apart, per e-mail address
# and per network (an IPv4 address or an IPv6 /64); readers' reports and previews per network.
MIA_SUBMISSIONS_PER_EMAIL_PER_HOUR = env.int("MIA_SUBMISSIONS_PER_EMAIL_PER_HOUR", default=10)
MIA_SUBMISSIONS_PER_NETWORK_PER_HOUR = env.int("MIA_SUBMISSIONS_PER_NETWORK_PER_HOUR", default=30)
MIA_REPORTS_PER_NETWORK_PER_HOUR = env.int("MIA_REPORTS_PER_NETWORK_PER_HOUR", default=20)
MIA_PREVIEWS_PER_HOUR = env.int("MIA_PREVIEWS_PER_HOUR", default=60)
# Papers parked between a preview or a correction and the sending: per network at once (the
# oldest make way), and in all, past which the form asks to attach the paper again on sending.
MIA_STAGED_FILES_PER_NETWORK = env.int("MIA_STAGED_FILES_PER_NETWORK", default=3)
MIA_STAGING_MAX_MB = env.int("MIA_STAGING_MAX_MB", default=200)

# The institution behind the forum, shown in the footer and the privacy notice.
MIA_INSTITUTION = {
    "name": env.str("MIA_INSTITUTION_NAME", default="Roskilde Universitet"),
    "street": env.str("MIA_INSTITUTION_STREET", default="Universitetsvej 1, Postboks 260"),
    "postcode_city": env.str("MIA_INSTITUTION_CITY", default="4000 Roskilde"),
    "phone": env.str("MIA_INSTITUTION_PHONE", default="+45 4674 2000"),
    "email": env.str("MIA_INSTITUTION_EMAIL", default="ruc@ruc.dk"),
    "cvr": env.str("MIA_INSTITUTION_CVR", default="29 05 75 59"),
    "ean": env.str("MIA_INSTITUTION_EAN", default="5798000418110"),
}
# The institution's data protection officer, named in the privacy notice when set.
MIA_DPO_EMAIL = env.str("MIA_DPO_EMAIL", default="")

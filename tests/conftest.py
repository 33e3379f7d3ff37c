import io

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.core.files.storage import storages
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from debates.models import Contribution, Question, Workshop
from tests import factories


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Tests make hundreds of accounts; the production hasher is slow on purpose."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database holds the seeded content, loaded once; tests roll back their changes."""
    with django_db_blocker.unblock():
        call_command("seed_content", stdout=io.StringIO())


@pytest.fixture
def seeded(db):
    """The site's seeded MIA content, as `make run` loads it."""
    # A test with real commits empties the database when it ends; the next one loads it again.
    if not Workshop.objects.exists():
        call_command("seed_content", stdout=io.StringIO())


@pytest.fixture(autouse=True)
def _uploads_in_a_temporary_folder(settings, tmp_path, monkeypatch):
    """Uploaded files go to a folder of the test's own, never the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "contributions": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media" / "contributions"},
        },
    }
    use_contributions_storage(monkeypatch)


def use_contributions_storage(monkeypatch):
    """
    Let contributions' papers follow the "contributions" storage as the settings now name it:
    the field took the storage once, when the model was imported.
    """
    field = Contribution._meta.get_field("attachment")
    monkeypatch.setattr(field, "storage", storages["contributions"])


@pytest.fixture(autouse=True)
def _danish_by_default():
    """Each test starts in the site's default language, whatever the previous one visited."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and other cached state do not leak from one test into the next."""
    cache.clear()


@pytest.fixture
def webmaster(db):
    return factories.make_webmaster()


@pytest.fixture
def question(seeded):
    return Question.objects.get(slug="lederens-roller")


@pytest.fixture
def mails_sent_by(django_capture_on_commit_callbacks):
    """Run a block, run what it left for after its commit, and return the mails that were sent."""

    def run(action):
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            action()
        return mail.outbox[before:]

    return run

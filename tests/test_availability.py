"""When the database is away, every page says so with the site's own page, quickly."""

import socket
import time

import pytest
from django.db import OperationalError, connection


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def unreachable_database(django_db_blocker):
    """PostgreSQL pointed at a closed port; SQLite, which has no address, refusing to connect."""
    saved = dict(connection.settings_dict)

    def refuse():
        raise OperationalError("unable to open database file")

    with django_db_blocker.unblock():
        connection.close()
        if connection.vendor == "postgresql":
            connection.settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port()))
        else:
            connection.ensure_connection = refuse
        yield
        vars(connection).pop("ensure_connection", None)
        connection.close()
        connection.settings_dict.update(saved)


@pytest.mark.parametrize("path", ["/", "/en/", "/soeg/?q=ledelse", "/debat/lederens-roller/"])
def test_every_page_answers_with_the_sites_503_page_when_the_database_is_away(
    client, unreachable_database, path
):
    client.raise_request_exception = False
    start = time.monotonic()

    response = client.get(path)

    assert time.monotonic() - start < 5
    assert response.status_code == 503
    html = response.content.decode()
    assert "Siden er midlertidigt utilgængelig" in html
    assert "The site is unavailable for a moment" in html
    assert "Traceback" not in html
    assert response["Retry-After"] == "30"


def test_postgresql_gives_up_connecting_within_seconds(settings):
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("only PostgreSQL connects over the network")
    assert settings.DATABASES["default"]["OPTIONS"]["connect_timeout"] == 3

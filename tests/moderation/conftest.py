import socket
import threading

import pytest
from django.contrib.auth.models import Permission

from tests.factories import make_user


@pytest.fixture
def moderator(client, webmaster):
    """The test client, logged in as a member of the Webmaster group."""
    client.force_login(webmaster)
    return client


@pytest.fixture
def staff_without_moderation(client, db):
    """The test client, logged in as staff who may read and change contributions, not moderate."""
    user = make_user()
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_contribution", "change_contribution", "view_report"]
        )
    )
    client.force_login(user)
    return client


@pytest.fixture
def stalled_smtp_server():
    """A server on 127.0.0.1 that accepts every connection and never says a word."""
    server = socket.create_server(("127.0.0.1", 0))
    held = []

    def accept():
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield server.getsockname()[1]
    server.close()
    for connection in held:
        connection.close()

"""
Two app servers behind one load balancer: two gunicorn processes, each with a folder of its own,
on ONE PostgreSQL database and ONE Redis, as in production (DJANGO_DEBUG=0). What one server
does, the other shows at once; a login on one holds on the other.
"""

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from html import unescape
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.urls import reverse

from debates.models import Contribution, Question
from tests.factories import make_contribution, make_webmaster

BASE_DIR = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/6"
PASSWORD = "to-servere-en-database"
# However long a server may take to start; a request to answer.
PATIENCE = 60

pytestmark = pytest.mark.django_db(transaction=True)


def redis_answers():
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.RedisError:
        return False


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url():
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


class Server:
    """One gunicorn process, with the environment every server of the site gets."""

    def __init__(self, name, env, folder):
        self.name, self.port = name, free_port()
        media = folder / f"media-{name}"  # no server's own disk is shared with the other
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "mia_forum.wsgi",
                f"--bind=127.0.0.1:{self.port}",
                "--workers=1",
                "--threads=2",
                f"--name=mia-{name}",
            ],
            cwd=BASE_DIR,
            env={**env, "DJANGO_MEDIA_ROOT": str(media)},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_until_up(self):
        deadline = time.monotonic() + PATIENCE
        while True:
            try:
                status, _headers, _body = request(self, "GET", "/health/")
                if status == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"server {self.name} did not start:\n{self.output}")
            time.sleep(0.2)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
        self.output = self.process.communicate(timeout=PATIENCE)[0].decode(errors="replace")


def request(server, method, path, *, cookies=None, form=None):
    """(status, headers, body) of one request, as a browser sends it, cookies and all."""
    client = http.client.HTTPConnection("127.0.0.1", server.port, timeout=PATIENCE)
    headers = {"Host": "127.0.0.1"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        client.request(method, path, body=body, headers=headers)
        response = client.getresponse()
        content = response.read().decode()
        if cookies is not None:
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, dict(response.getheaders()), content
    finally:
        client.close()


def page_form(html):
    """
    What the contribution's page sends as it stands: its hidden fields (the token, the version,
    the values it showed) and its question, title and text as shown.
    """
    form = re.search(r'<form [^>]*id="contribution_form"[^>]*>(.*?)</form>', html, re.S)
    assert form, "no contribution form on the page"
    hidden = re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form.group(1))
    fields = {name: unescape(value) for name, value in hidden}
    for name in ("question", "title", "body"):
        fields[name] = fields[f"initial-{name}"]
    return fields


@pytest.fixture
def servers(tmp_path, seeded):
    """Servers A and B, started on the test database and one Redis database, emptied first."""
    if connection.vendor != "postgresql":
        pytest.skip("two servers share one database on PostgreSQL only; SQLite is one machine's")
    if not redis_answers():
        pytest.skip(f"Redis does not answer at {REDIS_URL}: start it with `redis-server`")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MIA_"))},
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": f"two-servers-one-site-{uuid.uuid4().hex}",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "DATABASE_URL": database_url(),
        "CACHE_URL": REDIS_URL,
        "MIA_PAGE_CACHE_SECONDS": "600",
        "EMAIL_URL": "consolemail://",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )
    started = [Server("A", env, tmp_path), Server("B", env, tmp_path)]
    try:
        for server in started:
            server.wait_until_up()
        yield started
    finally:
        for server in started:
            server.stop()
        redis.Redis.from_url(REDIS_URL).flushdb()


def test_what_is_published_on_one_server_shows_on_the_other_at_once(servers):
    a, b = servers
    question = Question.objects.get(slug="lederens-roller")
    contribution = make_contribution(
        question=question,
        status=Contribution.Status.PENDING,
        title="Ledelse på tværs af to servere",
        body="Et indlæg, der venter på redaktionen.",
    )
    page = question.get_absolute_url()
    webmaster = make_webmaster()
    # Hashed as the servers hash (the tests' own hasher is a fast one they do not know).
    hasher = PBKDF2PasswordHasher()
    webmaster.password = hasher.encode(PASSWORD, hasher.salt())
    webmaster.save(update_fields=["password"])

    # A reader opens the question on B, twice: the second time B answers from the cache.
    status, _headers, first = request(b, "GET", page)
    assert status == 200
    assert contribution.title not in first
    # Changed behind the site's back, in SQL: no model, no signal; a cached page cannot know.
    marker = f"Uden om sitet {uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE debates_question SET title = title || %s WHERE id = %s",
            [f" {marker}", question.pk],
        )
    _status, _headers, second = request(b, "GET", page)
    served_from_cache = marker not in second
    assert served_from_cache, "B built the page again rather than serve it from the cache"
    assert contribution.title not in second

    # The webmaster logs in on A; the session is good on B, with the same cookie.
    browser = {}
    login = reverse("admin:login")
    _status, _headers, form = request(a, "GET", login, cookies=browser)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    status, headers, _body = request(
        a,
        "POST",
        login,
        cookies=browser,
        form={
            "csrfmiddlewaretoken": csrf,
            "username": webmaster.username,
            "password": PASSWORD,
            "next": "/admin/",
        },
    )
    assert (status, headers.get("Location")) == (302, "/admin/")
    assert "sessionid" in browser
    change = reverse("admin:debates_contribution_change", args=[contribution.pk])
    status, _headers, desk = request(b, "GET", change, cookies=browser)
    assert status == 200, "B does not know the session A started"
    assert contribution.title in unescape(desk)
    status, headers, _body = request(b, "GET", change)
    assert status == 302  # without it, no entry
    assert headers["Location"].startswith(login)

    # The page opened on B is sent to A, as a load balancer may route it: A publishes.
    fields = {**page_form(desk), "decision": "published"}
    status, _headers, _body = request(a, "POST", change, cookies=browser, form=fields)
    assert status == 302
    contribution.refresh_from_db()
    assert contribution.status == Contribution.Status.PUBLISHED

    # At once, B shows it to the reader.
    status, _headers, after = request(b, "GET", page)
    assert status == 200
    assert contribution.title in unescape(after), "B served the page it had before the publication"
    assert marker in after

"""`make serve` runs the site as in production: gunicorn, DEBUG off, compressed static files."""

import gzip
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
ONE_YEAR = 365 * 24 * 60 * 60


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def max_age(headers):
    match = re.search(r"max-age=(\d+)", headers.get("Cache-Control", ""))
    return int(match.group(1)) if match else 0


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """bin/serve on a free port, with an SQLite file and a secret file of its own."""
    folder = tmp_path_factory.mktemp("serve")
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "PORT": str(port),
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(folder / "media"),
        "MIA_SECRET_KEY_FILE": str(folder / "secret-key"),
        "WEB_CONCURRENCY": "1",
        "MIA_WEB_THREADS": "2",
    }
    server = subprocess.Popen(
        [sys.executable, str(BASE_DIR / "bin" / "serve")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 40
    while True:
        try:
            get(base + "/")
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                output = server.stdout.read().decode()
                pytest.fail(f"bin/serve did not serve the home page:\n{output}")
            time.sleep(0.2)
    yield base, folder
    os.killpg(server.pid, signal.SIGTERM)
    output = server.communicate(timeout=15)[0].decode()
    assert server.returncode == 0, output


def test_the_production_server_serves_the_home_page_without_debug(served):
    base, _folder = served
    status, _headers, body = get(base + "/")
    assert status == 200
    assert "Ministeriernes Innovationsakademi" in body.decode()

    status, _headers, body = get(base + "/no-such-page/")
    assert status == 404
    assert b"Traceback" not in body
    assert b"URLconf" not in body  # Django's debug page lists the URL patterns


def test_the_production_server_serves_hashed_static_files_compressed_for_a_year(served):
    base, _folder = served
    _status, _headers, page = get(base + "/debat/lederens-roller/")
    assets = re.findall(rb'(?:href|src)="(/static/[^"]+\.[0-9a-f]{12}\.(?:css|js))"', page)
    assert {re.sub(rb"\.[0-9a-f]{12}\.", b".", url).decode() for url in assets} >= {
        "/static/vendor/bootstrap/css/bootstrap.min.css",
        "/static/css/site.css",
        "/static/js/site.js",
    }

    for url in (asset.decode() for asset in assets):
        status, headers, body = get(base + url, **{"Accept-Encoding": "gzip"})
        assert status == 200, url
        assert headers.get("Content-Encoding") == "gzip", url
        assert max_age(headers) >= ONE_YEAR, headers["Cache-Control"]
        assert "immutable" in headers["Cache-Control"], url
        assert "Accept-Encoding" in headers.get("Vary", ""), url

        _status, plain_headers, plain = get(base + url)
        assert "Content-Encoding" not in plain_headers, url
        assert gzip.decompress(body) == plain
        assert len(body) < len(plain)


def test_the_production_server_does_not_cache_unhashed_static_names_for_long(served):
    base, _folder = served
    status, headers, _body = get(base + "/static/css/site.css", **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert max_age(headers) < 24 * 60 * 60, headers["Cache-Control"]
    assert "immutable" not in headers["Cache-Control"]


def test_the_production_server_keeps_its_generated_secret_to_its_owner(served):
    _base, folder = served
    key_file = folder / "secret-key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key_file.read_text().strip()) >= 50

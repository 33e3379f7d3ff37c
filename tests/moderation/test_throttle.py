"""The site's limits: per e-mail address and per network, shared by every process, said once."""

import os
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest
from django.urls import reverse

from debates.models import Contribution
from moderation.models import Report, Subscription
from moderation.throttle import network_of
from tests.factories import make_contribution

pytestmark = pytest.mark.django_db

PROJECT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/11"

EMAIL_LIMIT = "Siden tager højst imod 2 indsendelser i timen fra samme e-mailadresse"
NETWORK_LIMIT = "Siden tager højst imod 3 indsendelser i timen fra samme netværk"
REPORT_LIMIT = "Siden tager højst imod 2 anmeldelser i timen fra samme netværk"


@pytest.fixture
def form_url(question):
    return reverse("moderation:contribution-new", args=[question.slug])


def send(client, url, *, email="lene@example.dk", ip="192.0.2.1", **extra):
    # Each a text of its own: the same text sent again is the first contribution, not a new one.
    send.count = getattr(send, "count", 0) + 1
    data = {
        "author_name": "Lene Lund",
        "author_email": email,
        "body": f"Indlæg nummer {send.count}.",
        "consent": "on",
        "send": "1",
        **extra,
    }
    return client.post(url, data, REMOTE_ADDR=ip)


@pytest.fixture
def limits(settings):
    settings.MIA_SUBMISSIONS_PER_EMAIL_PER_HOUR = 2
    settings.MIA_SUBMISSIONS_PER_NETWORK_PER_HOUR = 3


@pytest.fixture
def report_limit(settings):
    settings.MIA_REPORTS_PER_NETWORK_PER_HOUR = 2


# Who counts as one ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ip", "network"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("64:ff9b::192.0.2.7", "192.0.2.7"),
        ("::ffff:c000:207", "192.0.2.7"),
        ("fe80::1%eth0", "fe80::/64"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
        (None, "unknown"),
    ],
)
def test_a_visitor_is_an_ipv4_address_or_an_ipv6_slash_64(ip, network):
    assert network_of(ip) == network


def test_a_contribution_keeps_its_senders_ipv4_address_as_ipv4(client, form_url):
    assert send(client, form_url, ip="::ffff:192.0.2.9").status_code == 302
    assert Contribution.objects.get().submitter_ip == "192.0.2.9"


def test_addresses_in_one_ipv6_slash_64_share_a_limit_and_the_next_64_does_not(
    client, form_url, limits
):
    for n in range(3):
        assert (
            send(client, form_url, email=f"{n}@example.dk", ip=f"2001:db8::{n + 1}").status_code
            == 302
        )
    assert send(client, form_url, email="x@example.dk", ip="2001:db8::ffff").status_code == 400
    assert send(client, form_url, email="y@example.dk", ip="2001:db8:0:1::1").status_code == 302


# Per e-mail address and per network ----------------------------------------------------------


def test_one_e_mail_address_is_refused_past_its_limit_from_any_network(client, form_url, limits):
    assert send(client, form_url, ip="192.0.2.1").status_code == 302
    assert send(client, form_url, email=" LENE@Example.dk ", ip="198.51.100.1").status_code == 302

    refused = send(client, form_url, ip="203.0.113.1")

    assert refused.status_code == 400
    assert EMAIL_LIMIT in refused.content.decode()
    assert Contribution.objects.count() == 2


def test_one_mailbox_is_one_address_however_it_is_written(client, form_url, limits):
    assert send(client, form_url, email="lene+debat@example.dk", ip="192.0.2.1").status_code == 302
    assert send(client, form_url, email='"Lene"@Example.DK', ip="192.0.2.2").status_code == 302

    refused = send(client, form_url, email="LENE+igen@example.dk", ip="192.0.2.3")

    assert refused.status_code == 400
    assert EMAIL_LIMIT in refused.content.decode()


def test_colleagues_behind_one_address_may_send_more_than_one_person_may(client, form_url, limits):
    for name in ("anne", "bo", "carl"):
        assert send(client, form_url, email=f"{name}@fm.dk").status_code == 302

    refused = send(client, form_url, email="dorte@fm.dk")

    assert refused.status_code == 400
    assert NETWORK_LIMIT in refused.content.decode()
    assert Contribution.objects.count() == 3


def test_a_refusal_for_the_address_does_not_use_up_the_networks_share(client, form_url, limits):
    for _ in range(5):
        send(client, form_url, email="lene@example.dk")  # two sent, three refused

    assert send(client, form_url, email="anne@fm.dk").status_code == 302
    assert send(client, form_url, email="bo@fm.dk").status_code == 400


# The message, once ---------------------------------------------------------------------------


def test_the_limit_is_said_once_on_each_form_as_the_sites_limit(
    client, question, form_url, limits, report_limit
):
    follow_url = reverse("moderation:follow-question", args=[question.slug])
    data_url = reverse("moderation:personal-data")
    report_url = reverse("moderation:contribution-report", args=[make_contribution().pk])
    forms = {
        "contribution": lambda n: send(client, form_url, email=f"{n}@example.dk"),
        "follow": lambda n: client.post(follow_url, {"email": f"{n}@example.dk"}),
        "data": lambda n: client.post(data_url, {"email": f"{n}@example.dk"}),
    }

    for page, post in forms.items():
        for n in range(3):
            assert post(n).status_code in (200, 302), page
        response = post(3)
        html = response.content.decode()
        assert response.status_code == 400, page
        assert html.count(NETWORK_LIMIT) == 1, page
        assert "Der er et problem med" not in html, page  # no field is at fault
    for _ in range(2):
        assert client.post(report_url, {"reason": "spam"}).status_code == 302
    response = client.post(report_url, {"reason": "spam", "text": "Igen."})
    assert response.status_code == 400
    assert response.content.decode().count(REPORT_LIMIT) == 1
    assert Subscription.objects.count() == 3


def test_a_networks_reports_follows_and_data_requests_leave_its_contributions_share_alone(
    client, question, form_url, limits, report_limit
):
    """A ministry behind one address: its readers' reports cannot shut its writers out."""
    report_url = reverse("moderation:contribution-report", args=[make_contribution().pk])
    for _ in range(30):
        client.post(report_url, {"reason": "spam"})
    for n in range(10):
        client.post(
            reverse("moderation:follow-question", args=[question.slug]), {"email": f"f{n}@fm.dk"}
        )
        client.post(reverse("moderation:personal-data"), {"email": f"d{n}@fm.dk"})
    assert Report.objects.count() == 2

    for name in ("anne", "bo", "carl"):
        assert send(client, form_url, email=f"{name}@fm.dk").status_code == 302
    assert send(client, form_url, email="dorte@fm.dk").status_code == 400  # its own ceiling


# Across processes ------------------------------------------------------------------------------

WORKER = textwrap.dedent(
    """
    import os, sys, time
    import django
    django.setup()
    from django.test import RequestFactory
    from moderation import throttle

    class Form:
        def add_error(self, field, error):
            pass

    go = sys.argv[1]
    open(f"{go}.{os.getpid()}", "w").close()  # ready
    while not os.path.exists(go):
        time.sleep(0.01)
    request = RequestFactory().post("/", REMOTE_ADDR=os.environ["VISITOR_IP"])
    email = os.environ["VISITOR_EMAIL"]
    print(sum(throttle.admit(request, Form(), email=email) for _ in range(int(sys.argv[2]))))
    """
)


def redis_is_reachable():
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.mark.parametrize(
    ("email_limit", "network_limit", "admitted"),
    [(7, 100, 7), (100, 11, 11)],
    ids=["per-email", "per-network"],
)
def test_three_processes_counting_against_redis_admit_exactly_the_limit(
    tmp_path, email_limit, network_limit, admitted
):
    if not redis_is_reachable():
        message = (
            f"Redis is not reachable at {REDIS_URL}: start it with `redis-server --daemonize yes`"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    go = tmp_path / "go"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mia_forum.settings",
        "CACHE_URL": REDIS_URL,
        "MIA_SUBMISSIONS_PER_EMAIL_PER_HOUR": str(email_limit),
        "MIA_SUBMISSIONS_PER_NETWORK_PER_HOUR": str(network_limit),
        # A visitor of this run alone, so that runs at the same time count apart.
        "VISITOR_IP": f"2001:db8:{uuid.uuid4().int % 65536:x}:{os.getpid() % 65536:x}::1",
        "VISITOR_EMAIL": f"{uuid.uuid4().hex}@example.dk",
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(go), "20"],
            cwd=PROJECT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("go.*"))) < len(workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    go.touch()  # all three count at once

    counts = [int(worker.communicate(timeout=60)[0]) for worker in workers]

    assert all(worker.returncode == 0 for worker in workers)
    assert sum(counts) == admitted

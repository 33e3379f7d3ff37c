"""
With MIA_S3_BUCKET set, papers live in an S3-compatible bucket that every server shares: uploaded,
parked between a preview and the sending, served, erased and expired there, never on local disk.
The bucket is a real S3 server on loopback (moto's), configured by the settings' own code.
"""

import re
import runpy
import urllib.error
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from debates.models import Contribution
from moderation import services
from moderation.services import staging
from tests.conftest import use_contributions_storage
from tests.factories import PDF_BYTES, make_webmaster
from tests.mail import links, path_of

moto_server = pytest.importorskip(
    "moto.server", reason="the S3 tests need moto[server]: pip install '.[dev]'"
)
pytest.importorskip("storages", reason="the S3 storage needs django-storages: pip install '.[s3]'")
boto3 = pytest.importorskip("boto3", reason="the S3 storage needs boto3: pip install '.[s3]'")

SETTINGS_FILE = Path(__file__).resolve().parent.parent / "mia_forum" / "settings.py"
REGION = "eu-north-1"
KEYS = {"aws_access_key_id": "mia-test", "aws_secret_access_key": "mia-test-secret"}

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def s3_endpoint():
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch, tmp_path):
    """A new private bucket, and the site's storages as the settings make them when it is named."""
    name = f"mia-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION, **KEYS)
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    for variable, value in {
        "MIA_S3_BUCKET": name,
        "MIA_S3_ENDPOINT_URL": s3_endpoint,
        "MIA_S3_REGION": REGION,
        "MIA_S3_ACCESS_KEY_ID": KEYS["aws_access_key_id"],
        "MIA_S3_SECRET_ACCESS_KEY": KEYS["aws_secret_access_key"],
    }.items():
        monkeypatch.setenv(variable, value)
    configured = runpy.run_path(str(SETTINGS_FILE))
    assert configured["STORAGES"]["contributions"]["BACKEND"] == "storages.backends.s3.S3Storage"
    settings.STORAGES = configured["STORAGES"]
    use_contributions_storage(monkeypatch)
    yield Bucket(client, name, s3_endpoint)
    # Nothing went to the local folder the uploads would otherwise use.
    assert not (tmp_path / "media").exists()


class Bucket:
    def __init__(self, client, name, endpoint):
        self.client, self.name, self.endpoint = client, name, endpoint

    def keys(self, prefix="contributions/"):
        listing = self.client.list_objects_v2(Bucket=self.name, Prefix=prefix)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def read(self, key):
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()


def paper_form(question):
    return reverse("moderation:contribution-new", args=[question.slug])


def post_form(client, url, **overrides):
    data = {
        "author_name": "Søren Ærø",
        "author_email": "soren@example.dk",
        "title": "Rum for innovation",
        "body": "Vi skal *skabe rum* for samarbejde.",
        "consent": "on",
        "send": "1",
        **overrides,
    }
    return client.post(url, data)


def token_in(response):
    return re.search(r'name="attachment_token" value="([^"]+)"', response.content.decode())[1]


def test_a_paper_previewed_sent_published_and_downloaded_lives_only_in_the_bucket(
    client, question, bucket, django_capture_on_commit_callbacks
):
    url = paper_form(question)
    paper = ContentFile(PDF_BYTES, name="Høringssvar.pdf")
    preview = post_form(client, url, send="", preview="1", attachment=paper)
    assert "Vedhæftet: <strong>Høringssvar.pdf</strong>" in preview.content.decode()
    (parked,) = bucket.keys()
    assert parked.startswith("contributions/staging/")

    # The sending may reach another server: all it needs is in the form and the bucket.
    with django_capture_on_commit_callbacks(execute=True):
        sent = post_form(client, url, attachment_token=token_in(preview))
    assert sent.status_code == 302
    contribution = Contribution.objects.get(title="Rum for innovation")
    (stored,) = bucket.keys()
    assert stored == f"contributions/{contribution.attachment.name}"
    assert bucket.read(stored) == PDF_BYTES

    (link,) = [u for u in links(mail.outbox[-1]) if "/bekraeft/" in u]
    client.post(path_of(link))
    download = reverse("debates:contribution-attachment", args=[contribution.pk])
    assert client.get(download).status_code == 404  # not yet published

    contribution.refresh_from_db()
    services.publish(contribution=contribution, actor=make_webmaster())
    response = client.get(download)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert quote("Høringssvar.pdf") in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_the_bucket_gives_a_paper_to_no_one_but_the_site(question, bucket):
    contribution = services.submit_contribution(
        question=question,
        author_name="Ida Holm",
        author_email="ida@example.dk",
        title="Privat",
        body="Tekst.",
        attachment=ContentFile(PDF_BYTES, name="paper.pdf"),
        attachment_name="paper.pdf",
    )
    key = f"contributions/{contribution.attachment.name}"
    assert bucket.keys() == [key]

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{bucket.endpoint}/{bucket.name}/{key}", timeout=10)
    assert refused.value.code == 403


def test_withdrawing_deletes_the_paper_from_the_bucket(
    client, question, bucket, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_form(client, paper_form(question), attachment=ContentFile(PDF_BYTES, name="p.pdf"))
    contribution = Contribution.objects.get(title="Rum for innovation")
    services.confirm_contribution(contribution=contribution)
    services.publish(contribution=contribution, actor=make_webmaster())
    assert len(bucket.keys()) == 1
    (withdraw,) = {u for u in links(mail.outbox[-1]) if "/tilbagetraek/" in u}

    with django_capture_on_commit_callbacks(execute=True):
        client.post(path_of(withdraw))

    contribution.refresh_from_db()
    assert contribution.status == Contribution.Status.WITHDRAWN
    assert bucket.keys() == []


def test_a_visitors_oldest_parked_paper_makes_way_and_the_retention_job_clears_the_rest(bucket):
    parked = [
        staging.park(ContentFile(PDF_BYTES, name=f"{n}.pdf"), visitor="192.0.2.1") for n in range(4)
    ]
    assert staging.read(parked[0].token) is None
    assert all(staging.read(p.token) for p in parked[1:])
    assert len(bucket.keys("contributions/staging/")) == 3
    assert staging.expired() == []

    report = services.apply_retention(now=timezone.now() + staging.LIFETIME + timedelta(hours=1))

    assert report.uploads_deleted == 3
    assert bucket.keys() == []

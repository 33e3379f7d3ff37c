"""
bin/backup and bin/restore, as the restore procedure in docs/operations.md runs them: a seeded
site with a published contribution and its paper is backed up, restored into a new database and
a new uploads folder, and the restored site serves the contribution and its paper.
"""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.urls import reverse

from debates.models import Talk
from tests.factories import PDF_BYTES, make_contribution

BASE_DIR = Path(__file__).resolve().parent.parent
SLIDES = PDF_BYTES.replace(b"595 842", b"842 595")  # another file: a landscape page

pytestmark = pytest.mark.django_db(transaction=True)


def database_url(name):
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{db['USER']}{password}@{host}/{name}"


def run(script, *args, database, media, fails=False):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MIA_"))},
        "DATABASE_URL": database_url(database),
        "DJANGO_MEDIA_ROOT": str(media),
    }
    done = subprocess.run(
        [sys.executable, *script, *map(str, args)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode != 0) == fails, done.stdout + done.stderr
    return done.stdout + done.stderr


@pytest.fixture
def new_database():
    """A database of its own, empty, beside the test database; dropped afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("bin/backup and bin/restore work on PostgreSQL (pg_dump, pg_restore)")
    name = f"{connection.settings_dict['NAME']}_restored"
    admin = dict(connection.settings_dict)
    server = psycopg2.connect(
        dbname="postgres",
        user=admin["USER"],
        password=admin["PASSWORD"] or None,
        host=admin["HOST"] or "127.0.0.1",
        port=admin["PORT"] or 5432,
    )
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with server.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    server.close()


# What the restored site shows, asked of it as a reader would, through its own pages.
CHECK = """
import hashlib, json
from django.test import Client
from debates.models import Contribution, Talk
reader = Client(HTTP_HOST="127.0.0.1")
contribution = Contribution.objects.published().get(title={title!r})
page = reader.get(contribution.question.get_absolute_url())
paper = reader.get({paper_url!r})
slides = reader.get({slides_url!r})
print("SHOWN", json.dumps({{
    "page": page.status_code,
    "title_on_page": contribution.title in page.content.decode(),
    "paper": [paper.status_code, hashlib.sha256(b"".join(paper.streaming_content)).hexdigest()],
    "slides": [slides.status_code, hashlib.sha256(b"".join(slides.streaming_content)).hexdigest()],
}}))
"""


def test_a_backup_restored_into_a_new_database_serves_the_contribution_and_its_paper(
    seeded, settings, tmp_path, new_database
):
    contribution = make_contribution(
        title="Et indlæg, der skal overleve",
        attachment=PDF_BYTES,
    )
    talk = Talk.objects.first()
    talk.material.save("slides.pdf", ContentFile(SLIDES))
    media = Path(settings.MEDIA_ROOT)
    assert (media / "contributions" / contribution.attachment.name).exists()
    backup = tmp_path / "backup"

    said = run(["bin/backup", backup], database=connection.settings_dict["NAME"], media=media)
    assert "Backed up the database and 2 files" in said
    manifest = json.loads((backup / "manifest.json").read_text())
    assert {(f["storage"], f["name"]) for f in manifest["files"]} == {
        ("contributions", contribution.attachment.name),
        ("default", talk.material.name),
    }

    restored_media = tmp_path / "restored-media"
    said = run(["bin/restore", backup], database=new_database, media=restored_media)
    assert "2 files written" in said

    script = CHECK.format(
        title=contribution.title,
        paper_url=reverse("debates:contribution-attachment", args=[contribution.pk]),
        slides_url=reverse("debates:talk-material", args=[talk.pk]),
    )
    said = run(["manage.py", "shell", "-c", script], database=new_database, media=restored_media)
    shown = json.loads(said.split("SHOWN ", 1)[1].splitlines()[0])
    assert shown["page"] == 200
    assert shown["title_on_page"]
    assert shown["paper"] == [200, hashlib.sha256(PDF_BYTES).hexdigest()]
    assert shown["slides"] == [200, hashlib.sha256(SLIDES).hexdigest()]

    # Restoring over it again is refused, unless asked to replace it.
    said = run(["bin/restore", backup], database=new_database, media=restored_media, fails=True)
    assert "already holds tables" in said
    said = run(["bin/restore", "--clean", backup], database=new_database, media=restored_media)
    assert "0 files written, 2 already there" in said


def test_a_damaged_backup_is_refused_before_anything_is_restored(
    seeded, settings, tmp_path, new_database
):
    contribution = make_contribution(attachment=PDF_BYTES)
    backup = tmp_path / "backup"
    run(
        ["bin/backup", backup], database=connection.settings_dict["NAME"], media=settings.MEDIA_ROOT
    )
    copy = backup / "files" / "contributions" / contribution.attachment.name
    copy.write_bytes(copy.read_bytes()[:-10])

    said = run(["bin/restore", backup], database=new_database, media=tmp_path / "m", fails=True)

    assert "missing or damaged; nothing was restored" in said
    with psycopg2.connect(database_url(new_database)) as restored, restored.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert cursor.fetchone() == (0,)

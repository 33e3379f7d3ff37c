"""
bin/backup and bin/restore, as the restore procedure in docs/operations.md runs them: a seeded
site with a published contribution and its paper is backed up, restored into a new database and
a new uploads folder, and the restored site serves the contribution and its paper. A backup is
its owner's alone, and holds nothing that lets its reader act on the live site.
"""

import hashlib
import importlib.util
import json
import os
import stat
import subprocess
import sys
from importlib.machinery import SourceFileLoader
from pathlib import Path

import psycopg2
import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.urls import reverse

from debates.models import Talk
from moderation import emails
from moderation.models import OutgoingMail
from tests.factories import PDF_BYTES, make_contribution, make_webmaster

BASE_DIR = Path(__file__).resolve().parent.parent
SLIDES = PDF_BYTES.replace(b"595 842", b"842 595")  # another file: a landscape page

pytestmark = pytest.mark.django_db(transaction=True)


def database_url(name):
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{db['USER']}{password}@{host}/{name}"


def run(script, *args, database, media, fails=False, umask=None):
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
        # As a login shell or cron job with this umask would start it.
        preexec_fn=None if umask is None else lambda: os.umask(umask),
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


def modes(folder):
    """Every folder and file under `folder` (and itself), with its permission bits in octal."""
    return {
        str(path.relative_to(folder.parent)): oct(stat.S_IMODE(path.stat().st_mode))
        for path in [folder, *folder.rglob("*")]
    }


def as_sql(dump):
    """The dump as the SQL pg_restore would run: what a reader of the backup can read in it."""
    loader = SourceFileLoader("mia_backup", str(BASE_DIR / "bin" / "backup"))
    backup = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(backup)
    pg_restore = backup.postgres_tool("pg_restore", connection.pg_version)
    done = subprocess.run([pg_restore, "--file=-", dump], capture_output=True, check=True)
    return done.stdout.decode()


# The restored site, asked about what the backup left out.
CHECK_SECRETS = """
import json
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from moderation.models import OutgoingMail
stolen = Client(HTTP_HOST="127.0.0.1")
stolen.cookies[settings.SESSION_COOKIE_NAME] = {session_key!r}
admin = stolen.get("/admin/")
sessions = Session.objects.count()
staff = Client(HTTP_HOST="127.0.0.1")
staff.force_login(get_user_model().objects.get(username={username!r}))
mails = {{m.subject: m.sent_at is None for m in OutgoingMail.objects.all()}}
bodies = [m.body_text + m.body_html + json.dumps(m.headers) for m in OutgoingMail.objects.all()]
highest = max(m.pk for m in OutgoingMail.objects.all())
new = OutgoingMail.objects.create(kind="published", subject="Efter gendannelsen", recipients=[])
print("SHOWN", json.dumps({{
    "stolen_session": [admin.status_code, admin.get("Location", "")],
    "sessions_restored": sessions,
    "admin_after_login": staff.get("/admin/").status_code,
    "waiting": mails,
    "bodies": bodies,
    "new_mail_numbered_after_the_rest": new.pk > highest,
}}))
"""


def test_a_backup_is_owner_only_and_holds_no_session_or_personal_link_of_sent_mail(
    seeded, settings, tmp_path, new_database, client
):
    contribution = make_contribution(attachment=PDF_BYTES, author_email="forfatter@example.dk")
    sent = emails.queue_published(contribution)  # sent at once: no transaction holds it back
    waiting = emails.queue_rejected(make_contribution(author_email="anden@example.dk"))
    OutgoingMail.objects.filter(pk=waiting.pk).update(sent_at=None)  # the mail server was away
    sent.refresh_from_db()
    assert sent.sent_at is not None
    (sent_link,) = set(emails.SIGNED_TOKEN.findall(sent.body_text))
    (waiting_link,) = set(emails.SIGNED_TOKEN.findall(waiting.body_text))
    webmaster = make_webmaster()
    client.force_login(webmaster)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    database, media = connection.settings_dict["NAME"], settings.MEDIA_ROOT

    # Under the usual umask, into a folder it makes; under a group-writable one, into an empty
    # folder made beforehand for it.
    made = tmp_path / "backups" / "nightly"
    run(["bin/backup", made], database=database, media=media, umask=0o022)
    given = tmp_path / "given"
    given.mkdir(mode=0o775)
    run(["bin/backup", given], database=database, media=media, umask=0o002)

    for backup in (made, given):
        found = modes(backup)
        assert {path for path, mode in found.items() if mode not in ("0o700", "0o600")} == set()
        for path in (backup / "files" / "contributions", backup / "files"):
            assert found[str(path.relative_to(backup.parent))] == "0o700"
        for name in ("database.dump", "manifest.json", "outbox.json"):
            assert found[f"{backup.name}/{name}"] == "0o600"
        paper = backup / "files" / "contributions" / contribution.attachment.name
        assert found[str(paper.relative_to(backup.parent))] == "0o600"
    assert oct(stat.S_IMODE((tmp_path / "backups").stat().st_mode)) == "0o700"

    readable = as_sql(made / "database.dump") + (made / "outbox.json").read_text()
    assert "forfatter@example.dk" in readable  # the backup is whole ...
    assert session_key not in readable  # ... but for the live session
    assert sent_link not in readable  # and the sent mail's personal link,
    assert waiting_link in readable  # which a mail still to be sent keeps

    run(["bin/restore", made], database=new_database, media=tmp_path / "restored-media")
    script = CHECK_SECRETS.format(session_key=session_key, username=webmaster.username)
    said = run(["manage.py", "shell", "-c", script], database=new_database, media=tmp_path / "m")
    shown = json.loads(said.split("SHOWN ", 1)[1].splitlines()[0])
    assert shown["stolen_session"][0] == 302
    assert shown["stolen_session"][1].startswith("/admin/login/")
    assert shown["sessions_restored"] == 0
    assert shown["admin_after_login"] == 200  # the empty table takes new sessions
    assert shown["waiting"] == {sent.subject: False, waiting.subject: True}
    bodies = "".join(shown["bodies"])
    assert sent_link not in bodies
    assert waiting_link in bodies
    assert shown["new_mail_numbered_after_the_rest"]

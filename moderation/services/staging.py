"""
Papers parked between the requests of one contribution form, so that a contributor who previews,
or has a field to correct, does not attach the paper again. The form carries a signed token that
names the parked file; it lasts a day, and the retention job deletes what was never sent.

Anyone may park a file, so parking is bounded: each visitor (a network, as the site's limits count
them) keeps at most MIA_STAGED_FILES_PER_NETWORK files, the oldest making way for a new one, and
the folder as a whole at most MIA_STAGING_MAX_MB and MAX_FILES, past which nothing more is parked.
"""

import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.files.base import File
from django.core.files.storage import storages
from django.utils import timezone
from django.utils.crypto import salted_hmac

FOLDER = "staging"
LIFETIME = timedelta(days=1)
SALT = "moderation.staged-upload"
# However small the files, so that parking (which lists the folder) stays cheap.
MAX_FILES = 5000


class StagingFull(Exception):
    """The folder holds as much as it may; the contributor attaches the paper again on sending."""


@dataclass(frozen=True)
class StagedUpload:
    token: str
    path: str
    name: str  # as the contributor's computer called it

    def open(self) -> File:
        return File(storages["contributions"].open(self.path), name="paper.pdf")


@dataclass(frozen=True)
class Parked:
    path: str
    size: int
    modified_at: datetime


def park(upload: File, *, visitor: str) -> StagedUpload:
    """
    Keep an upload for the next request of the same form; its token names it there. The visitor's
    oldest parked files are discarded to keep within their share; StagingFull if the folder would
    grow past its limit, in which case nothing is written or discarded.
    """
    storage = storages["contributions"]
    # Each file's name starts with a keyed hash of its visitor, which says nothing about who it is.
    prefix = f"{FOLDER}/{salted_hmac(SALT, visitor).hexdigest()[:20]}-"
    everything = parked()
    theirs = sorted((p for p in everything if p.path.startswith(prefix)), key=_age)
    to_discard = theirs[: max(0, len(theirs) - settings.MIA_STAGED_FILES_PER_NETWORK + 1)]
    total = sum(p.size for p in everything) - sum(p.size for p in to_discard) + upload.size
    count = len(everything) - len(to_discard) + 1
    if total > settings.MIA_STAGING_MAX_MB * 1024 * 1024 or count > MAX_FILES:
        raise StagingFull
    for old in to_discard:
        storage.delete(old.path)
    # A new name each time, so that an old token never names a newer file; it starts with the
    # time, which orders files parked within the second an S3 bucket's clock tells apart.
    path = storage.save(f"{prefix}{time.time_ns():016x}-{uuid.uuid4().hex}.pdf", upload)
    token = signing.dumps({"path": path, "name": upload.name}, salt=SALT)
    return StagedUpload(token=token, path=path, name=upload.name)


def read(token: str) -> StagedUpload | None:
    """The upload a token names; None if the token was altered or is too old, or the file gone."""
    if not token:
        return None
    try:
        parked = signing.loads(token, salt=SALT, max_age=LIFETIME)
    except signing.BadSignature:
        return None
    if not storages["contributions"].exists(parked["path"]):
        return None
    return StagedUpload(token=token, path=parked["path"], name=parked["name"])


def discard(staged: StagedUpload) -> None:
    storages["contributions"].delete(staged.path)


def expired(*, now: datetime | None = None) -> list[str]:
    """Parked files older than their token, by their names in the contributions storage."""
    before = (now or timezone.now()) - LIFETIME
    return sorted(p.path for p in parked() if p.modified_at < before)


def parked() -> list[Parked]:
    """Every parked file, with its size and age."""
    storage = storages["contributions"]
    bucket = getattr(storage, "bucket", None)
    if bucket is not None:
        # An S3 bucket has no folders to ask about, and one listing gives every size and age,
        # where asking file by file would cost two requests each.
        prefix = f"{storage.location.strip('/')}/{FOLDER}/".lstrip("/")
        return [
            Parked(f"{FOLDER}/{item.key[len(prefix) :]}", item.size, item.last_modified)
            for item in bucket.objects.filter(Prefix=prefix)
        ]
    try:
        names = storage.listdir(FOLDER)[1]
    except FileNotFoundError:  # nothing was ever parked
        return []
    found = []
    for path in (f"{FOLDER}/{name}" for name in names):
        try:
            found.append(Parked(path, storage.size(path), storage.get_modified_time(path)))
        except FileNotFoundError:  # sent or discarded by another request meanwhile
            continue
    return found


def _age(file: Parked) -> tuple[datetime, str]:
    return file.modified_at, file.path

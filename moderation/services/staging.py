"""
Papers parked between the requests of one contribution form, so that a contributor who previews,
or has a field to correct, does not attach the paper again. The form carries a signed token that
names the parked file; it lasts a day, and the retention job deletes what was never sent.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core import signing
from django.core.files.base import File
from django.core.files.storage import storages
from django.utils import timezone

FOLDER = "staging"
LIFETIME = timedelta(days=1)
SALT = "moderation.staged-upload"


@dataclass(frozen=True)
class StagedUpload:
    token: str
    path: str
    name: str  # as the contributor's computer called it

    def open(self) -> File:
        return File(storages["contributions"].open(self.path), name="paper.pdf")


def park(upload: File) -> StagedUpload:
    """Keep an upload for the next request of the same form; its token names it there."""
    path = storages["contributions"].save(f"{FOLDER}/upload.pdf", upload)
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
    storage = storages["contributions"]
    if not storage.exists(FOLDER):
        return []
    before = (now or timezone.now()) - LIFETIME
    _folders, names = storage.listdir(FOLDER)
    paths = [f"{FOLDER}/{name}" for name in names]
    return [path for path in paths if storage.get_modified_time(path) < before]

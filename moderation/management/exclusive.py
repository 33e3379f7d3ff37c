"""
One run of a scheduled job at a time, across every server that shares the database.

Cron starts the same job on each server at the same minute. Where the job's work cannot be
claimed row by row (a mailbox being read), the whole run holds a PostgreSQL advisory lock, and a
run that finds it taken does nothing. The lock belongs to the database session, so it is let go
when the run ends, or when its process dies. SQLite serves one machine, whose writers it
serialises; there every run goes ahead.
"""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connection


def lock_key(job: str) -> int:
    """The advisory lock's number for a job: the same on every server, and no other job's."""
    digest = hashlib.sha256(f"mia-forum:{job}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def one_run_at_a_time(job: str) -> Iterator[bool]:
    """True inside if this run may go ahead; False if another run of the job holds the lock."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = lock_key(job)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        (acquired,) = cursor.fetchone()
    if not acquired:
        yield False
        return
    try:
        yield True
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        except DatabaseError:
            # The session is gone (the database restarted, say), and its lock with it.
            connection.close()

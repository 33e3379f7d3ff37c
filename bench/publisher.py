"""
Publish, and take back again, a pending contribution through the moderation services, one
command at a time, for bench/pages.py to time the first view of a question after a real publish.

    publish <question slug>   answers   published <pk>
    undo <pk>                 answers   undone          (unpublished, then back in the queue)

It reads the commands on stdin and must run with the bench server's environment (its database
and cache), so that a publish reaches the pages as a moderator's would. A question with nothing
pending gets a contribution submitted and confirmed first, as a contributor would send it.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mia_forum.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from debates.models import Contribution, Question  # noqa: E402
from moderation import services  # noqa: E402

EDITOR_USERNAME = "bench-redaktion"
REASON = "Taget tilbage igen af benchmarken, der målte siden lige efter en offentliggørelse."


def editor():
    """The moderator the benchmark's decisions are recorded under; it cannot log in."""
    user, created = get_user_model().objects.get_or_create(
        username=EDITOR_USERNAME,
        defaults={"email": f"{EDITOR_USERNAME}@example.org", "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def pending_on(slug):
    waiting = Contribution.objects.filter(
        question__slug=slug, status=Contribution.Status.PENDING
    ).order_by("pk")
    contribution = waiting.first()
    if contribution is None:
        contribution = services.submit_contribution(
            question=Question.objects.get(slug=slug),
            author_name="Benchmark Bidrag",
            author_email="benchmark@example.org",
            title="Et bidrag til målingen",
            body="Et kort bidrag, der offentliggøres og tages tilbage igen under målingen.",
            submitter_ip="192.0.2.1",
        )
        contribution = services.confirm_contribution(contribution=contribution)
    return contribution


def main():
    actor = editor()
    for line in sys.stdin:
        command, _, argument = line.strip().partition(" ")
        try:
            if command == "publish":
                contribution = services.publish(contribution=pending_on(argument), actor=actor)
                answer = f"published {contribution.pk}"
            elif command == "undo":
                contribution = Contribution.objects.get(pk=int(argument))
                contribution = services.unpublish(
                    contribution=contribution, actor=actor, reason=REASON
                )
                services.reopen(contribution=contribution, actor=actor)
                answer = "undone"
            else:
                answer = f"error unknown command {command!r}"
        except Exception as error:  # the bench reports it and stops
            answer = f"error {type(error).__name__}: {error}"
        print(answer, flush=True)


if __name__ == "__main__":
    main()

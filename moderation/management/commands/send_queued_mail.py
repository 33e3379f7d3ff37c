from django.core.management.base import BaseCommand

from moderation.models import OutgoingMail
from moderation.outbox import send_queued
from moderation.services import announce_published


class Command(BaseCommand):
    help = (
        "Send the mail that could not be sent after the page that queued it (the mail server was "
        "down or slow, say), and tell followers of anything published that they have not yet "
        "heard of. Run it every few minutes from cron or a systemd timer; it is safe to run on "
        "several servers at once: each mail is sent by one of them. With -v 0 it prints only "
        "problems."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="Send at most this many.")

    def handle(self, *args, limit, **options):
        quiet = options["verbosity"] < 1
        announced = announce_published()
        waiting = OutgoingMail.objects.filter(sent_at=None).count()
        if not waiting:
            if not quiet:
                self.stdout.write("No unsent mail.")
            return
        if not quiet:
            self.stdout.write(
                f"{waiting} unsent mail ({announced} new notices); sending at most {limit}…"
            )
        sent, failed = send_queued(limit=limit)
        # Counted again: a sender on another server may have sent some meanwhile.
        left = OutgoingMail.objects.filter(sent_at=None).count()
        summary = f"Sent {sent}, failed {failed}, left {left}."
        if failed:
            self.stderr.write(self.style.WARNING(summary))
        elif not quiet:
            self.stdout.write(self.style.SUCCESS(summary))

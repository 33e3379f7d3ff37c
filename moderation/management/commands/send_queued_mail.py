from django.core.management.base import BaseCommand

from moderation.emails import send_queued
from moderation.models import OutgoingMail


class Command(BaseCommand):
    help = (
        "Send the mail that could not be sent when it was queued (the mail server was down, say). "
        "Run it every few minutes from cron or a systemd timer; it is safe to run twice at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="Send at most this many.")

    def handle(self, *args, limit, **options):
        waiting = OutgoingMail.objects.filter(sent_at=None).count()
        if not waiting:
            self.stdout.write("No unsent mail.")
            return
        self.stdout.write(f"{waiting} unsent mail; sending at most {limit}…")
        sent, failed = send_queued(limit=limit)
        style = self.style.SUCCESS if not failed else self.style.WARNING
        self.stdout.write(style(f"Sent {sent}, failed {failed}, left {waiting - sent}."))

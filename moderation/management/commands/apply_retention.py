from django.conf import settings
from django.core.management.base import BaseCommand

from moderation.management.exclusive import one_run_at_a_time
from moderation.services import apply_retention


class Command(BaseCommand):
    help = (
        "Apply the retention rules of the privacy notice: delete never-confirmed contributions "
        "whose link has expired, close as rejected those sent back for revision and not revised "
        f"within MIA_REVISION_DAYS (now {settings.MIA_REVISION_DAYS}) days, remove e-mail and "
        "network addresses from contributions "
        f"decided more than MIA_RETENTION_MONTHS (now {settings.MIA_RETENTION_MONTHS}) months "
        "ago, and clear out the mail log, stale subscriptions and abandoned uploads. "
        "Run it once a day; on several servers at once, one of them applies the rules."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count what would be removed."
        )

    def handle(self, *args, dry_run, **options):
        # Run on every server at once, the rules are applied by one; the others would only
        # report, and delete, what it is deleting.
        with one_run_at_a_time("apply_retention") as ours:
            if not ours:
                self.stdout.write("Another run of apply_retention is in progress; nothing done.")
                return
            self._apply(dry_run)

    def _apply(self, dry_run):
        self.stdout.write(
            "Counting what the retention rules remove…"
            if dry_run
            else "Applying the retention rules…"
        )
        report = apply_retention(dry_run=dry_run)
        lines = [
            ("never-confirmed contributions deleted", report.unconfirmed_deleted),
            ("contributions not revised in time, closed as rejected", report.revisions_lapsed),
            (
                "contributions whose e-mail and network addresses are removed",
                report.addresses_removed,
            ),
            ("subscriptions deleted", report.subscriptions_deleted),
            ("logged mails deleted", report.mails_deleted),
            ("abandoned uploads deleted", report.uploads_deleted),
            (
                "readers' reports whose network addresses are removed",
                report.report_addresses_removed,
            ),
        ]
        for what, count in lines:
            self.stdout.write(f"  {count:>6}  {what}")
        total = sum(count for _what, count in lines)
        if dry_run:
            self.stdout.write(
                self.style.WARNING(f"Dry run: {total} items would be removed; nothing was changed.")
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"Done: {total} items removed."))

from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.management.base import BaseCommand
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from debates.models import RenderedMarkdown

DEFAULT_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "mia.json"


class Command(BaseCommand):
    help = (
        "Load the site's seeded content (workshops, speakers, talks, the conclusions paper and "
        "its open questions). Only rows that are missing are created: what the webmaster has "
        "edited in the admin is never overwritten, and running it twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fixture", type=Path, default=DEFAULT_FIXTURE)
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, fixture, database, **options):
        created, kept = [], 0
        with transaction.atomic(using=database), fixture.open(encoding="utf-8") as stream:
            for item in serializers.deserialize("json", stream, using=database):
                model = type(item.object)
                if model._default_manager.using(database).filter(pk=item.object.pk).exists():
                    kept += 1
                    continue
                if isinstance(item.object, RenderedMarkdown):
                    # A fixture's rows are saved raw, past the save() that renders their Markdown.
                    item.object.render_markdown()
                item.save(using=database)
                created.append(model)
            self._reset_sequences(database, set(created))
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded content from {fixture.name}: {len(created)} created, "
                f"{kept} already present and left as they are."
            )
        )

    def _reset_sequences(self, database, models):
        """Rows were written with explicit keys; move PostgreSQL's sequences past them."""
        connection = connections[database]
        statements = connection.ops.sequence_reset_sql(no_style(), list(models))
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

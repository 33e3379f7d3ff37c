"""
Content that is there before its history begins gets a first version, "as it stood when the
history began", made by no one, so that the first edit in the admin has a version to compare with
and to restore. Rows that already have a version are left alone, so running it again adds none.
"""

from django.db import migrations
from django.utils import timezone

VERSIONED = ["workshop", "speaker", "talk", "paper", "paragraph", "question", "accessibilitystatement"]


def keep_what_is_there(apps, schema_editor):
    using = schema_editor.connection.alias
    now = timezone.now()
    for name in VERSIONED:
        model = apps.get_model("debates", name)
        history = apps.get_model("debates", f"historical{name}")
        fields = [
            field.attname
            for field in history._meta.concrete_fields
            if not field.name.startswith("history_")
        ]
        versioned = set(history.objects.using(using).values_list("id", flat=True))
        for row in model.objects.using(using).exclude(pk__in=versioned).order_by("pk"):
            version = history.objects.using(using).create(
                **{attname: getattr(row, attname) for attname in fields},
                history_date=now,
                history_type="+",
                history_change_reason="migration",
                history_user_name="",
            )
            if name == "talk":
                through = model._meta.get_field("speakers").remote_field.through
                speakers = apps.get_model("debates", "historicaltalk_speakers")
                speakers.objects.using(using).bulk_create(
                    speakers(history=version, id=link.pk, talk_id=row.pk, speaker_id=link.speaker_id)
                    for link in through.objects.using(using).filter(talk_id=row.pk)
                )


class Migration(migrations.Migration):
    dependencies = [
        ("debates", "0010_content_history"),
    ]

    operations = [
        migrations.RunPython(keep_what_is_there, migrations.RunPython.noop, elidable=True),
    ]

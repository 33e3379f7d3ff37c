"""Create the "Webmaster" group, with the moderation permission (see moderation/roles.py)."""

from django.db import migrations


def create_group(apps, schema_editor):
    from moderation.roles import sync_webmaster_group

    sync_webmaster_group(apps=apps, using=schema_editor.connection.alias, strict=False)


def remove_group(apps, schema_editor):
    from moderation.roles import WEBMASTER_GROUP

    apps.get_model("auth", "Group").objects.filter(name=WEBMASTER_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
        ("debates", "0002_contribution_moderation_fields"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]

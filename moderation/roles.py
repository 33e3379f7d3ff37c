"""
The "Webmaster" group: everything the editors need in the admin, moderation included.

It is brought in line after every `migrate` (and every test flush) by a `post_migrate` handler,
which runs once Django has created every model's permissions, so a deleted group or a permission
added in a later release is put right.
"""

from django.apps import apps as global_apps

WEBMASTER_GROUP = "Webmaster"
MODERATE_PERMISSION = "moderation.moderate_contributions"

WEBMASTER_PERMISSIONS = {
    "debates": {
        "workshop": ["view", "add", "change"],
        "speaker": ["view", "add", "change", "delete"],
        "talk": ["view", "add", "change", "delete"],
        "paper": ["view", "change"],
        "paragraph": ["view", "add", "change"],
        "question": ["view", "add", "change"],
        "contribution": ["view", "change"],
        "accessibilitystatement": ["view", "change"],
        # The content's earlier versions: seen, and restored where the content may be changed.
        "historicalworkshop": ["view"],
        "historicalspeaker": ["view"],
        "historicaltalk": ["view"],
        "historicalpaper": ["view"],
        "historicalparagraph": ["view"],
        "historicalquestion": ["view"],
        "historicalaccessibilitystatement": ["view"],
    },
    "moderation": {
        "decision": ["view"],
        "outgoingmail": ["view"],
        "subscription": ["view", "delete"],
        "blockrule": ["view", "add", "change"],
        "report": ["view"],
    },
}


def webmaster_codenames():
    yield MODERATE_PERMISSION.split(".")
    for app_label, models in WEBMASTER_PERMISSIONS.items():
        for model, actions in models.items():
            for action in actions:
                yield app_label, f"{action}_{model}"


def sync_webmaster_group(apps=global_apps, using="default"):
    """Create the group if it is missing and give it exactly the permissions above."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(using).get_or_create(name=WEBMASTER_GROUP)
    wanted = list(webmaster_codenames())
    permissions = [
        permission
        for app_label, codename in wanted
        for permission in Permission.objects.using(using).filter(
            content_type__app_label=app_label, codename=codename
        )
    ]
    if len(permissions) != len(wanted):
        found = {(p.content_type.app_label, p.codename) for p in permissions}
        raise LookupError(f"Unknown permissions for the Webmaster group: {set(wanted) - found}")
    group.permissions.set(permissions)
    return group


def sync_after_migrate(sender, app_config, using="default", apps=global_apps, **kwargs):
    if app_config.label == "moderation":
        sync_webmaster_group(apps=apps, using=using)

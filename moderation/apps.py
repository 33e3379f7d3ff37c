from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = _("Moderation")

    def ready(self):
        from moderation import signals
        from moderation.roles import sync_after_migrate

        post_migrate.connect(sync_after_migrate, sender=self)
        signals.connect()

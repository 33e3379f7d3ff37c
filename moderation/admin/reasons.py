"""The saved reasons the moderators pick from when they reject or unpublish."""

from django.contrib import admin

from moderation.admin.base import ModerationAdmin
from moderation.models import SavedReason


@admin.register(SavedReason)
class SavedReasonAdmin(ModerationAdmin):
    """The moderators' own list: whoever may moderate keeps it, nobody else sees it."""

    list_display = ["title", "text_da", "is_active", "position"]
    list_editable = ["is_active", "position"]
    fields = ["title", "text_da", "text_en", "is_active", "position"]

    def has_module_permission(self, request):
        return self.has_moderate_permission(request)

    def has_view_permission(self, request, obj=None):
        return self.has_moderate_permission(request)

    def has_add_permission(self, request):
        return self.has_moderate_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_moderate_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_moderate_permission(request)

"""What the webmaster's desk pages share: who may moderate, and records nobody edits by hand."""

from django.contrib import admin

from moderation.roles import MODERATE_PERMISSION


class ModerationAdmin(admin.ModelAdmin):
    """Actions marked `permissions=["moderate"]` are offered only to staff who may moderate."""

    def has_moderate_permission(self, request):
        return request.user.has_perm(MODERATE_PERMISSION)


class RecordAdmin(ModerationAdmin):
    """A record the site writes itself: staff read it; nobody adds, changes or deletes one."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

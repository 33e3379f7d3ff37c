"""
Every earlier version of the site's content: workshops, speakers, talks, the paper, its paragraphs
and questions, and the accessibility statement, each with who made it and when.

django-simple-history keeps each version as a row in a table beside its model's
(debates_historicalparagraph, ...): the fields as the webmaster wrote them (not the HTML, which
follows from the Markdown), a talk's speakers, the time, the editor with their user name (kept if
the account goes), and why, when it was not an editor's edit (`Source`). Contributions are not
versioned: their decisions and edits have a record of their own, and their own erasure.

A save that changes nothing makes no version. Inside `one_version_each()` (the admin's change
pages, seeding, restoring) every object saved gets one version as the block ends, holding its
final state with its speakers; elsewhere each save makes its own. A queryset's `update()` and
`bulk_*()` make none: code that changes content so records it with `record_version()`.
"""

import contextlib
from contextvars import ContextVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models, transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record
from simple_history.utils import get_m2m_reverse_field_name


class Source(models.TextChoices):
    """Why a version was made, when not by an editor's edit (its history_change_reason)."""

    SEED = "seed"
    MIGRATION = "migration"
    RESTORE = "restore"
    CLOSE = "close"


class ContentVersion(models.Model):
    """What each version holds besides the content's fields and simple-history's own."""

    history_user_name = models.CharField(
        _("changed by"),
        max_length=150,
        blank=True,
        help_text=_("The editor's user name, kept if the account is deleted. Empty: a command."),
    )
    history_restored_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("restored from"),
    )

    class Meta:
        abstract = True


class VersionError(Exception):
    """A version that cannot be restored; the message says why, to the webmaster."""


# Each versioned model's ContentHistory, and the objects waiting for their version in a block.
HISTORIES: dict[type[models.Model], "ContentHistory"] = {}
_pending: ContextVar[dict | None] = ContextVar("debates_pending_versions", default=None)


class ContentHistory(HistoricalRecords):
    """A model's versions; give a model one as `history = ContentHistory()`."""

    def __init__(self, **kwargs):
        super().__init__(bases=[ContentVersion], **kwargs)

    def contribute_to_class(self, cls, name):
        # The HTML follows from the Markdown, and is rendered again when a version is restored.
        rendered = [f"{field}_html" for field in getattr(cls, "markdown_fields", ())]
        self.excluded_fields = [*self.excluded_fields, *rendered]
        super().contribute_to_class(cls, name)
        HISTORIES[cls] = self

    def get_meta_options(self, model):
        options = super().get_meta_options(model)
        options["verbose_name"] = format_lazy(_("{} (version)"), model._meta.verbose_name)
        options["verbose_name_plural"] = format_lazy(
            _("{} (versions)"), model._meta.verbose_name_plural
        )
        return options

    def create_historical_record(self, instance, history_type, using=None):
        pending = _pending.get()
        key = (type(instance), instance.pk)
        if pending is not None and history_type != "-":
            earlier = pending.get(key)
            created = history_type == "+" or (earlier is not None and earlier[1] == "+")
            pending[key] = (instance, "+" if created else "~", using)
            return
        if pending is not None:
            pending.pop(key, None)
        if history_type == "~" and not self.has_changed(instance):
            return
        super().create_historical_record(instance, history_type, using)

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        if not reverse:
            return super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)
        # From the other side (speaker.talks.add(talk)): each talk named has changed.
        if action in ("post_add", "post_remove") and pk_set:
            for obj in self.cls._default_manager.filter(pk__in=pk_set):
                self.create_historical_record(obj, "~")
        return None

    def latest_version(self, pk):
        manager = getattr(self.cls, self.manager_name)
        return manager.filter(**{self.cls._meta.pk.attname: pk}).order_by("-history_id").first()

    def has_changed(self, instance):
        """Whether `instance` holds anything its latest version does not."""
        latest = self.latest_version(instance.pk)
        if latest is None or latest.history_type == "-":
            return True
        return self.values(instance) != self.values(latest)

    def values(self, obj):
        """The versioned values of an object or of a version: fields, and each M2M's keys."""
        fields = self.fields_included(self.cls)
        values = {field.attname: same_lines(getattr(obj, field.attname)) for field in fields}
        for field in self.get_m2m_fields_from_model(self.cls):
            related = getattr(obj, field.name)
            if isinstance(obj, self.cls):
                keys = related.values_list("pk", flat=True)
            else:
                keys = related.values_list(get_m2m_reverse_field_name(field), flat=True)
            values[field.name] = set(keys)
        return values


def same_lines(value):
    """A text's CRLF line endings, which browsers send, as LF: the same text is no change."""
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def _fill_version(sender, instance, history_instance, history_user, **kwargs):
    if isinstance(history_instance, ContentVersion):
        history_instance.history_user_name = history_user.get_username() if history_user else ""
        history_instance.history_restored_from = getattr(instance, "_restored_from", None)


pre_create_historical_record.connect(_fill_version, dispatch_uid="debates-content-version")


@contextlib.contextmanager
def one_version_each(*, reason: str = ""):
    """
    Give every content object saved in the block one version as the block ends (and none if it
    fails), with `reason` where none is set: a page's save, its inlines and their speakers are
    one edit. Blocks nest; the outermost records.
    """
    if _pending.get() is not None:
        yield
        return
    token = _pending.set({})
    try:
        yield
        pending = _pending.get()
    finally:
        _pending.reset(token)
    for instance, history_type, using in pending.values():
        if reason and not getattr(instance, "_change_reason", None):
            instance._change_reason = reason
        HISTORIES[type(instance)].create_historical_record(instance, history_type, using)


def record_version(
    instance: models.Model, *, user: AbstractBaseUser | None, reason: str = "", created=False
) -> None:
    """
    Record what `instance` holds now as its next version, by `user` (None for a command), where
    its save sent no signal: a conditional `update()`, or a fixture's raw save (`created`).
    """
    instance._history_user = user
    instance._change_reason = reason
    HISTORIES[type(instance)].create_historical_record(instance, "+" if created else "~")
    if _pending.get() is None:
        del instance._history_user, instance._change_reason


def is_versioned(model: type[models.Model]) -> bool:
    return model in HISTORIES


def restore_version(*, version, user: AbstractBaseUser) -> models.Model:
    """
    Staff who may change an object bring back one of its earlier versions. It is saved through
    the model's save(), so its HTML is rendered again and every page that shows it changes, and
    recorded as a new version that says which one it restored; no version is changed or lost.
    """
    model = version.instance_type
    history = HISTORIES[model]
    with transaction.atomic(), one_version_each():
        pk = getattr(version, model._meta.pk.attname)
        try:
            current = model._default_manager.select_for_update().get(pk=pk)
        except ObjectDoesNotExist:
            message = _("It has been deleted since; a deleted item is not restored.")
            raise VersionError(message) from None
        wanted = history.values(version)
        if wanted == history.values(current):
            raise VersionError(_("That version is the same as the current one."))
        restored = version.instance
        restored._state.adding = False
        restored._state.db = current._state.db
        # The same checks as the admin's form: a slug taken since, a talk deleted since, ...
        try:
            restored.full_clean()
        except ValidationError as error:
            raise VersionError(" ".join(error.messages)) from error
        restored._history_user = user
        restored._change_reason = Source.RESTORE
        restored._restored_from = version
        restored.save()
        for field in history.get_m2m_fields_from_model(model):
            keys = wanted[field.name]
            # Related rows deleted since (a speaker) cannot come back with the version.
            related = field.related_model._default_manager.filter(pk__in=keys)
            getattr(restored, field.name).set(related)
    return restored

"""
The content's history in the admin. Each versioned object's History page lists its versions,
newest first: when, by whom, what changed (fields with their old and new values, Markdown line
by line with the words that changed), and a button that restores an earlier one as a new
version. The paper's page holds its paragraphs' and questions' versions too, and a workshop's its
talks', so one page answers who changed the paper and when.

Staff see a model's versions with the view permission on them (debates.view_historicalpaper,
...), which the Webmaster group has; restoring one also needs the right to change the content.
"""

import itertools
from dataclasses import dataclass, field

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models, router, transaction
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.text import capfirst, get_text_list
from django.utils.translation import gettext as _
from simple_history.models import DeletedObject
from simple_history.utils import get_history_model_for_model

from debates import versions
from debates.textdiff import Line, line_diff

PER_PAGE = 30
MAX_PAGES = 200
PAGE_VAR = "p"


def may_see_versions(user, model: type[models.Model]) -> bool:
    opts = get_history_model_for_model(model)._meta
    return user.has_perm(f"{opts.app_label}.view_{opts.model_name}")


def may_restore(user, model: type[models.Model]) -> bool:
    opts = model._meta
    return may_see_versions(user, model) and user.has_perm(
        f"{opts.app_label}.change_{opts.model_name}"
    )


@dataclass
class Change:
    """One field of a version against the version before it."""

    label: str
    # "lines": a text compared line by line; "whole": a text too long for that, shown whole on
    # each side; "value": old and new; "set": what a many-to-many field lost and gained.
    kind: str
    lines: list[Line] | None = None
    old: str = ""
    new: str = ""
    # The names a many-to-many field (a talk's speakers) lost and gained.
    removed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)


@dataclass
class Entry:
    version: models.Model
    model: type[models.Model]
    label: str
    summary: str
    changes: list[Change]
    # For a first version, what it held: (label, text) of each field that is not empty.
    contents: list[tuple[str, str]]
    is_current: bool
    may_restore: bool

    @property
    def model_name(self):
        return self.model._meta.model_name


class VersionedAdmin(admin.ModelAdmin):
    """An admin whose History page shows the model's versions (and its `version_children`')."""

    # (model, name of its foreign key to this admin's model) whose versions this page shows too.
    version_children: tuple[tuple[type[models.Model], str], ...] = ()

    def get_urls(self):
        opts = self.model._meta
        restore = path(
            "<path:object_id>/history/restore/",
            self.admin_site.admin_view(self.restore_view),
            name=f"{opts.app_label}_{opts.model_name}_restore",
        )
        return [restore, *super().get_urls()]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "versions_hidden": not may_see_versions(request.user, self.model),
        }
        # The page's object, its inlines and their speakers make one version each.
        with (
            transaction.atomic(using=router.db_for_write(self.model)),
            versions.one_version_each(),
        ):
            return super().changeform_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not (
            self.has_view_or_change_permission(request, obj)
            and may_see_versions(request.user, self.model)
        ):
            raise PermissionDenied
        page = _page_number(request)
        entries, has_next = self._entries(request, obj, page)
        opts = self.opts
        context = {
            **self.admin_site.each_context(request),
            "title": _("History: %(object)s") % {"object": obj},
            "subtitle": None,
            "object": obj,
            "opts": opts,
            "module_name": str(capfirst(opts.verbose_name_plural)),
            "entries": entries,
            "children": get_text_list(
                [str(child._meta.verbose_name_plural) for child, _fk in self._children(request)],
                _("and"),
            ),
            "restore_url": reverse(
                f"admin:{opts.app_label}_{opts.model_name}_restore", args=[obj.pk]
            ),
            "page": page,
            "page_var": PAGE_VAR,
            "has_next": has_next and page < MAX_PAGES,
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/debates/versions.html", context)

    def restore_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        sources = {model._meta.model_name: (model, fk) for model, fk in self._sources(request)}
        model, fk = sources.get(request.POST.get("model"), (None, None))
        if model is None:
            raise PermissionDenied
        if not may_restore(request.user, model):
            raise PermissionDenied
        belongs = {fk: obj.pk} if fk else {model._meta.pk.attname: obj.pk}
        try:
            number = int(request.POST.get("version", ""))
        except ValueError:
            raise Http404 from None
        version = get_object_or_404(model.history.filter(**belongs), history_id=number)
        try:
            restored = versions.restore_version(version=version, user=request.user)
        except versions.VersionError as error:
            self.message_user(
                request,
                _("The version of %(date)s was not restored: %(reason)s")
                % {"date": _when(version), "reason": error},
                messages.ERROR,
            )
        else:
            self.log_change(
                request,
                restored,
                _("Restored the version of %(date)s.") % {"date": _when(version)},
            )
            self.message_user(
                request,
                _("The version of %(date)s of “%(object)s” is restored, as a new version.")
                % {"date": _when(version), "object": restored},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_history", args=[obj.pk])
        )

    def _children(self, request):
        return [
            (model, fk)
            for model, fk in self.version_children
            if may_see_versions(request.user, model)
        ]

    def _sources(self, request):
        return [(self.model, None), *self._children(request)]

    def _entries(self, request, obj, page):
        """One page of versions of the object and its children, newest first."""
        wanted = page * PER_PAGE + 1
        found = []
        for order, (model, fk) in enumerate(self._sources(request)):
            belongs = {fk: obj.pk} if fk else {model._meta.pk.attname: obj.pk}
            newest = model.history.filter(**belongs).order_by("-history_date", "-history_id")
            found += [(version, model, order) for version in newest[:wanted]]
        found.sort(key=lambda row: (row[0].history_date, -row[2], row[0].history_id), reverse=True)
        shown = found[(page - 1) * PER_PAGE : page * PER_PAGE]
        previous = _previous_versions([(version, model) for version, model, _order in shown])
        latest, existing = _latest_versions([(version, model) for version, model, _o in shown])
        entries = []
        for version, model, order in shown:
            key = (model, getattr(version, model._meta.pk.attname))
            before = previous.get((model, version.history_id))
            entries.append(
                Entry(
                    version=version,
                    model=model,
                    label=_label(version, model, is_child=order > 0),
                    summary=_summary(version),
                    changes=_changes(version, before) if before is not None else [],
                    contents=_contents(version, model) if before is None else [],
                    is_current=latest.get(key) == version.history_id and key in existing,
                    may_restore=(
                        key in existing
                        and latest.get(key) != version.history_id
                        and version.history_type != "-"
                        and may_restore(request.user, model)
                    ),
                )
            )
        return entries, len(found) > page * PER_PAGE


def _page_number(request):
    try:
        page = int(request.GET.get(PAGE_VAR, 1))
    except ValueError:
        raise Http404 from None
    if not 1 <= page <= MAX_PAGES:
        raise Http404
    return page


def _previous_versions(shown):
    """{(model, history_id): the version before it of the same object}, in a query per object."""
    by_object = {}
    for version, model in shown:
        key = (model, getattr(version, model._meta.pk.attname))
        by_object.setdefault(key, []).append(version)
    previous = {}
    for (model, pk), found in by_object.items():
        found.sort(key=lambda version: version.history_id, reverse=True)
        for newer, older in itertools.pairwise(found):
            previous[(model, newer.history_id)] = older
        oldest = found[-1]
        before = (
            model.history.filter(**{model._meta.pk.attname: pk}, history_id__lt=oldest.history_id)
            .order_by("-history_id")
            .first()
        )
        if before is not None:
            previous[(model, oldest.history_id)] = before
    return previous


def _latest_versions(shown):
    """The newest version of each object shown, and which of the objects still exist."""
    latest, existing = {}, set()
    by_model = {}
    for version, model in shown:
        by_model.setdefault(model, set()).add(getattr(version, model._meta.pk.attname))
    for model, pks in by_model.items():
        attname = model._meta.pk.attname
        rows = (
            model.history.filter(**{f"{attname}__in": pks})
            .values(attname)
            .annotate(newest=models.Max("history_id"))
            .order_by()
        )
        latest.update({(model, row[attname]): row["newest"] for row in rows})
        still_there = model._default_manager.filter(pk__in=pks).values_list("pk", flat=True)
        existing.update((model, pk) for pk in still_there)
    return latest, existing


def _when(version):
    return formats.date_format(timezone.localtime(version.history_date), "DATETIME_FORMAT")


def _label(version, model, *, is_child):
    kind = capfirst(model._meta.verbose_name)
    if not is_child:
        return kind
    name = getattr(version, "title", "") or getattr(version, "name", "")
    if name:
        return f"{kind}: {name}"
    return f"{kind} {getattr(version, 'position', '')}".strip()


def _summary(version):
    """What happened, and who did it: an editor by user name, or a command."""
    reason = version.history_change_reason or ""
    by = version.history_user_name
    if reason == versions.Source.RESTORE:
        restored = version.history_restored_from
        what = (
            _("Restored the version of %(date)s") % {"date": _when(restored)}
            if restored is not None
            else _("Restored an earlier version")
        )
    elif reason == versions.Source.CLOSE:
        what = _("Closed")
    elif reason == versions.Source.SEED:
        return _("Loaded with the site's content by the seed_content command")
    elif reason == versions.Source.MIGRATION:
        return _("As it stood when the history began (recorded by a migration)")
    else:
        what = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}[version.history_type]
    if by:
        return _("%(what)s by %(user)s") % {"what": what, "user": by}
    return _("%(what)s by a command, with no user") % {"what": what}


def _changes(version, before):
    model = version.instance_type
    delta = version.diff_against(before, foreign_keys_are_objs=True)
    order = {f.name: index for index, f in enumerate(model._meta.get_fields())}
    changes = []
    for change in sorted(delta.changes, key=lambda change: order.get(change.field, 0)):
        model_field = model._meta.get_field(change.field)
        label = capfirst(model_field.verbose_name)
        if model_field.many_to_many:
            reverse_name = model_field.m2m_reverse_field_name()
            old = {_shown(row[reverse_name]) for row in change.old}
            new = {_shown(row[reverse_name]) for row in change.new}
            changes.append(Change(label, "set", removed=sorted(old - new), added=sorted(new - old)))
        elif isinstance(change.old or change.new or "", str) and not model_field.choices:
            old, new = change.old or "", change.new or ""
            if versions.same_lines(old) == versions.same_lines(new):
                continue
            lines = line_diff(old, new)
            kind = "whole" if lines is None else "lines"
            changes.append(Change(label, kind, lines=lines, old=old, new=new))
        else:
            changes.append(
                Change(
                    label,
                    "value",
                    old=_display(model_field, change.old),
                    new=_display(model_field, change.new),
                )
            )
    return changes


def _contents(version, model):
    contents = []
    for model_field in model._meta.get_fields():
        if not getattr(model_field, "editable", False) or model_field.auto_created:
            continue
        if model_field.many_to_many:
            if not hasattr(version, model_field.name):
                continue
            related = getattr(version, model_field.name).select_related(
                model_field.m2m_reverse_field_name()
            )
            names = ", ".join(
                _shown(getattr(row, model_field.m2m_reverse_field_name())) for row in related
            )
            if names:
                contents.append((capfirst(model_field.verbose_name), names))
            continue
        value = getattr(version, model_field.name, None)
        if value not in (None, ""):
            contents.append((capfirst(model_field.verbose_name), _display(model_field, value)))
    return contents


def _display(model_field, value):
    if value in (None, ""):
        return _("(empty)")
    if isinstance(value, DeletedObject):
        return _shown(value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(model_field, models.DateField):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(model_field, models.FileField):
        return getattr(value, "name", value) or _("(empty)")
    return str(value)


def _shown(related):
    if isinstance(related, DeletedObject):
        return _("%(kind)s no. %(pk)s, since deleted") % {
            "kind": capfirst(related.model._meta.verbose_name),
            "pk": related.pk,
        }
    return str(related)

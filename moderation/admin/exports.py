"""The research export from the desk's list: the published ones among the selected, no addresses."""

from django.contrib import admin
from django.http import HttpResponse
from django.utils.translation import gettext_lazy

from debates.exports import published_rows, write_csv, write_json


@admin.action(description=gettext_lazy("Export the published ones among the selected as CSV"))
def export_csv(modeladmin, request, queryset):
    return _export_response(queryset, "csv")


@admin.action(description=gettext_lazy("Export the published ones among the selected as JSON"))
def export_json(modeladmin, request, queryset):
    return _export_response(queryset, "json")


def _export_response(queryset, format):
    response = HttpResponse(
        content_type="text/csv; charset=utf-8" if format == "csv" else "application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="mia-debat.{format}"'
    rows = published_rows(queryset)
    if format == "csv":
        write_csv(rows, response, bom=True)
    else:
        write_json(rows, response)
    return response

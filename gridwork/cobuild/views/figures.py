"""The co-construction figures page, at /staff/cobuild/figures/: per place of the user's area (the area, then each
street or community under it) and per period, the units, part-time members, list items by kind, matches, contracts,
alliances and projects done (``cobuild.figures``); and the same table as an Excel workbook."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from gridwork.accounts.roles import Perm
from gridwork.cobuild.exports import day_name, table_xlsx, xlsx_response
from gridwork.cobuild.figures import (
    Column,
    FigureRow,
    alliances_columns,
    area_choices,
    cobuild_columns,
    contracts_columns,
    default_area,
    figures_table,
    value_at,
)
from gridwork.common.permissions import staff_view
from gridwork.places.models import Place

EARLIEST = date(2000, 1, 1)
MAX_DAYS = 366 * 5
INPUT = {"class": "form-control form-control-sm"}


class FiguresForm(forms.Form):
    """GET filters: the period (by default this year so far) and the area (by default the user's)."""

    since = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={**INPUT, "type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={**INPUT, "type": "date"})
    )
    area = forms.CharField(
        label=gettext_lazy("Place"),
        required=False,
        max_length=32,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args: Any, places: list[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.places = {place.code: place for place in places}
        self.fields["area"].widget.choices = [
            ("", gettext_lazy("My area")),
            *((place.code, f"{'　' * place.depth}{place.name}") for place in places),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        today = timezone.localdate()
        until = data.get("until") or today
        since = data.get("since") or date(until.year, 1, 1)
        if since < EARLIEST:
            self.add_error("since", _("Choose a day from %(day)s on.") % {"day": EARLIEST.isoformat()})
        elif since > until:
            self.add_error("until" if data.get("until") else "since", _("The end date is before the start date."))
        elif (until - since).days > MAX_DAYS:
            self.add_error("since", _("Choose a period of at most five years."))
        data["since"], data["until"] = since, until
        return data

    def area_place(self) -> Place | None:
        """The place the form names, None for the user's own area; a place outside the user's area is not found."""
        code = (self.cleaned_data.get("area") or "").strip() if self.is_bound and self.is_valid() else ""
        if not code:
            return None
        if code not in self.places:
            raise Http404
        return self.places[code]


def _columns() -> list[Column]:
    return [*cobuild_columns(), *contracts_columns(), *alliances_columns()]


def _read(request: HttpRequest) -> tuple[FiguresForm, Place | None, date, date, bool]:
    user: Any = request.user
    bound = any(request.GET.get(name) for name in ("since", "until", "area"))
    form = FiguresForm(request.GET if bound else None, places=area_choices(user=user))
    today = timezone.localdate()
    since, until, area = date(today.year, 1, 1), today, None
    valid = not bound or form.is_valid()
    if bound and valid:
        since, until, area = form.cleaned_data["since"], form.cleaned_data["until"], form.area_place()
    return form, area or default_area(user=user), since, until, valid


def _rows(user: Any, area: Place | None, since: date, until: date) -> list[FigureRow]:
    return figures_table(user=user, area=area, start=since, end=until) if area is not None else []


def _shown(value: Any, column: Column) -> Any:
    if value is None:
        return None
    if column.kind == "rate":
        return f"{100 * float(value):.0f}%"
    return value


@staff_view(Perm.VIEW_PARTY)
@require_GET
def figures_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form, area, since, until, valid = _read(request)
    columns = _columns()
    rows = _rows(user, area, since, until) if valid else []
    groups = [
        (group, label, [c for c in columns if c.group == group])
        for group, label in (
            ("cobuild", _("Units and the three lists")),
            ("contracts", _("Contracts")),
            ("alliances", _("Alliances")),
        )
    ]
    table = [
        {"row": row, "cells": [(_shown(value_at(row, column), column), column) for column in columns]} for row in rows
    ]
    return render(
        request,
        "cobuild/figures.html",
        {
            "form": form,
            "area": area,
            "since": since,
            "until": until,
            "valid": valid,
            "groups": [(group, label, len(cols)) for group, label, cols in groups if cols],
            "columns": columns,
            "table": table,
            "query": request.GET.urlencode(),
            "breadcrumbs": [{"label": _("Co-construction figures"), "url": ""}],
        },
        status=200 if valid else 400,
    )


@staff_view(Perm.VIEW_PARTY)
@require_GET
def figures_export_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    _form, area, since, until, valid = _read(request)
    if not valid:
        return figures_view(request)
    columns, rows = _columns(), _rows(user, area, since, until)
    headers = [_("Place"), _("Level"), *(str(column.label) for column in columns)]
    body = [
        [row.place.name, row.place.get_level_display(), *(_shown(value_at(row, column), column) for column in columns)]
        for row in rows
    ]
    export = table_xlsx(
        title=_("Co-construction figures"),
        headers=headers,
        rows=body,
        about=[
            (_("Place"), area.name if area is not None else ""),
            (_("From"), since),
            (_("Until"), until),
            (_("Exported at"), timezone.now()),
            (_("Exported by"), str(user)),
        ],
    )
    return xlsx_response(
        export.content,
        ascii_name=f"cobuild-figures-{day_name(since)}-{day_name(until)}.xlsx",
        display_name=f"{_('Co-construction figures')}-{day_name(since)}-{day_name(until)}.xlsx",
    )

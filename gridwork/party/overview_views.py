"""The party-building overview (党建引领 figures) of a unit for a period, at /staff/party/overview/: the figures the
source documents report, computed live, one row per child unit to compare, a community's shortcuts to its lists, and
an Excel export of the figures table. Places outside the user's VIEW_PARTY scope are 404; a bad period is 400 naming
the field."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from gridwork.accounts.roles import Perm
from gridwork.common.permissions import staff_view
from gridwork.common.workbooks import HEADER_FILL, HEADER_FONT
from gridwork.party.exports import XLSX_TYPE
from gridwork.party.overview import (
    DEFINITIONS,
    MAX_PERIOD_DAYS,
    Figures,
    OverviewPeriod,
    community_counts,
    figures_for,
    may_see_difficulty,
    overview_ancestors,
    overview_children,
    overview_place,
    overview_roots,
    period_this_month,
    period_this_year,
)
from gridwork.places.models import Place, PlaceLevel
from gridwork.wishes.selectors import stale_cutoff


class PeriodChoice:
    MONTH = "month"
    YEAR = "year"
    CUSTOM = "custom"


PERIOD_CHOICES = [
    (PeriodChoice.MONTH, gettext_lazy("This month")),
    (PeriodChoice.YEAR, gettext_lazy("This year")),
    (PeriodChoice.CUSTOM, gettext_lazy("From … to …")),
]
PARAMS = ("area", "period", "from", "to")


class OverviewForm(forms.Form):
    """The unit and the period a page asks for (GET)."""

    area = forms.CharField(required=False, max_length=32)
    period = forms.ChoiceField(label=gettext_lazy("Period"), required=False, choices=PERIOD_CHOICES)
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data: QueryDict) -> None:
        # "from" is a Python keyword: the query's names are mapped onto the fields here.
        bound = {"area": data.get("area", ""), "period": data.get("period", ""), "start": data.get("from", "")}
        bound["end"] = data.get("to", "")
        super().__init__(bound)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("period") != PeriodChoice.CUSTOM:
            return data
        start, end = data.get("start"), data.get("end")
        if start is None and "start" not in self.errors:
            self.add_error("start", _("Give the first day of the period."))
        if end is None and "end" not in self.errors:
            self.add_error("end", _("Give the last day of the period."))
        if start is not None and end is not None:
            if end < start:
                self.add_error("end", _("The last day comes before the first day."))
            elif (end - start).days >= MAX_PERIOD_DAYS:
                self.add_error("end", _("A period may last at most %(days)d days.") % {"days": MAX_PERIOD_DAYS})
        return data

    def period_value(self, today: date) -> OverviewPeriod:
        data = self.cleaned_data
        if data.get("period") == PeriodChoice.CUSTOM:
            return OverviewPeriod(data["start"], data["end"])
        if data.get("period") == PeriodChoice.YEAR:
            return period_this_year(today)
        return period_this_month(today)


# Which query name each form field comes from, to name the field in a refusal.
QUERY_NAME = {"area": "area", "period": "period", "start": "from", "end": "to"}


def _refusal(form: OverviewForm) -> HttpResponse:
    return HttpResponseBadRequest(
        "; ".join(
            f"{QUERY_NAME.get(name, name)}: {' '.join(str(e) for e in errors)}" for name, errors in form.errors.items()
        ),
        content_type="text/plain; charset=utf-8",
    )


@dataclass(frozen=True)
class Overview:
    place: Place
    period: OverviewPeriod
    figures: Figures
    children: list[tuple[Place, Figures]]
    difficulty_visible: bool

    def rows(self) -> list[tuple[Place, Figures]]:
        """The table: the unit itself, then each child."""
        return [(self.place, self.figures), *self.children]


def _overview(request: HttpRequest, form: OverviewForm) -> Overview:
    user: Any = request.user
    place = overview_place(user=user, code=form.cleaned_data.get("area", "").strip())
    period = form.period_value(timezone.localdate())
    children = overview_children(user=user, place=place)
    found = figures_for(user=user, places=[place, *children], period=period)
    return Overview(
        place=place,
        period=period,
        figures=found[place.pk],
        children=[(child, found[child.pk]) for child in children],
        difficulty_visible=may_see_difficulty(user=user, place=place),
    )


def _query(request: HttpRequest, **changes: str) -> str:
    values = {name: request.GET.get(name, "") for name in PARAMS}
    values.update(changes)
    return urlencode({name: value for name, value in values.items() if value})


def _shortcuts(request: HttpRequest, community: Place) -> list[dict[str, Any]]:
    """A community's lists, with their counts now; each list has its own Excel export."""
    user: Any = request.user
    counts = community_counts(user=user, community=community, stale_before=stale_cutoff())
    shortcuts = [
        {
            "key": "members",
            "label": _("Registered members by building"),
            "count": counts.registered_members,
            "url": f"{reverse('party:registered-members')}?{urlencode({'community': community.code})}",
        },
        {
            "key": "wishes",
            "label": _("Unclaimed micro-wishes (those waiting too long first)"),
            "count": counts.unclaimed_wishes,
            "extra": _("%(n)d waiting too long") % {"n": counts.stale_wishes},
            "url": f"{reverse('wishes:list')}?{urlencode({'state': 'published', 'community': str(community.pk)})}",
        },
        {
            "key": "orders",
            "label": _("Volunteer orders waiting to be issued"),
            "count": counts.orders_waiting,
            "url": f"{reverse('volunteers:order-list')}?{urlencode({'state': 'ordered'})}",
        },
    ]
    if counts.households_unpaired is not None:
        shortcuts.append(
            {
                "key": "households",
                "label": _("Households in difficulty not paired"),
                "count": counts.households_unpaired,
                "url": f"{reverse('care:list')}?{urlencode({'community': community.code, 'paired': 'no'})}",
            }
        )
    return shortcuts


@staff_view(Perm.VIEW_PARTY)
@require_GET
def overview_view(request: HttpRequest) -> HttpResponse:
    """党建引领: the figures of a unit for a period, its children compared, and a community's lists."""
    form = OverviewForm(request.GET)
    if not form.is_valid():
        return render(
            request,
            "party/overview.html",
            {"form": form, "invalid": True, "breadcrumbs": [{"label": _("Party-building overview"), "url": ""}]},
            status=400,
        )
    overview = _overview(request, form)
    user: Any = request.user
    crumbs = [
        {"label": ancestor.name, "url": f"{reverse('party:overview')}?{_query(request, area=ancestor.code)}"}
        for ancestor in overview_ancestors(user=user, place=overview.place)
    ]
    crumbs.append({"label": overview.place.name, "url": ""})
    return render(
        request,
        "party/overview.html",
        {
            "form": form,
            "overview": overview,
            "cards": [
                {
                    "definition": d,
                    "value": overview.figures.value(d.key),
                    "available": overview.figures.value(d.key) is not None,
                }
                for d in DEFINITIONS
            ],
            "headers": [d for d in DEFINITIONS if overview.difficulty_visible or not d.restricted],
            "table": [
                {
                    "place": place,
                    "url": f"{reverse('party:overview')}?{_query(request, area=place.code)}",
                    "values": [
                        figures.value(d.key) for d in DEFINITIONS if overview.difficulty_visible or not d.restricted
                    ],
                    "is_self": place.pk == overview.place.pk,
                }
                for place, figures in overview.rows()
            ],
            "shortcuts": _shortcuts(request, overview.place) if overview.place.level == PlaceLevel.COMMUNITY else [],
            "export_query": _query(request, area=overview.place.code),
            "roots": overview_roots(user),
            "breadcrumbs": [{"label": _("Party-building overview"), "url": reverse("party:overview")}, *crumbs],
        },
    )


def overview_rows(overview: Overview) -> list[list[Any]]:
    """The figures table as the export writes it: a row per unit, "not available" for what the user may not see."""
    rows = []
    for place, figures in overview.rows():
        values: list[Any] = [place.name, place.code]
        for definition in DEFINITIONS:
            value = figures.value(definition.key)
            values.append(_("Not available") if value is None else value)
        rows.append(values)
    return rows


@staff_view(Perm.VIEW_PARTY)
@require_GET
def overview_export_view(request: HttpRequest) -> HttpResponse:
    """The figures table of the page (same unit, same period) as an .xlsx, with a sheet of definitions."""
    form = OverviewForm(request.GET)
    if not form.is_valid():
        return _refusal(form)
    overview = _overview(request, form)
    workbook = Workbook()
    sheet: Any = workbook.active
    sheet.title = _("Figures")[:31]
    headers = [_("Unit"), _("Code"), *(str(d.label) for d in DEFINITIONS)]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    sheet.column_dimensions["A"].width = 24
    sheet.freeze_panes = "C2"
    for values in overview_rows(overview):
        sheet.append([float(v) if hasattr(v, "as_tuple") else v for v in values])
    info = workbook.create_sheet(_("About this export")[:31])
    for label, value in [
        (_("Unit"), overview.place.name),
        (_("From"), overview.period.first_day.isoformat()),
        (_("To"), overview.period.last_day.isoformat()),
        (_("Exported at"), timezone.localtime().replace(tzinfo=None, microsecond=0)),
        (_("Exported by"), str(request.user)),
        *((str(d.label), str(d.how)) for d in DEFINITIONS),
    ]:
        info.append([str(label), value])
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    name = f"party-overview-{overview.place.code}-{overview.period.first_day:%Y%m%d}-{overview.period.last_day:%Y%m%d}"
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response

"""The dispute figures page, at /staff/mediation/figures/: per unit (the one chosen, then each unit right under it) and
per period (a month, a quarter or a year), the figures of ``mediation.figures`` with their definitions written on the
page; and the same table as an Excel workbook.

VIEW_DISPUTES, scoped by place: a unit outside the user's scope is not found (404). A wrong period is shown on the
page (400) and refused by the export with 400 naming the parameter.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from gridwork.accounts.roles import Perm
from gridwork.analytics.periods import Period, PeriodError, PeriodKind, parse_period
from gridwork.analytics.views.exports import xlsx_response
from gridwork.common.permissions import staff_view
from gridwork.mediation.exports import figures_xlsx
from gridwork.mediation.figures import (
    COLUMNS,
    PERIOD_KINDS,
    area_choices,
    area_get,
    default_area,
    figures_table,
    shown,
    value_at,
)
from gridwork.places.models import Place


class Choice:
    """What the query asked for: the unit, the period and the error, if any (naming the parameter)."""

    def __init__(self, request: HttpRequest) -> None:
        user: Any = request.user
        self.kind = request.GET.get("period") or PeriodKind.MONTH
        self.on = (request.GET.get("on") or "").strip()
        self.error = ""
        self.period: Period | None = None
        if self.kind not in PERIOD_KINDS:
            self.error = _("period: choose one of %(choices)s.") % {"choices": ", ".join(PERIOD_KINDS)}
        else:
            try:
                self.period = parse_period(self.kind, self.on or None)
            except PeriodError as error:
                self.error = str(error)
        code = (request.GET.get("place") or "").strip()
        area: Place | None
        if code:
            area = area_get(user=user, code=code)
            if area is None:
                raise Http404
        else:
            area = default_area(user=user)
        self.area = area


def _navigation(period: Period) -> dict[str, str]:
    return {
        "previous": period.previous().start.isoformat(),
        "next": period.next().start.isoformat(),
    }


@staff_view(Perm.VIEW_DISPUTES)
@require_GET
def figures_view(request: HttpRequest) -> HttpResponse:
    """矛盾纠纷化解统计: the figures of the unit chosen and of each unit under it."""
    user: Any = request.user
    choice = Choice(request)
    rows = []
    if choice.period is not None and choice.area is not None:
        rows = figures_table(user=user, area=choice.area, period=choice.period)
    table = [
        {"row": row, "cells": [(shown(value_at(row, column), column), column) for column in COLUMNS]} for row in rows
    ]
    return render(
        request,
        "mediation/figures/index.html",
        {
            "choice": choice,
            "period": choice.period,
            "period_label": choice.period.label() if choice.period else "",
            "navigation": _navigation(choice.period) if choice.period else {},
            "kinds": [(kind, PeriodKind(kind).label) for kind in PERIOD_KINDS],
            "areas": area_choices(user=user),
            "columns": COLUMNS,
            "table": table,
            "query": request.GET.urlencode(),
            "today": timezone.localdate(),
            "breadcrumbs": [{"label": _("Dispute figures"), "url": ""}],
        },
        status=400 if choice.error else 200,
    )


@staff_view(Perm.VIEW_DISPUTES)
@require_GET
def figures_export_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    choice = Choice(request)
    if choice.error or choice.period is None:
        return HttpResponse(choice.error, status=400, content_type="text/plain; charset=utf-8")
    if choice.area is None:
        raise Http404
    rows = figures_table(user=user, area=choice.area, period=choice.period)
    label = choice.period.label()
    content = figures_xlsx(
        rows,
        about=[
            (gettext_lazy("Unit"), choice.area.name),
            (gettext_lazy("Period"), f"{label} ({choice.period.start:%Y-%m-%d} – {choice.period.end:%Y-%m-%d})"),
            (gettext_lazy("Exported at"), timezone.now()),
            (gettext_lazy("Exported by"), str(user)),
        ],
    )
    return xlsx_response(
        content,
        ascii_name=f"dispute-figures-{choice.area.code}-{label}.xlsx",
        display_name=f"{_('Dispute figures')}-{choice.area.name}-{label}.xlsx",
    )

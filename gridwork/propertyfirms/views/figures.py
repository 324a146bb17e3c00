"""The figures' pages: the quarterly ratings of the companies the user sees (with their parts, and the Excel
export), and per street the estates, market coverage and red property companies."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gridwork.accounts.roles import Perm
from gridwork.audit.services import audit_record
from gridwork.common.permissions import staff_view
from gridwork.propertyfirms import figures, selectors
from gridwork.propertyfirms.exports import ratings_workbook
from gridwork.propertyfirms.forms import quarter_choices
from gridwork.propertyfirms.quarters import parse_quarter, quarter_of
from gridwork.propertyfirms.views.companies import crumbs

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _chosen_quarter(request: HttpRequest) -> tuple[int, int]:
    return parse_quarter(request.GET.get("quarter", "")) or quarter_of(timezone.localdate())


def _rows(request: HttpRequest) -> tuple[tuple[int, int], list[figures.QuarterRating], set[int]]:
    year, quarter = _chosen_quarter(request)
    companies = selectors.company_list(user=request.user)
    rows = figures.quarter_ratings(companies, year, quarter)
    red = set(figures.standing_recognitions(timezone.localdate()).values_list("company_id", flat=True))
    return (year, quarter), rows, red


@staff_view(Perm.VIEW_ACTORS)
@require_GET
def ratings_view(request: HttpRequest) -> HttpResponse:
    (year, quarter), rows, red = _rows(request)
    return render(
        request,
        "propertyfirms/ratings.html",
        {
            "rows": rows,
            "red": red,
            "quarter": f"{year}Q{quarter}",
            "quarters": quarter_choices(count=8),
            "definitions": figures.DEFINITIONS,
            "breadcrumbs": crumbs({"label": _("Quarterly ratings"), "url": ""}),
        },
    )


@staff_view(Perm.VIEW_ACTORS)
@require_GET
def ratings_export_view(request: HttpRequest) -> HttpResponse:
    (year, quarter), rows, red = _rows(request)
    audit_record(actor=request.user, action="propertyfirms.export", detail={"quarter": f"{year}Q{quarter}"})
    response = HttpResponse(ratings_workbook(rows, red), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="property-ratings-{year}Q{quarter}.xlsx"'
    return response


@staff_view(Perm.VIEW_ACTORS)
@require_GET
def coverage_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    today = timezone.localdate()
    streets = figures.coverage_by_street(selectors.street_choices(user=user), today)
    total = figures.StreetCoverage(
        place=None,  # type: ignore[arg-type]
        estates=sum(s.estates for s in streets),
        served=sum(s.served for s in streets),
        red_companies=figures.standing_recognitions(today)
        .filter(company__in=selectors.company_list(user=user))
        .values("company_id")
        .distinct()
        .count(),
    )
    return render(
        request,
        "propertyfirms/coverage.html",
        {
            "streets": streets,
            "total": total,
            "today": today,
            "breadcrumbs": crumbs({"label": _("Coverage and red property"), "url": ""}),
        },
    )

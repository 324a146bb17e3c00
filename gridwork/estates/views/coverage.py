"""The coverage rates of owners' committees, at /staff/estates/coverage/: per city, district, street and community
within the user's units (VIEW_ACTORS), each figure with its numerator and denominator and the definitions on the
page; and the same table as an Excel workbook."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from gridwork.accounts.roles import Perm
from gridwork.analytics.views.exports import xlsx_response
from gridwork.common.permissions import staff_view
from gridwork.estates.exports import coverage_xlsx
from gridwork.estates.figures import DEFINITIONS, coverage_rows
from gridwork.estates.views.estates import crumbs


@staff_view(Perm.VIEW_ACTORS)
@require_GET
def coverage_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    today = timezone.localdate()
    return render(
        request,
        "estates/coverage.html",
        {
            "rows": coverage_rows(user=user, today=today),
            "today": today,
            "definitions": DEFINITIONS,
            "figures": [figure for figure, _definition in DEFINITIONS],
            "breadcrumbs": crumbs({"label": _("Committee coverage"), "url": ""}),
        },
    )


@staff_view(Perm.VIEW_ACTORS)
@require_GET
def coverage_export_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    today = timezone.localdate()
    rows = coverage_rows(user=user, today=today)
    about = [
        (gettext_lazy("As of"), today),
        (gettext_lazy("Units"), len(rows)),
        (gettext_lazy("Exported at"), timezone.now()),
        (gettext_lazy("Exported by"), str(user)),
    ]
    return xlsx_response(
        coverage_xlsx(rows, about=about),
        ascii_name=f"committee-coverage-{today.isoformat()}.xlsx",
        display_name=_("Committee coverage %(date)s.xlsx") % {"date": today.isoformat()},
    )

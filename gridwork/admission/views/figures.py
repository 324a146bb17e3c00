"""The admission figures page and its Excel export (VIEW_ADMISSION, over what the user sees)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from gridwork.accounts.roles import Perm
from gridwork.admission.exports import figures_xlsx
from gridwork.admission.figures import DEFINITIONS, community_load, yearly
from gridwork.admission.forms import YearForm
from gridwork.admission.views.requests import BAD_REQUEST, crumbs
from gridwork.analytics.views.exports import xlsx_response
from gridwork.common.permissions import staff_view


def _year(request: HttpRequest) -> tuple[int, YearForm]:
    form = YearForm(request.GET)
    year = timezone.localdate().year
    if form.is_valid() and form.cleaned_data.get("year"):
        year = form.cleaned_data["year"]
    return year, form


@staff_view(Perm.VIEW_ADMISSION)
@require_GET
def figures_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    year, form = _year(request)
    return render(
        request,
        "admission/figures.html",
        {
            "years": yearly(user=user),
            "load": community_load(user=user, year=year),
            "year": year,
            "form": form,
            "definitions": DEFINITIONS,
            "breadcrumbs": crumbs({"label": _("Figures"), "url": ""}),
        },
        status=BAD_REQUEST if form.errors else 200,
    )


@staff_view(Perm.VIEW_ADMISSION)
@require_GET
def figures_export_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    year, form = _year(request)
    if form.errors:
        return HttpResponse(_("Choose a year from 2000 to 2100."), status=BAD_REQUEST, content_type="text/plain")
    years = yearly(user=user)
    load = community_load(user=user, year=year)
    about = [
        (gettext_lazy("Year of the communities' load"), year),
        (gettext_lazy("Exported at"), timezone.now()),
        (gettext_lazy("Exported by"), str(user)),
    ]
    return xlsx_response(
        figures_xlsx(years, load, about=about),
        ascii_name=f"admission-{year}.xlsx",
        display_name=_("Admission figures %(year)s.xlsx") % {"year": year},
    )

"""Staff pages of the branches' organisation life (三会一课, 主题党日), at /staff/activities/life/: branches ×
meetings × periods of a year with gaps warned, and its Excel export. VIEW_PARTY (which everyone holding VIEW_CENTRES
holds); the branches are those of the user's units."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from gridwork.accounts.roles import Perm
from gridwork.activities import selectors
from gridwork.activities.exports import life_xlsx, xlsx_response
from gridwork.activities.forms import LifeForm
from gridwork.activities.life import DUE_DAYS, REQUIREMENTS, BranchLife, LifeStatus, branch_life
from gridwork.common.permissions import staff_view

BAD_REQUEST = 400


def _choice(request: HttpRequest) -> tuple[LifeForm, int, Any, list[BranchLife]]:
    user: Any = request.user
    today = timezone.localdate()
    form = LifeForm(request.GET or None, places=selectors.life_place_choices(user=user))
    values = form.cleaned_data if form.is_bound and form.is_valid() else {}
    year = values.get("year") or today.year
    place = values.get("place")
    lives = branch_life(selectors.life_branches(user=user, place=place), year=year, today=today)
    return form, year, place, lives


@staff_view(Perm.VIEW_PARTY)
@require_GET
def life_view(request: HttpRequest) -> HttpResponse:
    form, year, place, lives = _choice(request)
    return render(
        request,
        "activities/life.html",
        {
            "form": form,
            "year": year,
            "place": place,
            "lives": lives,
            "months": range(1, 13),
            "requirements": REQUIREMENTS,
            "statuses": LifeStatus,
            "due_days": DUE_DAYS,
            "gaps": sum(life.gaps for life in lives),
            "due": sum(life.due for life in lives),
            "query": request.GET.urlencode(),
            "breadcrumbs": [
                {"label": _("Activities"), "url": reverse("activities:activity-list")},
                {"label": _("Organisation life"), "url": ""},
            ],
        },
        status=BAD_REQUEST if form.is_bound and form.errors else 200,
    )


@staff_view(Perm.VIEW_PARTY)
@require_GET
def life_export_view(request: HttpRequest) -> HttpResponse:
    form, year, place, lives = _choice(request)
    if form.is_bound and form.errors:
        return HttpResponse(str(form.errors), status=BAD_REQUEST, content_type="text/plain; charset=utf-8")
    unit = place.name if place is not None else _("All my units")
    content = life_xlsx(
        lives,
        about=[
            (gettext_lazy("Year"), str(year)),
            (gettext_lazy("Unit"), unit),
            (gettext_lazy("Exported at"), timezone.now()),
            (gettext_lazy("Exported by"), str(request.user)),
        ],
    )
    return xlsx_response(
        content,
        ascii_name=f"organisation-life-{year}.xlsx",
        display_name=f"{_('Organisation life')}-{unit}-{year}.xlsx",
    )

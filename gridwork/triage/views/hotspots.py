"""The 研判 list, at /staff/triage/hotspots/: the hot spots of the user's area, hottest first, each with its matters.

For everyone who sees matters (``matters.view``), within their own area: the groups come from
``triage.hotspots.hotspot_list``, which reads the matters through the work queue's selector.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from gridwork.accounts.roles import Perm
from gridwork.common.filters import INPUT, DaysAreaFilterForm
from gridwork.common.permissions import staff_view
from gridwork.matters.selectors import matter_filter_place, matter_place_filter_choices
from gridwork.triage.hotspots import DEFAULT_DAYS, MAX_MATTERS, hotspot_list

# A longer period is a different question (trends, for the analytics pages), and more work than a page should do.
MAX_PERIOD_DAYS = 366


class HotSpotFilterForm(DaysAreaFilterForm):
    """The list's filters (GET): the period of filing and an area within the user's."""

    default_days = DEFAULT_DAYS
    max_days = MAX_PERIOD_DAYS
    since = forms.DateField(
        label=gettext_lazy("Filed from"), required=False, widget=forms.DateInput(attrs={**INPUT, "type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("Filed until"), required=False, widget=forms.DateInput(attrs={**INPUT, "type": "date"})
    )


@staff_view(Perm.VIEW_MATTERS)
@require_GET
def hotspot_list_view(request: HttpRequest) -> HttpResponse:
    """The hot spots of a period (by default the last 30 days) in the user's area or one area within it."""
    user = request.user
    bound = any(request.GET.get(name) for name in HotSpotFilterForm.base_fields)
    form = HotSpotFilterForm(request.GET if bound else None, place_choices=matter_place_filter_choices(user=user))
    until = timezone.localdate()
    since = until - timedelta(days=DEFAULT_DAYS)
    area = None
    valid = not bound or form.is_valid()
    if valid and bound:
        since, until = form.cleaned_data["since"], form.cleaned_data["until"]
        if form.cleaned_data.get("area"):
            area = matter_filter_place(user=user, code=form.cleaned_data["area"])
            if area is None:
                form.add_error("area", _("Choose a place in your area."))
                valid = False
    spots = hotspot_list(user=user, since=since, until=until, area=area) if valid else []
    return render(
        request,
        "triage/hotspot_list.html",
        {
            "form": form,
            "filtered": bound,
            "valid": valid,
            "spots": spots,
            "since": since,
            "until": until,
            "area": area,
            "max_matters": MAX_MATTERS,
            "breadcrumbs": [
                {"label": _("Matters"), "url": reverse("matters:queue")},
                {"label": _("Hot spots"), "url": ""},
            ],
        },
    )

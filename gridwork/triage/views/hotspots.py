"""The 研判 list, at /staff/triage/hotspots/: the hot spots of the user's area, hottest first, each with its matters.

For everyone who sees matters (``matters.view``), within their own area: the groups come from
``triage.hotspots.hotspot_list``, which reads the matters through the work queue's selector.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from gridwork.accounts.roles import Perm
from gridwork.common.permissions import staff_view
from gridwork.matters.selectors import matter_filter_place, matter_place_filter_choices
from gridwork.triage.hotspots import DEFAULT_DAYS, MAX_MATTERS, hotspot_list

INPUT = {"class": "form-control form-control-sm"}
SELECT = {"class": "form-select form-select-sm"}
# A longer period is a different question (trends, for the analytics pages), and more work than a page should do.
MAX_PERIOD_DAYS = 366
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)


class HotSpotFilterForm(forms.Form):
    """The list's filters (GET): the period of filing and an area within the user's."""

    since = forms.DateField(
        label=gettext_lazy("Filed from"), required=False, widget=forms.DateInput(attrs={**INPUT, "type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("Filed until"), required=False, widget=forms.DateInput(attrs={**INPUT, "type": "date"})
    )
    area = forms.ChoiceField(label=gettext_lazy("Place"), required=False, widget=forms.Select(attrs=SELECT))

    def __init__(self, *args: Any, place_choices: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area = self.fields["area"]
        assert isinstance(area, forms.ChoiceField)
        area.choices = [("", gettext_lazy("Anywhere in my area")), *place_choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("since", "until"):
            day = data.get(name)
            if day is not None and not EARLIEST <= day <= LATEST:
                self.add_error(
                    name,
                    _("Choose a day from %(earliest)s to %(latest)s.")
                    % {"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
                )
        if self.errors:
            return data
        until = data.get("until") or timezone.localdate()
        since = data.get("since") or until - timedelta(days=DEFAULT_DAYS)
        if since > until:
            self.add_error("until" if data.get("until") else "since", _("The end date is before the start date."))
        elif (until - since).days > MAX_PERIOD_DAYS:
            self.add_error("since", _("Choose a period of at most %(days)d days.") % {"days": MAX_PERIOD_DAYS})
        data["since"], data["until"] = since, until
        return data


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

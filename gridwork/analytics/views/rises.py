"""The hot-spot alerts of the daily 研判 (``analytics.rises``), at /staff/analytics/rises/: the list of the user's
area, and one alert with its evidence. For everyone who sees matters, within their own areas."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from gridwork.accounts.roles import Perm
from gridwork.analytics.models import RiseKind
from gridwork.analytics.rises import (
    ALPHA,
    BASELINE_DAYS,
    MIN_COUNT,
    PLACE_DAYS,
    PLACE_MIN_MATTERS,
    RATE_FLOOR,
    key_titles,
    rise_alert_list,
    rise_alerts,
    rise_evidence,
)
from gridwork.common.filters import SELECT, DaysAreaFilterForm
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view
from gridwork.matters.selectors import matter_filter_place, matter_place_filter_choices

DEFAULT_DAYS = 30


class RiseFilterForm(DaysAreaFilterForm):
    """The list's filters (GET): the days of the alerts, an area within the user's, the kind."""

    default_days = DEFAULT_DAYS
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("Both kinds")), *RiseKind.choices],
        widget=forms.Select(attrs=SELECT),
    )


def _method() -> dict[str, Any]:
    """The figures the "how is this computed" note states."""
    return {
        "baseline_days": BASELINE_DAYS,
        "floor": f"{RATE_FLOOR:.3f}",
        "alpha": ALPHA,
        "min_count": MIN_COUNT,
        "place_days": PLACE_DAYS,
        "place_min": PLACE_MIN_MATTERS,
    }


def _one_in(p: float | None) -> int | None:
    """A p-value as "about one in N", N to two significant digits."""
    return int(float(f"{1 / p:.2g}")) if p else None


@staff_view(Perm.VIEW_MATTERS)
@require_GET
def rise_list_view(request: HttpRequest) -> HttpResponse:
    """The alerts of a period (by default the last 30 days) in the user's area, newest first."""
    user = request.user
    bound = any(request.GET.get(name) for name in RiseFilterForm.base_fields)
    form = RiseFilterForm(request.GET if bound else None, place_choices=matter_place_filter_choices(user=user))
    until = timezone.localdate()
    since = until - timedelta(days=DEFAULT_DAYS)
    area, kind = None, ""
    valid = not bound or form.is_valid()
    if valid and bound:
        since, until = form.cleaned_data["since"], form.cleaned_data["until"]
        kind = form.cleaned_data.get("kind") or ""
        if form.cleaned_data.get("area"):
            area = matter_filter_place(user=user, code=form.cleaned_data["area"])
            if area is None:
                form.add_error("area", _("Choose a place in your area."))
                valid = False
    alerts = rise_alert_list(user=user, since=since, until=until, area=area, kind=kind)
    page, query = paginate(request, alerts if valid else alerts.none())
    titles = key_titles(user=user, alerts=page)
    rows = [
        {"alert": alert, "title": titles.get(alert.place_key, ""), "one_in": _one_in(alert.p_value)} for alert in page
    ]
    return render(
        request,
        "analytics/rise_list.html",
        {
            "form": form,
            "filtered": bound,
            "valid": valid,
            "rows": rows,
            "page_obj": page,
            "query": query,
            "since": since,
            "until": until,
            "area": area,
            "method": _method(),
            "breadcrumbs": [
                {"label": _("Analysis"), "url": reverse("analytics:dashboard")},
                {"label": _("Unusual rises"), "url": ""},
            ],
        },
    )


@staff_view(Perm.VIEW_MATTERS)
@require_GET
def rise_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One alert with its evidence: the matters a day over the window, the test's figures and the matters."""
    alert = rise_alerts(user=request.user).filter(pk=pk).first()
    if alert is None:
        raise Http404
    evidence = rise_evidence(alert=alert, user=request.user)
    grids = sorted({matter.grid.name for matter in evidence.matters})
    key_matter = next((matter for matter in evidence.matters if matter.number == alert.place_key), None)
    chart = {
        "days": [day.isoformat() for day, _count in evidence.days],
        "counts": [count for _day, count in evidence.days],
        "expected": round(alert.baseline, 3) if alert.kind == RiseKind.RISE else None,
    }
    return render(
        request,
        "analytics/rise_detail.html",
        {
            "alert": alert,
            "is_rise": alert.kind == RiseKind.RISE,
            "evidence": evidence,
            "baseline_mean": evidence.baseline_total / BASELINE_DAYS,
            "floored": alert.kind == RiseKind.RISE and evidence.baseline_total / BASELINE_DAYS < alert.baseline - 1e-9,
            "one_in": _one_in(alert.p_value),
            "grids": grids,
            "problem": key_matter.title if key_matter is not None else "",
            "chart": chart,
            "method": _method(),
            "breadcrumbs": [
                {"label": _("Analysis"), "url": reverse("analytics:dashboard")},
                {"label": _("Unusual rises"), "url": reverse("analytics:rises")},
                {"label": f"{alert.day:%Y-%m-%d} · {alert.community.name}", "url": ""},
            ],
        },
    )

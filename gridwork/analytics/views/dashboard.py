"""The dashboard (驾驶舱) of one unit over one period, at /staff/analytics/: headline figures, the volume by channel,
the category and kind mix, the rates of the units one level down (click one to drill down) and the trends; the
same figures as JSON (``data.json``) for the big screen (大屏), which refreshes itself from it every minute.

Everything is read from the rollup through ``analytics.selectors``; the unit and period come from the query string
(``views.common``), which also holds the scope rule: a unit outside the user's areas is not found.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from gridwork.accounts.roles import Perm
from gridwork.analytics.areas import place_paths
from gridwork.analytics.measures import (
    DEFINITION_BY_KEY,
    DEFINITIONS,
    NOTHING,
    Figures,
    Weights,
    format_percent,
    format_score,
)
from gridwork.analytics.periods import Period
from gridwork.analytics.selectors import area_figures, children_figures, received_by_channel, received_mix, trend
from gridwork.analytics.views.common import Selection, selection_from, strict_selection
from gridwork.common.permissions import staff_view
from gridwork.matters.models import Channel

# The headline cards, in the order shown: the 三率 first after the volumes, the composite score last.
HEADLINE = (
    "received",
    "dispatched",
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "on_time_rate",
    "reopen_rate",
    "returned",
    "extended",
    "overdue",
    "average_days",
    "composite",
)
# The fewer, larger figures of the big screen.
SCREEN_HEADLINE = (
    "received",
    "dispatched",
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "on_time_rate",
    "overdue",
    "composite",
)
RATES = ("response_rate", "resolution_rate", "satisfaction_rate")
SCREEN_REFRESH_SECONDS = 60
# If the screen's script stops (a browser left open for weeks), the page reloads itself this often anyway.
SCREEN_RELOAD_SECONDS = 300


def display(key: str, value: float | None) -> str:
    """A measure as the pages show it: a rate in percent, a mean with one decimal, a count with separators."""
    if value is None:
        return NOTHING
    definition = DEFINITION_BY_KEY.get(key)
    if definition is not None and definition.percent:
        return format_percent(value)
    if key in {"average_days", "composite"}:
        return format_score(value)
    return f"{int(value):,}"


def _percent(value: float | None) -> float | None:
    """A rate for a chart's axis, 0–100."""
    return None if value is None else round(value * 100, 1)


def _card(key: str, figures: Figures) -> dict[str, Any]:
    definition = DEFINITION_BY_KEY[key]
    value = figures.value(key)
    return {
        "key": key,
        "label": str(definition.label),
        "how": str(definition.how),
        "value": value,
        "display": display(key, value),
    }


def dashboard_url(selection: Selection, **changes: str) -> str:
    return f"{reverse('analytics:dashboard')}?{selection.query(**changes)}"


def _labels() -> dict[str, str]:
    """The words the charts' script shows (it has no catalogue of its own)."""
    return {
        "no_data": _("No matters in this period."),
        "overdue": str(DEFINITION_BY_KEY["overdue"].label),
        "response_rate": str(DEFINITION_BY_KEY["response_rate"].label),
        "resolution_rate": str(DEFINITION_BY_KEY["resolution_rate"].label),
        "satisfaction_rate": str(DEFINITION_BY_KEY["satisfaction_rate"].label),
        "refreshed": _("Last refreshed %(time)s"),
        "refresh_failed": _("Refresh failed at %(time)s; showing the figures of %(shown)s."),
    }


def dashboard_payload(selection: Selection) -> dict[str, Any]:
    """Everything the dashboard and the big screen show, as JSON-ready values (labels in the request's language)."""
    area, period = selection.area, selection.period
    weights = Weights.current()
    figures = area_figures(area, period, weights)
    buckets = trend(area, period, weights)
    by_channel = received_by_channel(area, period)
    channel_labels = dict(Channel.choices)
    channels = [
        {"key": key, "label": str(channel_labels.get(key, key)), "values": values, "total": sum(values)}
        for key, values in by_channel.items()
    ]
    if any(channel["total"] for channel in channels):
        channels = [channel for channel in channels if channel["total"]]
    children = [
        {
            "code": child.code,
            "name": child.name,
            "url": dashboard_url(selection, area=child.code),
            "received": child_figures.count("received"),
            "dispatched": child_figures.count("dispatched"),
            "overdue": child_figures.count("overdue"),
            **{key: _percent(child_figures.value(key)) for key in RATES},
            "composite": child_figures.composite,
            "display": {key: display(key, child_figures.value(key)) for key in (*RATES, "composite")},
        }
        for child, child_figures in children_figures(area, period, weights)
    ]
    return {
        "area": {"code": area.code, "name": area.name, "kind": area.unit_kind},
        "period": {
            "kind": period.kind,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "label": period.label(),
            "text": _period_text(period),
        },
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "figures": figures.as_dict(),
        "cards": [_card(key, figures) for key in HEADLINE],
        "buckets": [bucket.label() for bucket, _figures in buckets],
        "channels": channels,
        "categories": _mix(received_mix(area, period, "category_id")),
        "kinds": _mix(received_mix(area, period, "kind")),
        "children": children,
        "trend": {
            "received": [bucket_figures.count("received") for _bucket, bucket_figures in buckets],
            "overdue": [bucket_figures.count("overdue") for _bucket, bucket_figures in buckets],
            "satisfaction_rate": [_percent(bucket_figures.satisfaction_rate) for _bucket, bucket_figures in buckets],
            "satisfaction_display": [
                display("satisfaction_rate", bucket_figures.satisfaction_rate) for _bucket, bucket_figures in buckets
            ],
        },
        "labels": _labels(),
    }


def _mix(rows: list[tuple[str, str, int]]) -> list[dict[str, Any]]:
    whole = sum(count for _key, _label, count in rows)
    return [
        {"key": key, "label": label, "value": count, "share": format_percent(count / whole)}
        for key, label, count in rows
    ]


def _breadcrumbs(request: HttpRequest, selection: Selection) -> list[dict[str, str]]:
    """The analysis home, the unit's ancestors (links only to those within the user's areas) and the unit."""
    paths = place_paths(request.user)
    crumbs = [{"label": _("Analysis"), "url": reverse("analytics:dashboard")}]
    for ancestor in selection.area.ancestors():
        visible = ancestor.place is not None and any(ancestor.place.path.startswith(path) for path in paths)
        crumbs.append({"label": ancestor.name, "url": dashboard_url(selection, area=ancestor.code) if visible else ""})
    crumbs.append({"label": selection.area.name, "url": ""})
    return crumbs


def _period_text(period: Period) -> str:
    return _("%(label)s (%(start)s to %(end)s)") % {
        "label": period.label(),
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
    }


@staff_view(Perm.VIEW_MATTERS)
@require_GET
def dashboard_view(request: HttpRequest) -> HttpResponse:
    """The unit's dashboard over the period; the charts draw from the same payload the tables show."""
    selection = selection_from(request)
    payload = dashboard_payload(selection)
    query = selection.query()
    return render(
        request,
        "analytics/dashboard.html",
        {
            "selection": selection,
            "payload": payload,
            "period_text": _period_text(selection.period),
            "volume_rows": list(
                zip(payload["buckets"], zip(*(c["values"] for c in payload["channels"]), strict=True), strict=True)
            )
            if payload["channels"]
            else [],
            "trend_rows": list(
                zip(
                    payload["buckets"],
                    payload["trend"]["received"],
                    payload["trend"]["overdue"],
                    payload["trend"]["satisfaction_display"],
                    strict=True,
                )
            ),
            "definitions": DEFINITIONS,
            "weights": Weights.current(),
            "breadcrumbs": _breadcrumbs(request, selection),
            "map_url": f"{reverse('analytics:map')}?{query}",
            "screen_url": f"{reverse('analytics:screen')}?{query}",
            "rankings_url": f"{reverse('analytics:rankings')}?{query}",
            "export_url": f"{reverse('analytics:export-measures')}?{query}",
        },
    )


@staff_view(Perm.VIEW_MATTERS)
@require_GET
@never_cache
def dashboard_data_view(request: HttpRequest) -> HttpResponse:
    """The dashboard's figures as JSON: 400 naming the parameter for a bad period, 404 for a unit not seen."""
    try:
        selection = strict_selection(request)
    except Http404:
        return JsonResponse({"error": _("No such unit in your areas.")}, status=404)
    if isinstance(selection, JsonResponse):
        return selection
    return JsonResponse(dashboard_payload(selection))


def screen_data_url(request: HttpRequest, selection: Selection) -> str:
    """The screen's data address. Without a day asked for, none is sent: the screen follows the calendar (this
    month rolls over into the next on a wall left running)."""
    values = {"area": selection.area.code, "period": selection.period.kind}
    if request.GET.get("on") and not selection.error:
        values["on"] = selection.period.start.isoformat()
    return f"{reverse('analytics:data')}?{urlencode(values)}"


@staff_view(Perm.VIEW_MATTERS)
@require_GET
def screen_view(request: HttpRequest) -> HttpResponse:
    """The big screen: the key figures and charts on a dark full-window grid, refreshed every minute."""
    selection = selection_from(request)
    payload = dashboard_payload(selection)
    cards = {card["key"]: card for card in payload["cards"]}
    return render(
        request,
        "analytics/screen.html",
        {
            "selection": selection,
            "payload": payload,
            "cards": [cards[key] for key in SCREEN_HEADLINE],
            "period_text": _period_text(selection.period),
            "data_url": screen_data_url(request, selection),
            "dashboard_url": dashboard_url(selection),
            "refresh_seconds": SCREEN_REFRESH_SECONDS,
            "reload_seconds": SCREEN_RELOAD_SECONDS,
        },
    )

"""Staff pages of supervision (督办): the area's deadlines, orders and public notice; a whistle's board (吹哨报到);
the dispatch centre's board of hard matters (难事). Every read goes through ``supervision.selectors``; the moves
themselves are made on the matter's page."""

from __future__ import annotations

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
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view
from gridwork.matters.workflow import HardStage
from gridwork.supervision.selectors import (
    BOARD_LEVELS,
    LEVEL_LABELS,
    OVERVIEW_LABELS,
    OVERVIEW_LISTS,
    HardFilters,
    OverviewList,
    hard_level_counts,
    hard_matters,
    notice_groups,
    overview_counts,
    overview_list,
    whistle_board,
)

COLUMN_SIZE = 30
SELECT = {"class": "form-select form-select-sm"}


def _crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [{"label": _("Supervision"), "url": reverse("supervision:overview")}, *extra]


@staff_view(Perm.VIEW_MATTERS)
@require_GET
def overview_view(request: HttpRequest) -> HttpResponse:
    """The area's red (overdue) and yellow matters, open supervision orders and the public notice, one list at a
    time, with the count of each."""
    now = timezone.now()
    requested = request.GET.get("list", "")
    key = requested if requested in OVERVIEW_LISTS else OverviewList.OVERDUE
    page, query = paginate(request, overview_list(user=request.user, key=key, now=now))
    return render(
        request,
        "supervision/overview.html",
        {
            "list": key,
            "list_label": OVERVIEW_LABELS[key],
            "counts": overview_counts(user=request.user, now=now),
            "page_obj": page,
            "query": query,
            "groups": notice_groups(user=request.user) if key == OverviewList.NOTICE else [],
            "breadcrumbs": _crumbs({"label": str(OVERVIEW_LABELS[key]), "url": ""}),
        },
    )


@staff_view(Perm.VIEW_MATTERS)
@require_GET
def whistle_view(request: HttpRequest, pk: int) -> HttpResponse:
    """吹哨报到: the whistle, each called unit's task, its report-by time, its status and report, and the result."""
    board = whistle_board(user=request.user, pk=pk)
    matter = board.whistle.matter
    return render(
        request,
        "supervision/whistle.html",
        {
            "board": board,
            "whistle": board.whistle,
            "matter": matter,
            "breadcrumbs": [
                {"label": _("Matters"), "url": reverse("matters:queue")},
                {"label": matter.number, "url": reverse("matters:detail", args=[matter.number])},
                {"label": _("Whistle"), "url": ""},
            ],
        },
    )


class HardBoardFilterForm(forms.Form):
    """The board's filters (GET): one level, one stage."""

    level = forms.TypedChoiceField(
        label=gettext_lazy("Level"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", gettext_lazy("Every level")), *((str(level), LEVEL_LABELS[level]) for level in BOARD_LEVELS)],
        widget=forms.Select(attrs=SELECT),
    )
    stage = forms.ChoiceField(
        label=gettext_lazy("Stage"),
        required=False,
        choices=[("", gettext_lazy("Every stage")), *HardStage.choices],
        widget=forms.Select(attrs=SELECT),
    )


@staff_view(Perm.ESCALATE_MATTERS)
@require_GET
def hard_board_view(request: HttpRequest) -> HttpResponse:
    """The dispatch centre's board of hard matters (难事), by level: open ones, and closed ones whose results are
    not yet used. Each column shows the oldest first; a level chosen in the filter is listed in full, by pages."""
    bound = any(request.GET.get(name) for name in HardBoardFilterForm.base_fields)
    form = HardBoardFilterForm(request.GET if bound else None)
    filters = HardFilters()
    if bound and form.is_valid():
        filters = HardFilters(level=form.cleaned_data["level"], stage=form.cleaned_data["stage"] or "")
    matters = hard_matters(user=request.user, filters=filters)
    counts = hard_level_counts(user=request.user, filters=filters)
    context: dict[str, Any] = {
        "form": form,
        "filtered": bound,
        "now": timezone.now(),
        "total": sum(counts.values()),
        "breadcrumbs": _crumbs({"label": _("Hard matters"), "url": ""}),
    }
    if filters.level is not None:
        page, query = paginate(request, matters)
        context.update(
            level=filters.level,
            level_label=LEVEL_LABELS[filters.level],
            level_count=counts[filters.level],
            page_obj=page,
            query=query,
        )
    else:
        context["columns"] = [
            {
                "level": level,
                "label": LEVEL_LABELS[level],
                "count": counts[level],
                "matters": list(matters.filter(hard_level=level)[:COLUMN_SIZE]),
                "more": counts[level] > COLUMN_SIZE,
            }
            for level in BOARD_LEVELS
            if level or counts[level]
        ]
    return render(request, "supervision/hard_board.html", context)

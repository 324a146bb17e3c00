"""Staff pages of the screening (矛盾纠纷排查), at /staff/screening/: the screenings of the user's grids, recording a
month's screening on a visit (a phone-sized page), one screening with what it found, the entries found with their
next step (register as a dispute case, settled on the spot, watched), and the gaps of the cycle with their flags.

Reads go through ``screening.selectors`` (VIEW_DISPUTES, scoped by grid: outside the user's scope is 404), writes
through ``screening.services`` (SCREEN_DISPUTES over the grid; an entry's status also by MANAGE_DISPUTES)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gridwork.accounts.roles import Perm
from gridwork.common.forms import add_service_errors
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view
from gridwork.places.models import Place
from gridwork.screening import selectors, services
from gridwork.screening.forms import (
    ENTRY_PREFIX,
    EntryFilterForm,
    ScreeningFilterForm,
    ScreeningForm,
    StatusForm,
    entry_formset,
)
from gridwork.screening.models import EntryStatus, RiskEntry

ENTRY_ERROR = re.compile(rf"^{ENTRY_PREFIX}-(\d+)-(\w+)$")


def _crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [{"label": _("Dispute screening"), "url": reverse("screening:screening-list")}, *extra]


def _filters(request: HttpRequest, form_class: type[ScreeningFilterForm]) -> tuple[ScreeningFilterForm, dict[str, Any]]:
    bound = any(request.GET.get(name) for name in form_class.base_fields)
    form = form_class(request.GET if bound else None, communities=selectors.community_choices(user=request.user))
    if not bound:
        return form, {}
    form.is_valid()
    return form, {name: value for name, value in form.cleaned_data.items() if name not in form.errors}


def case_create_url(entry: RiskEntry) -> str:
    """The cases' register form prefilled from ``entry`` ("" while that page does not exist)."""
    try:
        return f"{reverse('mediation:case-create')}?{urlencode({'entry': entry.pk})}"
    except NoReverseMatch:
        return ""


def _entry_rows(user: Any, entries: Any) -> list[dict[str, Any]]:
    rows = []
    for entry in entries:
        grid = entry.screening.grid
        open_ = entry.status != EntryStatus.REGISTERED
        rows.append(
            {
                "entry": entry,
                "parties": selectors.parties_shown(entry, user=user),
                "may_register": open_ and services.holds(user, Perm.MANAGE_DISPUTES, grid),
                "may_set": open_
                and (
                    services.holds(user, Perm.SCREEN_DISPUTES, grid) or services.holds(user, Perm.MANAGE_DISPUTES, grid)
                ),
                "case_url": case_create_url(entry) if open_ else "",
            }
        )
    return rows


@staff_view(Perm.VIEW_DISPUTES)
@require_GET
def screening_list_view(request: HttpRequest) -> HttpResponse:
    """排查台账: the screenings of the user's grids, newest month first."""
    user: Any = request.user
    form, values = _filters(request, ScreeningFilterForm)
    screenings = selectors.screening_list(user=user, month=values.get("month"), community=values.get("community"))
    page, query = paginate(request, screenings)
    return render(
        request,
        "screening/list.html",
        {
            "form": form,
            "page_obj": page,
            "screenings": list(page),
            "query": query,
            "may_screen": user.has_perm_anywhere(Perm.SCREEN_DISPUTES),
            "breadcrumbs": [{"label": _("Dispute screening"), "url": ""}],
        },
    )


def _apply_service_errors(form: ScreeningForm, used: list[Any], error: ValidationError) -> None:
    """Put the service's refusal on the screening form, and each entry's on its own form of the formset."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    rest: dict[str, list[str]] = {}
    for key, texts in error.message_dict.items():
        match = ENTRY_ERROR.match(key)
        if match and int(match.group(1)) < len(used):
            entry_form = used[int(match.group(1))]
            name = match.group(2)
            entry_form.add_error(name if name in entry_form.fields else None, texts)
        else:
            rest[key] = texts
    if rest:
        add_service_errors(form, ValidationError(rest))


@staff_view(Perm.SCREEN_DISPUTES)
@require_http_methods(["GET", "POST"])
def screening_create_view(request: HttpRequest) -> HttpResponse:
    """Record this month's screening of a grid on a visit: households visited, nothing found or what was found."""
    user: Any = request.user
    grids = selectors.grid_choices(user=user)
    households = selectors.household_choices(user=user)
    initial: dict[str, Any] = {}
    chosen = request.GET.get("grid", "")
    if chosen.isdigit() and grids.filter(pk=int(chosen)).exists():
        initial["grid"] = int(chosen)
    status, show_errors = 200, True
    if request.method != "POST":
        form = ScreeningForm(grids=grids, initial=initial)
        formset = entry_formset(households=households)
        show_errors = False
    elif "add_entry" in request.POST:
        # One more blank entry, keeping what was typed; nothing is checked or saved yet.
        data = request.POST.copy()
        total = data.get(f"{ENTRY_PREFIX}-TOTAL_FORMS", "1")
        data[f"{ENTRY_PREFIX}-TOTAL_FORMS"] = str(min(int(total) + 1 if total.isdigit() else 1, services.MAX_ENTRIES))
        form = ScreeningForm(data, grids=grids)
        formset = entry_formset(data, households=households)
        show_errors = False
    else:
        form = ScreeningForm(request.POST, grids=grids)
        formset = entry_formset(request.POST, households=households)
        status = 400
        if form.is_valid() and formset.is_valid():
            used = [entry_form for entry_form in formset.forms if entry_form.has_changed()]
            try:
                screening = services.screening_record(
                    actor=user,
                    grid=form.cleaned_data["grid"],
                    month=form.cleaned_data["month"],
                    screened_on=form.cleaned_data["screened_on"],
                    households_visited=form.cleaned_data["households_visited"],
                    found_nothing=form.cleaned_data["found_nothing"],
                    note=form.cleaned_data["note"],
                    entries=[entry_form.entry() for entry_form in used],
                )
            except ValidationError as error:
                _apply_service_errors(form, used, error)
            except PermissionDenied as error:
                form.add_error("grid", str(error))
                status = 403
            else:
                messages.success(
                    request,
                    _("The screening of %(grid)s for %(month)s is recorded.")
                    % {
                        "grid": screening.grid.name,
                        "month": f"{screening.month:%Y-%m}",
                    },
                )
                return redirect("screening:screening-detail", pk=screening.pk)
    return render(
        request,
        "screening/new.html",
        {
            "form": form,
            "formset": formset,
            "show_errors": show_errors,
            "breadcrumbs": _crumbs({"label": _("Record a screening"), "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.VIEW_DISPUTES)
@require_GET
def screening_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    screening = selectors.screening_get(user=user, pk=pk)
    return render(
        request,
        "screening/detail.html",
        {
            "screening": screening,
            "rows": _entry_rows(user, selectors.screening_entries(screening)),
            "may_screen": services.holds(user, Perm.SCREEN_DISPUTES, screening.grid),
            "status_form": StatusForm(),
            "breadcrumbs": _crumbs({"label": f"{screening.grid.name} {screening.month:%Y-%m}", "url": ""}),
        },
    )


@staff_view(Perm.VIEW_DISPUTES)
@require_GET
def entry_list_view(request: HttpRequest) -> HttpResponse:
    """The risks and disputes found in the user's grids, with their next step."""
    user: Any = request.user
    form, values = _filters(request, EntryFilterForm)
    entries = selectors.entry_list(
        user=user,
        status=values.get("status", ""),
        dispute_type=values.get("dispute_type", ""),
        risk=values.get("risk", ""),
        community=values.get("community"),
        month=values.get("month"),
    )
    page, query = paginate(request, entries)
    return render(
        request,
        "screening/entries.html",
        {
            "form": form,
            "page_obj": page,
            "rows": _entry_rows(user, page),
            "query": query,
            "status_form": StatusForm(),
            "breadcrumbs": _crumbs({"label": _("Risks and disputes found"), "url": ""}),
        },
    )


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return reverse("screening:entry-list")


@staff_view(Perm.VIEW_DISPUTES)
@require_http_methods(["GET", "POST"])
def entry_status_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark an entry settled on the spot (with how) or watched."""
    user: Any = request.user
    entry = selectors.entry_get(user=user, pk=pk)
    wanted = request.GET.get("status", "")
    form = StatusForm(
        request.POST or None, initial={"status": wanted if wanted in EntryStatus.values else entry.status}
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.entry_status_set(
                    actor=user, entry=entry, status=form.cleaned_data["status"], note=form.cleaned_data["note"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
                status = 403
            else:
                messages.success(
                    request, _("The entry is marked: %(status)s.") % {"status": entry.get_status_display()}
                )
                return redirect(_back(request))
    return render(
        request,
        "screening/entry_status.html",
        {
            "entry": entry,
            "parties": selectors.parties_shown(entry, user=user),
            "form": form,
            "next": _back(request),
            "breadcrumbs": _crumbs(
                {"label": _("Risks and disputes found"), "url": reverse("screening:entry-list")},
                {"label": _("Status"), "url": ""},
            ),
        },
        status=status,
    )


@staff_view(Perm.VIEW_DISPUTES)
@require_GET
def gaps_view(request: HttpRequest) -> HttpResponse:
    """The grids of the user's scope not yet screened this month; flagged when overdue or missed last month too."""
    user: Any = request.user
    today = timezone.localdate()
    gaps = selectors.screening_gaps(user, on=today)
    community = request.GET.get("community", "")
    shown = gaps
    chosen: Place | None = None
    if community.isdigit():
        chosen = selectors.community_choices(user=user).filter(pk=int(community)).first()
        if chosen is not None:
            shown = [gap for gap in gaps if gap.grid.path.startswith(chosen.path)]
    page, query = paginate(request, shown)  # type: ignore[arg-type]
    return render(
        request,
        "screening/gaps.html",
        {
            "page_obj": page,
            "gaps": list(page),
            "query": query,
            "counts": selectors.gap_counts(shown),
            "today": today,
            "month": today.replace(day=1),
            "due_day": selectors.due_day(),
            "communities": selectors.community_choices(user=user),
            "chosen": chosen,
            "may_screen": user.has_perm_anywhere(Perm.SCREEN_DISPUTES),
            "breadcrumbs": _crumbs({"label": _("Screening gaps"), "url": ""}),
        },
    )

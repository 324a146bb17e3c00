"""Staff pages of the needs list (需求清单), at /staff/cobuild/needs/: the list and its Excel export, publish (from a
matter or a hot spot, or by hand), a need with its matches and timeline, edit / met / reopen / withdraw, and the
matching page: the ranked resources that fit, each with its score and reasons, to accept as a match."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridwork.accounts.roles import Perm
from gridwork.cobuild import services
from gridwork.cobuild.exports import day_name, need_headers, need_rows, table_xlsx, xlsx_response
from gridwork.cobuild.flows import NEED_FLOW, NeedAction
from gridwork.cobuild.forms import ListFilterForm, MatchForm, NeedForm, NoteForm, ReasonForm
from gridwork.cobuild.models import Need, NeedSource, NeedState
from gridwork.cobuild.selectors import (
    community_choices,
    match_offer_get,
    may_at,
    need_events,
    need_get,
    need_list,
    need_matches,
)
from gridwork.cobuild.suggestions import need_suggestions
from gridwork.cobuild.views.common import clause_from_match_url, move_failure, timeline
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.common.forms import add_service_errors
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view
from gridwork.matters.models import Matter
from gridwork.matters.selectors import matter_find_visible
from gridwork.triage.hotspots import HotSpot, hotspot_list

SUGGESTIONS_SHOWN = 30
HOT_SPOTS_SHOWN = 5


def crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [{"label": _("Needs"), "url": reverse("cobuild:need-list")}, *extra]


def _filters(request: HttpRequest) -> tuple[ListFilterForm, dict[str, str]]:
    bound = any(request.GET.get(name) for name in ("state", "field", "q"))
    form = ListFilterForm(request.GET if bound else None, subject="need")
    return form, form.values()


@staff_view(Perm.VIEW_PARTY)
@require_GET
def need_list_view(request: HttpRequest) -> HttpResponse:
    """The needs of the user's communities, newest first."""
    user: Any = request.user
    form, values = _filters(request)
    needs = need_list(user=user, state=values["state"], field=values["field"], search=values["q"])
    page, query = paginate(request, needs)
    return render(
        request,
        "cobuild/need_list.html",
        {
            "form": form,
            "page_obj": page,
            "query": query,
            "may_manage": user.has_perm_anywhere(Perm.MANAGE_PARTY),
            "breadcrumbs": [{"label": _("Needs"), "url": ""}],
        },
    )


@staff_view(Perm.VIEW_PARTY)
@require_GET
def need_export_view(request: HttpRequest) -> HttpResponse:
    """The list's needs (with its filters) as an .xlsx."""
    user: Any = request.user
    _form, values = _filters(request)
    needs = need_list(user=user, state=values["state"], field=values["field"], search=values["q"])
    export = table_xlsx(
        title=_("Needs"),
        headers=need_headers(),
        rows=need_rows(needs),
        about=[
            (_("State"), NeedState(values["state"]).label if values["state"] else _("All states")),
            (_("Words"), values["q"]),
            (_("Exported at"), timezone.now()),
            (_("Exported by"), str(user)),
        ],
    )
    today = day_name(timezone.localdate())
    return xlsx_response(export.content, ascii_name=f"needs-{today}.xlsx", display_name=f"{_('Needs')}-{today}.xlsx")


# --- publish and edit -------------------------------------------------------------------------------------------------


def _hot_spots(user: Any) -> list[HotSpot]:
    if not user.has_perm_anywhere(Perm.VIEW_MATTERS):
        return []
    return hotspot_list(user=user, limit=HOT_SPOTS_SHOWN)


def _from_hot_spot(user: Any, key: str) -> dict[str, Any]:
    """The form's first values for a need taken from the hot spot ``key`` (the number of its first matter)."""
    matter = matter_find_visible(user=user, number=key) if key else None
    if matter is None:
        return {}
    spot = next((spot for spot in hotspot_list(user=user, limit=50) if spot.key == matter.number), None)
    title = spot.title if spot is not None else matter.title
    words = "、".join(spot.words) if spot is not None else ""
    description = (
        _("Hot spot at %(place)s: %(count)d matters (%(words)s).")
        % {"place": spot.place, "count": spot.matter_count, "words": words}
        if spot is not None
        else matter.text
    )
    return {
        "community": matter.community_id,
        "title": title[:80],
        "description": description,
        "source": NeedSource.MATTERS,
        "matter_number": matter.number,
        "hotspot_key": matter.number if spot is not None else "",
    }


def _from_matter(user: Any, number: str) -> dict[str, Any]:
    matter = matter_find_visible(user=user, number=number) if number else None
    if matter is None:
        return {}
    return {
        "community": matter.community_id,
        "title": matter.title[:80],
        "description": matter.text,
        "source": NeedSource.MATTERS,
        "matter_number": matter.number,
    }


def _matter_of(request: HttpRequest, form: NeedForm) -> tuple[Matter | None, bool]:
    """The matter the form names (by number), and whether the number (if any) was found in the user's area."""
    number = form.cleaned_data.get("matter_number", "").strip()
    if not number:
        return None, True
    matter = matter_find_visible(user=request.user, number=number)
    if matter is None:
        form.add_error("matter_number", _("No matter with this number is in your area."))
        return None, False
    return matter, True


def _onto_need_form(form: NeedForm, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        name = "matter_number" if field == "matter" else field
        form.add_error(name if name in form.fields else None, problems)


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def need_create_view(request: HttpRequest) -> HttpResponse:
    """发布需求: by hand, or taken from a matter (``?matter=<number>``) or a hot spot (``?hotspot=<key>``)."""
    user: Any = request.user
    communities = community_choices(user=user)
    initial: dict[str, Any] = {}
    if request.method == "GET":
        initial = _from_hot_spot(user, request.GET.get("hotspot", "")) or _from_matter(
            user, request.GET.get("matter", "")
        )
        if communities.count() == 1 and "community" not in initial:
            initial["community"] = communities.get().pk
    form = NeedForm(request.POST or None, initial=initial, communities=communities)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            matter, found = _matter_of(request, form)
            if found:
                try:
                    need = services.need_publish(
                        actor=user,
                        community=form.cleaned_data["community"],
                        title=form.cleaned_data["title"],
                        description=form.cleaned_data["description"],
                        field=form.cleaned_data["field"],
                        source=form.cleaned_data["source"],
                        matter=matter,
                        hotspot_key=form.cleaned_data["hotspot_key"],
                        quantity=form.cleaned_data["quantity"],
                        quantity_unit=form.cleaned_data["quantity_unit"],
                        wanted_by=form.cleaned_data["wanted_by"],
                    )
                except ValidationError as error:
                    _onto_need_form(form, error)
                else:
                    messages.success(request, _("The need is published. The matching page suggests resources."))
                    return redirect("cobuild:need-matching", pk=need.pk)
        status = 400
    return render(
        request,
        "cobuild/need_form.html",
        {
            "form": form,
            "need": None,
            "hot_spots": _hot_spots(user) if request.method == "GET" else [],
            "breadcrumbs": crumbs({"label": _("New need"), "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def need_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    need = need_get(user=user, pk=pk, perm=Perm.MANAGE_PARTY)
    initial = {
        "title": need.title,
        "description": need.description,
        "field": need.field,
        "source": need.source,
        "matter_number": need.matter.number if need.matter else "",
        "quantity": need.quantity,
        "quantity_unit": need.quantity_unit,
        "wanted_by": need.wanted_by,
        "version": need.version,
    }
    form = NeedForm(request.POST or None, initial=initial, editing=True)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            matter, found = _matter_of(request, form)
            if found:
                try:
                    services.need_update(
                        actor=user,
                        need=need,
                        expected_version=form.cleaned_data["version"],
                        title=form.cleaned_data["title"],
                        description=form.cleaned_data["description"],
                        field=form.cleaned_data["field"],
                        source=form.cleaned_data["source"],
                        matter=matter,
                        quantity=form.cleaned_data["quantity"],
                        quantity_unit=form.cleaned_data["quantity_unit"],
                        wanted_by=form.cleaned_data["wanted_by"],
                    )
                except ValidationError as error:
                    _onto_need_form(form, error)
                except (MoveRefused, StaleState) as error:
                    message, status = move_failure(error)
                    form.add_error(None, message)
                    return _need_form(request, form, need, status)
                else:
                    messages.success(request, _("The need is saved."))
                    return redirect("cobuild:need-detail", pk=need.pk)
        status = 400
    return _need_form(request, form, need, status)


def _need_form(request: HttpRequest, form: NeedForm, need: Need, status: int) -> HttpResponse:
    return render(
        request,
        "cobuild/need_form.html",
        {
            "form": form,
            "need": need,
            "hot_spots": [],
            "breadcrumbs": crumbs(
                {"label": need.title, "url": reverse("cobuild:need-detail", args=[need.pk])},
                {"label": _("Edit"), "url": ""},
            ),
        },
        status=status,
    )


# --- a need -----------------------------------------------------------------------------------------------------------


def _detail(
    request: HttpRequest,
    need: Need,
    *,
    meet_form: NoteForm | None = None,
    reopen_form: NoteForm | None = None,
    withdraw_form: ReasonForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user: Any = request.user
    may_manage = may_at(user, Perm.MANAGE_PARTY, need.community.path)
    allowed = set(NEED_FLOW.allowed(need.state)) if may_manage else set()
    initial = {"version": need.version}
    matches = [
        {"match": match, "clause_url": clause_from_match_url(match), "project": getattr(match, "project", None)}
        for match in need_matches(need)
    ]
    return render(
        request,
        "cobuild/need_detail.html",
        {
            "need": need,
            "matches": matches,
            "timeline": timeline(need_events(need), flow=NEED_FLOW),
            "may_manage": may_manage,
            "may_edit": NeedAction.EDIT in allowed,
            "may_match": NeedAction.MATCH in allowed,
            "may_meet": NeedAction.MEET in allowed,
            "may_reopen": NeedAction.REOPEN in allowed,
            "may_withdraw": NeedAction.WITHDRAW in allowed,
            "meet_form": meet_form or NoteForm(initial=initial, prefix="meet"),
            "reopen_form": reopen_form or NoteForm(initial=initial, prefix="reopen"),
            "withdraw_form": withdraw_form or ReasonForm(initial=initial, prefix="withdraw"),
            "breadcrumbs": crumbs({"label": need.title, "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.VIEW_PARTY)
@require_GET
def need_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, need_get(user=request.user, pk=pk))


def _need_move(
    request: HttpRequest, pk: int, *, prefix: str, form_class: type[NoteForm] | type[ReasonForm], done: str
) -> HttpResponse:
    user: Any = request.user
    need = need_get(user=user, pk=pk, perm=Perm.MANAGE_PARTY)
    form = form_class(request.POST, prefix=prefix)
    forms_by_prefix = {"meet": "meet_form", "reopen": "reopen_form", "withdraw": "withdraw_form"}
    if not form.is_valid():
        return _detail(request, need, **{forms_by_prefix[prefix]: form}, status=400)  # type: ignore[arg-type]
    version = form.cleaned_data["version"]
    try:
        if prefix == "meet":
            services.need_meet(actor=user, need=need, expected_version=version, note=form.cleaned_data["note"])
        elif prefix == "reopen":
            services.need_reopen(actor=user, need=need, expected_version=version, note=form.cleaned_data["note"])
        else:
            services.need_withdraw(actor=user, need=need, expected_version=version, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        add_service_errors(form, error)
        return _detail(request, need, **{forms_by_prefix[prefix]: form}, status=400)  # type: ignore[arg-type]
    except (MoveRefused, StaleState) as error:
        message, status = move_failure(error)
        messages.error(request, message)
        return _detail(request, need_get(user=user, pk=pk), status=status)
    messages.success(request, done)
    return redirect("cobuild:need-detail", pk=need.pk)


@staff_view(Perm.MANAGE_PARTY)
@require_POST
def need_meet_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _need_move(request, pk, prefix="meet", form_class=NoteForm, done=_("The need is marked as met."))


@staff_view(Perm.MANAGE_PARTY)
@require_POST
def need_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _need_move(request, pk, prefix="reopen", form_class=NoteForm, done=_("The need is open again."))


@staff_view(Perm.MANAGE_PARTY)
@require_POST
def need_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _need_move(request, pk, prefix="withdraw", form_class=ReasonForm, done=_("The need is withdrawn."))


# --- matching ---------------------------------------------------------------------------------------------------------


def _matching(request: HttpRequest, need: Need, *, form: MatchForm | None = None, status: int = 200) -> HttpResponse:
    user: Any = request.user
    may_match = may_at(user, Perm.MANAGE_PARTY, need.community.path) and NeedAction.MATCH in NEED_FLOW.allowed(
        need.state
    )
    suggestions = need_suggestions(need, limit=SUGGESTIONS_SHOWN) if need.state == NeedState.OPEN else []
    return render(
        request,
        "cobuild/need_matching.html",
        {
            "need": need,
            "suggestions": suggestions,
            "matches": list(need_matches(need)),
            "may_match": may_match,
            "form": form,
            "breadcrumbs": crumbs(
                {"label": need.title, "url": reverse("cobuild:need-detail", args=[need.pk])},
                {"label": _("Matching"), "url": ""},
            ),
        },
        status=status,
    )


@staff_view(Perm.VIEW_PARTY)
@require_GET
def need_matching_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The resources that fit the need, best first, each with its score and the reasons."""
    return _matching(request, need_get(user=request.user, pk=pk))


@staff_view(Perm.MANAGE_PARTY)
@require_POST
def need_match_view(request: HttpRequest, pk: int) -> HttpResponse:
    """对接: accept one suggestion as a match."""
    user: Any = request.user
    need = need_get(user=user, pk=pk, perm=Perm.MANAGE_PARTY)
    form = MatchForm(request.POST)
    if not form.is_valid():
        return _matching(request, need, form=form, status=400)
    # Only looked up here: ``match_make`` ranks the need's offers (once) and keeps the score and reasons.
    resource = match_offer_get(need=need, pk=form.cleaned_data["resource"])
    if resource is None:
        form.add_error(
            None,
            _(
                "This resource is not among the need's suggestions: it is used up, withdrawn, matched already, "
                "or does not fit."
            ),
        )
        return _matching(request, need, form=form, status=400)
    try:
        match = services.match_make(
            actor=user,
            need=need,
            resource=resource,
            expected_version=form.cleaned_data["version"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _matching(request, need, form=form, status=400)
    except (MoveRefused, StaleState) as error:
        message, status = move_failure(error)
        messages.error(request, message)
        return _matching(request, need_get(user=user, pk=pk), status=status)
    messages.success(
        request,
        _("Matched with “%(resource)s” of %(unit)s. Turn it into a project or a contract clause below.")
        % {"resource": match.resource.title, "unit": match.resource.unit.name},
    )
    return redirect("cobuild:need-detail", pk=need.pk)

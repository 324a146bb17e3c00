"""Staff pages of the closed loop: the work queue, a matter with its timeline, map, photos and the forms of
exactly the moves the user may take now. Every read goes through ``matters.selectors``, every move through
``services.matter_transition``."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridwork.accounts.roles import Perm
from gridwork.common.permissions import staff_view
from gridwork.matters.disclosure import matter_reporter_contact, matter_reporter_reveal
from gridwork.matters.forms.staff import (
    ACTION_FORMS,
    REFUSAL_FIELDS,
    ActionForm,
    DiscardForm,
    DispatchForm,
    ExtensionDecisionForm,
    QueueFilterForm,
    queue_filters_from,
)
from gridwork.matters.merge import NOTE_MAX, matter_merge, matter_merged_duplicates
from gridwork.matters.models import Matter, MatterPhoto
from gridwork.matters.selectors import (
    TAB_LABELS,
    QueueTab,
    matter_co_units,
    matter_extension_requested_days,
    matter_find_visible,
    matter_get,
    matter_may_dispatch,
    matter_page,
    matter_photo_get,
    matter_place_filter_choices,
    matter_queue,
    matter_tab_counts,
    matter_timeline,
    matter_triage_suggestion,
    queue_tabs,
    unit_key,
)
from gridwork.matters.services import (
    ConcurrentChange,
    MatterNotFound,
    NotAllowed,
    matter_allowed_actions,
    matter_transition,
)
from gridwork.matters.triage import route
from gridwork.matters.units import Unit
from gridwork.matters.workflow import ACTION_LABELS, Action, TransitionRefused
from gridwork.supervision.forms import SUPERVISION_FORMS
from gridwork.triage.duplicates import matter_likely_duplicates

PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})


def _queue_crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [{"label": _("Matters"), "url": reverse("matters:queue")}, *extra]


@staff_view(Perm.VIEW_MATTERS)
@require_GET
def queue_view(request: HttpRequest) -> HttpResponse:
    """The work queue of the user's units, one tab at a time, newest first, a page after a cursor."""
    user = request.user
    tabs = queue_tabs(user)
    requested = request.GET.get("tab", "")
    tab = QueueTab(requested) if requested in tabs else tabs[0]
    filter_keys = set(QueueFilterForm.base_fields)
    bound = any(request.GET.get(key) for key in filter_keys)
    form = QueueFilterForm(request.GET if bound else None, place_choices=matter_place_filter_choices(user=user))
    filters = queue_filters_from(form, user)
    page = matter_page(
        matter_queue(user=user, tab=tab, filters=filters),
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
    )
    params = request.GET.copy()
    for key in ("after", "before"):
        params.pop(key, None)
    filter_params = params.copy()
    filter_params.pop("tab", None)
    return render(
        request,
        "matters/staff/queue.html",
        {
            "tab": tab,
            "tab_label": TAB_LABELS[tab],
            "counts": matter_tab_counts(user=user),
            "page": page,
            "query": params.urlencode(),
            "filter_query": filter_params.urlencode(),
            "form": form,
            "filtered": bound,
            "breadcrumbs": _queue_crumbs({"label": str(TAB_LABELS[tab]), "url": ""}),
        },
    )


def _dispatch_initial(matter: Matter) -> dict[str, Any]:
    suggestion = matter_triage_suggestion(matter=matter)
    unit = route(category=matter.category, grid=matter.grid) if matter.category_id else None
    lead = unit_key(unit) if unit is not None else (suggestion.unit_key if suggestion else "")
    category_id = matter.category_id or (suggestion.category.pk if suggestion and suggestion.category else None)
    return {
        "category": str(category_id or ""),
        "kind": matter.kind,
        "urgency": matter.urgency,
        "lead_unit": lead,
        "co_units": [
            unit_key(Unit(place_id=assignment.place_id, department_id=assignment.department_id))
            for assignment in matter.assignments.all()
        ],
    }


ALL_ACTION_FORMS = {**ACTION_FORMS, **SUPERVISION_FORMS}


def _action_form(request: HttpRequest, action: str, matter: Matter, *, bound: bool = False) -> ActionForm:
    form_class = ALL_ACTION_FORMS[action]
    kwargs: dict[str, Any] = {"matter": matter}
    if getattr(form_class, "needs_user", False):
        kwargs["user"] = request.user
    if form_class is DiscardForm:
        kwargs["duplicate_lookup"] = lambda number: matter_find_visible(user=request.user, number=number)
    if not bound:
        if form_class is DispatchForm:
            kwargs["initial"] = _dispatch_initial(matter)
        elif form_class is ExtensionDecisionForm:
            kwargs["initial"] = {"days": matter_extension_requested_days(matter=matter) or None}
        return form_class(**kwargs)
    return form_class(request.POST, request.FILES, **kwargs)


def _perform(request: HttpRequest, matter: Matter, form: ActionForm) -> tuple[int, str]:
    """Apply the posted move; (0, "") when done, else the status and, for a stale page, the message."""
    if not form.is_valid():
        return 400, ""
    try:
        matter_transition(
            actor=request.user,
            matter_id=matter.pk,
            action=form.action,
            expected_version=form.cleaned_data["expected_version"],
            **form.transition(),
        )
    except ConcurrentChange as error:
        return 409, str(error)
    except MatterNotFound as error:
        raise Http404 from error
    except NotAllowed as error:
        form.add_service_error(error)
        return 403, ""
    except TransitionRefused as error:
        form.add_service_error(error, field=REFUSAL_FIELDS.get(error.code))
        return 400, ""
    except ValidationError as error:
        form.add_service_error(error)
        return 400, ""
    return 0, ""


@staff_view(Perm.VIEW_MATTERS)
@require_http_methods(["GET", "POST"])
def detail_view(request: HttpRequest, number: str) -> HttpResponse:
    """A matter: text, place and map, photos, reporter (masked), timeline, and the forms of the allowed moves."""
    matter = matter_get(user=request.user, number=number)
    failed: ActionForm | None = None
    stale = ""
    status = 200
    revealed: tuple[str, str] | None = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "reveal_reporter":
            revealed = matter_reporter_reveal(actor=request.user, matter=matter, request=request)
        elif action in ALL_ACTION_FORMS:
            failed = _action_form(request, action, matter, bound=True)
            status, stale = _perform(request, matter, failed)
            if status == 0:
                messages.success(
                    request,
                    _("%(action)s: %(number)s.") % {"action": ACTION_LABELS[action], "number": matter.number},
                )
                return redirect("matters:detail", number=matter.number)
            matter = matter_get(user=request.user, number=number)
            if stale:
                failed = None
        else:
            return HttpResponseBadRequest(_("Unknown action."))
    allowed = matter_allowed_actions(actor=request.user, matter=matter)
    forms = []
    for action in allowed:
        if failed is not None and failed.action == action:
            forms.append(failed)
        else:
            forms.append(_action_form(request, action, matter))
    may_dispatch = matter_may_dispatch(user=request.user, matter=matter)
    name, phone = matter_reporter_contact(matter)
    timeline = matter_timeline(matter=matter)
    filing_photos = [photo for entry in timeline[:1] for photo in entry.photos]
    # 查重: a matter the user may still discard (to dispatch, in their area) may be merged into a likely original.
    likely = matter_likely_duplicates(matter=matter, user=request.user) if Action.DISCARD in allowed else []
    return render(
        request,
        "matters/staff/detail.html",
        {
            "matter": matter,
            "timeline": timeline,
            "filing_photos": filing_photos,
            "co_units": matter_co_units(matter),
            "suggestion": matter_triage_suggestion(matter=matter) if may_dispatch else None,
            "forms": forms,
            "failed": failed,
            "failed_label": ACTION_LABELS[failed.action] if failed is not None else "",
            "stale": stale,
            "reporter_name": name,
            "reporter_phone": phone,
            "revealed": revealed is not None,
            "likely_duplicates": likely,
            "merge_note_max": NOTE_MAX,
            "merged_duplicates": matter_merged_duplicates(matter=matter, user=request.user),
            "duplicate_visible": (
                matter.duplicate_of is not None
                and matter_find_visible(user=request.user, number=matter.duplicate_of.number) is not None
            ),
            "breadcrumbs": _queue_crumbs({"label": matter.number, "url": ""}),
        },
        status=status or 200,
    )


@staff_view(Perm.DISPATCH_MATTERS)
@require_POST
def merge_view(request: HttpRequest, number: str) -> HttpResponse:
    """合并: merge this matter (a duplicate) into the original named in the form, at the version the page showed.

    Success goes to the original's page, which lists the merged matter; a refusal comes back to this page with
    its reason (a stale page, a closed original, a matter outside the user's area)."""
    duplicate = matter_get(user=request.user, number=number)
    try:
        version = int(request.POST.get("expected_version", ""))
    except ValueError:
        return HttpResponseBadRequest(_("The page's version is missing. Reload the page."))
    original = matter_find_visible(user=request.user, number=request.POST.get("original", "")[:20])
    root: Matter | None = None
    error = _("No such matter in your area.")
    if original is not None:
        try:
            root = matter_merge(
                actor=request.user,
                duplicate_id=duplicate.pk,
                original_id=original.pk,
                note=request.POST.get("note", ""),
                expected_version=version,
            ).duplicate_of
        except MatterNotFound:
            pass
        except (ConcurrentChange, TransitionRefused) as refused:
            error = str(refused)
        except ValidationError as invalid:
            error = " ".join(invalid.messages)
    if root is None:
        reason = {"number": duplicate.number, "reason": error}
        messages.error(request, _("%(number)s was not merged: %(reason)s") % reason)
        return redirect("matters:detail", number=duplicate.number)
    messages.success(
        request,
        _("%(duplicate)s was merged into %(original)s; its reporter will be told of the progress.")
        % {"duplicate": duplicate.number, "original": root.number},
    )
    return redirect("matters:detail", number=root.number)


@staff_view(Perm.VIEW_MATTERS)
@require_GET
def detail_map_view(request: HttpRequest, number: str) -> JsonResponse:
    """GeoJSON of the matter's grid boundary and its pin, for the map on the matter page."""
    matter = matter_get(user=request.user, number=number)
    features: list[dict[str, Any]] = []
    if matter.grid.boundary:
        features.append(
            {
                "type": "Feature",
                "geometry": matter.grid.boundary,
                "properties": {"role": "grid", "name": matter.grid.name, "code": matter.grid.code},
            }
        )
    latitude = matter.latitude if matter.latitude is not None else getattr(matter.building, "latitude", None)
    longitude = matter.longitude if matter.longitude is not None else getattr(matter.building, "longitude", None)
    if latitude is not None and longitude is not None:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
                "properties": {"role": "pin", "name": matter.address or matter.number},
            }
        )
    return JsonResponse({"type": "FeatureCollection", "features": features})


@staff_view(Perm.VIEW_MATTERS)
@require_GET
def photo_view(request: HttpRequest, number: str, photo_id: int) -> HttpResponse:
    """A matter's photo, streamed to a user who may see the matter; there is no public URL of it."""
    photo: MatterPhoto = matter_photo_get(user=request.user, number=number, photo_id=photo_id)
    try:
        handle = photo.image.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404 from error
    safe = photo.content_type in PHOTO_TYPES
    response = FileResponse(
        handle,
        content_type=photo.content_type if safe else "application/octet-stream",
        as_attachment=not safe,
        filename=photo.image.name.rsplit("/", 1)[-1],
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return cast(HttpResponse, response)  # streamed, and served like any response

"""Staff pages of the registrations (双报到): the queue of members' registrations with confirm and reject, the
registered members of a community by building (and their Excel export), the units' registrations (单位报到), and the
contacts who speak for a unit. Lists and details are scoped (VIEW_PARTY); deciding needs MANAGE_PARTY over the
community, which the services check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gridwork.accounts.models import User, UserKind
from gridwork.accounts.roles import Perm
from gridwork.audit.services import audit_record
from gridwork.common.flows import Flow, FlowSubject, MoveRefused, StaleState
from gridwork.common.forms import add_service_errors
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view
from gridwork.party import registrations as services
from gridwork.party import selectors
from gridwork.party.exports import XLSX_TYPE, registered_members_xlsx
from gridwork.party.flows import EVENT_LABELS, REGISTRATION_FLOW, UNIT_REGISTRATION_FLOW, RegistrationAction
from gridwork.party.forms import DecisionForm, UnitContactForm, UnitRegistrationForm
from gridwork.party.models import RegistrationState
from gridwork.party.skills import skill_labels
from gridwork.places.models import Place

MEMBERS_PAGE_SIZE = 100
DECISIONS = (RegistrationAction.CONFIRM, RegistrationAction.REJECT)


def _crumbs(*items: tuple[str, str]) -> list[dict[str, str]]:
    return [{"label": label, "url": url} for label, url in items]


def _state_filter(request: HttpRequest) -> str:
    state = request.GET.get("state", "")
    return state if state in RegistrationState.values else ""


def _events(events: list[Any]) -> list[dict[str, Any]]:
    """The events for staff: who acted is named when it was staff; a member or a unit's contact is personal data and
    shows as "the applicant"."""
    staff_ids = set(
        User.objects.filter(pk__in={e.actor_id for e in events if e.actor_id}, kind=UserKind.STAFF).values_list(
            "pk", flat=True
        )
    )
    return [
        {
            "label": EVENT_LABELS.get(event.action, event.action),
            "at": event.at,
            "who": event.actor_name if event.actor_id in staff_ids or event.actor_id is None else _("the applicant"),
            "note": event.note,
            "to_state": RegistrationState(event.to_state).label if event.to_state in RegistrationState.values else "",
        }
        for event in events
    ]


def _decide(
    request: HttpRequest,
    subject: FlowSubject,
    *,
    confirm: Callable[..., Any],
    reject: Callable[..., Any],
) -> tuple[int, str, DecisionForm | None]:
    """Apply the posted decision; (0, "", None) when done, else the status, the message of a refused move and the
    form with its errors."""
    action = request.POST.get("action", "")
    form = DecisionForm(request.POST)
    if action not in DECISIONS or not form.is_valid():
        return 400, _("The page's version is missing. Reload the page."), None
    version = form.cleaned_data["expected_version"]
    try:
        if action == RegistrationAction.CONFIRM:
            confirm(actor=request.user, registration=subject, expected_version=version)
        else:
            reject(
                actor=request.user,
                registration=subject,
                reason=form.cleaned_data["reason"],
                expected_version=version,
            )
    except StaleState as stale:
        return 409, str(stale), None
    except MoveRefused as refused:
        return 409, str(refused), None
    except ValidationError as invalid:
        add_service_errors(form, invalid)
        return 400, "", form
    return 0, "", None


def _decision_context(subject: Any, flow: Flow, *, may_manage: bool) -> dict[str, Any]:
    allowed = [action for action in flow.allowed(subject.state) if action in DECISIONS] if may_manage else []
    return {
        "may_confirm": RegistrationAction.CONFIRM in allowed,
        "may_reject": RegistrationAction.REJECT in allowed,
    }


# --- members' registrations ----------------------------------------------------------------------------------------


@staff_view(Perm.VIEW_PARTY)
@require_GET
def registration_list_view(request: HttpRequest) -> HttpResponse:
    """The queue of members' registrations of the user's communities, those awaiting confirmation first."""
    state = _state_filter(request)
    buildings = list(selectors.registration_buildings(user=request.user))
    building_code = request.GET.get("building", "")
    building = next((b for b in buildings if b.code == building_code), None)
    page, query = paginate(request, selectors.registration_queue(user=request.user, state=state, building=building))
    return render(
        request,
        "party/registration_list.html",
        {
            "page_obj": page,
            "query": query,
            "states": RegistrationState.choices,
            "state": state,
            "buildings": buildings,
            "building": building.code if building else "",
            "breadcrumbs": _crumbs((_("Member registrations"), "")),
        },
    )


@staff_view(Perm.VIEW_PARTY)
@require_http_methods(["GET", "POST"])
def registration_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One registration: who, where, employer and skills, its events, and confirm / reject for the community."""
    registration = selectors.registration_get(user=request.user, pk=pk)
    status, refusal, failed = 200, "", None
    if request.method == "POST":
        status, refusal, failed = _decide(
            request, registration, confirm=services.registration_confirm, reject=services.registration_reject
        )
        if status == 0:
            messages.success(request, _("The registration is now “%(state)s”.") % {"state": _state_label(registration)})
            return redirect("party:registration-detail", pk=registration.pk)
        registration = selectors.registration_get(user=request.user, pk=pk)
    may_manage = selectors.registration_may_manage(user=request.user, registration=registration)
    form = failed if failed is not None else DecisionForm(initial={"expected_version": registration.version})
    return render(
        request,
        "party/registration_detail.html",
        {
            "registration": registration,
            "skills": skill_labels(registration.skills or []),
            "events": _events(selectors.registration_events(registration)),
            "moved_to": selectors.registration_moved_to(registration),
            "form": form,
            "refusal": refusal,
            **_decision_context(registration, REGISTRATION_FLOW, may_manage=may_manage),
            "breadcrumbs": _crumbs(
                (_("Member registrations"), reverse("party:registration-list")),
                (_("Registration"), ""),
            ),
        },
        status=status,
    )


def _state_label(subject: Any) -> str:
    return str(RegistrationState(subject.state).label)


def _members_community(request: HttpRequest) -> tuple[list[Place], Place | None]:
    communities = list(selectors.registered_member_communities(user=request.user))
    code = request.GET.get("community", "")
    return communities, next((c for c in communities if c.code == code), None)


@staff_view(Perm.VIEW_PARTY)
@require_GET
def registered_members_view(request: HttpRequest) -> HttpResponse:
    """The registered (confirmed) members of the user's communities, grouped by building."""
    communities, community = _members_community(request)
    members = selectors.registered_member_list(user=request.user, community=community)
    page, query = paginate(request, members, per_page=MEMBERS_PAGE_SIZE)
    return render(
        request,
        "party/registered_members.html",
        {
            "page_obj": page,
            "query": query,
            "communities": communities,
            "community": community.code if community else "",
            "total": page.paginator.count,
            "breadcrumbs": _crumbs(
                (_("Member registrations"), reverse("party:registration-list")),
                (_("Registered members"), ""),
            ),
        },
    )


@staff_view(Perm.VIEW_PARTY)
@require_GET
def registered_members_export_view(request: HttpRequest) -> HttpResponse:
    """The registered members of the page's filter as an .xlsx; an export with unmasked rows is audited."""
    _communities, community = _members_community(request)
    members = selectors.registered_member_list(user=request.user, community=community)
    about: list[tuple[str, Any]] = [
        (_("Community"), community.name if community else _("All my communities")),
        (_("Exported at"), timezone.now()),
        (_("Exported by"), str(request.user)),
    ]
    workbook = registered_members_xlsx(members.iterator(chunk_size=2000), about=about)
    if workbook.unmasked:
        with transaction.atomic():
            audit_record(
                actor=request.user,
                action="member_registration.export_unmasked",
                detail={
                    "rows": workbook.rows,
                    "unmasked": workbook.unmasked,
                    "community": community.code if community else "",
                },
                request=request,
            )
    today = timezone.localdate()
    response = HttpResponse(workbook.content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="registered-members-{today:%Y%m%d}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- units' registrations (单位报到) -------------------------------------------------------------------------


@staff_view(Perm.VIEW_PARTY)
@require_GET
def unit_registration_list_view(request: HttpRequest) -> HttpResponse:
    state = _state_filter(request)
    page, query = paginate(request, selectors.unit_registration_list(user=request.user, state=state))
    return render(
        request,
        "party/unit_registration_list.html",
        {
            "page_obj": page,
            "query": query,
            "states": RegistrationState.choices,
            "state": state,
            "may_create": request.user.has_perm_anywhere(Perm.MANAGE_PARTY),  # type: ignore[union-attr]
            "breadcrumbs": _crumbs((_("Unit registrations"), "")),
        },
    )


@staff_view(Perm.VIEW_PARTY)
@require_http_methods(["GET", "POST"])
def unit_registration_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    registration = selectors.unit_registration_get(user=request.user, pk=pk)
    status, refusal, failed = 200, "", None
    if request.method == "POST":
        status, refusal, failed = _decide(
            request,
            registration,
            confirm=services.unit_registration_confirm,
            reject=services.unit_registration_reject,
        )
        if status == 0:
            messages.success(request, _("The registration is now “%(state)s”.") % {"state": _state_label(registration)})
            return redirect("party:unit-registration-detail", pk=registration.pk)
        registration = selectors.unit_registration_get(user=request.user, pk=pk)
    may_manage = selectors.unit_registration_may_manage(user=request.user, registration=registration)
    form = failed if failed is not None else DecisionForm(initial={"expected_version": registration.version})
    return render(
        request,
        "party/unit_registration_detail.html",
        {
            "registration": registration,
            "events": _events(selectors.unit_registration_events(registration)),
            "form": form,
            "refusal": refusal,
            **_decision_context(registration, UNIT_REGISTRATION_FLOW, may_manage=may_manage),
            "breadcrumbs": _crumbs(
                (_("Unit registrations"), reverse("party:unit-registration-list")),
                (registration.unit.name, ""),
            ),
        },
        status=status,
    )


@staff_view(Perm.MANAGE_PARTY)
@require_http_methods(["GET", "POST"])
def unit_registration_create_view(request: HttpRequest) -> HttpResponse:
    """Record a unit's registration brought to the office: a unit of the user's scope with one of their
    communities."""
    communities = selectors.unit_registration_communities(user=request.user)
    units = selectors.unit_registration_units(user=request.user)
    form = UnitRegistrationForm(request.POST or None, units=units, communities=communities)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                registration = services.unit_registration_submit(
                    actor=request.user,
                    unit=form.cleaned_data["unit"],
                    community=communities.filter(code=form.cleaned_data["community"]).first(),
                    offers=form.cleaned_data["offers"],
                )
            except ValidationError as invalid:
                add_service_errors(form, invalid)
            else:
                messages.success(request, _("The unit's registration is recorded; confirm it when it is checked."))
                return redirect("party:unit-registration-detail", pk=registration.pk)
    return render(
        request,
        "party/unit_registration_form.html",
        {
            "form": form,
            "breadcrumbs": _crumbs(
                (_("Unit registrations"), reverse("party:unit-registration-list")),
                (_("Record a unit's registration"), ""),
            ),
        },
        status=status,
    )


@staff_view(Perm.VIEW_PARTY)
@require_http_methods(["GET", "POST"])
def unit_contacts_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The accounts that speak for a resident unit (its employer pages), and adding one (MANAGE_PARTY)."""
    unit = selectors.contact_unit_get(user=request.user, pk=pk)
    form = UnitContactForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            account = selectors.account_for_contact(form.cleaned_data["account"])
            try:
                services.unit_contact_add(actor=request.user, unit=unit, user=account)
            except ValidationError as invalid:
                add_service_errors(form, invalid)
            else:
                messages.success(request, _("The account now speaks for %(unit)s.") % {"unit": unit.name})
                return redirect("party:unit-contacts", pk=unit.pk)
    return render(
        request,
        "party/unit_contacts.html",
        {
            "unit": unit,
            "contacts": selectors.unit_contact_list(unit=unit),
            "unmasked": selectors.unit_contact_may_unmask(user=request.user, unit=unit),
            "form": form,
            "may_add": selectors.unit_may_add_contact(user=request.user, unit=unit),
            "breadcrumbs": _crumbs(
                (_("Unit registrations"), reverse("party:unit-registration-list")),
                (unit.name, ""),
            ),
        },
        status=status,
    )

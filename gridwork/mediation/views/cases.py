"""Staff pages of the dispute cases, at /staff/mediation/: the list (filters, search, masked names), registering a
case with its parties (from a screening entry or a matter, prefilled), a case's page (facts, parties masked with
"show in full", the mediator with the platform's suggestions, sessions, the outcome, the agreement's and referrals'
panels, the history), assigning, recusal, a session, the outcome, closing, correcting the case's details, showing a
party in full (audited), and turning a matter into a case in one step.

Reads go through ``mediation.selectors`` (scoped by VIEW_DISPUTES: 404 outside), writes through
``mediation.services.cases`` (MANAGE_DISPUTES over the case's place). A refused form answers 400 with the field and
why; a stale page or a move the case's state does not allow answers 409 with the message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridwork.accounts.roles import Perm
from gridwork.audit.services import audit_record
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.common.forms import add_service_errors
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view
from gridwork.common.scope import holds_over
from gridwork.mediation import selectors
from gridwork.mediation.flows import CASE_FLOW, CaseAction
from gridwork.mediation.forms import (
    AssignForm,
    CaseEditForm,
    CaseFilterForm,
    CaseForm,
    ConcludeForm,
    FromMatterForm,
    PartyForm,
    PartyFormSet,
    RecuseForm,
    SessionForm,
    VersionForm,
)
from gridwork.mediation.models import CaseSource, CaseState, DisputeCase
from gridwork.mediation.services import cases as services
from gridwork.mediation.services.cases import PartyInput

CONFLICT = 409
BAD_REQUEST = 400


def _crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [{"label": _("Dispute cases"), "url": reverse("mediation:case-list")}, *extra]


def _case_crumbs(case: DisputeCase, *extra: dict[str, str]) -> list[dict[str, str]]:
    return _crumbs({"label": case.number, "url": reverse("mediation:case-detail", args=[case.pk])}, *extra)


# --- list -----------------------------------------------------------------------------------------------------------


@staff_view(Perm.VIEW_DISPUTES)
@require_GET
def case_list_view(request: HttpRequest) -> HttpResponse:
    """The cases of the user's units, newest first: by state, type, risk, source, community; search by number or
    title. Parties' names are masked."""
    user: Any = request.user
    bound = any(request.GET.get(key) for key in CaseFilterForm.base_fields)
    form = CaseFilterForm(request.GET if bound else None, communities=selectors.community_choices(user=user))
    values = form.cleaned_data if bound and form.is_valid() else {}
    filters = selectors.CaseFilters(
        state=values.get("state", ""),
        dispute_type=values.get("dispute_type", ""),
        risk=values.get("risk", ""),
        source=values.get("source", ""),
        community=values.get("community"),
        q=values.get("q", ""),
    )
    cases = selectors.case_list(user=user, filters=filters).prefetch_related("parties")
    page, query = paginate(request, cases)
    rows = [{"case": case, "names": selectors.masked_names(case)} for case in page]
    return render(
        request,
        "mediation/cases/list.html",
        {
            "form": form,
            "page_obj": page,
            "rows": rows,
            "query": query,
            "may_register": user.has_perm_anywhere(Perm.MANAGE_DISPUTES),
            "breadcrumbs": _crumbs(),
        },
        status=BAD_REQUEST if bound and form.errors else 200,
    )


# --- registering --------------------------------------------------------------------------------------------------


def _entry_for(request: HttpRequest, entry_id: Any) -> Any:
    from gridwork.screening.models import RiskEntry

    entries = RiskEntry.objects.restrict(request.user, Perm.MANAGE_DISPUTES).select_related("screening__grid")
    return get_object_or_404(entries, pk=entry_id)


def _matter_for(request: HttpRequest, matter_id: Any) -> Any:
    from gridwork.matters.models import Matter

    matters = Matter.objects.restrict(request.user, Perm.VIEW_MATTERS).select_related("grid")
    return get_object_or_404(matters, pk=matter_id)


def _id(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _prefill(entry: Any, matter: Any) -> dict[str, Any]:
    if entry is not None:
        return {
            "place": entry.screening.grid_id,
            "title": entry.summary.strip().splitlines()[0][:80] if entry.summary.strip() else "",
            "dispute_type": entry.dispute_type,
            "risk": entry.risk,
            "facts": entry.summary,
            "location": entry.location,
            "source": CaseSource.SCREENING,
            "entry": entry.pk,
        }
    if matter is not None:
        return {
            "place": matter.grid_id,
            "title": matter.title[:80],
            "facts": matter.text,
            "location": matter.address,
            "source": CaseSource.MATTER,
            "matter": matter.pk,
        }
    return {}


def _parties_told(request: HttpRequest, entry: Any) -> str:
    """The parties as told on screening, for the party rows: in full only to those who may see parties (audited),
    never copied into the facts, which grid workers read."""
    if entry is None or not entry.parties:
        return ""
    user: Any = request.user
    if not holds_over(user, Perm.VIEW_DISPUTE_PARTIES, entry.screening.grid):
        return ""
    audit_record(
        actor=user,
        action="screening.reveal_parties",
        target=entry,
        detail={"fields": ["parties"], "for": "case registration"},
        request=request,
    )
    return str(entry.parties)


@staff_view(Perm.MANAGE_DISPUTES)
@require_http_methods(["GET", "POST"])
def case_create_view(request: HttpRequest) -> HttpResponse:
    """Register a case with its parties; ``?entry=<id>`` (a screening entry) or ``?matter=<id>`` prefills it."""
    user: Any = request.user
    data = request.POST if request.method == "POST" else request.GET
    entry_id, matter_id = _id(data.get("entry")), _id(data.get("matter"))
    entry = _entry_for(request, entry_id) if entry_id else None
    matter = _matter_for(request, matter_id) if matter_id and entry is None else None
    places = selectors.place_choices(user=user)
    status = 200
    if request.method == "POST":
        form = CaseForm(request.POST, places=places)
        formset = PartyFormSet(request.POST, prefix="parties")
        if form.is_valid() and formset.is_valid():
            parties = [
                PartyInput(
                    role=f.cleaned_data["role"],
                    name=f.cleaned_data["name"],
                    phone=f.cleaned_data.get("phone") or "",
                    id_number=f.cleaned_data.get("id_number") or "",
                    address=f.cleaned_data.get("address") or "",
                    is_organisation=bool(f.cleaned_data.get("is_organisation")),
                )
                for f in formset.forms
                if f.has_changed() and f.cleaned_data.get("name")
            ]
            values = form.cleaned_data
            try:
                case = services.case_register(
                    actor=user,
                    place=values["place"],
                    title=values["title"],
                    dispute_type=values["dispute_type"],
                    risk=values["risk"],
                    facts=values["facts"],
                    location=values.get("location") or "",
                    source=values["source"],
                    parties=parties,
                    matter=matter,
                    risk_entry=entry,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Case %(number)s registered.") % {"number": case.number})
                return redirect("mediation:case-detail", pk=case.pk)
        status = BAD_REQUEST
    else:
        form = CaseForm(initial=_prefill(entry, matter), places=places)
        formset = PartyFormSet(prefix="parties")
    told = _parties_told(request, entry)
    return render(
        request,
        "mediation/cases/form.html",
        {
            "form": form,
            "formset": formset,
            "entry": entry,
            "told": told,
            "matter": matter,
            "breadcrumbs": _crumbs({"label": _("Register a case"), "url": ""}),
        },
        status=status,
    )


# --- a case's page ------------------------------------------------------------------------------------------------


def _detail(
    request: HttpRequest,
    case: DisputeCase,
    *,
    status: int = 200,
    refusal: str = "",
    assign_form: AssignForm | None = None,
    party_form: PartyForm | None = None,
) -> HttpResponse:
    user: Any = request.user
    can_manage = selectors.may_manage(user, case)
    can_reveal = selectors.may_reveal(user, case)
    allowed = CASE_FLOW.allowed(case.state) if can_manage else []
    can_assign = CaseAction.ASSIGN in allowed or CaseAction.REASSIGN in allowed
    suggestions = services.mediator_suggestions(case) if can_assign else []
    if can_assign and assign_form is None:
        mediators = (
            services.serving_mediators(case).filter(available=True).exclude(pk__in=services.recused_mediator_ids(case))
        )
        assign_form = AssignForm(initial={"version": case.version}, mediators=mediators)
    agreement = selectors.case_agreement(case)
    return render(
        request,
        "mediation/cases/detail.html",
        {
            "case": case,
            "parties": selectors.masked_parties(case),
            "sessions": list(selectors.case_sessions(case)),
            "assignments": list(selectors.case_assignments(case)),
            "timeline": selectors.case_timeline(case),
            "agreement": agreement,
            "today": timezone.localdate(),
            "referrals": list(selectors.case_referrals(case)),
            "suggestions": suggestions,
            "assign_form": assign_form,
            "party_form": party_form or PartyForm(prefix="party"),
            "can_manage": can_manage,
            "can_reveal": can_reveal,
            "can_assign": can_assign,
            "reassigning": CaseAction.REASSIGN in allowed,
            "can_recuse": CaseAction.RECUSE in allowed,
            "can_session": CaseAction.HOLD_SESSION in allowed,
            "can_conclude": CaseAction.CONCLUDE in allowed,
            "can_close": CaseAction.CLOSE in allowed and bool(case.outcome),
            "can_edit": CaseAction.EDIT in allowed,
            "can_add_party": can_manage
            and case.state in (CaseState.REGISTERED, CaseState.ASSIGNED, CaseState.MEDIATING),
            "refusal": refusal,
            "breadcrumbs": _case_crumbs(case),
        },
        status=status,
    )


@staff_view(Perm.VIEW_DISPUTES)
@require_GET
def case_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    return _detail(request, case)


@staff_view(Perm.MANAGE_DISPUTES)
@require_POST
def case_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Assign (or replace) the mediator: a suggestion's button or the roster's list."""
    case = selectors.case_get(user=request.user, pk=pk)
    mediators = services.serving_mediators(case)
    form = AssignForm(request.POST, mediators=mediators)
    if not form.is_valid():
        return _detail(request, case, status=BAD_REQUEST, assign_form=form)
    try:
        services.mediator_assign(
            actor=request.user,
            case=case,
            mediator=form.cleaned_data["mediator"],
            expected_version=form.cleaned_data["version"],
            suggested=bool(form.cleaned_data.get("suggested")),
        )
    except (StaleState, MoveRefused) as error:
        return _detail(request, selectors.case_get(user=request.user, pk=pk), status=CONFLICT, refusal=str(error))
    except ValidationError as error:
        add_service_errors(form, error)
        return _detail(request, case, status=BAD_REQUEST, assign_form=form)
    messages.success(request, _("%(name)s now mediates the case.") % {"name": form.cleaned_data["mediator"].name})
    return redirect("mediation:case-detail", pk=case.pk)


def _step_page(
    request: HttpRequest,
    case: DisputeCase,
    *,
    template: str,
    form: Any,
    title: str,
    status: int = 200,
    refusal: str = "",
) -> HttpResponse:
    return render(
        request,
        template,
        {
            "case": case,
            "form": form,
            "title": title,
            "refusal": refusal,
            "breadcrumbs": _case_crumbs(case, {"label": title, "url": ""}),
        },
        status=status,
    )


def _manage_case(request: HttpRequest, pk: int) -> DisputeCase:
    """The case, 404 outside the user's units where they manage disputes."""
    return selectors.case_get(user=request.user, pk=pk, perm=Perm.MANAGE_DISPUTES)


@staff_view(Perm.MANAGE_DISPUTES)
@require_http_methods(["GET", "POST"])
def case_recuse_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A party asks for another mediator (回避): who asks and why."""
    case = _manage_case(request, pk)
    title = _("Another mediator at a party's request")
    parties = case.parties.all()
    if request.method == "GET":
        form = RecuseForm(initial={"version": case.version}, parties=parties)
        return _step_page(request, case, template="mediation/cases/recuse.html", form=form, title=title)
    form = RecuseForm(request.POST, parties=parties)
    if form.is_valid():
        try:
            services.mediator_recuse(
                actor=request.user,
                case=case,
                party=form.cleaned_data["party"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except (StaleState, MoveRefused) as error:
            return _step_page(
                request,
                case,
                template="mediation/cases/recuse.html",
                form=form,
                title=title,
                status=CONFLICT,
                refusal=str(error),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The mediator was taken off the case; assign another one."))
            return redirect("mediation:case-detail", pk=case.pk)
    return _step_page(request, case, template="mediation/cases/recuse.html", form=form, title=title, status=BAD_REQUEST)


@staff_view(Perm.MANAGE_DISPUTES)
@require_http_methods(["GET", "POST"])
def case_session_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a session of the mediation."""
    case = _manage_case(request, pk)
    title = _("Record a session")
    template = "mediation/cases/session.html"
    if request.method == "GET":
        form = SessionForm(
            initial={
                "version": case.version,
                "held_at": timezone.localtime().replace(second=0, microsecond=0),
                "location": _("Mediation room of %(community)s") % {"community": case.community.name},
            }
        )
        return _step_page(request, case, template=template, form=form, title=title)
    form = SessionForm(request.POST)
    if form.is_valid():
        values = form.cleaned_data
        try:
            services.session_record(
                actor=request.user,
                case=case,
                held_at=values["held_at"],
                location=values["location"],
                participants=values["participants"],
                notes=values["notes"],
                expected_version=values["version"],
            )
        except (StaleState, MoveRefused) as error:
            return _step_page(
                request, case, template=template, form=form, title=title, status=CONFLICT, refusal=str(error)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Session recorded."))
            return redirect("mediation:case-detail", pk=case.pk)
    return _step_page(request, case, template=template, form=form, title=title, status=BAD_REQUEST)


@staff_view(Perm.MANAGE_DISPUTES)
@require_http_methods(["GET", "POST"])
def case_conclude_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the outcome: an agreement (full or partial) goes to the agreement's form; failed or withdrawn here."""
    case = _manage_case(request, pk)
    title = _("Record the outcome")
    template = "mediation/cases/conclude.html"
    if request.method == "GET":
        form = ConcludeForm(initial={"version": case.version})
        return _step_page(request, case, template=template, form=form, title=title)
    form = ConcludeForm(request.POST)
    if form.is_valid():
        try:
            services.case_conclude(
                actor=request.user,
                case=case,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data["version"],
            )
        except (StaleState, MoveRefused) as error:
            return _step_page(
                request, case, template=template, form=form, title=title, status=CONFLICT, refusal=str(error)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Outcome recorded."))
            return redirect("mediation:case-detail", pk=case.pk)
    return _step_page(request, case, template=template, form=form, title=title, status=BAD_REQUEST)


@staff_view(Perm.MANAGE_DISPUTES)
@require_POST
def case_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = _manage_case(request, pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=BAD_REQUEST, refusal=_("The page is missing the case's version."))
    try:
        services.case_close(actor=request.user, case=case, expected_version=form.cleaned_data["version"])
    except (StaleState, MoveRefused) as error:
        return _detail(request, _manage_case(request, pk), status=CONFLICT, refusal=str(error))
    except ValidationError as error:
        return _detail(request, case, status=BAD_REQUEST, refusal=" ".join(error.messages))
    messages.success(request, _("Case %(number)s closed.") % {"number": case.number})
    return redirect("mediation:case-detail", pk=case.pk)


@staff_view(Perm.MANAGE_DISPUTES)
@require_POST
def case_party_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a party (the other side of a case turned from a matter, say)."""
    case = _manage_case(request, pk)
    form = PartyForm(request.POST, prefix="party")
    if form.is_valid():
        values = form.cleaned_data
        try:
            services.party_add(
                actor=request.user,
                case=case,
                party=PartyInput(
                    role=values["role"],
                    name=values["name"],
                    phone=values.get("phone") or "",
                    id_number=values.get("id_number") or "",
                    address=values.get("address") or "",
                    is_organisation=bool(values.get("is_organisation")),
                ),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Party added."))
            return redirect("mediation:case-detail", pk=case.pk)
    return _detail(request, case, status=BAD_REQUEST, party_form=form)


@staff_view(Perm.MANAGE_DISPUTES)
@require_http_methods(["GET", "POST"])
def case_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct the title, type, risk level, facts and place described (a resident's application arrives as a low risk
    with a generic title), until the case is closed; the event keeps what each field said before."""
    case = _manage_case(request, pk)
    title = _("Correct the case's details")
    template = "mediation/cases/edit.html"
    if request.method == "GET":
        form = CaseEditForm(
            initial={"version": case.version, **{name: getattr(case, name) for name in services.EDITABLE}}
        )
        if CaseAction.EDIT not in CASE_FLOW.allowed(case.state):
            refusal = _("A closed case's details are no longer corrected.")
            return _step_page(
                request, case, template=template, form=form, title=title, status=CONFLICT, refusal=refusal
            )
        return _step_page(request, case, template=template, form=form, title=title)
    form = CaseEditForm(request.POST)
    if form.is_valid():
        values = form.cleaned_data
        try:
            services.case_update(
                actor=request.user,
                case=case,
                expected_version=values["version"],
                **{name: values.get(name) or "" for name in services.EDITABLE},
            )
        except (StaleState, MoveRefused) as error:
            return _step_page(
                request, case, template=template, form=form, title=title, status=CONFLICT, refusal=str(error)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The case's details were corrected."))
            return redirect("mediation:case-detail", pk=case.pk)
    return _step_page(request, case, template=template, form=form, title=title, status=BAD_REQUEST)


# --- personal data ------------------------------------------------------------------------------------------------


@staff_view(Perm.VIEW_DISPUTE_PARTIES)
@require_POST
def party_reveal_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A party's name, phone, ID number and address in full: recorded in the audit log (POST only, never cached)."""
    party = selectors.party_get(user=request.user, pk=pk)
    services.party_reveal(actor=request.user, party=party, request=request)
    response = render(
        request,
        "mediation/cases/party.html",
        {
            "case": party.case,
            "party": selectors.party_view(party, full=True),
            "breadcrumbs": _case_crumbs(party.case, {"label": _("Party in full"), "url": ""}),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


# --- from a matter ------------------------------------------------------------------------------------------------


@staff_view(Perm.MANAGE_DISPUTES)
@require_http_methods(["GET", "POST"])
def case_from_matter_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Turn a matter into a dispute case in one step: its text as the facts, its reporter as the applicant."""
    from gridwork.matters.models import Matter

    matter = get_object_or_404(Matter.objects.restrict(request.user, Perm.VIEW_MATTERS).select_related("grid"), pk=pk)
    existing = DisputeCase.objects.filter(matter=matter).first()
    status = 200
    if request.method == "POST":
        form = FromMatterForm(request.POST)
        if form.is_valid():
            try:
                case = services.case_from_matter(
                    actor=request.user,
                    matter=matter,
                    dispute_type=form.cleaned_data["dispute_type"],
                    risk=form.cleaned_data["risk"],
                    title=form.cleaned_data.get("title") or None,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Matter %(matter)s is now dispute case %(number)s.")
                    % {"matter": matter.number, "number": case.number},
                )
                return redirect("mediation:case-detail", pk=case.pk)
        status = BAD_REQUEST
    else:
        form = FromMatterForm(initial={"title": matter.title[:80]})
    return render(
        request,
        "mediation/cases/from_matter.html",
        {
            "matter": matter,
            "existing": existing,
            "form": form,
            "breadcrumbs": _crumbs({"label": _("Turn a matter into a dispute case"), "url": ""}),
        },
        status=status,
    )

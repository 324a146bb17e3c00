"""Residents' pages of people's mediation, at /mediation/: apply for mediation of a dispute, my applications with
where each stands and what happens next, one application's page (the mediator, the sessions, the outcome, and the
applicant's own copy of the agreement, each download audited), and withdrawing an application still in mediation.

Only a resident's own account gets in (staff have the staff pages: 403), and it finds only the cases it applied for
itself (``services.applications.resident_applications``): any other case is not found (404).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridwork.common.flows import MoveRefused, StaleState
from gridwork.common.forms import add_service_errors
from gridwork.common.permissions import signed_in_view
from gridwork.mediation.downloads import audited_pdf
from gridwork.mediation.flows import ACTION_LABELS, CASE_FLOW, CaseAction
from gridwork.mediation.forms_resident import ApplicationForm, CommunitySearchForm, WithdrawForm
from gridwork.mediation.models import CaseEvent, DisputeCase, MediationSession, PartyRole, Referral
from gridwork.mediation.services import applications
from gridwork.mediation.services.cases import PartyInput

MINE_PAGE_SIZE = 20
BAD_REQUEST = 400
CONFLICT = 409


def _resident(request: HttpRequest) -> Any:
    """Applications are made by residents from their own account; staff register cases on the staff pages."""
    user: Any = request.user
    if not applications.is_resident(user):
        raise PermissionDenied
    return user


# --- applying -----------------------------------------------------------------------------------------------------


def _chosen_code(request: HttpRequest, home: Any) -> str:
    code = request.GET.get("community", "").strip()[:32]
    if code:
        return code
    return home.code if home is not None else ""


@signed_in_view
@require_http_methods(["GET", "POST"])
def apply_view(request: HttpRequest) -> HttpResponse:
    """申请人民调解: where the dispute arose (the household's community by default), its type, what happened and what
    the applicant asks for, the other party as far as known, the applicant's name (the phone is the account's), and
    the consent to mediation."""
    user = _resident(request)
    communities = applications.community_choices()
    home = applications.resident_home_community(user)
    search = CommunitySearchForm(request.GET or None)
    find = search.cleaned_data.get("find", "") if search.is_valid() else ""
    found = applications.community_search(find) if find else []
    status = 200
    if request.method == "POST":
        form = ApplicationForm(request.POST, communities=communities)
        if form.is_valid():
            values = form.cleaned_data
            try:
                case = applications.case_apply(
                    resident_user=user,
                    community=values["community"],
                    dispute_type=values["dispute_type"],
                    facts=values["facts"],
                    request_text=values["request_text"],
                    other_party=PartyInput(
                        PartyRole.RESPONDENT,
                        values["other_name"],
                        phone=values.get("other_phone") or "",
                        address=values.get("other_address") or "",
                        is_organisation=bool(values.get("other_is_organisation")),
                    ),
                    applicant_name=values["applicant_name"],
                    applicant_phone=user.phone or "",
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Your application %(number)s is in. The community's mediation committee will contact you.")
                    % {"number": case.number},
                )
                return redirect("mediation_resident:detail", pk=case.pk)
        status = BAD_REQUEST
    else:
        form = ApplicationForm(
            initial={"community": _chosen_code(request, home), "applicant_name": user.full_name},
            communities=communities,
        )
    open_count = applications.open_application_count(user)
    return render(
        request,
        "mediation/resident/apply.html",
        {
            "form": form,
            "search": search,
            "find": find,
            "found": found,
            "home": home,
            "phone": user.phone or "",
            "open_count": open_count,
            "at_limit": open_count >= applications.MAX_OPEN_APPLICATIONS,
            "limit": applications.MAX_OPEN_APPLICATIONS,
        },
        status=status,
    )


# --- my applications ----------------------------------------------------------------------------------------------


@signed_in_view
@require_GET
def mine_view(request: HttpRequest) -> HttpResponse:
    """我的调解申请: the resident's own applications, newest first, each with its state and the next step."""
    user = _resident(request)
    page = Paginator(applications.resident_applications(user), MINE_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"case": case, "next_step": applications.next_step(case)} for case in page]
    return render(request, "mediation/resident/mine.html", {"page_obj": page, "rows": rows, "query": ""})


def _timeline(case: DisputeCase) -> list[dict[str, Any]]:
    """The case's steps as the applicant sees them: what and when; not who on the staff side, nor their notes."""
    return [
        {"at": event.at, "label": str(ACTION_LABELS.get(event.action, event.action))}
        for event in CaseEvent.objects.filter(subject=case).order_by("sequence")
    ]


def _detail(
    request: HttpRequest,
    case: DisputeCase,
    *,
    withdraw_form: WithdrawForm | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    respondents = [party for party in case.parties.all() if party.role != PartyRole.APPLICANT]
    may_withdraw = CaseAction.WITHDRAW in CASE_FLOW.allowed(case.state)
    if may_withdraw and withdraw_form is None:
        withdraw_form = WithdrawForm(initial={"version": case.version})
    return render(
        request,
        "mediation/resident/detail.html",
        {
            "may_withdraw": may_withdraw,
            "withdraw_form": withdraw_form,
            "refusal": refusal,
            "case": case,
            "next_step": applications.next_step(case),
            "respondents": respondents,
            "sessions": list(
                MediationSession.objects.filter(case=case).only("held_at", "location").order_by("held_at", "id")
            ),
            "referrals": list(Referral.objects.filter(case=case).order_by("referred_at", "id")),
            "agreement": applications.resident_agreement(case),
            "timeline": _timeline(case),
        },
        status=status,
    )


@signed_in_view
@require_GET
def detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the resident's applications: where it stands, the next step, the mediator, the sessions, the outcome,
    any referral, the agreement to download, and — while it is in mediation — withdrawing it."""
    user = _resident(request)
    return _detail(request, applications.resident_application_get(user, pk))


@signed_in_view
@require_POST
def withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant ends the mediation (People's Mediation Law, art. 23), with a reason: the case is concluded as
    withdrawn and the community told. Without a reason: 400 on the field; concluded, referred or a stale page: 409."""
    user = _resident(request)
    case = applications.resident_application_get(user, pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, withdraw_form=form, status=BAD_REQUEST)
    try:
        applications.application_withdraw(
            resident_user=user,
            case=case,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except (StaleState, MoveRefused) as error:
        fresh = applications.resident_application_get(user, pk)
        return _detail(request, fresh, refusal=str(error), status=CONFLICT)
    except ValidationError as error:
        add_service_errors(form, error)
        return _detail(request, case, withdraw_form=form, status=BAD_REQUEST)
    messages.success(
        request,
        _("You withdrew application %(number)s. The community will close the case.") % {"number": case.number},
    )
    return redirect("mediation_resident:detail", pk=case.pk)


@signed_in_view
@require_GET
def agreement_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant's own copy of the agreement (调解协议书由当事人各执一份, art. 29): each download audited
    (``mediation.download_agreement``, as the applicant)."""
    user = _resident(request)
    case = applications.resident_application_get(user, pk)
    agreement = applications.resident_agreement(case)
    if agreement is None:
        raise Http404
    return audited_pdf(
        request,
        agreement.pdf,
        action="mediation.download_agreement",
        target=agreement,
        detail={"case": case.number, "sha256": agreement.pdf_sha256, "as": "applicant"},
        filename=f"{agreement.number}.pdf",
    )

"""Staff pages of a case's documents, at /staff/mediation/: the agreement's form and page and its PDF (VIEW_DISPUTE_
PARTIES, audited), the follow-ups due and the follow-up form, the referral form with its letter (PDF, audited) and
the referral's result. Reads go through ``mediation.selectors_documents`` (scoped: 404 outside), writes through the
services of ``mediation.services.agreements`` and ``.referrals``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gridwork.accounts.roles import Perm
from gridwork.common.flows import MoveRefused, StaleState
from gridwork.common.forms import add_service_errors
from gridwork.common.permissions import staff_view
from gridwork.mediation import selectors_documents as selectors
from gridwork.mediation.downloads import audited_pdf
from gridwork.mediation.forms_documents import AgreementForm, FollowUpForm, ReferForm, ReferralResultForm
from gridwork.mediation.models import Agreement, CaseState, DisputeCase
from gridwork.mediation.selectors import masked_parties
from gridwork.mediation.services.agreements import agreement_create, followup_record, followups_due
from gridwork.mediation.services.referrals import case_refer, referral_result_record

FOLLOW_UP_AFTER_DAYS = 30


def _crumbs(case: DisputeCase | None = None, *extra: dict[str, str]) -> list[dict[str, str]]:
    found = [{"label": _("Dispute cases"), "url": reverse("mediation:case-list")}]
    if case is not None:
        found.append({"label": case.number, "url": reverse("mediation:case-detail", args=[case.pk])})
    return [*found, *extra]


def run_service(form: forms.Form, move: Callable[[], Any]) -> tuple[int, str, Any]:
    """Run a service for a valid form: (0, "", result) when done; else the status and a refused move's message
    (a wrong field's message goes on the form)."""
    if not form.is_valid():
        return 400, "", None
    try:
        result = move()
    except ValidationError as error:
        add_service_errors(form, error)
        return 400, "", None
    except PermissionDenied as error:
        return 403, str(error) or _("You may not do this."), None
    except (StaleState, MoveRefused) as error:
        return 409, str(error), None
    return 0, "", result


# --- 调解协议书 ------------------------------------------------------------------------------------------------------


@staff_view(Perm.MANAGE_DISPUTES)
@require_http_methods(["GET", "POST"])
def agreement_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The agreement a mediation reached: its facts, terms and performance, the signing date and follow-up dates; on
    saving, the case's outcome is recorded and the PDF written."""
    user: Any = request.user
    case = selectors.case_get(user=user, pk=pk, perm=Perm.MANAGE_DISPUTES)
    existing = selectors.agreement_of(case)
    if existing is not None:
        messages.info(request, _("This case already has an agreement."))
        return redirect("mediation:agreement-detail", pk=existing.pk)
    today = timezone.localdate()
    form = AgreementForm(
        request.POST or None,
        initial={
            "facts": case.facts,
            "signed_on": today,
            "follow_up_on": today + timedelta(days=FOLLOW_UP_AFTER_DAYS),
            "partial": request.GET.get("partial") == "1",
            "expected_version": case.version,
        },
    )
    status, refusal = 200, ""
    if case.state != CaseState.MEDIATING:
        refusal = _("An agreement is recorded once a session was held and while the case is being mediated.")
    if request.method == "POST":
        status, refusal, agreement = run_service(
            form,
            lambda: agreement_create(
                actor=user,
                case=case,
                facts=form.cleaned_data["facts"],
                terms=form.cleaned_data["terms"],
                performance=form.cleaned_data["performance"],
                signed_on=form.cleaned_data["signed_on"],
                follow_up_on=form.follow_up_days(),
                partial=bool(form.cleaned_data.get("partial")),
                expected_version=form.cleaned_data["expected_version"],
            ),
        )
        if agreement is not None:
            messages.success(
                request, _("Agreement %(number)s is recorded and its PDF written.") % {"number": agreement.number}
            )
            return redirect("mediation:agreement-detail", pk=agreement.pk)
    return render(
        request,
        "mediation/agreements/form.html",
        {
            "form": form,
            "case": case,
            "parties": masked_parties(case),
            "refusal": refusal,
            "breadcrumbs": _crumbs(case, {"label": _("Agreement"), "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.VIEW_DISPUTES)
@require_GET
def agreement_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """调解协议书: the terms, the follow-ups and their results; the PDF for those who may see the parties in full."""
    user: Any = request.user
    agreement = selectors.agreement_get(user=user, pk=pk)
    case = agreement.case
    return render(
        request,
        "mediation/agreements/detail.html",
        {
            "agreement": agreement,
            "case": case,
            "parties": masked_parties(case),
            "follow_ups": selectors.agreement_follow_ups(agreement),
            "can_manage": selectors.holds(user, Perm.MANAGE_DISPUTES, case.place),
            "can_reveal": selectors.holds(user, Perm.VIEW_DISPUTE_PARTIES, case.place),
            "today": timezone.localdate(),
            "breadcrumbs": _crumbs(case, {"label": agreement.number, "url": ""}),
        },
    )


@staff_view(Perm.VIEW_DISPUTE_PARTIES)
@require_GET
def agreement_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The agreement's PDF, with the parties' data in full: VIEW_DISPUTE_PARTIES over the case, each download
    audited (``mediation.download_agreement``)."""
    user: Any = request.user
    agreement: Agreement = selectors.agreement_get(user=user, pk=pk, perm=Perm.VIEW_DISPUTE_PARTIES)
    return audited_pdf(
        request,
        agreement.pdf,
        action="mediation.download_agreement",
        target=agreement,
        detail={"case": agreement.case.number, "sha256": agreement.pdf_sha256},
        filename=f"{agreement.number}.pdf",
    )


# --- 回访 ------------------------------------------------------------------------------------------------------------


@staff_view(Perm.VIEW_DISPUTES)
@require_GET
def followup_list_view(request: HttpRequest) -> HttpResponse:
    """The follow-ups due (today and overdue) in the user's communities, and the next ones."""
    user: Any = request.user
    today = timezone.localdate()
    due = list(followups_due(user, on=today))
    upcoming = list(selectors.followup_upcoming(user, after=today))
    for follow_up in (*due, *upcoming):
        follow_up.can_record = selectors.holds(  # type: ignore[attr-defined]
            user, Perm.MANAGE_DISPUTES, follow_up.agreement.case.place
        )
        follow_up.overdue_days = (today - follow_up.due_on).days  # type: ignore[attr-defined]
    return render(
        request,
        "mediation/agreements/followups.html",
        {
            "due": due,
            "upcoming": upcoming,
            "today": today,
            "breadcrumbs": _crumbs(None, {"label": _("Follow-ups"), "url": ""}),
        },
    )


@staff_view(Perm.MANAGE_DISPUTES)
@require_http_methods(["GET", "POST"])
def followup_record_view(request: HttpRequest, pk: int) -> HttpResponse:
    """回访: whether the agreement is performed."""
    user: Any = request.user
    follow_up = selectors.followup_get(user=user, pk=pk, perm=Perm.MANAGE_DISPUTES)
    agreement = follow_up.agreement
    case = agreement.case
    form = FollowUpForm(request.POST or None)
    status, refusal = 200, ""
    if follow_up.done_on is not None:
        refusal = _("This follow-up is already recorded.")
    if request.method == "POST":
        status, refusal, done = run_service(
            form,
            lambda: followup_record(
                actor=user,
                follow_up=follow_up,
                result=form.cleaned_data["result"],
                note=form.cleaned_data.get("note") or "",
                done_on=form.cleaned_data["done_on"],
            ),
        )
        if done is not None:
            messages.success(request, _("The follow-up is recorded."))
            return redirect("mediation:agreement-detail", pk=agreement.pk)
    return render(
        request,
        "mediation/agreements/followup_form.html",
        {
            "form": form,
            "follow_up": follow_up,
            "agreement": agreement,
            "case": case,
            "refusal": refusal,
            "breadcrumbs": _crumbs(
                case,
                {"label": agreement.number, "url": reverse("mediation:agreement-detail", args=[agreement.pk])},
                {"label": _("Follow-up"), "url": ""},
            ),
        },
        status=status,
    )


# --- 诉调对接 --------------------------------------------------------------------------------------------------------


@staff_view(Perm.MANAGE_DISPUTES)
@require_http_methods(["GET", "POST"])
def case_refer_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Refer the case to a court, an arbitration commission, the petition office, a department or the police; the
    referral letter (PDF) is written."""
    user: Any = request.user
    case = selectors.case_get(user=user, pk=pk, perm=Perm.MANAGE_DISPUTES)
    form = ReferForm(
        request.POST or None,
        departments=selectors.referral_departments(case),
        initial={"expected_version": case.version},
    )
    status, refusal = 200, ""
    if case.state in (CaseState.REFERRED, CaseState.CLOSED):
        refusal = _("A case is referred before it is closed, and once at a time.")
    if request.method == "POST":
        status, refusal, referral = run_service(
            form,
            lambda: case_refer(
                actor=user,
                case=case,
                receiving_kind=form.cleaned_data["receiving_kind"],
                receiving_body=form.cleaned_data["receiving_body"],
                reason=form.cleaned_data["reason"],
                department=form.cleaned_data.get("department"),
                expected_version=form.cleaned_data["expected_version"],
            ),
        )
        if referral is not None:
            messages.success(
                request,
                _("The case is referred to %(body)s; the referral letter is ready.")
                % {"body": referral.receiving_body},
            )
            return redirect("mediation:case-detail", pk=case.pk)
    return render(
        request,
        "mediation/referrals/form.html",
        {
            "form": form,
            "case": case,
            "refusal": refusal,
            "breadcrumbs": _crumbs(case, {"label": _("Refer"), "url": ""}),
        },
        status=status,
    )


@staff_view(Perm.VIEW_DISPUTE_PARTIES)
@require_GET
def referral_letter_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The referral letter (PDF, with the parties' data in full): VIEW_DISPUTE_PARTIES over the case, each download
    audited (``mediation.download_referral_letter``)."""
    user: Any = request.user
    referral = selectors.referral_get(user=user, pk=pk, perm=Perm.VIEW_DISPUTE_PARTIES)
    return audited_pdf(
        request,
        referral.letter,
        action="mediation.download_referral_letter",
        target=referral,
        detail={"case": referral.case.number, "receiving_body": referral.receiving_body},
        filename=f"移送函-{referral.case.number}-{referral.pk}.pdf",
    )


@staff_view(Perm.MANAGE_DISPUTES)
@require_http_methods(["GET", "POST"])
def referral_result_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The receiving body's result: accepted or settled closes the case; not accepted gives it back to the
    community."""
    user: Any = request.user
    referral = selectors.referral_get(user=user, pk=pk, perm=Perm.MANAGE_DISPUTES)
    case = referral.case
    form = ReferralResultForm(request.POST or None)
    status, refusal = 200, ""
    if referral.result:
        refusal = _("This referral's result is already recorded.")
    if request.method == "POST":
        status, refusal, done = run_service(
            form,
            lambda: referral_result_record(
                actor=user,
                referral=referral,
                result=form.cleaned_data["result"],
                note=form.cleaned_data.get("note") or "",
            ),
        )
        if done is not None:
            messages.success(request, _("The referral's result is recorded."))
            return redirect("mediation:case-detail", pk=case.pk)
    return render(
        request,
        "mediation/referrals/result_form.html",
        {
            "form": form,
            "referral": referral,
            "case": case,
            "refusal": refusal,
            "breadcrumbs": _crumbs(case, {"label": _("Referral's result"), "url": ""}),
        },
        status=status,
    )

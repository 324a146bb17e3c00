"""The writes posted from a company's page or a contract's: a new contract, ending one early, the quarter's survey
result and community assessment, linking a matter, recognising red property and revoking it.

Each is one shape, written once in ``_company_action``: the view reads its object through the selectors (outside the
user's units: 404) and checks who may (403); the form is shown on its page; a posted form is validated and the
service called (it re-checks who may over the object and writes the audit row), then a message and a redirect to the
company's page; a refused form, or the service's refusal put on its field, comes back on the page with 400."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gridwork.accounts.roles import Perm
from gridwork.common.forms import add_service_errors
from gridwork.common.permissions import staff_view
from gridwork.matters.models import Matter
from gridwork.propertyfirms import selectors, services
from gridwork.propertyfirms.forms import (
    AssessmentForm,
    ContractForm,
    EndEarlyForm,
    LinkForm,
    RecognitionForm,
    RevokeForm,
    SurveyForm,
)
from gridwork.propertyfirms.models import PropertyCompany, ServiceContract
from gridwork.propertyfirms.views.companies import company_crumbs

BAD_REQUEST = 400
TEMPLATE = "propertyfirms/action_form.html"


def _company_action(
    request: HttpRequest,
    company: PropertyCompany,
    form: forms.Form,
    write: Callable[[], object],
    *,
    title: str,
    testid: str,
    done: str,
    contract: ServiceContract | None = None,
) -> HttpResponse:
    """One write from the company's page (or, with ``contract``, from one of its contracts'): the form on its page;
    posted, validate and ``write``, say ``done`` and go back to the company's page, or the form again with the
    refusal (400)."""
    label = title if contract is None else f"{contract.estate.name} · {title}"
    page: dict[str, Any] = {
        "form": form,
        "title": title,
        "testid": testid,
        "breadcrumbs": company_crumbs(company, {"label": label, "url": ""}),
    }
    if contract is not None:
        page["contract"] = contract
    if request.method != "POST":
        return render(request, TEMPLATE, page)
    if form.is_valid():
        try:
            write()
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("propertyfirms:company-detail", pk=company.pk)
    return render(request, TEMPLATE, page, status=BAD_REQUEST)


def _contract(request: HttpRequest, pk: int) -> ServiceContract:
    """The contract, if the user holds MANAGE_ACTORS over its estate's community (else 404)."""
    return selectors.contract_get(user=request.user, pk=pk, perm=Perm.MANAGE_ACTORS)


def _require_recogniser(user: Any, company: PropertyCompany) -> None:
    if services.recognising_place(user, company, timezone.localdate()) is None:
        raise PermissionDenied(_("Red property is decided by street staff and above over the company."))


@staff_view(Perm.MANAGE_ACTORS)
@require_http_methods(["GET", "POST"])
def contract_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    company = selectors.company_get(user=user, pk=pk)
    form = ContractForm(request.POST or None, estates=selectors.estate_choices(user=user))

    def write() -> None:
        data = form.cleaned_data
        services.contract_create(
            actor=user, company=company, estate=data["estate"], starts_on=data["starts_on"], ends_on=data["ends_on"]
        )

    return _company_action(
        request, company, form, write, title=_("New service contract"), testid="contract", done=_("Contract recorded.")
    )


@staff_view(Perm.MANAGE_ACTORS)
@require_http_methods(["GET", "POST"])
def contract_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    form = EndEarlyForm(request.POST or None)

    def write() -> None:
        services.contract_end_early(
            actor=request.user,
            contract=contract,
            last_day=form.cleaned_data["last_day"],
            reason=form.cleaned_data["reason"],
        )

    return _company_action(
        request,
        contract.company,
        form,
        write,
        title=_("End the contract early"),
        testid="end",
        done=_("The contract is ended."),
        contract=contract,
    )


@staff_view(Perm.MANAGE_ACTORS)
@require_http_methods(["GET", "POST"])
def survey_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    form = SurveyForm(request.POST or None)

    def write() -> None:
        year, quarter = form.year_quarter()
        services.survey_record(
            actor=request.user,
            estate=contract.estate,
            year=year,
            quarter=quarter,
            score=form.cleaned_data["score"],
            sample_size=form.cleaned_data["sample_size"],
        )

    return _company_action(
        request,
        contract.company,
        form,
        write,
        title=_("Survey result"),
        testid="survey",
        done=_("Survey result recorded."),
        contract=contract,
    )


@staff_view(Perm.MANAGE_ACTORS)
@require_http_methods(["GET", "POST"])
def assessment_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    form = AssessmentForm(request.POST or None)

    def write() -> None:
        year, quarter = form.year_quarter()
        services.assessment_record(
            actor=request.user,
            estate=contract.estate,
            year=year,
            quarter=quarter,
            items=form.items(),
            comment=form.cleaned_data["comment"],
        )

    return _company_action(
        request,
        contract.company,
        form,
        write,
        title=_("Community assessment"),
        testid="assessment",
        done=_("Assessment recorded."),
        contract=contract,
    )


@staff_view(Perm.MANAGE_ACTORS)
@require_POST
def matter_link_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    company = selectors.company_get(user=user, pk=pk)
    form = LinkForm(request.POST)

    def write() -> None:
        matter = Matter.objects.restrict(user, Perm.VIEW_MATTERS).filter(number=form.cleaned_data["matter"]).first()
        if matter is None:
            raise ValidationError({"matter": _("No such matter in your units.")})
        services.matter_link(actor=user, company=company, matter=matter)

    return _company_action(
        request, company, form, write, title=_("Link a matter"), testid="link", done=_("Matter linked.")
    )


@staff_view(Perm.MANAGE_ACTORS)
@require_http_methods(["GET", "POST"])
def recognise_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    company = selectors.company_get(user=user, pk=pk)
    _require_recogniser(user, company)
    form = RecognitionForm(request.POST or None)

    def write() -> None:
        data = form.cleaned_data
        services.recognition_decide(
            actor=user,
            company=company,
            valid_from=data["valid_from"],
            valid_until=data["valid_until"],
            joint_meeting=data["joint_meeting"],
            note=data["note"],
        )

    return _company_action(
        request,
        company,
        form,
        write,
        title=_("Recognise as red property"),
        testid="recognise",
        done=_("Recognised as red property."),
    )


@staff_view(Perm.MANAGE_ACTORS)
@require_http_methods(["GET", "POST"])
def revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    recognition = selectors.recognition_get(user=user, pk=pk)
    _require_recogniser(user, recognition.company)
    form = RevokeForm(request.POST or None)

    def write() -> None:
        services.recognition_revoke(actor=user, recognition=recognition, reason=form.cleaned_data["reason"])

    return _company_action(
        request,
        recognition.company,
        form,
        write,
        title=_("Revoke the recognition"),
        testid="revoke",
        done=_("Recognition revoked."),
    )

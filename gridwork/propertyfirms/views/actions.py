"""The writes posted from a company's page or a contract's: a new contract, ending one early, the quarter's survey
result and community assessment, linking a matter, recognising red property and revoking it. Each answers with a
redirect to the page, or 400 with the form and the field that was refused."""

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
from gridwork.propertyfirms.views.companies import company_crumbs

BAD_REQUEST = 400


def _submit(
    request: HttpRequest,
    form: forms.Form,
    write: Callable[[], Any],
    *,
    done: str,
    back: HttpResponse,
    page: dict[str, Any],
) -> HttpResponse:
    """Validate, write, redirect; or the form again with the refusal (400)."""
    if request.method == "POST":
        if form.is_valid():
            try:
                write()
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, done)
                return back
        return render(request, "propertyfirms/action_form.html", {"form": form, **page}, status=BAD_REQUEST)
    return render(request, "propertyfirms/action_form.html", {"form": form, **page})


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

    title = _("New service contract")
    return _submit(
        request,
        form,
        write,
        done=_("Contract recorded."),
        back=redirect("propertyfirms:company-detail", pk=company.pk),
        page={
            "title": title,
            "testid": "contract",
            "breadcrumbs": company_crumbs(company, {"label": title, "url": ""}),
        },
    )


def _contract_page(request: HttpRequest, pk: int, title: str) -> tuple[Any, dict[str, Any]]:
    contract = selectors.contract_get(user=request.user, pk=pk, perm=Perm.MANAGE_ACTORS)
    crumbs = company_crumbs(contract.company, {"label": f"{contract.estate.name} · {title}", "url": ""})
    return contract, {"title": title, "contract": contract, "breadcrumbs": crumbs}


@staff_view(Perm.MANAGE_ACTORS)
@require_http_methods(["GET", "POST"])
def contract_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    contract, page = _contract_page(request, pk, _("End the contract early"))
    form = EndEarlyForm(request.POST or None)

    def write() -> None:
        services.contract_end_early(
            actor=request.user,
            contract=contract,
            last_day=form.cleaned_data["last_day"],
            reason=form.cleaned_data["reason"],
        )

    return _submit(
        request,
        form,
        write,
        done=_("The contract is ended."),
        back=redirect("propertyfirms:company-detail", pk=contract.company_id),
        page={**page, "testid": "end"},
    )


@staff_view(Perm.MANAGE_ACTORS)
@require_http_methods(["GET", "POST"])
def survey_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    contract, page = _contract_page(request, pk, _("Survey result"))
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

    return _submit(
        request,
        form,
        write,
        done=_("Survey result recorded."),
        back=redirect("propertyfirms:company-detail", pk=contract.company_id),
        page={**page, "testid": "survey"},
    )


@staff_view(Perm.MANAGE_ACTORS)
@require_http_methods(["GET", "POST"])
def assessment_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    contract, page = _contract_page(request, pk, _("Community assessment"))
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

    return _submit(
        request,
        form,
        write,
        done=_("Assessment recorded."),
        back=redirect("propertyfirms:company-detail", pk=contract.company_id),
        page={**page, "testid": "assessment"},
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

    title = _("Link a matter")
    return _submit(
        request,
        form,
        write,
        done=_("Matter linked."),
        back=redirect("propertyfirms:company-detail", pk=company.pk),
        page={"title": title, "testid": "link", "breadcrumbs": company_crumbs(company, {"label": title, "url": ""})},
    )


@staff_view(Perm.MANAGE_ACTORS)
@require_http_methods(["GET", "POST"])
def recognise_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    company = selectors.company_get(user=user, pk=pk)
    if services.recognising_place(user, company, timezone.localdate()) is None:
        raise PermissionDenied(_("Red property is decided by street staff and above over the company."))
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

    title = _("Recognise as red property")
    return _submit(
        request,
        form,
        write,
        done=_("Recognised as red property."),
        back=redirect("propertyfirms:company-detail", pk=company.pk),
        page={
            "title": title,
            "testid": "recognise",
            "breadcrumbs": company_crumbs(company, {"label": title, "url": ""}),
        },
    )


@staff_view(Perm.MANAGE_ACTORS)
@require_http_methods(["GET", "POST"])
def revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    recognition = selectors.recognition_get(user=user, pk=pk)
    if services.recognising_place(user, recognition.company, timezone.localdate()) is None:
        raise PermissionDenied(_("Red property is decided by street staff and above over the company."))
    form = RevokeForm(request.POST or None)

    def write() -> None:
        services.recognition_revoke(actor=user, recognition=recognition, reason=form.cleaned_data["reason"])

    title = _("Revoke the recognition")
    return _submit(
        request,
        form,
        write,
        done=_("Recognition revoked."),
        back=redirect("propertyfirms:company-detail", pk=recognition.company_id),
        page={
            "title": title,
            "testid": "revoke",
            "breadcrumbs": company_crumbs(recognition.company, {"label": title, "url": ""}),
        },
    )

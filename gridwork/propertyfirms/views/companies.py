"""Staff pages of the companies: the list, registering and editing a company, and a company's page (contracts,
quarterly ratings with their parts, linked and suggested matters, the red property history and badge).

Reads through ``propertyfirms.selectors`` (VIEW_ACTORS; a company out of the user's scope is not found: 404),
writes through ``propertyfirms.services`` (MANAGE_ACTORS, re-checked over the object). Refused forms answer 400.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gridwork.accounts.roles import Perm
from gridwork.common.forms import add_service_errors
from gridwork.common.pagination import paginate
from gridwork.common.permissions import staff_view
from gridwork.propertyfirms import figures, selectors, services
from gridwork.propertyfirms.forms import (
    AssessmentForm,
    CompanyForm,
    ContractForm,
    LinkForm,
    RecognitionForm,
    SurveyForm,
)
from gridwork.propertyfirms.models import CRITERIA, PropertyCompany
from gridwork.propertyfirms.quarters import last_quarters, quarter_of

BAD_REQUEST = 400


def crumbs(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [{"label": _("Property companies"), "url": reverse("propertyfirms:company-list")}, *extra]


def company_crumbs(company: PropertyCompany, *extra: dict[str, str]) -> list[dict[str, str]]:
    return crumbs({"label": company.name, "url": reverse("propertyfirms:company-detail", args=[company.pk])}, *extra)


@staff_view(Perm.VIEW_ACTORS)
@require_GET
def company_list_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    q = request.GET.get("q", "")[:50]
    page, query = paginate(request, selectors.company_list(user=user, q=q))
    today = timezone.localdate()
    red = set(figures.standing_recognitions(today).values_list("company_id", flat=True))
    return render(
        request,
        "propertyfirms/company_list.html",
        {
            "page_obj": page,
            "query": query,
            "q": q,
            "red": red,
            "may_create": bool(services.registering_places(user)),
            "breadcrumbs": crumbs(),
        },
    )


def _company_form(request: HttpRequest, user: Any, **kwargs: Any) -> CompanyForm:
    return CompanyForm(
        request.POST if request.method == "POST" else None,
        places=selectors.registering_choices(user=user),
        organisations=selectors.party_organisation_choices(user=user),
        **kwargs,
    )


@staff_view(Perm.MANAGE_ACTORS)
@require_http_methods(["GET", "POST"])
def company_create_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not services.registering_places(user):
        raise PermissionDenied(_("Companies are registered by street staff and above."))
    form = _company_form(request, user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                company = services.company_create(actor=user, values=form.to_input())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Company “%(name)s” registered.") % {"name": company.name})
                return redirect("propertyfirms:company-detail", pk=company.pk)
        status = BAD_REQUEST
    title = _("Register a property company")
    return render(
        request,
        "propertyfirms/company_form.html",
        {"form": form, "title": title, "breadcrumbs": crumbs({"label": title, "url": ""})},
        status=status,
    )


@staff_view(Perm.MANAGE_ACTORS)
@require_http_methods(["GET", "POST"])
def company_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    company = selectors.company_get(user=user, pk=pk)
    initial = {
        name: getattr(company, name)
        for name in (
            "name",
            "credit_code",
            "address",
            "contact_name",
            "contact_phone",
            "registered_in",
            "party_organisation",
            "party_members",
            "party_members_in_management",
            "is_active",
        )
    }
    form = _company_form(request, user, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.company_update(actor=user, company=company, values=form.to_input())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Company saved."))
                return redirect("propertyfirms:company-detail", pk=company.pk)
        status = BAD_REQUEST
    return render(
        request,
        "propertyfirms/company_form.html",
        {
            "form": form,
            "company": company,
            "title": _("Edit %(name)s") % {"name": company.name},
            "breadcrumbs": company_crumbs(company, {"label": _("Edit"), "url": ""}),
        },
        status=status,
    )


def company_context(request: HttpRequest, company: PropertyCompany) -> dict[str, Any]:
    user: Any = request.user
    today = timezone.localdate()
    quarters = [quarter_of(today), *last_quarters(today, 3)]
    may_manage_estates = selectors.estate_choices(user=user).exists()
    recognitions = selectors.recognitions(company)
    return {
        "company": company,
        "phone": selectors.shown_phone(user, company),
        "contracts": selectors.contract_list(user=user, company=company),
        "ratings": [figures.quarter_rating(company, year, quarter) for year, quarter in quarters],
        "links": selectors.matter_links(user=user, company=company)[:50],
        "suggested": selectors.suggested_matters(user=user, company=company) if may_manage_estates else [],
        "assessments": selectors.assessments(user=user, company=company)[:20],
        "surveys": selectors.surveys(user=user, company=company)[:20],
        "recognitions": recognitions,
        "is_red": figures.is_red(company, today),
        "criteria": CRITERIA,
        "today": today,
        "may_edit": services.manages_company(user, company),
        "may_contract": may_manage_estates and company.is_active,
        "may_recognise": services.recognising_place(user, company, today) is not None,
        "contract_form": ContractForm(estates=selectors.estate_choices(user=user)),
        "link_form": LinkForm(),
        "recognition_form": RecognitionForm(),
        "survey_form": SurveyForm(),
        "assessment_form": AssessmentForm(),
        "breadcrumbs": company_crumbs(company),
    }


@staff_view(Perm.VIEW_ACTORS)
@require_GET
def company_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    company = selectors.company_get(user=request.user, pk=pk)
    return render(request, "propertyfirms/company_detail.html", company_context(request, company))

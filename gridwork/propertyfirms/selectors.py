"""Reads of the property companies, each narrowed to the user's units (``restrict``): what is outside is not found
(404). Public reads show companies serving estates today, without personal data."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from gridwork.accounts.roles import Perm
from gridwork.common.masking import mask_phone
from gridwork.common.scope import holds_over
from gridwork.estates.models import Estate
from gridwork.matters.models import Category, Matter
from gridwork.places.models import Place
from gridwork.propertyfirms import figures
from gridwork.propertyfirms.models import (
    CommunityAssessment,
    MatterLink,
    PropertyCompany,
    Recognition,
    ServiceContract,
    SurveyResult,
)

PROPERTY_WORD = "物业"
SUGGESTIONS = 20


def company_list(*, user: Any, q: str = "") -> QuerySet[PropertyCompany]:
    companies = PropertyCompany.objects.restrict(user, Perm.VIEW_ACTORS).select_related("registered_in")
    if q:
        companies = companies.filter(Q(name__icontains=q) | Q(credit_code__icontains=q))
    return companies.order_by("name", "id")


def company_get(*, user: Any, pk: int) -> PropertyCompany:
    company = company_list(user=user).select_related("party_organisation", "registered_in").filter(pk=pk).first()
    if company is None:
        raise Http404
    return company


def shown_phone(user: Any, company: PropertyCompany) -> str:
    """The contact phone in full for those holding VIEW_PERSONAL_DATA at the registering unit or above, or over an
    estate the company serves or served (the community that works with it); masked for everyone else."""
    if holds_over(user, Perm.VIEW_PERSONAL_DATA, company.registered_in):
        return company.contact_phone
    if ServiceContract.objects.restrict(user, Perm.VIEW_PERSONAL_DATA).filter(company=company).exists():
        return company.contact_phone
    return mask_phone(company.contact_phone)


def contract_list(*, user: Any, company: PropertyCompany | None = None) -> QuerySet[ServiceContract]:
    contracts = ServiceContract.objects.restrict(user, Perm.VIEW_ACTORS).select_related("company", "estate__community")
    if company is not None:
        contracts = contracts.filter(company=company)
    return contracts.order_by("-starts_on", "id")


def contract_get(*, user: Any, pk: int, perm: str = Perm.VIEW_ACTORS) -> ServiceContract:
    contract = (
        ServiceContract.objects.restrict(user, perm)
        .select_related("company__registered_in", "estate__community")
        .filter(pk=pk)
        .first()
    )
    if contract is None:
        raise Http404
    return contract


def estate_choices(*, user: Any) -> QuerySet[Estate]:
    """The active estates of the communities where the user holds MANAGE_ACTORS."""
    return Estate.objects.restrict(user, Perm.MANAGE_ACTORS).filter(is_active=True).order_by("community__code", "name")


def registering_choices(*, user: Any) -> QuerySet[Place]:
    from gridwork.propertyfirms.services import registering_places

    return Place.objects.filter(pk__in=[p.pk for p in registering_places(user)]).order_by("path")


def party_organisation_choices(*, user: Any) -> QuerySet[Any]:
    from gridwork.party.models import PartyOrganisation

    return PartyOrganisation.objects.restrict(user, Perm.VIEW_PARTY).order_by("code")


def property_categories() -> QuerySet[Category]:
    """The property-management categories: every category whose name says 物业, and the categories under them."""
    roots = list(Category.objects.filter(name__contains=PROPERTY_WORD).values_list("code", flat=True))
    condition = Q(pk__in=[])
    for code in roots:
        condition |= Q(code=code) | Q(code__startswith=f"{code}.")
    return Category.objects.filter(condition)


def suggested_matters(*, user: Any, company: PropertyCompany) -> list[tuple[Matter, ServiceContract]]:
    """Matters of the property-management categories, visible to the user, filed in the grids of an estate the user
    manages during one of the company's contracts there, and linked to no company yet."""
    found: list[tuple[Matter, ServiceContract]] = []
    categories = property_categories()
    contracts = contract_list(user=user, company=company).filter(
        estate__in=Estate.objects.restrict(user, Perm.MANAGE_ACTORS)
    )
    visible = Matter.objects.restrict(user, Perm.VIEW_MATTERS)
    for contract in contracts:
        start = figures.day_start(contract.starts_on)
        end = figures.day_start(contract.ends_on + timedelta(days=1))
        matters = visible.filter(
            category__in=categories,
            grid__in=contract.estate.grids.all(),
            created_at__gte=start,
            created_at__lt=end,
            property_link__isnull=True,
        ).order_by("-created_at")[:SUGGESTIONS]
        found.extend((matter, contract) for matter in matters)
    return found[:SUGGESTIONS]


def matter_links(*, user: Any, company: PropertyCompany) -> QuerySet[MatterLink]:
    return (
        MatterLink.objects.restrict(user, Perm.VIEW_ACTORS)
        .filter(company=company)
        .select_related("matter", "estate")
        .order_by("-matter__created_at")
    )


def assessments(*, user: Any, company: PropertyCompany) -> QuerySet[CommunityAssessment]:
    return CommunityAssessment.objects.restrict(user, Perm.VIEW_ACTORS).filter(company=company).select_related("estate")


def surveys(*, user: Any, company: PropertyCompany) -> QuerySet[SurveyResult]:
    return SurveyResult.objects.restrict(user, Perm.VIEW_ACTORS).filter(company=company).select_related("estate")


def recognitions(company: PropertyCompany) -> QuerySet[Recognition]:
    return company.recognitions.select_related("decided_in", "decided_by", "revoked_by").order_by("-decided_at", "-id")


def recognition_get(*, user: Any, pk: int) -> Recognition:
    recognition = (
        Recognition.objects.filter(pk=pk, company__in=PropertyCompany.objects.restrict(user, Perm.VIEW_ACTORS))
        .select_related("company__registered_in")
        .first()
    )
    if recognition is None:
        raise Http404
    return recognition


def street_choices(*, user: Any) -> QuerySet[Place]:
    """The streets under the units where the user holds VIEW_ACTORS (and the street above a community's staff)."""
    from gridwork.common.scope import paths_q

    paths = user.scope_paths(Perm.VIEW_ACTORS)
    return Place.objects.filter(paths_q("path", paths), level="street").order_by("code")


# --- public -------------------------------------------------------------------------------------------------------


def public_companies(today: date | None = None) -> QuerySet[PropertyCompany]:
    """Active companies serving at least one active estate today."""
    today = today or timezone.localdate()
    serving = figures.serving_on(today).filter(estate__is_active=True).values("company_id")
    return PropertyCompany.objects.filter(is_active=True, pk__in=serving).order_by("name", "id")


def public_company_get(pk: int) -> PropertyCompany:
    company = public_companies().filter(pk=pk).first()
    if company is None:
        raise Http404
    return company


def public_estates_served(company: PropertyCompany, today: date | None = None) -> QuerySet[ServiceContract]:
    today = today or timezone.localdate()
    return (
        figures.serving_on(today)
        .filter(company=company, estate__is_active=True)
        .select_related("estate__community")
        .order_by("estate__name")
    )


def home_estates(community: Place) -> QuerySet[Estate]:
    return Estate.objects.filter(community=community, is_active=True).order_by("name")

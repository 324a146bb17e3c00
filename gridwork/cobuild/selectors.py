"""Reading the three lists: staff through their scope (a need and a project by their community, a resource by its
unit's place, a match by its need), a unit's contact their own units' resources and the open needs of the
communities where their units sit. Anything else is not found (404)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from gridwork.accounts.roles import Perm
from gridwork.alliances.models import Alliance, AllianceState
from gridwork.cobuild.models import (
    Match,
    Milestone,
    Need,
    NeedEvent,
    NeedState,
    Project,
    ProjectEvent,
    Resource,
    ResourceEvent,
    ResourceState,
)
from gridwork.cobuild.suggestions import need_offers
from gridwork.common.scope import NOTHING, holds_over_path, paths_q
from gridwork.party.models import RegistrationState, UnitRegistration
from gridwork.party.selectors import units_of_contact
from gridwork.people.models import ResidentUnit
from gridwork.places.models import Place, PlaceLevel

may_at = holds_over_path  # the name the views import; the rule is common.scope.holds_over_path

# --- needs ------------------------------------------------------------------------------------------------------------


def need_list(
    *, user: Any, state: str = "", field: str = "", search: str = "", community: Place | None = None
) -> QuerySet[Need]:
    """The needs of the user's communities, newest first, each with the number of matches made."""
    needs = Need.objects.restrict(user, Perm.VIEW_PARTY).select_related("community", "matter")
    if state:
        needs = needs.filter(state=state)
    if field:
        needs = needs.filter(field=field)
    if search:
        needs = needs.filter(Q(title__icontains=search) | Q(description__icontains=search))
    if community is not None:
        needs = needs.filter(community__path__startswith=community.path)
    return needs.annotate(match_count=Count("matches")).order_by("-created_at", "-id")


def need_get(*, user: Any, pk: int, perm: str = Perm.VIEW_PARTY) -> Need:
    need = (
        Need.objects.restrict(user, perm)
        .select_related("community__parent", "matter", "created_by")
        .filter(pk=pk)
        .first()
    )
    if need is None:
        raise Http404
    return need


def need_events(need: Need) -> QuerySet[NeedEvent]:
    return NeedEvent.objects.filter(subject=need).order_by("sequence")


def need_matches(need: Need) -> QuerySet[Match]:
    return (
        Match.objects.filter(need=need)
        .select_related("resource__unit__place", "made_by", "project")
        .order_by("-made_at", "-id")
    )


def community_choices(*, user: Any, perm: str = Perm.MANAGE_PARTY) -> QuerySet[Place]:
    """The communities where the user may publish needs or create projects."""
    return Place.objects.restrict(user, perm).filter(level=PlaceLevel.COMMUNITY).order_by("path")


# --- resources --------------------------------------------------------------------------------------------------------


def resource_list(
    *, user: Any, state: str = "", kind: str = "", field: str = "", search: str = ""
) -> QuerySet[Resource]:
    """The resources of the units under the user's units, newest first."""
    resources = Resource.objects.restrict(user, Perm.VIEW_PARTY)
    return _filtered_resources(resources, state=state, kind=kind, field=field, search=search)


def _filtered_resources(
    resources: QuerySet[Resource], *, state: str = "", kind: str = "", field: str = "", search: str = ""
) -> QuerySet[Resource]:
    if state:
        resources = resources.filter(state=state)
    if kind:
        resources = resources.filter(kind=kind)
    if field:
        resources = resources.filter(field=field)
    if search:
        resources = resources.filter(
            Q(title__icontains=search) | Q(description__icontains=search) | Q(unit__name__icontains=search)
        )
    return resources.select_related("unit__place").annotate(match_count=Count("matches")).order_by("-created_at", "-id")


def resource_get(*, user: Any, pk: int, perm: str = Perm.VIEW_PARTY) -> Resource:
    resource = Resource.objects.restrict(user, perm).select_related("unit__place", "created_by").filter(pk=pk).first()
    if resource is None:
        raise Http404
    return resource


def resource_events(resource: Resource) -> QuerySet[ResourceEvent]:
    return ResourceEvent.objects.filter(subject=resource).order_by("sequence")


def resource_matches(resource: Resource) -> QuerySet[Match]:
    return Match.objects.filter(resource=resource).select_related("need__community").order_by("-made_at", "-id")


def unit_choices(*, user: Any, perm: str = Perm.MANAGE_PARTY) -> QuerySet[ResidentUnit]:
    """The resident units under the user's units (staff entering a resource on a unit's behalf)."""
    return ResidentUnit.objects.restrict(user, perm).select_related("place").order_by("name", "id")


# --- a unit's contact -------------------------------------------------------------------------------------------------


def contact_resources(*, user: Any, state: str = "") -> QuerySet[Resource]:
    """The resources of the units the user speaks for."""
    resources = Resource.objects.filter(unit__in=units_of_contact(user=user))
    return _filtered_resources(resources, state=state)


def contact_resource_get(*, user: Any, pk: int) -> Resource:
    """A resource of one of the user's units; 404 otherwise, whether it exists or not."""
    resource = contact_resources(user=user).filter(pk=pk).first()
    if resource is None:
        raise Http404
    return resource


def contact_community_paths(*, user: Any) -> list[str]:
    """The places whose communities' needs a unit's contact sees: where each of their units sits (a community, or a
    street for all its communities) and the communities their units registered with (单位报到, confirmed)."""
    units = units_of_contact(user=user)
    paths = set(units.values_list("place__path", flat=True))
    paths |= set(
        UnitRegistration.objects.filter(unit__in=units, state=RegistrationState.CONFIRMED).values_list(
            "community__path", flat=True
        )
    )
    return sorted(paths)


def contact_needs(*, user: Any, field: str = "") -> QuerySet[Need]:
    """The open needs of the communities around the user's units, those wanted soonest first."""
    paths = contact_community_paths(user=user)
    condition = paths_q("community__path", paths) if paths else NOTHING
    needs = Need.objects.filter(condition, state=NeedState.OPEN).select_related("community")
    if field:
        needs = needs.filter(field=field)
    return needs.order_by("wanted_by", "-created_at", "-id")


def contact_need_get(*, user: Any, pk: int) -> Need:
    need = contact_needs(user=user).filter(pk=pk).first()
    if need is None:
        raise Http404
    return need


# --- matches ----------------------------------------------------------------------------------------------------------


def match_offer_get(*, need: Need, pk: int) -> Resource | None:
    """The resource ``pk`` if the need may be matched with it (``need_offers``), else None; not ranked here —
    ``services.match_make`` ranks the offers and keeps the resource's score and reasons."""
    return need_offers(need).filter(pk=pk).first()


def match_list(*, user: Any) -> QuerySet[Match]:
    return (
        Match.objects.restrict(user, Perm.VIEW_PARTY)
        .select_related("need__community", "resource__unit", "made_by", "project")
        .order_by("-made_at", "-id")
    )


def match_get(*, user: Any, pk: int, perm: str = Perm.VIEW_PARTY) -> Match:
    match = (
        Match.objects.restrict(user, perm)
        .select_related("need__community", "resource__unit__place", "made_by")
        .filter(pk=pk)
        .first()
    )
    if match is None:
        raise Http404
    return match


# --- projects ---------------------------------------------------------------------------------------------------------


def project_list(*, user: Any, state: str = "", field: str = "", search: str = "") -> QuerySet[Project]:
    projects = Project.objects.restrict(user, Perm.VIEW_PARTY).select_related("community")
    if state:
        projects = projects.filter(state=state)
    if field:
        projects = projects.filter(field=field)
    if search:
        projects = projects.filter(Q(title__icontains=search) | Q(goal__icontains=search))
    return projects.prefetch_related("units").order_by("-created_at", "-id")


def project_get(*, user: Any, pk: int, perm: str = Perm.VIEW_PARTY) -> Project:
    project = (
        Project.objects.restrict(user, perm)
        .select_related("community__parent", "match__need", "match__resource__unit", "created_by")
        .prefetch_related("units", Prefetch("milestones", queryset=Milestone.objects.order_by("due_on", "id")))
        .filter(pk=pk)
        .first()
    )
    if project is None:
        raise Http404
    return project


def project_events(project: Project) -> QuerySet[ProjectEvent]:
    return ProjectEvent.objects.filter(subject=project).order_by("sequence")


def party_choices(*, user: Any, extra_ids: Iterable[int] = ()) -> QuerySet[ResidentUnit]:
    """The units a project may name as parties: those under the user's units, and ``extra_ids`` (the unit of the
    resource the project comes from, which may sit elsewhere in the city; the project's parties already named)."""
    condition = Q(pk__in=ResidentUnit.objects.restrict(user, Perm.VIEW_PARTY).values("pk"))
    extra = list(extra_ids)
    if extra:
        condition |= Q(pk__in=extra)
    return ResidentUnit.objects.filter(condition).select_related("place").order_by("name", "id")


def resources_of_unit(*, user: Any, unit: ResidentUnit) -> QuerySet[Resource]:
    """The resources ``unit`` offers that the user sees (VIEW_PARTY over the place where the unit sits)."""
    return Resource.objects.restrict(user, Perm.VIEW_PARTY).filter(unit=unit)


def projects_of_unit(*, user: Any, unit: ResidentUnit) -> QuerySet[Project]:
    """The projects ``unit`` is a party to that the user sees (VIEW_PARTY over the project's community)."""
    return Project.objects.restrict(user, Perm.VIEW_PARTY).filter(units=unit).distinct()


def available_resource_count(*, user: Any) -> int:
    return Resource.objects.restrict(user, Perm.VIEW_PARTY).filter(state=ResourceState.AVAILABLE).count()


def alliance_choices(*, user: Any) -> QuerySet[Alliance]:
    """The active alliances a project of the user's may be a joint project of: those the user acts for (MANAGE_PARTY
    over the organising place or a member community), for the project form."""
    return Alliance.objects.restrict(user, Perm.MANAGE_PARTY).filter(state=AllianceState.ACTIVE).order_by("name", "id")

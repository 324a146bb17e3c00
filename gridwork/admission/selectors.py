"""Reading duty lists, approving bodies, admission requests, assigned tasks and reports, each narrowed to the user's
units first (anything outside is not found: 404).

A duty list and an approving body are seen from below as well as from above: a community works from the city's list
and its district's additions, so it sees the lists (and the bodies) of the places above its units, not only those
under them. Requests are seen over their scope; assigned tasks and reports over their community.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from gridwork.accounts.roles import Perm
from gridwork.admission.access import posts_with
from gridwork.admission.models import (
    AdmissionRequest,
    AdmissionState,
    ApprovingBody,
    Assignment,
    DutyChange,
    DutyItem,
    DutyKind,
    UnadmittedReport,
)
from gridwork.admission.services import SCOPE_LEVELS
from gridwork.common.scope import NOTHING, path_scope_q
from gridwork.places.models import Department, Place, PlaceLevel


def _above_or_under(user: Any, perm: str, lookup: str) -> Q:
    """Rows whose place (``lookup`` is its prefix: ``scope__``) is above one of the user's units or under it."""
    paths = [post.place.path for post in posts_with(user, perm)]
    if not paths:
        return NOTHING
    codes = {code for path in paths for code in path.split("/") if code}
    return Q(**{f"{lookup}code__in": codes}) | path_scope_q(user, perm, f"{lookup}path")


# --- duty lists ---------------------------------------------------------------------------------------------------


def duty_items(*, user: Any, kind: str = "", retired: bool = False) -> QuerySet[DutyItem]:
    """The items of the lists the user works from or keeps: the city's and the districts' above or under them."""
    items = DutyItem.objects.filter(_above_or_under(user, Perm.VIEW_ADMISSION, "scope__")).select_related("scope")
    if kind in DutyKind.values:
        items = items.filter(kind=kind)
    if not retired:
        items = items.filter(is_active=True)
    return items.order_by("scope__path", "kind", "number")


def duty_items_managed(*, user: Any) -> QuerySet[DutyItem]:
    """The items of the lists the user keeps (MANAGE_DUTY_LIST over the list's place)."""
    return DutyItem.objects.restrict(user, Perm.MANAGE_DUTY_LIST)


def duty_item_get(*, user: Any, pk: int) -> DutyItem:
    """An item the user keeps (MANAGE_DUTY_LIST over its list)."""
    item = DutyItem.objects.restrict(user, Perm.MANAGE_DUTY_LIST).select_related("scope").filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def duty_changes(*, user: Any) -> QuerySet[DutyChange]:
    visible = duty_items(user=user, retired=True).values("pk")
    return DutyChange.objects.filter(item__in=visible).select_related("item__scope").order_by("-at", "-id")


def duty_list_places(*, user: Any) -> QuerySet[Place]:
    """The city and districts whose lists the user keeps."""
    return (
        Place.objects.restrict(user, Perm.MANAGE_DUTY_LIST)
        .filter(level__in=[PlaceLevel.CITY, PlaceLevel.DISTRICT])
        .order_by("path")
    )


def may_manage_duties(user: Any) -> bool:
    return bool(posts_with(user, Perm.MANAGE_DUTY_LIST))


# --- approving bodies ---------------------------------------------------------------------------------------------


def body_list(*, user: Any) -> QuerySet[ApprovingBody]:
    return (
        ApprovingBody.objects.filter(_above_or_under(user, Perm.VIEW_ADMISSION, "department__place__"))
        .select_related("department__place")
        .order_by("-is_active", "department__place__path", "department__code")
    )


def body_get(*, user: Any, pk: int) -> ApprovingBody:
    body = (
        ApprovingBody.objects.restrict(user, Perm.MANAGE_DUTY_LIST)
        .select_related("department__place")
        .filter(pk=pk)
        .first()
    )
    if body is None:
        raise Http404
    return body


def body_department_choices(*, user: Any) -> QuerySet[Department]:
    """Active departments the user may mark as approving bodies and that are not active ones already."""
    return (
        Department.objects.restrict(user, Perm.MANAGE_DUTY_LIST)
        .filter(is_active=True)
        .exclude(approving_body__is_active=True)
        .select_related("place")
        .order_by("place__path", "code")
    )


# --- requests -----------------------------------------------------------------------------------------------------


def request_list(*, user: Any, state: str = "", q: str = "") -> QuerySet[AdmissionRequest]:
    requests = AdmissionRequest.objects.restrict(user, Perm.VIEW_ADMISSION).select_related(
        "scope", "requester_place", "requester_department"
    )
    if state in AdmissionState.values:
        requests = requests.filter(state=state)
    for word in q.split()[:5]:
        requests = requests.filter(Q(title__icontains=word) | Q(requester_department__name__icontains=word))
    return requests.order_by("-created_at", "-id")


def request_get(*, user: Any, pk: int) -> AdmissionRequest:
    subject = (
        AdmissionRequest.objects.restrict(user, Perm.VIEW_ADMISSION)
        .select_related("scope", "requester_place", "requester_department", "created_by")
        .filter(pk=pk)
        .first()
    )
    if subject is None:
        raise Http404
    return subject


def request_scope_choices(*, user: Any) -> QuerySet[Place]:
    """The streets, districts and city whose communities the user may ask tasks for."""
    return Place.objects.restrict(user, Perm.REQUEST_ADMISSION).filter(level__in=list(SCOPE_LEVELS)).order_by("path")


def request_bodies(subject: AdmissionRequest) -> list[dict[str, Any]]:
    """Each approving body of a submitted request with its decision, if any."""
    decisions = {d.body_id: d for d in subject.decisions.select_related("decided_by")}
    return [
        {"body": body, "decision": decisions.get(body.pk)}
        for body in subject.bodies.select_related("department__place").order_by("department__code")
    ]


# --- assigned tasks and reports -----------------------------------------------------------------------------------


def assignment_list(*, user: Any, pending: bool = False) -> QuerySet[Assignment]:
    assignments = Assignment.objects.restrict(user, Perm.VIEW_ADMISSION).select_related(
        "admission__requester_department", "admission__requester_place", "community", "received_by"
    )
    if pending:
        assignments = assignments.filter(received_at__isnull=True)
    return assignments.order_by("-assigned_at", "-id")


def assignment_get(*, user: Any, pk: int) -> Assignment:
    assignment = assignment_list(user=user).filter(pk=pk).first()
    if assignment is None:
        raise Http404
    return assignment


def report_list(*, user: Any) -> QuerySet[UnadmittedReport]:
    return (
        UnadmittedReport.objects.restrict(user, Perm.VIEW_ADMISSION)
        .select_related("community", "department", "reported_by")
        .order_by("-reported_at", "-id")
    )


def report_communities(*, user: Any) -> QuerySet[Place]:
    """The communities the user works at (a post there holding VIEW_ADMISSION): those they report for."""
    ids = [post.place_id for post in posts_with(user, Perm.VIEW_ADMISSION) if post.place.level == PlaceLevel.COMMUNITY]
    return Place.objects.filter(pk__in=ids).order_by("code")


def report_departments(*, communities: QuerySet[Place]) -> QuerySet[Department]:
    """The departments above the given communities (the city's, their districts', their streets')."""
    codes = {code for path in communities.values_list("path", flat=True) for code in path.split("/") if code}
    return Department.objects.filter(is_active=True, place__code__in=codes).order_by("place__path", "code")


def body_managed(*, user: Any) -> QuerySet[ApprovingBody]:
    """The approving bodies the user may unmark (MANAGE_DUTY_LIST over their department's place)."""
    return ApprovingBody.objects.restrict(user, Perm.MANAGE_DUTY_LIST)

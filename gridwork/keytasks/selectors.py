"""Reading key tasks. Every read is narrowed to what the user may see first (``restrict(user, VIEW_KEY_TASKS)``):
a task owned above a responsible unit is visible to that unit, but only with the items it (or a unit under it) is
responsible for — a sibling community's items are never listed, counted or exported. Anything outside is 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Case, Prefetch, Q, QuerySet, When
from django.http import Http404

from gridwork.accounts.models import User, UserKind
from gridwork.accounts.roles import Perm
from gridwork.keytasks.models import (
    ItemState,
    KeyTask,
    Milestone,
    ProgressReport,
    ProjectItem,
    ReportEvidence,
    TaskState,
)
from gridwork.keytasks.services import OWNER_LEVELS
from gridwork.places.models import Place


@dataclass(frozen=True)
class TaskFilters:
    q: str = ""
    state: str = ""
    place: int | None = None
    overdue_only: bool = False


def task_list(*, user: Any, filters: TaskFilters = TaskFilters(), today: date | None = None) -> QuerySet[KeyTask]:
    """The key tasks the user may see, newest first; filtered by words, status, owner (and the places under it), and
    tasks with an item past its deadline."""
    tasks = KeyTask.objects.restrict(user, Perm.VIEW_KEY_TASKS).select_related("place", "leader")
    if filters.state in TaskState.values:
        tasks = tasks.filter(state=filters.state)
    if filters.place is not None:
        place = Place.objects.restrict(user, Perm.VIEW_KEY_TASKS).filter(pk=filters.place).first()
        tasks = tasks.filter(place__path__startswith=place.path) if place is not None else tasks.none()
    for word in filters.q.split()[:5]:
        tasks = tasks.filter(Q(title__icontains=word) | Q(number__icontains=word) | Q(description__icontains=word))
    if filters.overdue_only and today is not None:
        late = visible_items(user=user).filter(state=ItemState.OPEN, deadline__lt=today)
        tasks = tasks.filter(pk__in=late.values("task_id"))
    return tasks.order_by("-starts_on", "-pk")


def task_get(*, user: Any, pk: int, perm: str = Perm.VIEW_KEY_TASKS) -> KeyTask:
    task = KeyTask.objects.restrict(user, perm).select_related("place", "leader").filter(pk=pk).first()
    if task is None:
        raise Http404
    return task


def visible_items(*, user: Any, perm: str = Perm.VIEW_KEY_TASKS) -> QuerySet[ProjectItem]:
    return ProjectItem.objects.restrict(user, perm)


def task_items(*, user: Any, task: KeyTask) -> QuerySet[ProjectItem]:
    """The items of ``task`` the user may see, with their milestones, in list order."""
    return (
        visible_items(user=user)
        .filter(task=task)
        .select_related("responsible_place", "responsible_department", "responsible_person")
        .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.order_by("due_on", "pk")))
        .order_by("position")
    )


def item_get(*, user: Any, pk: int, perm: str = Perm.VIEW_KEY_TASKS) -> ProjectItem:
    item = (
        ProjectItem.objects.restrict(user, perm)
        .select_related(
            "task__place", "task__leader", "responsible_place", "responsible_department", "responsible_person"
        )
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404
    return item


def item_reports(item: ProjectItem) -> QuerySet[ProgressReport]:
    return (
        ProgressReport.objects.filter(item=item)
        .select_related("reported_by")
        .prefetch_related("evidence", "milestones_done")
        .order_by("-reported_at", "-pk")
    )


def my_items(*, user: Any) -> QuerySet[ProjectItem]:
    """The items the user is personally responsible for, open ones first, by deadline."""
    return (
        ProjectItem.objects.restrict(user, Perm.VIEW_KEY_TASKS)
        .filter(responsible_person_id=user.pk)
        .exclude(task__state=TaskState.CANCELLED)
        .select_related("task", "responsible_place", "responsible_department")
        .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.order_by("due_on", "pk")))
        .order_by(Case(When(state=ItemState.OPEN, then=0), default=1), "deadline", "pk")
    )


def evidence_get(*, user: Any, pk: int) -> ReportEvidence:
    evidence = ReportEvidence.objects.restrict(user, Perm.VIEW_KEY_TASKS).filter(pk=pk).first()
    if evidence is None:
        raise Http404
    return evidence


def owner_choices(*, user: Any) -> QuerySet[Place]:
    """Where the user may define a key task: the streets, districts or city they manage key tasks in."""
    return Place.objects.restrict(user, Perm.MANAGE_KEY_TASKS).filter(level__in=OWNER_LEVELS).order_by("path")


def filter_place_choices(*, user: Any) -> QuerySet[Place]:
    return Place.objects.restrict(user, Perm.VIEW_KEY_TASKS).filter(level__in=OWNER_LEVELS).order_by("path")


def leader_choices(*, user: Any) -> QuerySet[User]:
    """Who may lead: active staff with a post in the user's area (the user included)."""
    paths = user.scope_paths(Perm.MANAGE_KEY_TASKS)
    condition = Q(pk=user.pk)
    for path in paths:
        condition |= Q(posts__place__path__startswith=path, posts__is_active=True)
    return User.objects.filter(condition, kind=UserKind.STAFF, is_active=True).distinct().order_by("full_name", "pk")


def item_person_choices(*, task: KeyTask) -> QuerySet[User]:
    """Who may be made responsible for an item of ``task``: staff reporting key tasks at one of its possible units
    (the service checks the person against the unit chosen)."""
    from gridwork.accounts.roles import DEPARTMENT_SCOPED_ROLES, ROLE_PERMISSIONS
    from gridwork.keytasks.services import unit_departments, unit_places

    roles = [role for role, perms in ROLE_PERMISSIONS.items() if Perm.REPORT_KEY_TASKS in perms]
    area_roles = [role for role in roles if role not in DEPARTMENT_SCOPED_ROLES]
    department_roles = [role for role in roles if role in DEPARTMENT_SCOPED_ROLES]
    condition = Q(posts__role__in=area_roles, posts__place__in=unit_places(task)) | Q(
        posts__role__in=department_roles, posts__department__in=unit_departments(task)
    )
    return (
        User.objects.filter(condition, kind=UserKind.STAFF, is_active=True, posts__is_active=True)
        .distinct()
        .order_by("full_name", "pk")
    )

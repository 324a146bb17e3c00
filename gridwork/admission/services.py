"""Services of admission (准入): requests to push a task down to communities, the approving bodies' decisions, the
assignment of admitted tasks to communities, their receipt, and communities' reports of tasks pushed without
admission.

- A request is made by a holder of REQUEST_ADMISSION over its scope (a street, a district or the city), for their
  department (a department handler) or their unit (street, district, city staff). It states the task, why the
  requester cannot do it itself, the legal basis, the time span and the resources that go with it: authority (权),
  people (人) and funds with their source (费).
- On submission the approving bodies are fixed: every active approving body whose jurisdiction is the scope or above
  it. None: the request cannot be submitted. Each body decides once (a user holding DECIDE_ADMISSION in a post of
  that department); a refusal needs its reason and refuses the request at once; the last approval admits it. The
  request's row is locked while a decision is taken, so two bodies deciding at once cannot both miss the last one.
- Only an admitted task is assigned, to communities within its scope (all or chosen); the database refuses any
  other assignment row (migration 0003), whoever writes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.models import User
from gridwork.accounts.roles import ROLE_PERMISSIONS, Perm
from gridwork.admission.access import department_ids, holds, holds_at, is_community, posts_with, within
from gridwork.admission.flows import ADMISSION_FLOW, AdmissionAction
from gridwork.admission.models import (
    AdmissionDecision,
    AdmissionRequest,
    AdmissionState,
    ApprovingBody,
    Assignment,
    DecisionKind,
    UnadmittedReport,
)
from gridwork.audit.services import audit_record
from gridwork.common.flows import StaleState, flow_move, flow_start
from gridwork.places.models import Department, Place, PlaceLevel

SCOPE_LEVELS = frozenset({PlaceLevel.CITY, PlaceLevel.DISTRICT, PlaceLevel.STREET})
MAX_TITLE = 200
MAX_TEXT = 4000
MAX_SOURCE = 200
MAX_REASON = 1000
MAX_FUNDS = Decimal("999999999999.99")


@dataclass(frozen=True)
class AdmissionInput:
    title: str
    content: str
    reason: str
    legal_basis: str
    scope: Place
    starts_on: date
    ends_on: date
    authority: str
    staffing: str
    staff_count: int
    funds_amount: Decimal
    funds_source: str


def _clean(values: AdmissionInput) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for name, limit, missing in (
        ("title", MAX_TITLE, _("Name the task.")),
        ("content", MAX_TEXT, _("Say what communities would do.")),
        ("reason", MAX_TEXT, _("Say why the task cannot be done by the requester itself.")),
        ("legal_basis", MAX_TEXT, _("Give the legal basis of the task.")),
        ("authority", MAX_TEXT, _("Say what authority goes with the task (权随事转).")),
        ("staffing", MAX_TEXT, _("Say who does the work or which staff are provided (人随事转).")),
        ("funds_source", MAX_SOURCE, _("Say where the funds come from (费随事转).")),
    ):
        text = str(getattr(values, name) or "").strip()
        if not text:
            errors[name] = [missing]
        elif len(text) > limit:
            errors[name] = [_("At most %(count)d characters.") % {"count": limit}]
        cleaned[name] = text
    if values.scope.level not in SCOPE_LEVELS:
        errors["scope"] = [_("Choose the street, district or city whose communities would take the task.")]
    if values.ends_on < values.starts_on:
        errors["ends_on"] = [_("The end comes before the start.")]
    if values.staff_count < 0:
        errors["staff_count"] = [_("Not a negative number.")]
    if values.funds_amount < 0 or values.funds_amount > MAX_FUNDS:
        errors["funds_amount"] = [_("Give the funds in yuan, zero or more.")]
    if errors:
        raise ValidationError(errors)
    cleaned.update(
        scope=values.scope,
        starts_on=values.starts_on,
        ends_on=values.ends_on,
        staff_count=values.staff_count,
        funds_amount=values.funds_amount,
    )
    return cleaned


def _requester_post(actor: Any, scope: Place) -> Any:
    """The post in which ``actor`` asks for ``scope``: a department post first, else the unit's."""
    posts = [post for post in posts_with(actor, Perm.REQUEST_ADMISSION) if within(scope, post.place)]
    posts.sort(key=lambda post: (post.department_id is None, -len(post.place.path)))
    return posts[0] if posts else None


def may_act_as_requester(user: Any, request: AdmissionRequest) -> bool:
    """The requester: a holder of REQUEST_ADMISSION in the requesting department, or at the requesting unit."""
    for post in posts_with(user, Perm.REQUEST_ADMISSION):
        if request.requester_department_id is not None:
            if post.department_id == request.requester_department_id:
                return True
        elif post.department_id is None and post.place_id == request.requester_place_id:
            return True
    return False


def may_assign(user: Any, request: AdmissionRequest) -> bool:
    """The requester, or a holder of REQUEST_ADMISSION over the whole scope (a street's staff for its own street)."""
    return may_act_as_requester(user, request) or holds(user, Perm.REQUEST_ADMISSION, request.scope)


def _url(request: AdmissionRequest) -> str:
    return reverse("admission:request-detail", args=[request.pk])


def _notify(recipients: Iterable[User], text: str, url: str) -> None:
    from gridwork.notifications.services import notification_send

    people = list(recipients)
    if people:
        transaction.on_commit(lambda: notification_send(recipients=people, text=text, url=url))


def _body_members(bodies: Iterable[ApprovingBody]) -> list[User]:
    department_pks = [body.department_id for body in bodies]
    users = User.objects.filter(
        is_active=True, posts__is_active=True, posts__department_id__in=department_pks
    ).prefetch_related("posts")
    return [
        user
        for user in users.distinct()
        if any(
            post.is_active
            and post.department_id in department_pks
            and Perm.DECIDE_ADMISSION in ROLE_PERMISSIONS.get(post.role, frozenset())
            for post in user.posts.all()
        )
    ]


# --- requests -----------------------------------------------------------------------------------------------------


def admission_create(*, actor: Any, values: AdmissionInput, request: Any = None) -> AdmissionRequest:
    """Draft a request for the communities of ``values.scope``."""
    post = _requester_post(actor, values.scope)
    if post is None:
        raise PermissionDenied(_("You cannot ask for tasks in the communities of %(place)s.") % {"place": values.scope})
    cleaned = _clean(values)
    subject = AdmissionRequest(
        **cleaned, requester_place=post.place, requester_department=post.department, created_by=actor
    )
    with transaction.atomic():
        flow_start(subject, flow=ADMISSION_FLOW, actor=actor)
        audit_record(actor=actor, action="admission.request_create", target=subject, request=request)
    return subject


def admission_update(
    *, actor: Any, subject: AdmissionRequest, values: AdmissionInput, expected_version: int, request: Any = None
) -> AdmissionRequest:
    """Edit a draft (the requester only), compare-and-set on its state and version."""
    if not may_act_as_requester(actor, subject):
        raise PermissionDenied(_("Only the requester edits the request."))
    if _requester_post(actor, values.scope) is None:
        raise ValidationError({"scope": [_("You cannot ask for tasks in the communities of this place.")]})
    cleaned = _clean(values)
    if expected_version != subject.version:
        raise StaleState
    with transaction.atomic():
        updated = AdmissionRequest.objects.filter(
            pk=subject.pk, version=expected_version, state=AdmissionState.DRAFT
        ).update(**cleaned)
        if not updated:
            raise StaleState
        for name, value in cleaned.items():
            setattr(subject, name, value)
        audit_record(actor=actor, action="admission.request_update", target=subject, request=request)
    return subject


def bodies_over(scope: Place) -> QuerySet[ApprovingBody]:
    """The active approving bodies whose jurisdiction is ``scope`` or above it."""
    codes = [code for code in scope.path.split("/") if code]
    return ApprovingBody.objects.filter(
        is_active=True, department__is_active=True, department__place__code__in=codes
    ).select_related("department__place")


def admission_submit(
    *, actor: Any, subject: AdmissionRequest, expected_version: int, request: Any = None
) -> AdmissionRequest:
    """Submit a draft to every approving body over its scope; they are told."""
    if not may_act_as_requester(actor, subject):
        raise PermissionDenied(_("Only the requester submits the request."))
    bodies = list(bodies_over(subject.scope))
    if not bodies:
        raise ValidationError(
            {
                "scope": [
                    _("No approving body is named over %(place)s: ask the duty list's keepers.")
                    % {"place": subject.scope.name}
                ]
            }
        )
    now = timezone.now()
    with transaction.atomic():
        flow_move(
            subject,
            flow=ADMISSION_FLOW,
            action=AdmissionAction.SUBMIT,
            actor=actor,
            changes={"submitted_at": now},
            expected_version=expected_version,
            data={"bodies": [body.department.code for body in bodies]},
            at=now,
        )
        subject.bodies.set(bodies)
        audit_record(actor=actor, action="admission.request_submit", target=subject, request=request)
        _notify(
            _body_members(bodies),
            _("Admission asked: “%(title)s” for the communities of %(place)s.")
            % {"title": subject.title, "place": subject.scope.name},
            _url(subject),
        )
    return subject


def admission_withdraw(
    *, actor: Any, subject: AdmissionRequest, expected_version: int, request: Any = None
) -> AdmissionRequest:
    if not may_act_as_requester(actor, subject):
        raise PermissionDenied(_("Only the requester withdraws the request."))
    with transaction.atomic():
        flow_move(
            subject,
            flow=ADMISSION_FLOW,
            action=AdmissionAction.WITHDRAW,
            actor=actor,
            expected_version=expected_version,
        )
        audit_record(actor=actor, action="admission.request_withdraw", target=subject, request=request)
    return subject


def bodies_to_decide(user: Any, subject: AdmissionRequest) -> list[ApprovingBody]:
    """The bodies of ``subject`` that ``user`` decides for (DECIDE_ADMISSION in that department) and that have not
    decided yet."""
    mine = department_ids(user, Perm.DECIDE_ADMISSION)
    if not mine or subject.state != AdmissionState.SUBMITTED:
        return []
    decided = set(subject.decisions.values_list("body_id", flat=True))
    return [
        body
        for body in subject.bodies.select_related("department")
        if body.department_id in mine and body.pk not in decided
    ]


def admission_decide(
    *,
    actor: Any,
    subject: AdmissionRequest,
    body: ApprovingBody,
    decision: str,
    reason: str = "",
    expected_version: int,
    request: Any = None,
    at: datetime | None = None,
) -> AdmissionDecision:
    """One approving body's decision. A refusal (with its reason) refuses the request; the last approval admits it."""
    if body.department_id not in department_ids(actor, Perm.DECIDE_ADMISSION):
        raise PermissionDenied(_("Only the approving body's own staff decide for it."))
    if decision not in DecisionKind.values:
        raise ValidationError({"decision": [_("Approve or refuse.")]})
    reason = (reason or "").strip()
    if decision == DecisionKind.REFUSE and not reason:
        raise ValidationError({"reason": [_("Say why the task is refused: the requester reads it.")]})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": [_("At most %(count)d characters.") % {"count": MAX_REASON}]})
    at = at or timezone.now()
    with transaction.atomic():
        locked = AdmissionRequest.objects.select_for_update().get(pk=subject.pk)
        if locked.version != expected_version or locked.state != AdmissionState.SUBMITTED:
            raise StaleState
        if not locked.bodies.filter(pk=body.pk).exists():
            raise PermissionDenied(_("This body is not among the request's approving bodies."))
        try:
            with transaction.atomic():
                made = AdmissionDecision.objects.create(
                    request=locked, body=body, decision=decision, reason=reason, decided_by=actor, at=at
                )
        except IntegrityError as error:
            raise ValidationError({"decision": [_("This body has already decided.")]}) from error
        audit_record(
            actor=actor,
            action=f"admission.decision_{decision}",
            target=locked,
            detail={"body": body.department.code, "reason": reason},
            request=request,
        )
        if decision == DecisionKind.REFUSE:
            flow_move(
                locked,
                flow=ADMISSION_FLOW,
                action=AdmissionAction.REFUSE,
                actor=actor,
                note=reason,
                data={"body": body.department.code},
                changes={"decided_at": at, "refusal_reason": reason},
                at=at,
            )
        else:
            waiting = locked.bodies.exclude(pk__in=locked.decisions.values("body_id")).exists()
            if not waiting:
                flow_move(
                    locked,
                    flow=ADMISSION_FLOW,
                    action=AdmissionAction.APPROVE,
                    actor=actor,
                    data={"body": body.department.code},
                    changes={"decided_at": at},
                    at=at,
                )
        if locked.state != AdmissionState.SUBMITTED:
            _notify(
                [locked.created_by] if locked.created_by.is_active else [],
                _("Your request “%(title)s” is %(state)s.")
                % {"title": locked.title, "state": ADMISSION_FLOW.state_label(locked.state)},
                _url(locked),
            )
    subject.state, subject.version = locked.state, locked.version
    subject.decided_at, subject.refusal_reason = locked.decided_at, locked.refusal_reason
    return made


# --- assignments --------------------------------------------------------------------------------------------------


def assignable_communities(subject: AdmissionRequest) -> QuerySet[Place]:
    return Place.objects.filter(level=PlaceLevel.COMMUNITY, path__startswith=subject.scope.path).order_by("code")


def assignment_create(
    *, actor: Any, subject: AdmissionRequest, communities: Iterable[Place] | None = None, request: Any = None
) -> list[Assignment]:
    """Assign an admitted task to the communities of its scope (``None``: all of them); those already assigned are
    skipped. A task that is not admitted is refused here and, whoever writes around this, by the database."""
    if not may_assign(actor, subject):
        raise PermissionDenied(_("Only the requester assigns the task."))
    if subject.state != AdmissionState.APPROVED:
        raise ValidationError(
            {"communities": [_("The task is not admitted (准入): it cannot be assigned to communities.")]}
        )
    chosen = list(assignable_communities(subject) if communities is None else communities)
    if not chosen:
        raise ValidationError({"communities": [_("Choose at least one community.")]})
    outside = [
        place.name for place in chosen if not (is_community(place) and place.path.startswith(subject.scope.path))
    ]
    if outside:
        raise ValidationError(
            {"communities": [_("Not communities of the task's scope: %(names)s.") % {"names": "、".join(outside)}]}
        )
    now = timezone.now()
    with transaction.atomic():
        done = set(Assignment.objects.filter(admission=subject).values_list("community_id", flat=True))
        try:
            with transaction.atomic():
                made = Assignment.objects.bulk_create(
                    Assignment(admission=subject, community=place, assigned_by=actor, assigned_at=now)
                    for place in chosen
                    if place.pk not in done
                )
        except IntegrityError as error:
            raise ValidationError({"communities": [_("The database refused the assignment.")]}) from error
        audit_record(
            actor=actor,
            action="admission.assign",
            target=subject,
            detail={"communities": [a.community.code for a in made]},
            request=request,
        )
        from gridwork.accounts.selectors import users_holding

        url = reverse("admission:task-list")
        for assignment in made:
            _notify(
                users_holding(Perm.VIEW_ADMISSION, place_id=assignment.community_id),
                _("A task admitted by the approving bodies is assigned to your community: “%(title)s”.")
                % {"title": subject.title},
                url,
            )
    return made


def assignment_receive(*, actor: Any, assignment: Assignment, request: Any = None) -> Assignment:
    """The community marks an assigned task received (签收), once."""
    if not holds_at(actor, Perm.VIEW_ADMISSION, assignment.community):
        raise PermissionDenied(_("Only the community's own staff mark its tasks received."))
    now = timezone.now()
    with transaction.atomic():
        if not Assignment.objects.filter(pk=assignment.pk, received_at__isnull=True).update(
            received_at=now, received_by=actor
        ):
            raise ValidationError({"received_at": [_("This task is already marked received.")]})
        assignment.received_at, assignment.received_by = now, actor
        audit_record(actor=actor, action="admission.receive", target=assignment, request=request)
    return assignment


# --- reports of tasks pushed without admission --------------------------------------------------------------------


@dataclass(frozen=True)
class ReportInput:
    community: Place
    department: Department | None
    pushed_by: str
    task: str
    details: str
    pushed_on: date


def unadmitted_report_create(*, actor: Any, values: ReportInput, request: Any = None) -> UnadmittedReport:
    """A community's staff report a task pushed to it without admission; the approving bodies over it are told."""
    community = values.community
    if not is_community(community) or not holds_at(actor, Perm.VIEW_ADMISSION, community):
        raise PermissionDenied(_("A community's own staff report the tasks pushed to it."))
    errors: dict[str, list[str]] = {}
    pushed_by = values.pushed_by.strip() or (values.department.name if values.department else "")
    if not pushed_by:
        errors["pushed_by"] = [_("Name the unit that pushed the task.")]
    if not values.task.strip():
        errors["task"] = [_("Name the task.")]
    if not values.details.strip():
        errors["details"] = [_("Say how and when the task was pushed.")]
    if values.pushed_on > timezone.localdate():
        errors["pushed_on"] = [_("Not a date to come.")]
    if values.department is not None and not within(community, values.department.place):
        errors["department"] = [_("This department is not over the community.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        report = UnadmittedReport.objects.create(
            community=community,
            department=values.department,
            pushed_by=pushed_by[:120],
            task=values.task.strip()[:200],
            details=values.details.strip()[:MAX_TEXT],
            pushed_on=values.pushed_on,
            reported_by=actor,
            reported_at=timezone.now(),
        )
        audit_record(actor=actor, action="admission.report_unadmitted", target=report, request=request)
        _notify(
            _body_members(bodies_over(community)),
            _("%(community)s reports a task pushed without admission: “%(task)s” by %(unit)s.")
            % {"community": community.name, "task": report.task, "unit": report.pushed_by},
            reverse("admission:report-list"),
        )
    return report

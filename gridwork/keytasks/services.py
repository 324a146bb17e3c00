"""Writing key tasks: defining a task and its project list, moving the task (start, complete, cancel), milestones,
progress reports with evidence, and the daily milestone warnings.

Every write is one transaction, re-checks the actor's permission over the object (``restrict(actor, perm)``), is
audited, and refuses bad input with ``ValidationError({field: message})``. State changes are compare-and-set: the
task through its flow (``flows.TASK_FLOW``), an item through ``UPDATE … WHERE version = …``; the loser of a race gets
``StaleState`` and nothing of theirs is saved. Notifications go out after commit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.models import User, UserKind
from gridwork.accounts.roles import DEPARTMENT_SCOPED_ROLES, ROLE_PERMISSIONS, Perm
from gridwork.audit.services import audit_record
from gridwork.common.evidence import CleanEvidence, EvidenceRejected, clean_evidence
from gridwork.common.flows import StaleState, flow_move, flow_start
from gridwork.common.numbering import next_number
from gridwork.keytasks import rules
from gridwork.keytasks.flows import TASK_FLOW, TaskAction
from gridwork.keytasks.models import (
    ItemState,
    KeyTask,
    KeyTaskEvent,
    Milestone,
    MilestoneWarning,
    ProgressReport,
    ProjectItem,
    ReportEvidence,
    TaskState,
    WarningKind,
)
from gridwork.notifications.services import notification_send
from gridwork.places.models import Department, Place, PlaceLevel

logger = logging.getLogger(__name__)

OWNER_LEVELS = (PlaceLevel.CITY, PlaceLevel.DISTRICT, PlaceLevel.STREET)
UNIT_LEVELS = (PlaceLevel.STREET, PlaceLevel.COMMUNITY)
MAX_TEXT = 2000
MAX_EVIDENCE = 5
WARN_LOOKAHEAD_DAYS = 60  # far enough for any "N working days before" across the longest holiday


def warn_working_days() -> int:
    return int(getattr(settings, "GRIDWORK_KEYTASKS_WARN_WORKING_DAYS", 3))


# --- permissions ------------------------------------------------------------------------------------------------------


def _signed_in(actor: Any) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in first."))


def manages_place(actor: Any, place: Place) -> bool:
    return Place.objects.restrict(actor, Perm.MANAGE_KEY_TASKS).filter(pk=place.pk).exists()


def manages_task(actor: Any, task: KeyTask) -> bool:
    return KeyTask.objects.restrict(actor, Perm.MANAGE_KEY_TASKS).filter(pk=task.pk).exists()


def reports_item(actor: Any, item: ProjectItem) -> bool:
    return ProjectItem.objects.restrict(actor, Perm.REPORT_KEY_TASKS).filter(pk=item.pk).exists()


def _require_manager(actor: Any, task: KeyTask) -> None:
    _signed_in(actor)
    if not manages_task(actor, task):
        raise PermissionDenied(_("Only those who manage key tasks over the task's owner may do this."))


def unit_people(*, place: Place | None = None, department: Department | None = None) -> list[User]:
    """Who may be responsible for a unit: active staff holding REPORT_KEY_TASKS at that place (an area post there),
    or at that department (a department handler of it)."""
    users = User.objects.filter(kind=UserKind.STAFF, is_active=True, posts__is_active=True)
    if place is not None:
        users = users.filter(posts__place=place)
    elif department is not None:
        users = users.filter(posts__department=department)
    else:
        return []
    found = []
    for user in users.distinct().prefetch_related("posts").order_by("full_name", "username"):
        for post in user.posts.all():
            if not post.is_active or Perm.REPORT_KEY_TASKS not in ROLE_PERMISSIONS.get(post.role, frozenset()):
                continue
            if place is not None and post.place_id == place.pk and post.role not in DEPARTMENT_SCOPED_ROLES:
                found.append(user)
                break
            if department is not None and post.department_id == department.pk and post.role in DEPARTMENT_SCOPED_ROLES:
                found.append(user)
                break
    return found


# --- tasks ------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskInput:
    title: str
    description: str
    place: Place | None
    leader: User | None
    starts_on: date | None
    target_on: date | None


def _clean_task(actor: Any, values: TaskInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not values.title.strip():
        errors["title"] = _("Give the task a title.")
    elif len(values.title.strip()) > 120:
        errors["title"] = _("At most 120 characters.")
    if len(values.description) > MAX_TEXT:
        errors["description"] = _("At most %(max)d characters.") % {"max": MAX_TEXT}
    if values.place is None:
        errors["place"] = _("Choose the street, district or city that owns the task.")
    elif values.place.level not in OWNER_LEVELS:
        errors["place"] = _("A key task is owned by a street, a district or the city.")
    elif not manages_place(actor, values.place):
        errors["place"] = _("You do not manage key tasks there.")
    leader = values.leader
    if leader is None or not leader.is_active or leader.kind != UserKind.STAFF:
        errors["leader"] = _("Choose an active staff member as the leader.")
    if values.starts_on is None:
        errors["starts_on"] = _("Give the start date.")
    if values.target_on is None:
        errors["target_on"] = _("Give the target date.")
    elif values.starts_on is not None and values.target_on < values.starts_on:
        errors["target_on"] = _("The target date cannot be before the start.")
    return errors


def key_task_create(*, actor: Any, values: TaskInput, now: datetime | None = None) -> KeyTask:
    """A leader defines a key task at a place where they manage key tasks; it starts as a draft."""
    _signed_in(actor)
    errors = _clean_task(actor, values)
    if errors:
        raise ValidationError(errors)
    assert values.starts_on is not None
    assert values.target_on is not None
    when = now or timezone.now()
    with transaction.atomic():
        task = KeyTask(
            number=next_number(KeyTask, prefix=f"KT-{timezone.localdate(when).year}-", width=4),
            title=values.title.strip(),
            description=values.description.strip(),
            place=values.place,
            leader=values.leader,
            starts_on=values.starts_on,
            target_on=values.target_on,
            created_by=actor,
        )
        flow_start(task, flow=TASK_FLOW, actor=actor, at=when)
        audit_record(actor=actor, action="keytasks.task_create", target=task, detail={"place": task.place_id})
    return task


def key_task_update(*, actor: Any, task: KeyTask, values: TaskInput, expected_version: int) -> KeyTask:
    """Edit a draft or active task's title, description, leader and dates (not its owner)."""
    _require_manager(actor, task)
    values = TaskInput(
        title=values.title,
        description=values.description,
        place=task.place,
        leader=values.leader,
        starts_on=values.starts_on,
        target_on=values.target_on,
    )
    errors = _clean_task(actor, values)
    if task.state not in (TaskState.DRAFT, TaskState.ACTIVE):
        errors[NON_FIELD_ERRORS] = _("A completed or cancelled task is not edited.")
    if errors:
        raise ValidationError(errors)
    changes: dict[str, Any] = {
        "title": values.title.strip(),
        "description": values.description.strip(),
        "leader": values.leader,
        "starts_on": values.starts_on,
        "target_on": values.target_on,
    }
    with transaction.atomic():
        updated = KeyTask.objects.filter(pk=task.pk, version=expected_version, state=task.state).update(
            version=F("version") + 1, **changes
        )
        if not updated:
            raise StaleState
        task.refresh_from_db()
        KeyTaskEvent.objects.create(
            subject=task,
            sequence=task.version,
            action="edit",
            from_state=task.state,
            to_state=task.state,
            actor=actor,
            actor_name=(actor.full_name or actor.get_username())[:100],
            at=timezone.now(),
        )
        audit_record(actor=actor, action="keytasks.task_update", target=task)
    return task


def key_task_move(*, actor: Any, task: KeyTask, action: str, expected_version: int, note: str = "") -> KeyTask:
    """Start a draft (it needs at least one item), complete an active task (no item still under way), or cancel a
    draft or active one (with its reason)."""
    _require_manager(actor, task)
    note = note.strip()
    errors: dict[str, str] = {}
    if action == TaskAction.ACTIVATE and not task.items.exists():
        errors[NON_FIELD_ERRORS] = _("Add at least one item to the project list before starting the task.")
    if action == TaskAction.COMPLETE and task.items.filter(state=ItemState.OPEN).exists():
        errors[NON_FIELD_ERRORS] = _("Items are still under way: the task cannot be completed yet.")
    if action == TaskAction.CANCEL and not note:
        errors["note"] = _("Say why the task is cancelled.")
    if len(note) > 300:
        errors["note"] = _("At most 300 characters.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        flow_move(task, flow=TASK_FLOW, action=action, actor=actor, note=note, expected_version=expected_version)
        audit_record(actor=actor, action=f"keytasks.task_{action}", target=task, detail={"note": note})
    return task


# --- the project list -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemInput:
    title: str
    description: str
    place: Place | None
    department: Department | None
    person: User | None
    deadline: date | None


def unit_places(task: KeyTask) -> Any:
    """The places that may be responsible for an item: the streets and communities within the task's owner."""
    return Place.objects.filter(path__startswith=task.place.path, level__in=UNIT_LEVELS).order_by("path")


def unit_departments(task: KeyTask) -> Any:
    """The departments that may be responsible: active ones whose jurisdiction is the owner, above it or within it."""
    return Department.objects.filter(
        Q(place__path__startswith=task.place.path) | Q(place__path__in=task.place.ancestor_paths(include_self=False)),
        is_active=True,
    ).order_by("code")


def _clean_item(task: KeyTask, values: ItemInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not values.title.strip():
        errors["title"] = _("Say what the item is.")
    elif len(values.title.strip()) > 120:
        errors["title"] = _("At most 120 characters.")
    if len(values.description) > MAX_TEXT:
        errors["description"] = _("At most %(max)d characters.") % {"max": MAX_TEXT}
    if (values.place is None) == (values.department is None):
        errors["unit"] = _("Choose exactly one responsible unit: a community or street, or a department.")
    elif values.place is not None and not unit_places(task).filter(pk=values.place.pk).exists():
        errors["unit"] = _("The responsible unit must be a street or community within %(owner)s.") % {
            "owner": task.place.name
        }
    elif values.department is not None and not unit_departments(task).filter(pk=values.department.pk).exists():
        errors["unit"] = _("This department does not serve %(owner)s.") % {"owner": task.place.name}
    if "unit" not in errors:
        people = unit_people(place=values.place, department=values.department)
        if values.person is None or values.person not in people:
            errors["person"] = _("The responsible person must report key tasks at the responsible unit.")
    if values.deadline is None:
        errors["deadline"] = _("Give the deadline.")
    elif not task.starts_on <= values.deadline <= task.target_on:
        errors["deadline"] = _("The deadline must lie between the task's start (%(start)s) and target (%(end)s).") % {
            "start": task.starts_on.isoformat(),
            "end": task.target_on.isoformat(),
        }
    return errors


def item_create(*, actor: Any, task: KeyTask, values: ItemInput) -> ProjectItem:
    """Add an item to the project list of a draft or active task, with its responsible unit and person."""
    _require_manager(actor, task)
    errors = _clean_item(task, values)
    if task.state not in (TaskState.DRAFT, TaskState.ACTIVE):
        errors[NON_FIELD_ERRORS] = _("Items are added only while the task is a draft or under way.")
    if errors:
        raise ValidationError(errors)
    assert values.person is not None
    assert values.deadline is not None
    for attempt in range(3):
        try:
            with transaction.atomic():
                last = ProjectItem.objects.filter(task=task).aggregate(top=Max("position"))["top"] or 0
                item = ProjectItem.objects.create(
                    task=task,
                    position=last + 1,
                    title=values.title.strip(),
                    description=values.description.strip(),
                    responsible_place=values.place,
                    responsible_department=values.department,
                    responsible_person=values.person,
                    deadline=values.deadline,
                )
                audit_record(actor=actor, action="keytasks.item_create", target=item, detail={"task": task.pk})
        except IntegrityError:
            if attempt == 2:
                raise
            continue
        person = values.person
        url = reverse("keytasks:item-detail", args=[item.pk])
        text = _("You are responsible for “%(item)s” of key task %(task)s.") % {"item": item.title, "task": task.title}
        transaction.on_commit(partial(notification_send, recipients=[person], text=text, url=url))
        return item
    raise AssertionError("unreachable")


def item_cancel(*, actor: Any, item: ProjectItem, expected_version: int, reason: str) -> ProjectItem:
    """Take an item off the list (its reports stay): only an item still under way, with the reason."""
    task = item.task
    _require_manager(actor, task)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the item is cancelled.")})
    with transaction.atomic():
        updated = ProjectItem.objects.filter(pk=item.pk, version=expected_version, state=ItemState.OPEN).update(
            state=ItemState.CANCELLED, version=F("version") + 1
        )
        if not updated:
            raise StaleState
        audit_record(actor=actor, action="keytasks.item_cancel", target=item, detail={"reason": reason.strip()[:300]})
    item.refresh_from_db()
    return item


def milestone_create(*, actor: Any, item: ProjectItem, title: str, due_on: date | None) -> Milestone:
    """Add a milestone to an item under way; it is due no later than the item's deadline."""
    _require_manager(actor, item.task)
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Say what the milestone is.")
    elif len(title.strip()) > 120:
        errors["title"] = _("At most 120 characters.")
    if due_on is None:
        errors["due_on"] = _("Give the due date.")
    elif not item.task.starts_on <= due_on <= item.deadline:
        errors["due_on"] = _("The due date must lie between the task's start and the item's deadline (%(end)s).") % {
            "end": item.deadline.isoformat()
        }
    if item.state != ItemState.OPEN or item.task.state not in (TaskState.DRAFT, TaskState.ACTIVE):
        errors[NON_FIELD_ERRORS] = _("Milestones are added only to items under way.")
    if errors:
        raise ValidationError(errors)
    assert due_on is not None
    with transaction.atomic():
        milestone = Milestone.objects.create(item=item, title=title.strip(), due_on=due_on)
        audit_record(actor=actor, action="keytasks.milestone_create", target=milestone, detail={"item": item.pk})
    return milestone


# --- progress reports -------------------------------------------------------------------------------------------------


def _clean_files(files: Iterable[IO[bytes]], errors: dict[str, str]) -> list[CleanEvidence]:
    files = list(files)
    if len(files) > MAX_EVIDENCE:
        errors["evidence"] = _("Add at most %(max)d files.") % {"max": MAX_EVIDENCE}
        return []
    cleaned: list[CleanEvidence] = []
    for file in files:
        try:
            cleaned.append(clean_evidence(file, original_name=str(getattr(file, "name", "") or "")))
        except EvidenceRejected as rejected:
            errors["evidence"] = str(rejected)
            return []
    return cleaned


def _store_evidence(files: list[tuple[str, bytes]]) -> None:
    """Write committed evidence to storage under the names its rows already carry."""
    storage = ReportEvidence._meta.get_field("file").storage
    for name, content in files:
        saved = storage.save(name, ContentFile(content, name=name))
        if saved != name:
            logger.error("Evidence %s was stored as %s; its row still names the first.", name, saved)


def _report_errors(
    item: ProjectItem, *, percent: int | None, text: str, reason: str, chosen: list[int]
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if item.task.state != TaskState.ACTIVE or item.state != ItemState.OPEN:
        errors[NON_FIELD_ERRORS] = _("Progress is reported only on items under way of a task under way.")
    if not text:
        errors["text"] = _("Say what was done.")
    elif len(text) > MAX_TEXT:
        errors["text"] = _("At most %(max)d characters.") % {"max": MAX_TEXT}
    if len(reason) > 300:
        errors["reason"] = _("At most 300 characters.")
    open_milestones = set(item.milestones.filter(done_on__isnull=True).values_list("pk", flat=True))
    if any(pk not in open_milestones for pk in chosen):
        errors["milestones"] = _("Choose only milestones of this item that are not done yet.")
    if percent is None:
        errors["percent"] = _("Give the progress in percent.")
        return errors
    problem = rules.percent_error(percent=percent, last=item.percent, reason=reason)
    if problem == "range":
        errors["percent"] = _("The progress is a percentage from 0 to 100.")
    elif problem == "lower":
        errors["reason"] = _("The progress is lower than the last report (%(last)d%%): say why.") % {
            "last": item.percent
        }
    elif percent == 100 and not open_milestones <= set(chosen):
        errors["percent"] = _("Full progress needs every milestone done: mark the remaining ones done in this report.")
    return errors


def progress_report(
    *,
    actor: Any,
    item: ProjectItem,
    percent: int | None,
    text: str,
    reason: str = "",
    milestones: Sequence[int] = (),
    files: Iterable[IO[bytes]] = (),
    expected_version: int,
    now: datetime | None = None,
) -> ProgressReport:
    """The responsible person, or anyone reporting key tasks over the item's unit, reports progress on an item of an
    active task: percent (0–100; lower than the last report only with a reason), what was done, evidence, and the
    milestones done (dated the report's day). 100% needs every milestone done, and marks the item done."""
    _signed_in(actor)
    if not reports_item(actor, item):
        raise PermissionDenied(_("You do not report on this item."))
    if item.version != expected_version:
        # The page showed an older item: it is stale whatever the report says (checking it against the newer item
        # would refuse it for reasons the reporter cannot see, e.g. a milestone another report just marked done).
        raise StaleState
    when = now or timezone.now()
    today = timezone.localdate(when)
    text = text.strip()
    reason = reason.strip()
    chosen = list(dict.fromkeys(int(pk) for pk in milestones))
    errors = _report_errors(item, percent=percent, text=text, reason=reason, chosen=chosen)
    cleaned = _clean_files(files, errors)
    if errors:
        raise ValidationError(errors)
    assert percent is not None
    completes = percent == 100
    with transaction.atomic():
        changes: dict[str, Any] = {"percent": percent, "version": F("version") + 1}
        if completes:
            changes |= {"state": ItemState.DONE, "done_on": today}
        updated = ProjectItem.objects.filter(pk=item.pk, version=expected_version, state=ItemState.OPEN).update(
            **changes
        )
        if not updated:
            raise StaleState
        report = ProgressReport.objects.create(
            item=item, percent=percent, text=text, reason=reason, reported_by=actor, reported_at=when
        )
        if chosen:
            marked = Milestone.objects.filter(pk__in=chosen, item=item, done_on__isnull=True).update(
                done_on=today, done_report=report
            )
            if marked != len(chosen):
                raise StaleState
        stored: list[tuple[str, bytes]] = []
        for file in cleaned:
            evidence = ReportEvidence(
                report=report, kind=file.kind, content_type=file.content_type, size=len(file.content), created_at=when
            )
            evidence.file.name = evidence.file.field.generate_filename(evidence, file.name)
            evidence.save()
            stored.append((evidence.file.name, file.content))
        audit_record(
            actor=actor,
            action="keytasks.progress_report",
            target=item,
            detail={"percent": percent, "milestones": chosen, "files": len(cleaned), "reason": reason},
        )
        transaction.on_commit(partial(_store_evidence, stored), robust=True)
        if completes:
            url = reverse("keytasks:item-detail", args=[item.pk])
            message = _("Item “%(item)s” of key task %(task)s is done.") % {"item": item.title, "task": item.task.title}
            transaction.on_commit(partial(notification_send, recipients=[item.task.leader], text=message, url=url))
    item.refresh_from_db()
    return report


# --- warnings ---------------------------------------------------------------------------------------------------------


def _warning_text(milestone: Milestone, kind: str) -> str:
    values = {"milestone": milestone.title, "item": milestone.item.title, "due": milestone.due_on.isoformat()}
    if kind == WarningKind.OVERDUE:
        return _("Milestone “%(milestone)s” of “%(item)s” was due on %(due)s and is overdue.") % values
    return _("Milestone “%(milestone)s” of “%(item)s” is due on %(due)s.") % values


def milestones_warn(
    *, now: datetime | None = None, calendar: Any = None, warn_days: int | None = None
) -> dict[str, int]:
    """Warn the responsible person of each open milestone of an active task N working days before it is due, and
    when it is overdue (its leader too) — each once per due date, recorded in the database."""
    from gridwork.supervision.calendar import WorkCalendar

    when = now or timezone.now()
    today = timezone.localdate(when)
    calendar = calendar or WorkCalendar.load()
    days = warn_working_days() if warn_days is None else warn_days
    sent = {WarningKind.APPROACHING.value: 0, WarningKind.OVERDUE.value: 0}
    if not calendar.is_workday(today):
        return sent
    candidates = (
        Milestone.objects.filter(
            done_on__isnull=True,
            item__state=ItemState.OPEN,
            item__task__state=TaskState.ACTIVE,
            due_on__lte=today + timedelta(days=WARN_LOOKAHEAD_DAYS),
        )
        .select_related("item__task__leader", "item__responsible_person")
        .order_by("due_on", "pk")
    )
    for milestone in candidates:
        kind = rules.warning_due(due_on=milestone.due_on, done_on=None, today=today, warn_days=days, calendar=calendar)
        if kind is None:
            continue
        if MilestoneWarning.objects.filter(milestone=milestone, kind=kind, due_on=milestone.due_on).exists():
            continue
        recipients = [milestone.item.responsible_person]
        if kind == WarningKind.OVERDUE:
            recipients.append(milestone.item.task.leader)
        try:
            with transaction.atomic():
                MilestoneWarning.objects.create(
                    milestone=milestone,
                    kind=kind,
                    due_on=milestone.due_on,
                    sent_on=today,
                    sent_at=when,
                    recipients=len({user.pk for user in recipients}),
                )
                notification_send(
                    recipients=recipients,
                    text=_warning_text(milestone, kind),
                    url=reverse("keytasks:item-detail", args=[milestone.item_id]),
                )
        except IntegrityError:
            continue  # another run warned it first
        sent[kind] += 1
    return sent

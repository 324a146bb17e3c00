"""Key tasks run as projects (任务项目化、项目清单化、清单责任化, seed 002).

A leader at a street, district or city defines a key task (重点任务, e.g. an old-neighbourhood renovation 老旧小区改造)
owned by that place; its project list (项目清单) holds items, each with exactly one responsible unit (a community or
street, or a department) and one responsible person, a deadline and milestones. The responsible person, or anyone
who reports key tasks over the item's unit, reports progress (percent, text, evidence); a report may mark milestones
done. Reports, their evidence, the task's events and the milestone warnings are append-only.

Visibility: a task's managers and viewers are those above its owner place; a responsible unit (a community, a
department) sees the task and *its own* items even though the owner place lies above it — never a sibling's items.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from gridwork.common.flows import FlowEvent, FlowSubject
from gridwork.common.scope import NOTHING, ScopedQuerySet, paths_q
from gridwork.places.models import Department, Place


class TaskState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Under way")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class ItemState(models.TextChoices):
    OPEN = "open", _("Under way")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


def _reach(user: Any, perm: str) -> tuple[list[str], list[int]]:
    """The place paths where ``user`` holds ``perm`` as an area (non-department) post, and the departments of their
    department-scoped posts holding it (a department handler reaches their department, not its jurisdiction)."""
    from gridwork.accounts.roles import DEPARTMENT_SCOPED_ROLES, ROLE_PERMISSIONS

    if not getattr(user, "is_authenticated", False):
        return [], []
    posts = [post for post in getattr(user, "active_posts", []) if perm in ROLE_PERMISSIONS[post.role]]
    paths = [post.place.path for post in posts if post.role not in DEPARTMENT_SCOPED_ROLES]
    departments = [
        post.department_id for post in posts if post.role in DEPARTMENT_SCOPED_ROLES and post.department_id is not None
    ]
    return paths, departments


def item_unit_q(user: Any, perm: str, prefix: str = "") -> Q:
    """Items whose responsible unit the user holds ``perm`` over: a place under their area posts, a department whose
    jurisdiction is under them, their own department — or items they are personally responsible for."""
    paths, departments = _reach(user, perm)
    if not paths and not departments:
        return NOTHING
    condition = paths_q(f"{prefix}responsible_place__path", paths)
    condition |= paths_q(f"{prefix}responsible_department__place__path", paths)
    if departments:
        condition |= Q(**{f"{prefix}responsible_department_id__in": departments})
    return condition | Q(**{f"{prefix}responsible_person_id": user.pk})


class KeyTask(FlowSubject):
    """重点任务: a task run as a project by a leader, owned by a street, district or city (its scope)."""

    SCOPE_PATH: ClassVar[str] = "place__path"

    number = models.CharField(_("number"), max_length=24, unique=True)  # 重-2026-0001
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    place = models.ForeignKey(Place, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="key_tasks")
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("leader"), on_delete=models.PROTECT, related_name="led_key_tasks"
    )
    starts_on = models.DateField(_("starts on"))
    target_on = models.DateField(_("target date"))
    state = models.CharField(_("status"), max_length=16, choices=TaskState.choices, default=TaskState.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("key task")
        verbose_name_plural = _("key tasks")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(target_on__gte=F("starts_on")), name="keytasks_task_target_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @classmethod
    def scope_q(cls, user: Any, perm: str) -> Q:
        """Managing: tasks owned under the user's units. Viewing and reporting: those, the tasks they lead, and the
        tasks with an item the user's unit (or the user) is responsible for."""
        from gridwork.accounts.roles import Perm

        paths, _departments = _reach(user, perm)
        condition = paths_q("place__path", paths)
        if perm == Perm.MANAGE_KEY_TASKS:
            return condition
        if getattr(user, "is_authenticated", False) and perm == Perm.VIEW_KEY_TASKS:
            condition |= Q(leader_id=user.pk)
        responsible = ProjectItem.objects.filter(item_unit_q(user, perm), task=OuterRef("pk"))
        return condition | Q(Exists(responsible))


class KeyTaskEvent(FlowEvent):
    subject = models.ForeignKey(KeyTask, on_delete=models.PROTECT, related_name="events")

    class Meta(FlowEvent.Meta):
        constraints = [models.UniqueConstraint(fields=["subject", "sequence"], name="keytasks_taskevent_unique_seq")]


class ProjectItem(models.Model):
    """项目清单的一项: one item of a task's project list, with exactly one responsible unit and one person."""

    task = models.ForeignKey(KeyTask, verbose_name=_("key task"), on_delete=models.PROTECT, related_name="items")
    position = models.PositiveSmallIntegerField(_("no."))
    title = models.CharField(_("item"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    responsible_place = models.ForeignKey(
        Place,
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="key_task_items",
    )
    responsible_department = models.ForeignKey(
        Department,
        verbose_name=_("responsible department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="key_task_items",
    )
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        on_delete=models.PROTECT,
        related_name="key_task_items",
    )
    deadline = models.DateField(_("deadline"))
    state = models.CharField(_("status"), max_length=16, choices=ItemState.choices, default=ItemState.OPEN)
    percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("project item")
        verbose_name_plural = _("project items")
        ordering = ["task_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["task", "position"], name="keytasks_item_unique_position"),
            models.CheckConstraint(
                condition=(Q(responsible_place__isnull=False) & Q(responsible_department__isnull=True))
                | (Q(responsible_place__isnull=True) & Q(responsible_department__isnull=False)),
                name="keytasks_item_one_responsible_unit",
            ),
            models.CheckConstraint(condition=Q(percent__lte=100), name="keytasks_item_percent_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"

    @property
    def unit_name(self) -> str:
        unit = self.responsible_place or self.responsible_department
        return unit.name if unit is not None else ""

    @classmethod
    def scope_q(cls, user: Any, perm: str) -> Q:
        """Managing: items of tasks owned under the user's units. Viewing and reporting: also the items of their own
        unit (or themselves); a sibling unit's items are never in reach."""
        from gridwork.accounts.roles import Perm

        paths, _departments = _reach(user, perm)
        condition = paths_q("task__place__path", paths)
        if perm == Perm.MANAGE_KEY_TASKS:
            return condition
        if getattr(user, "is_authenticated", False) and perm == Perm.VIEW_KEY_TASKS:
            condition |= Q(task__leader_id=user.pk)
        return condition | item_unit_q(user, perm)


class Milestone(models.Model):
    """A milestone (节点) of an item: done when a progress report marks it done (the report's day is its done date)."""

    item = models.ForeignKey(ProjectItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=120)
    due_on = models.DateField(_("due date"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_report = models.ForeignKey(
        "keytasks.ProgressReport", on_delete=models.PROTECT, null=True, blank=True, related_name="milestones_done"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["item_id", "due_on", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def on_time(self) -> bool | None:
        return None if self.done_on is None else self.done_on <= self.due_on

    @classmethod
    def scope_q(cls, user: Any, perm: str) -> Q:
        return Q(item__in=ProjectItem.objects.restrict(user, perm).values("pk"))


class ProgressReport(models.Model):
    """进度报告: how far the item is (percent), what was done, its evidence. Append-only."""

    item = models.ForeignKey(ProjectItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="reports")
    percent = models.PositiveSmallIntegerField(_("progress (%)"))
    text = models.TextField(_("what was done"))
    reason = models.CharField(_("why lower than before"), max_length=300, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(_("reported at"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["item_id", "reported_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(percent__lte=100), name="keytasks_report_percent")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.percent}%"

    @classmethod
    def scope_q(cls, user: Any, perm: str) -> Q:
        return Q(item__in=ProjectItem.objects.restrict(user, perm).values("pk"))


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    DOCUMENT = "document", _("Document")


def evidence_path(instance: ReportEvidence, filename: str) -> str:
    """Server-generated names only: the client's file name is never used."""
    return f"keytasks/{instance.created_at:%Y/%m}/{filename}"


class ReportEvidence(models.Model):
    """A photo (re-encoded without metadata) or a document (checked by content) of a progress report."""

    report = models.ForeignKey(ProgressReport, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=16, choices=EvidenceKind.choices)
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.file.name

    @classmethod
    def scope_q(cls, user: Any, perm: str) -> Q:
        return Q(report__item__in=ProjectItem.objects.restrict(user, perm).values("pk"))


class WarningKind(models.TextChoices):
    APPROACHING = "approaching", _("Due soon")
    OVERDUE = "overdue", _("Overdue")


class MilestoneWarning(models.Model):
    """A warning sent about a milestone: one per milestone, kind and due date (the database refuses a second), so
    reruns and concurrent runs never repeat one. Append-only."""

    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="warnings")
    kind = models.CharField(max_length=16, choices=WarningKind.choices)
    due_on = models.DateField()
    sent_on = models.DateField()
    sent_at = models.DateTimeField()
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("milestone warning")
        verbose_name_plural = _("milestone warnings")
        ordering = ["milestone_id", "sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["milestone", "kind", "due_on"], name="keytasks_warning_once"),
        ]

    def __str__(self) -> str:
        return f"{self.milestone_id} {self.kind} {self.due_on}"

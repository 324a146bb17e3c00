"""Supervision (督办): the working calendar's overrides, time limits, whistles and their tasks, joint
consultations of hard matters, and the deadline alerts the sweep has raised."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridwork.matters.models import Category, Matter, MatterEvent, Urgency
from gridwork.matters.workflow import MatterKind
from gridwork.places.models import Department, Place


class CalendarOverride(models.Model):
    """A day whose status the administrator sets: a holiday or an adjusted working day (调休) the package
    does not know, such as the next year's schedule before the package is updated."""

    day = models.DateField(_("day"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {'+' if self.is_workday else '-'} {self.note}"


class LimitStage(models.TextChoices):
    ACCEPT = "accept", _("Accept (签收)")
    REPLY = "reply", _("Reply (答复)")
    CALLBACK = "callback", _("Call-back (回访)")
    REPORT = "report", _("Report to a whistle or task (报到)")
    LEVEL = "level", _("Hard matter: time at a level before escalation")


class LimitUnit(models.TextChoices):
    WORKING_HOURS = "working_hours", _("working hours")
    WORKING_DAYS = "working_days", _("working days")
    HOURS = "hours", _("hours (calendar time)")


class TimeLimit(models.Model):
    """时限: how long a stage may take, for matters of a category, kind and urgency ("any" when blank).

    The most specific row wins: a matching urgency first, then the deepest matching category, then a matching
    kind. The defaults (any, any, any) are seeded and must exist for every stage.
    """

    stage = models.CharField(_("stage"), max_length=16, choices=LimitStage.choices)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MatterKind.choices, blank=True)
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, blank=True)
    amount = models.PositiveIntegerField(_("limit"))
    unit = models.CharField(_("unit"), max_length=16, choices=LimitUnit.choices)
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("time limit")
        verbose_name_plural = _("time limits")
        ordering = ["stage", "category__code", "kind", "urgency"]
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "category", "kind", "urgency"], name="timelimit_one_per_combination"
            ),
            models.UniqueConstraint(
                fields=["stage", "kind", "urgency"],
                condition=Q(category__isnull=True),
                name="timelimit_one_per_combination_any_category",
            ),
            models.CheckConstraint(condition=Q(amount__gte=1), name="timelimit_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()}: {self.amount} {self.get_unit_display()}"


class Whistle(models.Model):
    """吹哨: a street or community calls departments to a matter at once; each must report (报到) on its task."""

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="whistles")
    event = models.OneToOneField(MatterEvent, on_delete=models.PROTECT, related_name="+")
    place = models.ForeignKey(Place, verbose_name=_("whistled by"), on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("what is needed"))
    issued_at = models.DateTimeField(_("whistled at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    result = models.TextField(_("joint result"), blank=True)
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("whistle")
        verbose_name_plural = _("whistles")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.matter_id} @ {self.issued_at:%Y-%m-%d %H:%M}"


class JointMeeting(models.Model):
    """会商: the record of a hard matter's joint consultation (level 2) or the city leader's meeting (level 3)."""

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="meetings")
    event = models.OneToOneField(MatterEvent, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("level"))
    held_on = models.DateField(_("held on"))
    participants = models.TextField(_("participating units"))
    analysis = models.TextField(_("analysis"))
    decision = models.TextField(_("decision"))
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("joint consultation")
        verbose_name_plural = _("joint consultations")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.matter_id} L{self.level} {self.held_on}"


class UnitTask(models.Model):
    """A unit's task on a matter from a whistle or a joint consultation, with its limit and its report."""

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="unit_tasks")
    whistle = models.ForeignKey(Whistle, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks")
    meeting = models.ForeignKey(JointMeeting, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks")
    place = models.ForeignKey(
        Place, verbose_name=_("unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    task = models.TextField(_("task"))
    due_at = models.DateTimeField(_("report by"))
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    report = models.TextField(_("action taken"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("unit task")
        verbose_name_plural = _("unit tasks")
        ordering = ["id"]
        indexes = [models.Index(fields=["due_at"], name="unittask_open_due", condition=Q(reported_at__isnull=True))]
        constraints = [
            models.CheckConstraint(condition=Q(place__isnull=True) ^ Q(department__isnull=True), name="task_one_unit"),
            models.CheckConstraint(condition=Q(whistle__isnull=True) ^ Q(meeting__isnull=True), name="task_one_origin"),
        ]

    def __str__(self) -> str:
        return f"{self.matter_id}: {self.department_id or self.place_id}"


class AlertLevel(models.TextChoices):
    YELLOW = "yellow", _("Yellow warning")
    RED = "red", _("Red: overdue")


class DeadlineAlert(models.Model):
    """A warning the sweep raised, once: the unique key makes running the sweep twice raise nothing twice.

    ``subject`` is "matter" for the matter's own deadline, "task:<id>" for a unit's task, "level" for a hard
    matter's level; ``due_at`` is the deadline warned about, so a moved deadline is warned about again.
    """

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="alerts")
    subject = models.CharField(max_length=32)
    stage = models.CharField(max_length=16)
    due_at = models.DateTimeField()
    level = models.CharField(max_length=8, choices=AlertLevel.choices)
    raised_at = models.DateTimeField()

    class Meta:
        verbose_name = _("deadline alert")
        verbose_name_plural = _("deadline alerts")
        ordering = ["-raised_at", "-id"]
        # The public notice's evidence: the red alerts of matters raised in a month (analytics.selectors.notice_list).
        indexes = [models.Index(fields=["level", "subject", "raised_at"], name="alert_level_raised")]
        constraints = [
            models.UniqueConstraint(fields=["matter", "subject", "stage", "due_at", "level"], name="alert_once"),
        ]

    def __str__(self) -> str:
        return f"{self.matter_id} {self.subject} {self.level} {self.due_at:%Y-%m-%d %H:%M}"

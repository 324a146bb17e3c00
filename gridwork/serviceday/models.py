"""The monthly service day (便民服务日, seed 002): a closed loop per community and month.

"每月15日前征集意见—每月25日前梳理分类—次月5日集中服务—次月10日评估反馈—次月15日前总结改进": the cycle of month M
collects residents' opinions by the 15th of M (a public form, and matters of the community that staff pull in), sorts
them into items by the 25th (what is offered, who helps: registered party members as volunteers and resident units,
and the activity that holds it), serves on the 5th of M+1 (each item done or not, with a note), evaluates by the 10th
of M+1 (residents rate each item 1–5 once; a feedback note is published) and sums up by the 15th of M+1 (a text and
the figures). The stages' dates are a pure function of the month (``gridwork.serviceday.calendar``); the cycle's own
``state`` is how far its work has got, moved by staff through ``gridwork.serviceday.flows`` (append-only events), and
a stage not completed by its due date is late.

A cycle belongs to its community (its scope). Opinions carry personal contact details (masked in every list).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridwork.common.flows import FlowEvent, FlowSubject
from gridwork.common.scope import ScopedQuerySet
from gridwork.places.models import Place

STARS_MIN, STARS_MAX = 1, 5


class CycleState(models.TextChoices):
    """Where a cycle's work stands: the stage it is working on (the five stages of seed 002), then closed."""

    COLLECT = "collect", _("Collecting opinions")
    SORT = "sort", _("Sorting into items")
    SERVE = "serve", _("Service day")
    EVALUATE = "evaluate", _("Evaluation and feedback")
    SUMMARY = "summary", pgettext_lazy("service day cycle", "Summary")
    CLOSED = "closed", pgettext_lazy("service day cycle", "Closed")


# The five stages in order; each has a completion date on the cycle (``<stage>_done_on``).
STAGES: tuple[str, ...] = (
    CycleState.COLLECT,
    CycleState.SORT,
    CycleState.SERVE,
    CycleState.EVALUATE,
    CycleState.SUMMARY,
)

STAGE_LABELS: dict[str, Any] = {
    CycleState.COLLECT: _("Collect opinions (征集意见)"),
    CycleState.SORT: _("Sort into items (梳理分类)"),
    CycleState.SERVE: _("Service day (集中服务)"),
    CycleState.EVALUATE: _("Evaluate and feed back (评估反馈)"),
    CycleState.SUMMARY: _("Sum up and improve (总结改进)"),
}


class ServiceCycle(FlowSubject):
    """One community's service day of one month: its opinions, items, results, ratings, feedback and summary."""

    SCOPE_PATH: ClassVar[str] = "community__path"

    community = models.ForeignKey(
        Place, verbose_name=_("community"), on_delete=models.PROTECT, related_name="service_cycles"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    state = models.CharField(_("state"), max_length=16, choices=CycleState.choices, default=CycleState.COLLECT)
    opened_at = models.DateTimeField(_("opened at"))
    collect_done_on = models.DateField(_("collection closed on"), null=True, blank=True)
    sort_done_on = models.DateField(_("sorting finished on"), null=True, blank=True)
    serve_done_on = models.DateField(_("service day's results recorded on"), null=True, blank=True)
    evaluate_done_on = models.DateField(_("feedback published on"), null=True, blank=True)
    summary_done_on = models.DateField(_("summary published on"), null=True, blank=True)
    feedback_note = models.TextField(_("feedback to residents"), blank=True)
    summary_text = models.TextField(_("summary"), blank=True)
    # The figures as they stood when the summary was published: see ``gridwork.serviceday.figures``.
    summary_figures = models.JSONField(_("figures"), default=dict, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("service day cycle")
        verbose_name_plural = _("service day cycles")
        ordering = ["-year", "-month", "community__path"]
        constraints = [
            models.UniqueConstraint(fields=["community", "year", "month"], name="servicecycle_one_per_month"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="servicecycle_month_valid"),
            models.CheckConstraint(
                condition=~Q(state__in=["summary", "closed"]) | ~Q(feedback_note=""),
                name="servicecycle_feedback_published",
            ),
            models.CheckConstraint(
                condition=~Q(state="closed") | ~Q(summary_text=""), name="servicecycle_summary_published"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.community_id} {self.year}-{self.month:02d}"

    @property
    def period(self) -> str:
        return f"{self.year}-{self.month:02d}"


class CycleEvent(FlowEvent):
    subject = models.ForeignKey(ServiceCycle, on_delete=models.PROTECT, related_name="events")

    class Meta(FlowEvent.Meta):
        verbose_name = _("service day cycle event")
        verbose_name_plural = _("service day cycle events")
        constraints = [models.UniqueConstraint(fields=["subject", "sequence"], name="cycleevent_sequence")]


class Topic(models.TextChoices):
    """What an opinion or an item is about: the usual offers of a service day and the community's public affairs."""

    CONVENIENCE = "convenience", _("Convenience services (理发、磨刀、家电维修)")
    HEALTH = "health", _("Health (义诊、健康咨询)")
    LEGAL = "legal", _("Legal and policy advice (法律、政策咨询)")
    CARE = "care", _("Care for the old and the young (一老一小)")
    ENVIRONMENT = "environment", _("Environment and sanitation (环境卫生)")
    FACILITIES = "facilities", _("Public facilities (公共设施)")
    SAFETY = "safety", _("Safety (平安建设)")
    CULTURE = "culture", _("Culture and sports (文体活动)")
    OTHER = "other", _("Other")


class OpinionSource(models.TextChoices):
    FORM = "form", _("Public form")
    MATTER = "matter", _("From a matter")
    STAFF = "staff", _("Recorded by staff")


class Opinion(models.Model):
    """征集的意见: one wish or complaint for the service day. Name and phone are personal data (masked in lists)."""

    cycle = models.ForeignKey(ServiceCycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="opinions")
    source = models.CharField(_("source"), max_length=16, choices=OpinionSource.choices)
    topic = models.CharField(_("topic"), max_length=16, choices=Topic.choices)
    text = models.TextField(_("opinion"))
    name = models.CharField(_("name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_day_opinions",
    )
    matter = models.ForeignKey(
        "matters.Matter", verbose_name=_("matter"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    item = models.ForeignKey(
        "Item", verbose_name=_("item"), on_delete=models.SET_NULL, null=True, blank=True, related_name="opinions"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("given at"))

    class Meta:
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        ordering = ["cycle_id", "created_at", "id"]
        indexes = [models.Index(fields=["cycle", "item"], name="opinion_cycle_item")]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "matter"], condition=Q(matter__isnull=False), name="opinion_matter_once"
            ),
            models.CheckConstraint(
                condition=~Q(source="matter") | Q(matter__isnull=False), name="opinion_from_matter_names_it"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id}: {self.text[:30]}"


class ItemState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", pgettext_lazy("service day item", "Done")
    NOT_DONE = "not_done", _("Not done")
    DROPPED = "dropped", _("Dropped")


class Item(FlowSubject):
    """服务项目: what the service day offers, sorted from the opinions; who helps; and, after the day, its result."""

    cycle = models.ForeignKey(ServiceCycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="items")
    title = models.CharField(_("title"), max_length=80)
    description = models.TextField(_("what is offered"), blank=True)
    topic = models.CharField(_("topic"), max_length=16, choices=Topic.choices)
    members = models.ManyToManyField(
        "party.MemberRegistration",
        verbose_name=_("volunteers (registered party members)"),
        blank=True,
        related_name="service_day_items",
    )
    units = models.ManyToManyField(
        "people.ResidentUnit", verbose_name=_("resident units"), blank=True, related_name="service_day_items"
    )
    activity = models.ForeignKey(
        "activities.Activity",
        verbose_name=_("activity"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_day_items",
        help_text=_("The activity of the community that holds this item on the service day."),
    )
    state = models.CharField(_("state"), max_length=16, choices=ItemState.choices, default=ItemState.PLANNED)
    result_note = models.TextField(_("result note"), blank=True)
    result_recorded_at = models.DateTimeField(_("result recorded at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("service day item")
        verbose_name_plural = _("service day items")
        ordering = ["cycle_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state__in=["done", "not_done"]) | Q(result_recorded_at__isnull=False),
                name="item_result_dated",
            ),
            models.CheckConstraint(condition=~Q(state="not_done") | ~Q(result_note=""), name="item_not_done_says_why"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def has_result(self) -> bool:
        return self.state in (ItemState.DONE, ItemState.NOT_DONE)


class ItemEvent(FlowEvent):
    subject = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="events")

    class Meta(FlowEvent.Meta):
        verbose_name = _("service day item event")
        verbose_name_plural = _("service day item events")
        constraints = [models.UniqueConstraint(fields=["subject", "sequence"], name="itemevent_sequence")]


class ItemRating(models.Model):
    """A resident's rating of one item after the service day, 1–5 stars, once (a unique constraint; append-only)."""

    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="ratings")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    stars = models.PositiveSmallIntegerField(_("stars (1–5)"))
    comment = models.CharField(_("comment"), max_length=200, blank=True)
    rated_at = models.DateTimeField(_("rated at"))

    class Meta:
        verbose_name = _("service day rating")
        verbose_name_plural = _("service day ratings")
        ordering = ["item_id", "rated_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "user"], name="itemrating_once"),
            models.CheckConstraint(condition=Q(stars__gte=STARS_MIN, stars__lte=STARS_MAX), name="itemrating_stars"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.stars}"


class ReminderKind(models.TextChoices):
    OPENS = "opens", _("The stage opens")
    DUE = "due", _("The stage is due")
    LATE = "late", _("The stage is late")


class Reminder(models.Model):
    """A reminder the schedule job sent the community's staff about one stage of a cycle, once (a unique
    constraint): the job may run again the same day, or catch up a missed day, without telling anyone twice."""

    cycle = models.ForeignKey(ServiceCycle, on_delete=models.PROTECT, related_name="reminders")
    stage = models.CharField(_("stage"), max_length=16, choices=CycleState.choices)
    kind = models.CharField(_("kind"), max_length=8, choices=ReminderKind.choices)
    sent_on = models.DateField(_("sent on"))
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("service day reminder")
        verbose_name_plural = _("service day reminders")
        ordering = ["cycle_id", "sent_on", "id"]
        constraints = [models.UniqueConstraint(fields=["cycle", "stage", "kind"], name="reminder_once")]

    def __str__(self) -> str:
        return f"{self.cycle_id} {self.stage} {self.kind}"

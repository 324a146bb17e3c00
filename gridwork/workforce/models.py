"""The community workforce (社区工作者队伍, seeds 001 and 002).

Community workers (``Worker``) hold one of three posts (三岗: head, deputy, other community worker) and a grade on a
pay ladder (``PayLadder``: 三岗十八级 or 三岗十一级, configurable) whose ``PayGrade`` rows give the monthly pay of each
post and grade. Appointments, moves and regrades are kept as history (``Appointment``: one open row per worker) and
as the worker's append-only events (``WorkerEvent``, through ``common.flows``).

Training (``Course``, ``TrainingRecord``) counts each secretary's hours against the yearly minimum (56 hours, seed
001). The staffing standard (``StaffingRule``: 8–10 workers per community plus one per 300–400 households above
2,000; a reserve pool of at least 1.2 × the communities of each street) is configurable, one current row. 以星定酬
(seed 002): ``StarPayRule`` maps a secretary's stars to a grade on their ladder.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gridwork.common.flows import FlowEvent, FlowSubject
from gridwork.common.scope import NOTHING, ScopedQuerySet, minimal_paths, paths_q
from gridwork.places.codes import ancestor_paths
from gridwork.places.models import Place


def applies_q(user: Any, perm: str, lookup: str) -> Q:
    """Rows whose place (``lookup`` path) lies under a unit where ``user`` holds ``perm``, or above one: a ladder or a
    course of the city applies to (and is read by) every community of the city."""
    if not getattr(user, "is_authenticated", False) or not hasattr(user, "scope_paths"):
        return NOTHING
    paths = minimal_paths(user.scope_paths(perm))
    if not paths:
        return NOTHING
    above = {ancestor for path in paths for ancestor in ancestor_paths(path, include_self=True)}
    return paths_q(lookup, paths) | Q(**{f"{lookup}__in": sorted(above)})


class Post(models.TextChoices):
    """三岗: the three posts of the pay ladders."""

    HEAD = "head", _("Head post")
    DEPUTY = "deputy", _("Deputy post")
    WORKER = "worker", _("Community worker post")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class SocialWorkCert(models.TextChoices):
    """The national social-work qualification (社会工作者职业资格)."""

    NONE = "none", _("None")
    ASSISTANT = "assistant", _("Assistant social worker")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    SENIOR = "senior", _("Senior social worker")


class PayLadder(models.Model):
    """A pay ladder (薪酬体系) such as 三岗十八级: ``grades`` grades for each of the three posts, applying to the
    communities under ``place`` (a city or a district). ``preset`` names the preset it was installed from;
    ``example_figures`` says its pay figures are the shipped examples, not yet set by an administrator."""

    name = models.CharField(_("name"), max_length=60)
    grades = models.PositiveSmallIntegerField(_("grades per post"))
    place = models.ForeignKey(Place, verbose_name=_("applies in"), on_delete=models.PROTECT, related_name="+")
    description = models.TextField(_("description"), blank=True)
    preset = models.CharField(_("preset"), max_length=32, blank=True, editable=False)
    example_figures = models.BooleanField(_("pay figures are examples"), default=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("pay ladder")
        verbose_name_plural = _("pay ladders")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(grades__gte=1) & Q(grades__lte=30), name="payladder_grades_bounds"),
            models.UniqueConstraint(fields=["place", "name"], name="payladder_place_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def scope_q(user: Any, perm: str) -> Q:
        return applies_q(user, perm, "place__path")


class PayGrade(models.Model):
    """The monthly pay of one post and grade on a ladder (grade 1 is the lowest)."""

    ladder = models.ForeignKey(PayLadder, verbose_name=_("ladder"), on_delete=models.CASCADE, related_name="pay_grades")
    post = models.CharField(_("post"), max_length=16, choices=Post.choices)
    grade = models.PositiveSmallIntegerField(_("grade"))
    monthly_pay = models.DecimalField(_("monthly pay (yuan)"), max_digits=9, decimal_places=2)

    class Meta:
        verbose_name = _("pay grade")
        verbose_name_plural = _("pay grades")
        ordering = ["ladder", "post", "grade"]
        constraints = [
            models.UniqueConstraint(fields=["ladder", "post", "grade"], name="paygrade_ladder_post_grade"),
            models.CheckConstraint(condition=Q(grade__gte=1), name="paygrade_grade_positive"),
            models.CheckConstraint(condition=Q(monthly_pay__gte=0), name="paygrade_pay_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.ladder} · {Post(self.post).label} {self.grade}"


class WorkerState(models.TextChoices):
    SERVING = "serving", _("Serving")
    LEFT = "left", _("Left")


class Worker(FlowSubject):
    """A full-time community worker (专职社区工作者) of a community. ``active`` follows the state (serving)."""

    SCOPE_PATH: ClassVar[str] = "community__path"

    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    community = models.ForeignKey(Place, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    post = models.CharField(_("post"), max_length=16, choices=Post.choices, default=Post.WORKER)
    title = models.CharField(_("job title"), max_length=60, blank=True)
    is_secretary = models.BooleanField(_("community party secretary"), default=False)
    party_member = models.BooleanField(_("party member"), default=False)
    social_work_cert = models.CharField(
        _("social-work certificate"), max_length=16, choices=SocialWorkCert.choices, default=SocialWorkCert.NONE
    )
    ladder = models.ForeignKey(
        PayLadder, verbose_name=_("pay ladder"), on_delete=models.PROTECT, null=True, blank=True, related_name="workers"
    )
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    active = models.BooleanField(_("serving"), default=True)
    state = models.CharField(_("state"), max_length=16, choices=WorkerState.choices, default=WorkerState.SERVING)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("community worker")
        verbose_name_plural = _("community workers")
        ordering = ["community__code", "post", "name", "id"]
        indexes = [models.Index(fields=["community", "active"], name="worker_community_active")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(ladder__isnull=True) & Q(grade__isnull=True))
                | (Q(ladder__isnull=False) & Q(grade__gte=1)),
                name="worker_ladder_grade_together",
            ),
            models.CheckConstraint(condition=Q(is_secretary=False) | Q(post="head"), name="worker_secretary_head_post"),
            models.CheckConstraint(
                condition=(Q(state="serving") & Q(active=True)) | (Q(state="left") & Q(active=False)),
                name="worker_active_follows_state",
            ),
            models.UniqueConstraint(
                fields=["community"],
                condition=Q(is_secretary=True) & Q(active=True),
                name="worker_one_secretary_per_community",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class WorkerEvent(FlowEvent):
    subject = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="events")

    class Meta(FlowEvent.Meta):
        verbose_name = _("worker event")
        verbose_name_plural = _("worker events")
        constraints = [models.UniqueConstraint(fields=["subject", "sequence"], name="workerevent_sequence")]


class Appointment(models.Model):
    """One stretch of a worker's service in one community, post and grade. A move or a regrade closes the open row
    (``end``) and opens the next one, in the same transaction; the open row is the worker's current appointment."""

    SCOPE_PATH: ClassVar[str] = "worker__community__path"

    worker = models.ForeignKey(Worker, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="appointments")
    community = models.ForeignKey(Place, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    post = models.CharField(_("post"), max_length=16, choices=Post.choices)
    title = models.CharField(_("job title"), max_length=60, blank=True)
    ladder = models.ForeignKey(
        PayLadder, verbose_name=_("pay ladder"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    start = models.DateField(_("from"))
    end = models.DateField(_("to"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["worker", "start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["worker"], condition=Q(end__isnull=True), name="appointment_one_open"),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="appointment_end_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.start}–{self.end or ''}"


class Course(models.Model):
    """A training course (培训班), organised at a place (the city, a district, a street or a community)."""

    title = models.CharField(_("course"), max_length=100)
    organiser = models.CharField(_("organiser"), max_length=100, blank=True)
    place = models.ForeignKey(Place, verbose_name=_("organised at"), on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField(_("starts"))
    end_date = models.DateField(_("ends"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("training course")
        verbose_name_plural = _("training courses")
        ordering = ["-start_date", "title", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="course_end_after_start"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="course_hours_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def scope_q(user: Any, perm: str) -> Q:
        return applies_q(user, perm, "place__path")


class TrainingRecord(models.Model):
    """A worker's attendance of a course: the hours they attended (at most the course's) and whether they passed.
    The hours count in the year of the course's last day."""

    SCOPE_PATH: ClassVar[str] = "worker__community__path"

    worker = models.ForeignKey(Worker, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="training")
    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="records")
    hours = models.DecimalField(_("hours attended"), max_digits=5, decimal_places=1)
    passed = models.BooleanField(_("passed"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        ordering = ["-course__end_date", "worker__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["worker", "course"], name="trainingrecord_worker_course"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="trainingrecord_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.course}"


class StaffingRule(models.Model):
    """The workforce standards of the city (one row, pk 1), from seed 001: 8–10 full-time workers per community, one
    more per 300–400 households above 2,000; a reserve pool per street of at least 1.2 × its communities; at least 56
    training hours a year for each secretary; the certified share aimed at (50 %)."""

    base_min = models.PositiveSmallIntegerField(_("workers per community, at least"), default=8)
    base_max = models.PositiveSmallIntegerField(_("workers per community, at most"), default=10)
    threshold = models.PositiveIntegerField(_("households covered by the base"), default=2000)
    per_extra_low = models.PositiveIntegerField(_("one more worker per (households, lower bound)"), default=300)
    per_extra_high = models.PositiveIntegerField(_("one more worker per (households, upper bound)"), default=400)
    reserve_ratio = models.DecimalField(
        _("reserve pool per community of the street"), max_digits=4, decimal_places=2, default=Decimal("1.20")
    )
    training_min_hours = models.DecimalField(
        _("training hours a year, at least"), max_digits=5, decimal_places=1, default=Decimal(56)
    )
    certified_goal = models.DecimalField(
        _("certified share aimed at (%)"), max_digits=5, decimal_places=2, default=Decimal(50)
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("staffing rule")
        verbose_name_plural = _("staffing rules")
        constraints = [
            models.CheckConstraint(condition=Q(base_max__gte=F("base_min")), name="staffingrule_base_order"),
            models.CheckConstraint(
                condition=Q(per_extra_low__gte=1) & Q(per_extra_high__gte=F("per_extra_low")),
                name="staffingrule_per_extra_order",
            ),
            models.CheckConstraint(condition=Q(reserve_ratio__gte=0), name="staffingrule_reserve_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.base_min}–{self.base_max} + 1 / {self.per_extra_low}–{self.per_extra_high} > {self.threshold}"

    @classmethod
    def current(cls) -> StaffingRule:
        found, _created = cls.objects.get_or_create(pk=1)
        return found


class ReserveCandidate(models.Model):
    """后备人才: a candidate in a street's reserve pool for community secretaries and directors. In the pool from
    ``added_at`` until ``left_at`` (appointed, or dropped)."""

    SCOPE_PATH: ClassVar[str] = "street__path"

    street = models.ForeignKey(Place, verbose_name=_("street"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    party_member = models.BooleanField(_("party member"), default=False)
    education = models.CharField(_("education"), max_length=40, blank=True)
    social_work_cert = models.CharField(
        _("social-work certificate"), max_length=16, choices=SocialWorkCert.choices, default=SocialWorkCert.NONE
    )
    current_role = models.CharField(_("current role"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    added_at = models.DateField(_("added to the pool"))
    left_at = models.DateField(_("left the pool"), null=True, blank=True)
    left_reason = models.CharField(_("reason for leaving"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("reserve candidate")
        verbose_name_plural = _("reserve candidates")
        ordering = ["street__code", "-added_at", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_at__isnull=True) | Q(left_at__gte=F("added_at")), name="reserve_left_after_added"
            )
        ]

    def __str__(self) -> str:
        return self.name


class StarPayRule(models.Model):
    """以星定酬: a secretary with ``stars`` stars is paid at ``grade`` of their post on ``ladder``."""

    ladder = models.ForeignKey(PayLadder, verbose_name=_("ladder"), on_delete=models.CASCADE, related_name="star_rules")
    stars = models.PositiveSmallIntegerField(_("stars"))
    grade = models.PositiveSmallIntegerField(_("grade"))

    class Meta:
        verbose_name = _("star pay rule")
        verbose_name_plural = _("star pay rules")
        ordering = ["ladder", "stars"]
        constraints = [
            models.UniqueConstraint(fields=["ladder", "stars"], name="starpayrule_ladder_stars"),
            models.CheckConstraint(condition=Q(stars__lte=5), name="starpayrule_stars_bounds"),
            models.CheckConstraint(condition=Q(grade__gte=1), name="starpayrule_grade_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.ladder} · {self.stars}★ → {self.grade}"

    @property
    def star_marks(self) -> str:
        return "★" * self.stars

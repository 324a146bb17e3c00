"""Residents' matters (诉求/事项): the record, its append-only events, photos, categories and routing rules."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridwork.common.scope import NOTHING, ScopedQuerySet, paths_q
from gridwork.matters.workflow import ClosureReason, DueStage, HardStage, MatterKind, MatterState, Satisfaction
from gridwork.places.models import Department, Place


class Channel(models.TextChoices):
    RESIDENT_WEB = "resident_web", _("Resident, mobile web")
    HOTLINE = "hotline", _("12345 hotline")
    PATROL = "patrol", _("Grid worker patrol (随手拍)")
    API = "api", _("Interface (API)")
    MEETING = "meeting", _("Residents' meeting (议事会)")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Ordinary")
    URGENT = "urgent", _("Urgent")


class Category(models.Model):
    """A class of the admin-editable taxonomy, three levels deep; ``code`` nests: C05, C05.03, C05.03.002."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=60)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    level = models.PositiveSmallIntegerField(_("level"))
    default_kind = models.CharField(
        _("default kind"), max_length=16, choices=MatterKind.choices, default=MatterKind.PROFESSIONAL
    )
    keywords = models.TextField(_("keywords"), blank=True, help_text=_("One per line; used by rule-based triage."))
    source = models.CharField(_("source"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    def keyword_list(self) -> list[str]:
        return [word.strip() for word in self.keywords.splitlines() if word.strip()]


class QuestionType(models.TextChoices):
    """The datatypes of Open311 GeoReport v2 attributes."""

    STRING = "string", _("Short text")
    NUMBER = "number", pgettext_lazy("answer type", "Number")
    DATETIME = "datetime", _("Date and time")
    TEXT = "text", _("Long text")
    SINGLE = "singlevaluelist", _("One of a list")
    MULTI = "multivaluelist", _("Several of a list")


class CategoryQuestion(models.Model):
    """An extra question asked when a matter of this category is filed (an Open311 service attribute)."""

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="questions"
    )
    code = models.SlugField(_("code"), max_length=40)
    question = models.CharField(_("question"), max_length=200)
    datatype = models.CharField(_("answer type"), max_length=16, choices=QuestionType.choices)
    required = models.BooleanField(_("required"), default=False)
    datatype_description = models.CharField(_("answer hint"), max_length=200, blank=True)
    values = models.JSONField(
        _("choices"),
        default=list,
        blank=True,
        help_text=_('For the list types: [{"key": "k", "name": "Shown name"}, …].'),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category question")
        verbose_name_plural = _("category questions")
        ordering = ["category_id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="question_code_per_category")]

    def __str__(self) -> str:
        return f"{self.category_id}:{self.code}"

    def choice_keys(self) -> list[str]:
        return [str(item.get("key", "")) for item in self.values if isinstance(item, dict)]


class RoutingRule(models.Model):
    """分流规则: matters of ``category`` (or any) inside ``place``'s subtree go to this lead unit by default.

    The most specific rule wins: the deepest place first, then the deepest category.
    """

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, null=True, blank=True, related_name="rules"
    )
    place = models.ForeignKey(Place, verbose_name=_("area"), on_delete=models.CASCADE, related_name="routing_rules")
    lead_place = models.ForeignKey(
        Place, verbose_name=_("lead unit (place)"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lead_department = models.ForeignKey(
        Department,
        verbose_name=_("lead unit (department)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    SCOPE_PATH: ClassVar[str] = "place__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        constraints = [
            models.UniqueConstraint(fields=["category", "place"], name="routing_one_rule_per_category_and_area"),
            models.UniqueConstraint(
                fields=["place"], condition=Q(category__isnull=True), name="routing_one_default_per_area"
            ),
            models.CheckConstraint(
                condition=Q(lead_place__isnull=True) ^ Q(lead_department__isnull=True), name="routing_one_lead_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category or '*'} @ {self.place} → {self.lead_department or self.lead_place}"


class Matter(models.Model):
    """诉求/事项: one resident's matter from filing to closing. Workflow fields change only through services."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    external_ref = models.CharField(_("external reference"), max_length=64, blank=True)
    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("description"))
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, null=True, blank=True, related_name="matters"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MatterKind.choices)
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)

    grid = models.ForeignKey(Place, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(Place, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    street = models.ForeignKey(Place, verbose_name=_("street"), on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(Place, verbose_name=_("district"), on_delete=models.PROTECT, related_name="+")
    building = models.ForeignKey(
        Place, verbose_name=_("building"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    place_path = models.CharField(_("place path"), max_length=255, editable=False)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    attributes = models.JSONField(_("answers to the category's questions"), default=dict, blank=True)
    media_url = models.URLField(_("media link"), max_length=500, blank=True)

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reported_matters",
    )
    reporter_name = models.CharField(_("reporter's name"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=20, blank=True, db_index=True)
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    tracking_code_hash = models.CharField(max_length=64, blank=True, db_index=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    state = models.CharField(_("state"), max_length=16, choices=MatterState.choices)
    version = models.PositiveIntegerField(_("version"), default=0)
    lead_place = models.ForeignKey(
        Place, verbose_name=_("lead unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lead_department = models.ForeignKey(
        Department,
        verbose_name=_("lead department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    return_count = models.PositiveSmallIntegerField(_("returns"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("reopened"), default=0)
    extension_pending = models.BooleanField(_("extension requested"), default=False)
    extension_count = models.PositiveSmallIntegerField(_("extensions"), default=0)
    extension_days = models.PositiveIntegerField(_("days of extension"), default=0)
    consultation_recorded = models.BooleanField(_("consultation recorded"), default=False)
    satisfaction = models.CharField(_("rating"), max_length=16, choices=Satisfaction.choices, blank=True)
    closure_reason = models.CharField(_("closed as"), max_length=16, choices=ClosureReason.choices, blank=True)
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("duplicate of"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reply_text = models.TextField(_("reply"), blank=True)

    # Supervision (督办): the current limit's deadline and its yellow-warning moment, stored when set, so that
    # queues and counts compare times and never compute calendars; the counters of the public notice (通报).
    due_stage = models.CharField(_("limit"), max_length=16, choices=DueStage.choices, blank=True)
    due_at = models.DateTimeField(_("deadline"), null=True, blank=True)
    warn_at = models.DateTimeField(_("warning from"), null=True, blank=True)
    supervision_open = models.BooleanField(_("supervision order open"), default=False)
    supervision_count = models.PositiveSmallIntegerField(_("supervision orders"), default=0)
    urge_count = models.PositiveSmallIntegerField(_("urged"), default=0)
    overdue_count = models.PositiveSmallIntegerField(_("overdue"), default=0)
    hard_level = models.PositiveSmallIntegerField(_("hard-matter level"), default=0)
    level_due = models.DateTimeField(_("level's deadline"), null=True, blank=True)
    hard_stage = models.CharField(_("centre stage"), max_length=16, choices=HardStage.choices, blank=True)
    leader = models.CharField(_("leading city leader"), max_length=60, blank=True)

    created_at = models.DateTimeField(_("filed at"), db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The reporter's personal data was removed this long after closing (``matters.retention``); the matter stays.
    anonymised_at = models.DateTimeField(_("personal data removed at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("matter")
        verbose_name_plural = _("matters")
        ordering = ["-created_at", "-id"]
        # The work queue reads newest first, ``ORDER BY created_at DESC, id DESC``, a page after a cursor
        # (``matters.selectors``): each "recent" index gives that order for one level of the user's unit (read
        # backwards), and ``matter_state_recent`` for a state across the whole city or a department's matters.
        indexes = [
            models.Index(fields=["state", "place_path"], name="matter_state_path"),
            models.Index(fields=["lead_department", "state", "-created_at"], name="matter_dept_queue"),
            models.Index(fields=["lead_place", "state", "-created_at"], name="matter_place_queue"),
            models.Index(fields=["state", "created_at", "id"], name="matter_state_recent"),
            models.Index(fields=["grid", "created_at", "id"], name="matter_grid_recent"),
            models.Index(fields=["community", "created_at", "id"], name="matter_community_recent"),
            models.Index(fields=["street", "created_at", "id"], name="matter_street_recent"),
            models.Index(fields=["district", "created_at", "id"], name="matter_district_recent"),
            # The deadline sweep: matters past their warning moment or deadline, and hard matters past a level's.
            models.Index(fields=["warn_at"], name="matter_warn_at", condition=Q(warn_at__isnull=False)),
            models.Index(fields=["due_at"], name="matter_due_at", condition=Q(due_at__isnull=False)),
            models.Index(fields=["level_due"], name="matter_level_due", condition=Q(level_due__isnull=False)),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_ref"], condition=~Q(external_ref=""), name="matter_unique_external_ref"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def urged_total(self) -> int:
        """催办: urged by a supervisor, plus automatically on going overdue; more than once is for public notice."""
        return self.urge_count + self.overdue_count

    @classmethod
    def scope_q(cls, user: Any, perm: str) -> Q:
        """Matters under the user's units; for a department handler, the matters dispatched to their department."""
        from gridwork.accounts.roles import DEPARTMENT_SCOPED_ROLES, ROLE_PERMISSIONS

        if not getattr(user, "is_authenticated", False):
            return NOTHING
        posts = [post for post in getattr(user, "active_posts", []) if perm in ROLE_PERMISSIONS[post.role]]
        departments = [post.department_id for post in posts if post.role in DEPARTMENT_SCOPED_ROLES]
        condition = paths_q("place_path", (p.place.path for p in posts if p.role not in DEPARTMENT_SCOPED_ROLES))
        if departments:
            co_handled = Exists(MatterAssignment.objects.filter(matter=OuterRef("pk"), department_id__in=departments))
            condition = condition | Q(lead_department_id__in=departments) | Q(co_handled)
        return condition


class MatterAssignment(models.Model):
    """A co-handling unit (协办单位) of a matter, set at dispatch. The lead unit is on the matter itself."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="assignments")
    place = models.ForeignKey(Place, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("co-handling unit")
        verbose_name_plural = _("co-handling units")
        constraints = [
            models.CheckConstraint(
                condition=Q(place__isnull=True) ^ Q(department__isnull=True), name="assignment_one_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.matter_id}: {self.department or self.place}"


class MatterEvent(models.Model):
    """One step of a matter, append-only: database triggers refuse UPDATE and DELETE."""

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="events")
    sequence = models.PositiveIntegerField()
    action = models.CharField(max_length=32)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(max_length=100, blank=True)
    actor_role = models.CharField(max_length=32, blank=True)
    actor_unit = models.CharField(max_length=120, blank=True)
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("matter event")
        verbose_name_plural = _("matter events")
        ordering = ["matter_id", "sequence"]
        constraints = [models.UniqueConstraint(fields=["matter", "sequence"], name="matterevent_sequence")]

    def __str__(self) -> str:
        return f"{self.matter_id}#{self.sequence} {self.action}"


def photo_path(instance: MatterPhoto, filename: str) -> str:
    """Server-generated names only: the client's file name is never used."""
    return f"matters/{instance.created_at:%Y/%m}/{filename}"


class MatterPhoto(models.Model):
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="photos")
    event = models.ForeignKey(MatterEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="photos")
    image = models.ImageField(upload_to=photo_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(default=0)
    content_type = models.CharField(max_length=32)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.image.name


class IdempotencyRecord(models.Model):
    """A submission already answered: the same key (form token or Idempotency-Key header) gets the same receipt."""

    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=128)
    request_hash = models.CharField(max_length=64)
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="+")
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_unique_key")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


class DailySequence(models.Model):
    """The last matter number given out on a day; incremented inside the filing transaction."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class MatterFollower(models.Model):
    """关注者: someone told of a matter's progress without having filed it — the reporter of a duplicate merged into
    it (合并重复诉求). The row is also the original's record of the merge: which matter was merged, by whom, when.

    The reporter's contact is copied from the duplicate as it was at the merge (the user, or the name and phone of
    a report without an account), so the follower is told when this matter is replied to or closed; pages show the
    name and phone masked."""

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="followers")
    source = models.ForeignKey(Matter, verbose_name=_("merged duplicate"), on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resident"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reporter_name = models.CharField(_("reporter's name"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=20, blank=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("merged by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("merged at"))

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        ordering = ["matter_id", "created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["matter", "source"], name="matterfollower_once_per_source")]

    def __str__(self) -> str:
        return f"{self.matter_id} ← {self.source_id}"

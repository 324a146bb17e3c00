"""星级评定 — rounds of star ratings run on a published assessment scheme (``schemes.SchemeVersion``).

A ``Round`` (e.g. the 2026 annual 五星达标) opens for a set of ``Target``s — communities, 小区 party organisations,
community secretaries, grids or departments — with deadlines. Each target has one ``Assessment``, the subject of the
review flow (seed 001: 社区自查 → 街道初审申报 → 市级验收初评 → 上级复核):

    draft → submitted (self-assessed) ⇄ returned (the street sends it back with a comment)
          → reviewed (the street approves) → accepted (the city sets the stars) → higher_reviewed (optional)

Each level keeps its own scores (``Score``) and veto findings (``VetoFinding``) side by side; evidence (``Evidence``)
is attached by the target's own unit. Stars may be lowered later on a recorded reason (``StarAdjustment``, 动态调整);
never raised without a new acceptance. Every move is an event (``AssessmentEvent``, append-only); the round's own
moves (opening, targets added, closing) are ``RoundEvent``s.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridwork.common.flows import FlowEvent, FlowSubject
from gridwork.common.scope import ScopedQuerySet
from gridwork.places.models import Place
from gridwork.schemes.models import TargetKind

STARS_MAX = 5


class RoundState(models.TextChoices):
    OPEN = "open", pgettext_lazy("round", "Open")
    CLOSED = "closed", pgettext_lazy("round", "Closed")


class Round(FlowSubject):
    """评定轮次: one rating of a set of targets on one published scheme version, for a period, with deadlines.

    Rounds are city-wide: every holder of VIEW_RATINGS sees the list; the targets inside are scoped by place. The
    year's goal (``star_goal`` % of the targets at ``goal_stars`` stars or more, e.g. 70 / 85 / 100 % at five stars in
    seed 001) is what the results compare the shares against."""

    name = models.CharField(_("name"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"))
    scheme_version = models.ForeignKey(
        "schemes.SchemeVersion", verbose_name=_("scheme version"), on_delete=models.PROTECT, related_name="rounds"
    )
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    self_due = models.DateField(_("self-assessment due"))
    review_due = models.DateField(_("street review due"))
    accept_due = models.DateField(_("city acceptance due"))
    higher_review = models.BooleanField(_("with a higher review"), default=False)
    goal_stars = models.PositiveSmallIntegerField(_("goal: stars"), default=STARS_MAX)
    star_goal = models.DecimalField(_("goal: share of targets (%)"), max_digits=5, decimal_places=2, default=Decimal(0))
    state = models.CharField(_("state"), max_length=16, choices=RoundState.choices, default=RoundState.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rating round")
        verbose_name_plural = _("rating rounds")
        ordering = ["-year", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="round_period_ordered"),
            models.CheckConstraint(condition=Q(goal_stars__gte=1, goal_stars__lte=STARS_MAX), name="round_goal_stars"),
            models.CheckConstraint(condition=Q(star_goal__gte=0, star_goal__lte=100), name="round_star_goal"),
        ]

    def __str__(self) -> str:
        return self.name


class RoundEvent(FlowEvent):
    subject = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="events")

    class Meta(FlowEvent.Meta):
        verbose_name = _("round event")
        verbose_name_plural = _("round events")
        constraints = [models.UniqueConstraint(fields=["subject", "sequence"], name="roundevent_sequence")]


class Target(models.Model):
    """评定对象: what one assessment of a round rates. ``kind`` is the scheme's ``schemes.TargetKind``; the object is a
    community or a grid (``place`` alone), a 小区 party organisation (``party_organisation``), a secretary
    (``worker``) or a department (``department``). ``place`` is always set, for scope: the community (for a community,
    a secretary, or an estate organisation's community), the grid, or the department's place. ``name`` is the label
    at the time the target was added."""

    SCOPE_PATH: ClassVar[str] = "place__path"

    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.PROTECT, related_name="targets")
    kind = models.CharField(_("kind"), max_length=16, choices=TargetKind.choices)
    place = models.ForeignKey(Place, verbose_name=_("place"), on_delete=models.PROTECT, related_name="rating_targets")
    party_organisation = models.ForeignKey(
        "party.PartyOrganisation",
        verbose_name=_("party organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rating_targets",
    )
    worker = models.ForeignKey(
        "workforce.Worker",
        verbose_name=_("community secretary"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rating_targets",
    )
    department = models.ForeignKey(
        "places.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rating_targets",
    )
    name = models.CharField(_("name"), max_length=150)
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("rating target")
        verbose_name_plural = _("rating targets")
        ordering = ["round_id", "place__code", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "place"],
                condition=Q(party_organisation__isnull=True, worker__isnull=True, department__isnull=True),
                name="target_once_per_place",
            ),
            models.UniqueConstraint(
                fields=["round", "party_organisation"],
                condition=Q(party_organisation__isnull=False),
                name="target_once_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["round", "worker"], condition=Q(worker__isnull=False), name="target_once_per_worker"
            ),
            models.UniqueConstraint(
                fields=["round", "department"], condition=Q(department__isnull=False), name="target_once_per_department"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AssessmentState(models.TextChoices):
    DRAFT = "draft", _("Self-assessment in progress")  # 自查中
    SUBMITTED = "submitted", _("Submitted, awaiting street review")  # 已自查申报
    RETURNED = "returned", _("Returned by the street")  # 街道退回
    REVIEWED = "reviewed", _("Reviewed, awaiting city acceptance")  # 街道初审通过
    ACCEPTED = "accepted", _("Accepted, stars set")  # 市级验收定星
    HIGHER_REVIEWED = "higher_reviewed", _("Higher review done")  # 上级复核


class ScoreLevel(models.TextChoices):
    """Who scored: the level of the review each score and veto finding belongs to."""

    SELF = "self", _("Self-assessment")  # 自查
    STREET = "street", _("Street review")  # 街道初审
    CITY = "city", _("City acceptance")  # 市级验收
    HIGHER = "higher", _("Higher review")  # 上级复核


# The level whose scores decide, by state: the latest level that has scored.
DECIDING_LEVEL: dict[str, str] = {
    AssessmentState.DRAFT: ScoreLevel.SELF,
    AssessmentState.SUBMITTED: ScoreLevel.SELF,
    AssessmentState.RETURNED: ScoreLevel.SELF,
    AssessmentState.REVIEWED: ScoreLevel.STREET,
    AssessmentState.ACCEPTED: ScoreLevel.CITY,
    AssessmentState.HIGHER_REVIEWED: ScoreLevel.HIGHER,
}


class Assessment(FlowSubject):
    """One target's assessment in its round: the flow subject. The totals of each level are kept as scored (0–100);
    ``total`` is the deciding one (the latest level's). ``stars`` are the current stars (set at acceptance or higher
    review, lowered by adjustments; None before acceptance); ``score_stars`` the stars the deciding total reached
    (0 under a veto); ``vetoed`` whether a veto holds at the deciding level."""

    SCOPE_PATH: ClassVar[str] = "target__place__path"

    target = models.OneToOneField(Target, verbose_name=_("target"), on_delete=models.PROTECT, related_name="assessment")
    state = models.CharField(_("state"), max_length=16, choices=AssessmentState.choices, default=AssessmentState.DRAFT)
    self_total = models.DecimalField(_("self-assessed total"), max_digits=6, decimal_places=2, null=True, blank=True)
    street_total = models.DecimalField(_("street total"), max_digits=6, decimal_places=2, null=True, blank=True)
    city_total = models.DecimalField(_("city total"), max_digits=6, decimal_places=2, null=True, blank=True)
    higher_total = models.DecimalField(_("higher review total"), max_digits=6, decimal_places=2, null=True, blank=True)
    total = models.DecimalField(_("total"), max_digits=6, decimal_places=2, null=True, blank=True)
    score_stars = models.PositiveSmallIntegerField(_("stars by score"), null=True, blank=True)
    stars = models.PositiveSmallIntegerField(_("stars"), null=True, blank=True)
    stars_reason = models.TextField(_("reason for the stars set"), blank=True)
    vetoed = models.BooleanField(_("vetoed"), default=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    higher_reviewed_at = models.DateTimeField(_("higher review at"), null=True, blank=True)
    return_comment = models.TextField(_("street's comment on return"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["target__round_id", "target__place__code", "id"]
        indexes = [models.Index(fields=["state"], name="assessment_state")]
        constraints = [
            models.CheckConstraint(
                condition=Q(stars__isnull=True) | Q(stars__lte=STARS_MAX), name="assessment_stars_range"
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["accepted", "higher_reviewed"]) | Q(stars__isnull=False),
                name="assessment_accepted_has_stars",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target_id} {self.state}"

    @property
    def deciding_level(self) -> str:
        return DECIDING_LEVEL[self.state]


class AssessmentEvent(FlowEvent):
    subject = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="events")

    class Meta(FlowEvent.Meta):
        verbose_name = _("assessment event")
        verbose_name_plural = _("assessment events")
        constraints = [models.UniqueConstraint(fields=["subject", "sequence"], name="assessmentevent_sequence")]


class Score(models.Model):
    """An indicator's answer at one level: ``value`` is what was given — the score (manual), 1 or 0 (condition), or
    the figure the platform computed (computed; ``computed_at`` says when) — and ``points`` what it scored. A value of
    None is missing (a computed source without data)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="scores")
    indicator = models.ForeignKey(
        "schemes.Indicator", verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("level"), max_length=16, choices=ScoreLevel.choices)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2, null=True, blank=True)
    points = models.DecimalField(_("points"), max_digits=8, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("scored by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    scored_at = models.DateTimeField(_("scored at"))

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["assessment_id", "indicator_id", "level"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator", "level"], name="score_once_per_level"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.indicator_id}/{self.level}: {self.value}"


class VetoFinding(models.Model):
    """一票否决 at one level: whether the veto item holds for the target, and why."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="veto_findings")
    veto_item = models.ForeignKey(
        "schemes.VetoItem", verbose_name=_("veto item"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("level"), max_length=16, choices=ScoreLevel.choices)
    holds = models.BooleanField(_("holds"), default=False)
    reason = models.TextField(_("reason"), blank=True)
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("found by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    found_at = models.DateTimeField(_("found at"))

    class Meta:
        verbose_name = _("veto finding")
        verbose_name_plural = _("veto findings")
        ordering = ["assessment_id", "veto_item_id", "level"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "veto_item", "level"], name="vetofinding_once_per_level"),
            models.CheckConstraint(condition=Q(holds=False) | ~Q(reason=""), name="vetofinding_holds_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.veto_item_id}/{self.level}: {self.holds}"


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    DOCUMENT = "document", _("Document")
    LINK = "link", _("Link to a record")


def evidence_path(instance: Evidence, filename: str) -> str:
    """Server-generated names only: the client's file name is never used for storage. Stored under the private media
    folder; served only through the assessment's evidence view."""
    return f"ratings/{instance.uploaded_at:%Y/%m}/{filename}"


class Evidence(models.Model):
    """佐证材料 of a self-assessment: a photo (re-encoded), a document (PDF / Word / Excel, checked by content), or a
    link to a record inside the platform; for one indicator or the whole assessment. ``label`` is the name shown (the
    file's original name, cut short, or the link's text); the stored name is random."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="evidence")
    indicator = models.ForeignKey(
        "schemes.Indicator",
        verbose_name=_("indicator"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EvidenceKind.choices)
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    link = models.CharField(_("link"), max_length=300, blank=True)
    label = models.CharField(_("name"), max_length=120, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("added at"))
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["assessment_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="link") & ~Q(link="") & Q(file="")) | (~Q(kind="link") & ~Q(file="") & Q(link="")),
                name="evidence_file_or_link",
            ),
        ]

    def __str__(self) -> str:
        return self.label or self.link or self.file.name


class StarAdjustment(models.Model):
    """动态调整: the stars of an accepted assessment lowered mid-period on a recorded reason (e.g. a veto event), with
    the event that did it (append-only). Raising stars needs a new acceptance, never an adjustment."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="adjustments")
    event = models.ForeignKey(AssessmentEvent, on_delete=models.PROTECT, related_name="+")
    from_stars = models.PositiveSmallIntegerField(_("stars before"))
    to_stars = models.PositiveSmallIntegerField(_("stars after"))
    reason = models.TextField(_("reason"))
    veto_item = models.ForeignKey(
        "schemes.VetoItem",
        verbose_name=_("veto item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    effective_on = models.DateField(_("effective from"))
    adjusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("adjusted by"), on_delete=models.PROTECT, related_name="+"
    )
    adjusted_at = models.DateTimeField(_("adjusted at"))

    class Meta:
        verbose_name = _("star adjustment")
        verbose_name_plural = _("star adjustments")
        ordering = ["assessment_id", "adjusted_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(to_stars__lt=models.F("from_stars")), name="staradjustment_lowers"),
            models.CheckConstraint(condition=~Q(reason=""), name="staradjustment_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.from_stars} → {self.to_stars}"

"""Assessment schemes (考核方案): what a target of a star rating is scored on, and how the score becomes stars.

A scheme is city-wide and names the kind of target it rates (a community, a 小区 party organisation, a community
secretary, a grid, a department). Its content lives in numbered versions: only a draft is edited; publishing
freezes it (a round uses one published version, so a result can always be traced to the rules it was scored on);
a new version copies the latest one into a new draft. A version holds weighted indicator groups, each with
indicators scored by hand, computed by the platform from a figure (a source of ``sources.SOURCES``) or held as a
yes/no condition; veto items (一票否决) that leave a target without stars whatever its score; and the star
thresholds.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class TargetKind(models.TextChoices):
    COMMUNITY = "community", _("Community")
    ESTATE_PARTY = "estate_party", _("Estate party organisation")
    SECRETARY = "secretary", _("Community secretary")
    GRID = "grid", _("Grid")
    DEPARTMENT = "department", _("Department")


class VersionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class IndicatorMethod(models.TextChoices):
    MANUAL = "manual", _("Scored by hand")
    COMPUTED = "computed", _("Computed by the platform")
    CONDITION = "condition", _("Yes / no condition")


class Scheme(models.Model):
    """考核方案: a named way of rating one kind of target. ``preset_key`` marks a scheme installed from a preset,
    so that installing the preset again adds a version instead of a second scheme."""

    name = models.CharField(_("name"), max_length=100)
    target_kind = models.CharField(_("rates"), max_length=16, choices=TargetKind.choices)
    description = models.TextField(_("description"), blank=True)
    preset_key = models.CharField(_("installed from preset"), max_length=40, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["preset_key"], condition=~Q(preset_key=""), name="scheme_preset_once"),
        ]

    def __str__(self) -> str:
        return self.name


class SchemeVersion(models.Model):
    """One numbered version of a scheme. At most one draft per scheme; a published version never changes."""

    scheme = models.ForeignKey(Scheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    state = models.CharField(_("state"), max_length=12, choices=VersionState.choices, default=VersionState.DRAFT)
    note = models.TextField(_("what changed"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    revision = models.PositiveIntegerField(
        _("revision"), default=0, help_text=_("Counts the edits of a draft, so that a stale page cannot publish it.")
    )

    class Meta:
        verbose_name = _("scheme version")
        verbose_name_plural = _("scheme versions")
        ordering = ["scheme", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "number"], name="schemeversion_number"),
            models.UniqueConstraint(fields=["scheme"], condition=Q(state="draft"), name="schemeversion_one_draft"),
            models.CheckConstraint(condition=Q(number__gte=1), name="schemeversion_number_positive"),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(published_at__isnull=False), name="schemeversion_published_at"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme.name} v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.state == VersionState.DRAFT


class IndicatorGroup(models.Model):
    """A group of indicators (e.g. 党建引领有力) with its weight: a share of 100 of the total."""

    version = models.ForeignKey(
        SchemeVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="groups"
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    weight = models.DecimalField(_("weight (share of 100)"), max_digits=5, decimal_places=2)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator group")
        verbose_name_plural = _("indicator groups")
        ordering = ["version", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="indicatorgroup_code"),
            models.CheckConstraint(
                condition=Q(weight__gte=Decimal(0)) & Q(weight__lte=Decimal(100)), name="indicatorgroup_weight_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Indicator(models.Model):
    """One scored indicator. Manual: the score given (0..max_score). Condition: full marks if it holds, else 0.
    Computed: the figure of ``source`` scores full marks at ``full_at`` and 0 at ``zero_at``, linear between
    (``full_at`` may be below ``zero_at`` when less is better, e.g. a staffing gap)."""

    group = models.ForeignKey(
        IndicatorGroup, verbose_name=_("group"), on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("how it is assessed"), blank=True)
    max_score = models.DecimalField(_("maximum score"), max_digits=6, decimal_places=2)
    method = models.CharField(_("scored"), max_length=12, choices=IndicatorMethod.choices)
    evidence_required = models.BooleanField(_("evidence required"), default=False)
    source = models.CharField(_("figure"), max_length=40, blank=True, default="")
    full_at = models.DecimalField(_("full marks at"), max_digits=12, decimal_places=4, null=True, blank=True)
    zero_at = models.DecimalField(_("zero at"), max_digits=12, decimal_places=4, null=True, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["group__order", "group_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "code"], name="indicator_code"),
            models.CheckConstraint(condition=Q(max_score__gt=Decimal(0)), name="indicator_max_score_positive"),
            models.CheckConstraint(
                condition=~Q(method="computed") | (~Q(source="") & Q(full_at__isnull=False) & Q(zero_at__isnull=False)),
                name="indicator_computed_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class VetoItem(models.Model):
    """一票否决: when it holds for a target, the target gets no stars whatever its score."""

    version = models.ForeignKey(
        SchemeVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="vetoes"
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("veto item")
        verbose_name_plural = _("veto items")
        ordering = ["version", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="vetoitem_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class StarThreshold(models.Model):
    """The lowest total (0–100) that earns ``stars``."""

    version = models.ForeignKey(
        SchemeVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="thresholds"
    )
    stars = models.PositiveSmallIntegerField(_("stars"))
    min_score = models.DecimalField(_("lowest total"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("star threshold")
        verbose_name_plural = _("star thresholds")
        ordering = ["version", "stars"]
        constraints = [
            models.UniqueConstraint(fields=["version", "stars"], name="starthreshold_stars"),
            models.CheckConstraint(condition=Q(stars__gte=1) & Q(stars__lte=5), name="starthreshold_stars_range"),
            models.CheckConstraint(
                condition=Q(min_score__gte=Decimal(0)) & Q(min_score__lte=Decimal(100)),
                name="starthreshold_min_score_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stars}★ ≥ {self.min_score}"

"""Grid workers' visits (看问记化 — look, ask, record, resolve; 民情日记, seeds 002, 004).

A grid worker visits a household of their grid and records what was seen (看), what was asked (问), the needs found
(记) and what was resolved on the spot (化), with photos. A visit is never changed nor deleted (database triggers
refuse it): a wrong visit is corrected by recording a new one that names it. A need found on a visit becomes one
matter, one micro-wish or one dispute case, once (a CHECK constraint and a compare-and-set).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridwork.common.need_fields import HouseholdNeed
from gridwork.common.scope import ScopedQuerySet
from gridwork.places.models import Place


class GridVisit(models.Model):
    """走访: a visit to a household (a Place of level household) by a grid worker or community staff.

    ``grid`` is the household's grid, kept at recording so a month's coverage is one grouped query."""

    SCOPE_PATH: ClassVar[str] = "household__path"

    household = models.ForeignKey(
        Place, verbose_name=_("household"), on_delete=models.PROTECT, related_name="grid_visits"
    )
    grid = models.ForeignKey(Place, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+")
    visited_on = models.DateField(_("visited on"))
    seen = models.TextField(_("what was seen"))
    asked = models.TextField(_("what was asked"), blank=True)
    resolved = models.TextField(_("resolved on the spot"), blank=True)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects visit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        help_text=_("The earlier visit of the same household this one corrects."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("grid visit")
        verbose_name_plural = _("grid visits")
        ordering = ["-visited_on", "-id"]
        indexes = [
            models.Index(fields=["grid", "visited_on"], name="gridvisits_grid_day"),
            models.Index(fields=["recorded_by", "visited_on"], name="gridvisits_author_day"),
        ]

    def __str__(self) -> str:
        # The audit log copies this: no address.
        return f"#{self.pk} @ {self.household_id} on {self.visited_on}"


class NeedOutcome(models.TextChoices):
    MATTER = "matter", _("Matter")
    WISH = "wish", _("Micro-wish")
    CASE = "case", _("Dispute case")


class VisitNeed(HouseholdNeed):
    """A need found on a visit, and what it became: one matter (事项), one micro-wish (微心愿) or one dispute case
    (矛盾纠纷案件), once."""

    SCOPE_PATH: ClassVar[str] = "visit__household__path"
    OUTCOME_FIELDS: ClassVar[tuple[str, ...]] = ("matter", "wish", "case")

    visit = models.ForeignKey(GridVisit, verbose_name=_("visit"), on_delete=models.PROTECT, related_name="needs")
    matter = models.OneToOneField(
        "matters.Matter",
        verbose_name=_("filed as matter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grid_visit_need",
    )
    wish = models.OneToOneField(
        "wishes.Wish",
        verbose_name=_("posted as micro-wish"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grid_visit_need",
    )
    case = models.OneToOneField(
        "mediation.DisputeCase",
        verbose_name=_("registered as dispute case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grid_visit_need",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit need")
        verbose_name_plural = _("visit needs")
        ordering = ["visit_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(matter__isnull=True) & Q(wish__isnull=True))
                | (Q(matter__isnull=True) & Q(case__isnull=True))
                | (Q(wish__isnull=True) & Q(case__isnull=True)),
                name="gridvisits_need_one_outcome",
            ),
            models.CheckConstraint(
                condition=(
                    Q(matter__isnull=True) & Q(wish__isnull=True) & Q(case__isnull=True) & Q(converted_at__isnull=True)
                )
                | (
                    (Q(matter__isnull=False) | Q(wish__isnull=False) | Q(case__isnull=False))
                    & Q(converted_at__isnull=False)
                ),
                name="gridvisits_need_converted_when",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} of visit {self.visit_id}"

    @property
    def outcome(self) -> str:
        if self.matter_id is not None:
            return NeedOutcome.MATTER
        if self.wish_id is not None:
            return NeedOutcome.WISH
        if self.case_id is not None:
            return NeedOutcome.CASE
        return ""


def photo_path(instance: VisitPhoto, filename: str) -> str:
    """Server-generated names only: the client's file name is never used."""
    return f"gridvisits/{instance.created_at:%Y/%m}/{filename}"


class VisitPhoto(models.Model):
    """A photo taken on a visit (re-encoded, without EXIF or GPS). Append-only like its visit."""

    SCOPE_PATH: ClassVar[str] = "visit__household__path"

    visit = models.ForeignKey(GridVisit, verbose_name=_("visit"), on_delete=models.PROTECT, related_name="photos")
    file = models.FileField(_("file"), upload_to=photo_path, max_length=200)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("uploaded at"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"photo #{self.pk} of visit {self.visit_id}"

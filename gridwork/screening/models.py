"""矛盾纠纷排查: each grid is screened for risks and disputes once a month, on the grid workers' visits.

A ``Screening`` is one grid's screening of one month (unique per grid and month; a month may find nothing, which is
recorded as such). Each risk or dispute found is a ``RiskEntry``: its type, the parties as found (names as told,
personal data, masked), where, the risk level; it is watched, settled on the spot, or registered as a dispute case
(``mediation.DisputeCase.risk_entry``). A grid with no screening in a month is a gap, flagged from a day of the month
set in ``settings.GRIDWORK_SCREENING_DUE_DAY``.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridwork.common.scope import ScopedQuerySet
from gridwork.mediation.models import DisputeType, RiskLevel
from gridwork.places.models import Place


class Screening(models.Model):
    """One grid's screening of one month (``month``: the first day of the month)."""

    SCOPE_PATH: ClassVar[str] = "grid__path"

    grid = models.ForeignKey(Place, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="screenings")
    month = models.DateField(_("month"))
    screened_on = models.DateField(_("screened on"))
    households_visited = models.PositiveIntegerField(_("households visited"), default=0)
    found_nothing = models.BooleanField(_("nothing found"), default=False)
    note = models.TextField(_("note"), blank=True)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("screened by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        ordering = ["-month", "grid__code"]
        constraints = [
            models.UniqueConstraint(fields=["grid", "month"], name="screening_one_per_grid_month"),
        ]

    def __str__(self) -> str:
        return f"{self.grid_id} {self.month:%Y-%m}"


class EntryStatus(models.TextChoices):
    WATCHED = "watched", _("Watched")
    SETTLED = "settled", _("Settled on the spot")
    REGISTERED = "registered", _("Registered as a dispute case")


class RiskEntry(models.Model):
    """A risk or dispute found on screening."""

    SCOPE_PATH: ClassVar[str] = "screening__grid__path"

    screening = models.ForeignKey(
        Screening, verbose_name=_("screening"), on_delete=models.PROTECT, related_name="entries"
    )
    dispute_type = models.CharField(_("type"), max_length=16, choices=DisputeType.choices)
    risk = models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices, default=RiskLevel.LOW)
    summary = models.TextField(_("what was found"))
    parties = models.TextField(_("parties (names and contacts as told)"))
    location = models.CharField(_("where"), max_length=200)
    household = models.ForeignKey(
        Place, verbose_name=_("household"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=EntryStatus.choices, default=EntryStatus.WATCHED)
    status_note = models.TextField(_("status note"), blank=True)
    found_on = models.DateField(_("found on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk or dispute found")
        verbose_name_plural = _("risks and disputes found")
        ordering = ["-found_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_dispute_type_display()} {self.found_on}"

"""三零 units (seed 003, Yangquan): a street, a community or a resident unit that went a whole year with zero safety
accidents (零事故), zero petitions (零上访) and zero criminal or public-security cases (零案件).

Staff who manage disputes record each ``Incident`` against the place where it happened (a street, community or
grid) or against a resident unit; the applicant applies for a year (``Application``: applied → granted / refused /
withdrawn, one per applicant and year); district or city staff review it, seeing the deciding figures worked out live
from the incidents of the applicant's subtree in that year. The figures at the moment of review are kept on the
application (the snapshot), with the year's dispute cases and referrals for information. A grant with any of the
three counts above zero needs a recorded reason (an override). Each move of an application is an append-only event.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridwork.common.flows import FlowEvent, FlowSubject
from gridwork.common.scope import ScopedQuerySet
from gridwork.places.models import Place


class IncidentKind(models.TextChoices):
    """What breaks a 三零 year: a safety accident (安全事故), a petition (上访), a criminal or public-security case
    (刑事治安案件)."""

    ACCIDENT = "accident", _("Safety accident")
    PETITION = "petition", _("Petition")
    CASE = "case", _("Criminal or public-security case")


class Incident(models.Model):
    """One accident, petition or case recorded against a place (street, community or grid) or a resident unit; for a
    unit, ``place`` is the unit's own place, so the incident counts against the place too."""

    SCOPE_PATH: ClassVar[str] = "place__path"

    kind = models.CharField(_("kind"), max_length=16, choices=IncidentKind.choices)
    place = models.ForeignKey(
        Place, verbose_name=_("street, community or grid"), on_delete=models.PROTECT, related_name="incidents"
    )
    unit = models.ForeignKey(
        "people.ResidentUnit",
        verbose_name=_("resident unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
    )
    occurred_on = models.DateField(_("occurred on"))
    summary = models.TextField(_("what happened"))
    reference = models.CharField(_("reference"), max_length=60, blank=True)  # the police's or petition office's number
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["kind", "occurred_on"], name="incident_kind_occurred")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"


class ApplicationState(models.TextChoices):
    APPLIED = "applied", pgettext_lazy("three-zero", "Applied, awaiting review")
    GRANTED = "granted", pgettext_lazy("three-zero", "Granted")
    REFUSED = "refused", pgettext_lazy("three-zero", "Refused")
    WITHDRAWN = "withdrawn", pgettext_lazy("three-zero", "Withdrawn")


class Application(FlowSubject):
    """三零 application of one applicant (a street or community, or a resident unit) for one calendar year.

    ``place`` is the applicant (a street or community) or, for a unit, the unit's place (for scope); ``name`` the
    applicant's name when it applied. The ``*_count`` fields are the snapshot taken at review; None before."""

    SCOPE_PATH: ClassVar[str] = "place__path"

    year = models.PositiveSmallIntegerField(_("year"))
    place = models.ForeignKey(
        Place, verbose_name=_("street or community"), on_delete=models.PROTECT, related_name="three_zero_applications"
    )
    unit = models.ForeignKey(
        "people.ResidentUnit",
        verbose_name=_("resident unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="three_zero_applications",
    )
    name = models.CharField(_("applicant"), max_length=120)
    statement = models.TextField(_("statement"), blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=ApplicationState.choices, default=ApplicationState.APPLIED
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applied by"), on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField(_("applied at"))
    accidents_count = models.PositiveIntegerField(_("safety accidents"), null=True, blank=True)
    petitions_count = models.PositiveIntegerField(_("petitions"), null=True, blank=True)
    cases_count = models.PositiveIntegerField(_("criminal and public-security cases"), null=True, blank=True)
    disputes_count = models.PositiveIntegerField(_("dispute cases registered"), null=True, blank=True)
    referrals_count = models.PositiveIntegerField(_("dispute cases referred"), null=True, blank=True)
    figures_at = models.DateTimeField(_("figures taken at"), null=True, blank=True)
    overridden = models.BooleanField(_("granted despite incidents"), default=False)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("three-zero application")
        verbose_name_plural = _("three-zero applications")
        ordering = ["-year", "place__path", "id"]
        constraints = [
            # One live application per applicant and year; a withdrawn one leaves room to apply again.
            models.UniqueConstraint(
                fields=["year", "place"],
                condition=Q(unit__isnull=True) & ~Q(state="withdrawn"),
                name="threezero_once_per_place_year",
            ),
            models.UniqueConstraint(
                fields=["year", "unit"],
                condition=Q(unit__isnull=False) & ~Q(state="withdrawn"),
                name="threezero_once_per_unit_year",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["granted", "refused"])
                | Q(reviewer__isnull=False, reviewed_at__isnull=False, figures_at__isnull=False),
                name="threezero_reviewed_has_figures",
            ),
            models.CheckConstraint(condition=~Q(overridden=True) | ~Q(reason=""), name="threezero_override_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"


class ApplicationEvent(FlowEvent):
    subject = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="events")

    class Meta(FlowEvent.Meta):
        verbose_name = _("three-zero application event")
        verbose_name_plural = _("three-zero application events")
        constraints = [models.UniqueConstraint(fields=["subject", "sequence"], name="threezeroevent_sequence")]

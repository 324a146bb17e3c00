"""Property companies (物业服务企业), the estates (小区) they serve, their quarterly ratings and "red property"
(红色物业) recognition (seeds 002, 003: 23 red property companies in Yangquan, market property coverage 91.19%).

Scope. A company is city-wide data (one company serves estates in several streets), registered by a street or a unit
above it (``registered_in``). Staff see a company when one of their units (where they hold the permission) lies under
its registering unit or above it (the street's communities see the street's companies, to contract them), or when a
company serves, or has served, an estate under one of their units. Everything else of this app belongs to one estate
and is scoped by the estate's community.

One company serves an estate at a time: two service contracts of one estate never overlap, whoever writes them — an
exclusion constraint on PostgreSQL, triggers on SQLite (migration 0002). Ratings are once per quarter: a resident's
per estate and account, the community's assessment per estate, a survey result per estate and company — each a
unique constraint.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridwork.common.scope import NOTHING, ScopedQuerySet, paths_q
from gridwork.places.models import Place


def _prefixes(path: str) -> list[str]:
    codes = [code for code in path.split("/") if code]
    return ["/" + "/".join(codes[: depth + 1]) + "/" for depth in range(len(codes))]


class PropertyCompany(models.Model):
    """物业服务企业: a property management company registered by a street (or a unit above it)."""

    name = models.CharField(_("name"), max_length=120)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    registered_in = models.ForeignKey(
        Place, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="property_companies"
    )
    party_organisation = models.ForeignKey(
        "party.PartyOrganisation",
        verbose_name=_("party organisation in the company"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="property_companies",
    )
    party_members = models.PositiveIntegerField(_("party members"), default=0)
    party_members_in_management = models.PositiveIntegerField(_("party members in management"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("property company")
        verbose_name_plural = _("property companies")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(party_members_in_management__lte=F("party_members")),
                name="propertyfirms_company_managers_within_members",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, user: Any, perm: str) -> Q:
        """Under or above the registering unit, or serving (now or once) an estate under the user's units."""
        if not getattr(user, "is_authenticated", False) or not hasattr(user, "scope_paths"):
            return NOTHING
        paths = user.scope_paths(perm)
        if not paths:
            return NOTHING
        above = {prefix for path in paths for prefix in _prefixes(path)}
        served = ServiceContract.objects.filter(paths_q("estate__community__path", paths)).values("company_id")
        return paths_q("registered_in__path", paths) | Q(registered_in__path__in=above) | Q(pk__in=served)


class ServiceContract(models.Model):
    """A company serves an estate from ``starts_on`` to ``ends_on``, both days included. Ended early, ``ends_on``
    becomes the last day served; ``agreed_ends_on`` keeps the contract's end and ``end_reason`` says why."""

    SCOPE_PATH: ClassVar[str] = "estate__community__path"

    company = models.ForeignKey(
        PropertyCompany, verbose_name=_("company"), on_delete=models.PROTECT, related_name="contracts"
    )
    estate = models.ForeignKey(
        "estates.Estate", verbose_name=_("estate"), on_delete=models.PROTECT, related_name="property_contracts"
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    agreed_ends_on = models.DateField(_("agreed end"))
    ended_early = models.BooleanField(_("ended early"), default=False)
    end_reason = models.CharField(_("reason for ending early"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("service contract")
        verbose_name_plural = _("service contracts")
        ordering = ["-starts_on", "id"]
        indexes = [models.Index(fields=["estate", "starts_on"], name="propertyfirms_contract_estate")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="propertyfirms_contract_ends_after"),
            models.CheckConstraint(
                condition=Q(ends_on__lte=F("agreed_ends_on")), name="propertyfirms_contract_within_agreed"
            ),
            models.CheckConstraint(
                condition=Q(ended_early=False) | ~Q(end_reason=""), name="propertyfirms_contract_end_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} · {self.estate} ({self.starts_on} – {self.ends_on})"


class QuarterFields(models.Model):
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))

    class Meta:
        abstract = True

    @property
    def quarter_label(self) -> str:
        return f"{self.year}Q{self.quarter}"


QUARTER_OK = Q(quarter__gte=1, quarter__lte=4)


class ResidentRating(QuarterFields):
    """A verified resident of the estate's community rates the company serving the estate, 1–5, once a quarter."""

    SCOPE_PATH: ClassVar[str] = "estate__community__path"

    estate = models.ForeignKey("estates.Estate", on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey(PropertyCompany, on_delete=models.PROTECT, related_name="resident_ratings")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("rated at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("residents' rating")
        verbose_name_plural = _("residents' ratings")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "estate", "year", "quarter"], name="propertyfirms_rating_once_per_quarter"
            ),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="propertyfirms_rating_score"),
            models.CheckConstraint(condition=QUARTER_OK, name="propertyfirms_rating_quarter"),
        ]

    def __str__(self) -> str:
        return f"{self.quarter_label} · {self.estate_id} · {self.score}"


class SurveyResult(QuarterFields):
    """A residents' satisfaction survey run by staff: its average score (1–5) and how many answered."""

    SCOPE_PATH: ClassVar[str] = "estate__community__path"

    estate = models.ForeignKey("estates.Estate", on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey(PropertyCompany, on_delete=models.PROTECT, related_name="survey_results")
    score = models.DecimalField(_("average score (1–5)"), max_digits=3, decimal_places=2)
    sample_size = models.PositiveIntegerField(_("answers"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey result")
        verbose_name_plural = _("survey results")
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "year", "quarter"], name="propertyfirms_survey_once_per_quarter"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="propertyfirms_survey_score"),
            models.CheckConstraint(condition=Q(sample_size__gt=0), name="propertyfirms_survey_sample"),
            models.CheckConstraint(condition=QUARTER_OK, name="propertyfirms_survey_quarter"),
        ]

    def __str__(self) -> str:
        return f"{self.quarter_label} · {self.estate_id} · {self.score}"


# The community assessment's items and the most points each gives (100 in all).
ASSESSMENT_ITEMS: tuple[tuple[str, Any, int], ...] = (
    ("service", _("Service attitude and response"), 25),
    ("cleanliness", _("Cleanliness and greenery"), 25),
    ("safety", pgettext_lazy("property assessment", "Safety and order"), 25),
    ("maintenance", _("Maintenance of shared facilities"), 25),
)


class CommunityAssessment(QuarterFields):
    """The community scores the company serving an estate each quarter: four items, 0–100 in all."""

    SCOPE_PATH: ClassVar[str] = "estate__community__path"

    estate = models.ForeignKey("estates.Estate", on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey(PropertyCompany, on_delete=models.PROTECT, related_name="assessments")
    service = models.PositiveSmallIntegerField(_("service attitude and response"))
    cleanliness = models.PositiveSmallIntegerField(_("cleanliness and greenery"))
    safety = models.PositiveSmallIntegerField(_("safety and order"))
    maintenance = models.PositiveSmallIntegerField(_("maintenance of shared facilities"))
    total = models.PositiveSmallIntegerField(_("total"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("assessed at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("community assessment")
        verbose_name_plural = _("community assessments")
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "year", "quarter"], name="propertyfirms_assessment_once_per_quarter"
            ),
            models.CheckConstraint(
                condition=Q(service__lte=25, cleanliness__lte=25, safety__lte=25, maintenance__lte=25),
                name="propertyfirms_assessment_items",
            ),
            models.CheckConstraint(
                condition=Q(total=F("service") + F("cleanliness") + F("safety") + F("maintenance")),
                name="propertyfirms_assessment_total",
            ),
            models.CheckConstraint(condition=QUARTER_OK, name="propertyfirms_assessment_quarter"),
        ]

    def __str__(self) -> str:
        return f"{self.quarter_label} · {self.estate_id} · {self.total}"


class MatterLink(models.Model):
    """A matter of the closed loop about property management, linked to the company serving its estate when it was
    filed. A matter is linked to one company at most."""

    SCOPE_PATH: ClassVar[str] = "estate__community__path"

    matter = models.OneToOneField("matters.Matter", on_delete=models.PROTECT, related_name="property_link")
    company = models.ForeignKey(PropertyCompany, on_delete=models.PROTECT, related_name="matter_links")
    estate = models.ForeignKey("estates.Estate", on_delete=models.PROTECT, related_name="+")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("linked at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("linked matter")
        verbose_name_plural = _("linked matters")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.matter_id} → {self.company_id}"


class RecognitionState(models.TextChoices):
    RECOGNISED = "recognised", _("Recognised")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


# The red property criteria (红色物业创建标准) and whether the platform checks each itself.
CRITERIA: tuple[tuple[str, Any, bool], ...] = (
    ("party_organisation", _("A party organisation is set up in the company"), True),
    ("members_in_management", _("Party members sit in the company's management"), True),
    ("joint_meeting", _("Joins the community's joint meeting and 双报到"), False),
    ("residents_rating", _("Residents' rating at or above the threshold in the last two quarters"), True),
    ("no_serious_complaints", _("No unresolved serious complaints"), True),
)


class Recognition(models.Model):
    """红色物业: a street (or a unit above it) recognises a company for a period, with the criteria checklist as
    it stood; a recognition may be revoked, with a reason. Rows are never deleted: they are the history."""

    company = models.ForeignKey(PropertyCompany, on_delete=models.PROTECT, related_name="recognitions")
    decided_in = models.ForeignKey(Place, verbose_name=_("decided by"), on_delete=models.PROTECT, related_name="+")
    checklist = models.JSONField(_("criteria"), default=dict)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    state = models.CharField(_("state"), max_length=16, choices=RecognitionState.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoke_reason = models.CharField(_("reason for revoking"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("red property recognition")
        verbose_name_plural = _("red property recognitions")
        ordering = ["-valid_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gt=F("valid_from")), name="propertyfirms_recognition_period"
            ),
            models.CheckConstraint(
                condition=~Q(state=RecognitionState.REVOKED) | ~Q(revoke_reason=""),
                name="propertyfirms_recognition_revoke_reason",
            ),
            # One standing recognition per company: a new one follows once the last has expired or been revoked.
            models.UniqueConstraint(
                fields=["company"],
                condition=Q(state=RecognitionState.RECOGNISED),
                name="propertyfirms_recognition_one_standing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_id} {self.valid_from}–{self.valid_until} ({self.state})"


class RecognitionEvent(models.Model):
    """The append-only history of recognitions: each recognition, revocation and expiry, with who and why."""

    recognition = models.ForeignKey(Recognition, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=16, choices=RecognitionState.choices)
    # No actor: the system (the nightly expiry).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    detail = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.recognition_id}: {self.action}"

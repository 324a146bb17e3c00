"""People the platform knows about: residents of households, and resident units (驻区单位)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridwork.common.scope import ScopedQuerySet
from gridwork.places.models import Place, PlaceLevel


class ResidentUnitKind(models.TextChoices):
    GOVERNMENT = "government", _("Government body")
    STATE_ENTERPRISE = "state_enterprise", _("State-owned enterprise")
    SCHOOL = "school", _("School")
    HOSPITAL = "hospital", _("Hospital")
    PRIVATE_ENTERPRISE = "private_enterprise", _("Private enterprise")
    SOCIAL_ORGANISATION = "social_organisation", _("Social organisation")


# The levels where a resident unit sits: its community, or its street for a unit serving several communities.
UNIT_PLACE_LEVELS: tuple[str, ...] = (PlaceLevel.STREET, PlaceLevel.COMMUNITY)


class ResidentUnit(models.Model):
    """驻区单位: an organisation sitting in a community or street, a partner in co-construction."""

    SCOPE_PATH: ClassVar[str] = "place__path"

    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=32, choices=ResidentUnitKind.choices)
    place = models.ForeignKey(
        Place, verbose_name=_("community or street"), on_delete=models.PROTECT, related_name="resident_units"
    )
    party_organisation_name = models.CharField(_("party organisation"), max_length=120, blank=True)
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("resident unit")
        verbose_name_plural = _("resident units")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Resident(models.Model):
    """居民: a person living in a household. Name, phone and ID number are personal data: masked in lists."""

    SCOPE_PATH: ClassVar[str] = "household__path"

    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    id_number = models.CharField(_("ID card number"), max_length=18, blank=True)
    household = models.ForeignKey(
        Place, verbose_name=_("household"), on_delete=models.PROTECT, related_name="residents"
    )
    is_householder = models.BooleanField(_("householder"), default=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resident",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["household_id", "id"]

    def __str__(self) -> str:
        return self.name

"""Party organisations beside the places, their members, and part-time members from resident units."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from gridwork.common.scope import ScopedQuerySet
from gridwork.places.models import Place


class PartyOrgKind(models.TextChoices):
    WORKING_COMMITTEE = "working_committee", _("Street working committee (大工委)")
    COMMUNITY_COMMITTEE = "community_committee", _("Community party committee (大党委)")
    BRANCH = "branch", _("Grid / estate party branch")
    GROUP = "group", _("Building party group")
    CENTRAL_HOUSEHOLD = "central_household", _("Party member central household (党员中心户)")
    FUNCTIONAL = "functional", _("Functional party organisation")


# Which kind of organisation may sit under which, and at which place level each serves.
PARTY_PARENT_KINDS: dict[str, frozenset[str]] = {
    PartyOrgKind.WORKING_COMMITTEE: frozenset(),
    PartyOrgKind.COMMUNITY_COMMITTEE: frozenset({PartyOrgKind.WORKING_COMMITTEE}),
    PartyOrgKind.BRANCH: frozenset({PartyOrgKind.COMMUNITY_COMMITTEE}),
    PartyOrgKind.GROUP: frozenset({PartyOrgKind.BRANCH}),
    PartyOrgKind.CENTRAL_HOUSEHOLD: frozenset({PartyOrgKind.GROUP, PartyOrgKind.BRANCH}),
    PartyOrgKind.FUNCTIONAL: frozenset(
        {PartyOrgKind.WORKING_COMMITTEE, PartyOrgKind.COMMUNITY_COMMITTEE, PartyOrgKind.FUNCTIONAL}
    ),
}
PARTY_PLACE_LEVELS: dict[str, frozenset[str]] = {
    PartyOrgKind.WORKING_COMMITTEE: frozenset({"street"}),
    PartyOrgKind.COMMUNITY_COMMITTEE: frozenset({"community"}),
    PartyOrgKind.BRANCH: frozenset({"grid", "community"}),
    PartyOrgKind.GROUP: frozenset({"microgrid", "grid"}),
    PartyOrgKind.CENTRAL_HOUSEHOLD: frozenset({"household", "microgrid"}),
    PartyOrgKind.FUNCTIONAL: frozenset({"street", "community", "grid"}),
}


class PartyOrganisation(models.Model):
    """A party organisation serving a place: 大工委 → 大党委 → 支部 → 党小组 → 党员中心户, or functional."""

    SCOPE_PATH: ClassVar[str] = "place__path"

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=32, choices=PartyOrgKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    place = models.ForeignKey(
        Place, verbose_name=_("place served"), on_delete=models.PROTECT, related_name="party_organisations"
    )
    secretary_name = models.CharField(_("secretary"), max_length=50, blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class PartyMember(models.Model):
    """党员: a member of a branch; an in-service member (在职党员) also has an employer."""

    SCOPE_PATH: ClassVar[str] = "organisation__place__path"

    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    organisation = models.ForeignKey(
        PartyOrganisation,
        verbose_name=_("party organisation"),
        on_delete=models.PROTECT,
        related_name="members",
    )
    joined_on = models.DateField(_("joined the party on"), null=True, blank=True)
    in_service = models.BooleanField(_("in-service member"), default=False)
    employer = models.CharField(_("employer"), max_length=120, blank=True)
    household = models.ForeignKey(
        Place,
        verbose_name=_("household"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="party_members",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["organisation_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "phone"], name="partymember_unique_phone_in_org", condition=~models.Q(phone="")
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PartTimeMember(models.Model):
    """兼职委员: a resident unit's party leader sitting on a 大工委 or 大党委 for a term."""

    SCOPE_PATH: ClassVar[str] = "organisation__place__path"

    organisation = models.ForeignKey(
        PartyOrganisation,
        verbose_name=_("party organisation"),
        on_delete=models.CASCADE,
        related_name="part_time_members",
    )
    name = models.CharField(_("name"), max_length=50)
    resident_unit = models.ForeignKey(
        "people.ResidentUnit",
        verbose_name=_("resident unit"),
        on_delete=models.PROTECT,
        related_name="part_time_members",
    )
    position = models.CharField(_("position in the unit"), max_length=60, blank=True)
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"))
    duties = models.TextField(_("duties"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("part-time committee member")
        verbose_name_plural = _("part-time committee members")
        constraints = [
            models.CheckConstraint(condition=models.Q(term_end__gt=models.F("term_start")), name="parttime_term_order"),
        ]

    def __str__(self) -> str:
        return self.name

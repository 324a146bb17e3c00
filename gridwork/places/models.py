"""Places (the administrative tree from city to household) and the government units that act on them."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from gridwork.common.scope import ScopedQuerySet
from gridwork.places.codes import ancestor_paths


class PlaceLevel(models.TextChoices):
    """The seven levels of the administrative tree, top down."""

    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")
    GRID = "grid", _("Grid")
    MICROGRID = "microgrid", _("Micro-grid")
    HOUSEHOLD = "household", _("Household")


LEVEL_ORDER: tuple[str, ...] = tuple(level.value for level in PlaceLevel)
PARENT_LEVEL: dict[str, str | None] = {
    level: (LEVEL_ORDER[index - 1] if index else None) for index, level in enumerate(LEVEL_ORDER)
}
CHILD_LEVEL: dict[str, str | None] = {
    level: (LEVEL_ORDER[index + 1] if index + 1 < len(LEVEL_ORDER) else None) for index, level in enumerate(LEVEL_ORDER)
}


class Place(models.Model):
    """A node of the administrative tree: 市 → 区 → 街道 → 社区 → 网格 → 微网格 → 户.

    ``code`` is hierarchical (see ``gridwork.places.codes``); ``path`` is the chain of ancestor codes,
    ``/city/district/.../self/``, so that a subtree is one indexed prefix query.
    """

    SCOPE_PATH: ClassVar[str] = "path"

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=PlaceLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    households = models.PositiveIntegerField(_("households"), default=0)
    population = models.PositiveIntegerField(_("population"), default=0)
    address = models.CharField(_("address"), max_length=200, blank=True)
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"], name="place_level_code")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def depth(self) -> int:
        return LEVEL_ORDER.index(self.level)

    def ancestor_codes(self) -> list[str]:
        """Codes from the city down to the parent, read from the path without a query."""
        return [code for code in self.path.split("/") if code][:-1]

    def ancestor_paths(self, *, include_self: bool) -> list[str]:
        """Paths from the city down to the parent (and the place's own last when ``include_self``), read from the
        path without a query."""
        return ancestor_paths(self.path, include_self=include_self)


class BoundaryVersion(models.Model):
    """One row whose counter moves whenever any boundary changes, so each process knows to reload its index."""

    version = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("boundary version")

    def __str__(self) -> str:
        return str(self.version)


class DepartmentKind(models.TextChoices):
    FUNCTIONAL = "functional", _("Functional department")
    DISPATCH_CENTRE = "dispatch_centre", _("Joint dispatch centre")
    PUBLIC_SERVICE = "public_service", _("Public service enterprise")


class Department(models.Model):
    """职能部门: a unit that handles matters dispatched to it, under a city, district or street."""

    SCOPE_PATH: ClassVar[str] = "place__path"

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=32, choices=DepartmentKind.choices, default=DepartmentKind.FUNCTIONAL)
    place = models.ForeignKey(
        Place,
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="departments",
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

"""What a resident unit's staff page shows besides the unit: its registrations with communities (单位报到), its
people's part-time terms (兼职委员), its contact accounts, and from the co-construction apps its resources and
projects (cobuild), contracts (contracts) and alliances (alliances).

Each co-construction list comes from its app's selector (``<things>_of_unit(user=…, unit=…)``), which narrows it
to what the user may see (VIEW_PARTY) by the app's own scope rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridwork.accounts.roles import Perm
from gridwork.alliances.selectors import alliances_of_unit
from gridwork.cobuild.selectors import projects_of_unit, resources_of_unit
from gridwork.contracts.selectors import contracts_of_unit
from gridwork.party.models import UnitRegistration
from gridwork.people.models import ResidentUnit

SECTION_LIMIT = 20


@dataclass(frozen=True)
class Item:
    label: str
    url: str = ""
    note: str = ""


@dataclass(frozen=True)
class Section:
    """One co-construction list of the unit: its first ``SECTION_LIMIT`` items and how many there are."""

    key: str
    title: Any
    items: list[Item] = field(default_factory=list)
    total: int = 0


# (key, title, the app's selector of the unit's rows the user sees, the staff page of one row by its pk).
SECTIONS: tuple[tuple[str, Any, Callable[..., QuerySet[Any]], str], ...] = (
    ("resources", _("Resources offered (资源清单)"), resources_of_unit, "cobuild:resource-detail"),
    ("projects", _("Projects (项目清单)"), projects_of_unit, "cobuild:project-detail"),
    ("contracts", _("Contracts (契约化共建)"), contracts_of_unit, "contracts:detail"),
    ("alliances", _("Alliances (党建联盟)"), alliances_of_unit, "alliances:detail"),
)


def unit_registrations(*, user: Any, unit: ResidentUnit) -> QuerySet[UnitRegistration]:
    """The unit's registrations with the communities of the user's area, newest first."""
    return (
        UnitRegistration.objects.restrict(user, Perm.VIEW_PARTY)
        .filter(unit=unit)
        .select_related("community")
        .order_by("-created_at", "-id")
    )


def _note_of(obj: models.Model) -> str:
    display = getattr(obj, "get_state_display", None)
    return str(display()) if callable(display) else ""


def cobuild_sections(*, user: Any, unit: ResidentUnit) -> list[Section]:
    """The unit's resources, projects, contracts and alliances the user may see."""
    sections: list[Section] = []
    for key, title, rows_of, url_name in SECTIONS:
        rows = rows_of(user=user, unit=unit).order_by("-pk")
        items = [
            Item(label=str(obj), url=reverse(url_name, args=[obj.pk]), note=_note_of(obj))
            for obj in rows[:SECTION_LIMIT]
        ]
        sections.append(Section(key=key, title=title, items=items, total=rows.count()))
    return sections

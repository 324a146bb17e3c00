"""What a resident unit's staff page shows besides the unit: its registrations with communities (单位报到), its
people's part-time terms (兼职委员), its contact accounts, and — from the co-construction apps, when they are
installed and have their models — its resources and projects (cobuild), contracts (contracts) and alliances
(alliances).

The co-construction apps are read without importing them: each is looked up by its model's name, linked to the unit
by whatever foreign key or many-to-many points at ``ResidentUnit`` (on the model itself or on a membership model of
the same app), and narrowed by the model's own scope rule (``restrict(user, VIEW_PARTY)``). A model without a scope
rule shows nothing: deny by default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from gridwork.accounts.roles import Perm
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


# (app label, model name, the section's key and title, the staff page of one row by its pk): the unit's side of each
# co-construction app. A URL name that does not resolve leaves the rows without links.
COBUILD_MODELS: tuple[tuple[str, str, str, Any, str], ...] = (
    ("cobuild", "Resource", "resources", _("Resources offered (资源清单)"), "cobuild:resource-detail"),
    ("cobuild", "Project", "projects", _("Projects (项目清单)"), "cobuild:project-detail"),
    ("contracts", "Contract", "contracts", _("Contracts (契约化共建)"), "contracts:detail"),
    ("alliances", "Alliance", "alliances", _("Alliances (党建联盟)"), "alliances:detail"),
)


def unit_registrations(*, user: Any, unit: ResidentUnit) -> QuerySet[UnitRegistration]:
    """The unit's registrations with the communities of the user's area, newest first."""
    return (
        UnitRegistration.objects.restrict(user, Perm.VIEW_PARTY)
        .filter(unit=unit)
        .select_related("community")
        .order_by("-created_at", "-id")
    )


def _points_at_unit(model_field: Any) -> bool:
    return bool(
        getattr(model_field, "is_relation", False)
        and getattr(model_field, "related_model", None) is ResidentUnit
        and (model_field.many_to_one or model_field.many_to_many or model_field.one_to_one)
        and getattr(model_field, "concrete", False)
    )


def _unit_condition(model: type[models.Model], unit: ResidentUnit) -> Q | None:
    """The rows of ``model`` that concern ``unit``: through its own fields pointing at units, or through a model of
    the same app pointing at both (a membership); None when nothing links them."""
    condition: Q | None = None

    def add(q: Q) -> None:
        nonlocal condition
        condition = q if condition is None else condition | q

    for own in model._meta.get_fields():
        if _points_at_unit(own):
            add(Q(**{own.name: unit}))
    for other in apps.get_app_config(model._meta.app_label).get_models():
        if other is model:
            continue
        to_unit = [f for f in other._meta.get_fields() if _points_at_unit(f) and f.many_to_one]
        to_model = [
            f
            for f in other._meta.get_fields()
            if getattr(f, "many_to_one", False) and getattr(f, "related_model", None) is model and f.concrete
        ]
        if to_unit and to_model:
            rows = other._default_manager.filter(**{to_unit[0].name: unit}).values(to_model[0].name)
            add(Q(pk__in=rows))
    return condition


def _url_of(obj: models.Model, url_name: str) -> str:
    try:
        return reverse(url_name, args=[obj.pk])
    except NoReverseMatch:
        return ""


def _note_of(obj: models.Model) -> str:
    display = getattr(obj, "get_state_display", None)
    return str(display()) if callable(display) else ""


def cobuild_sections(*, user: Any, unit: ResidentUnit) -> list[Section]:
    """The unit's resources, contracts and alliances the user may see, for the apps that are there."""
    sections: list[Section] = []
    for app_label, model_name, key, title, url_name in COBUILD_MODELS:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        condition = _unit_condition(model, unit)
        manager: Any = model._default_manager
        if condition is None or not hasattr(manager, "restrict"):
            continue
        try:
            rows: QuerySet[Any] = manager.restrict(user, Perm.VIEW_PARTY).filter(condition).distinct()
        except AttributeError:  # no scope rule: nothing is shown
            continue
        rows = rows.order_by("-pk")
        items = [Item(label=str(obj), url=_url_of(obj, url_name), note=_note_of(obj)) for obj in rows[:SECTION_LIMIT]]
        sections.append(Section(key=key, title=title, items=items, total=rows.count()))
    return sections

"""The dispatch step's suggestion interface, and the rule-based fallback: keywords per category, routing rules.

A triage backend answers ``suggest(text, grid)`` with a category, a kind, a lead unit and a confidence in
[0, 1], with the reason in words, so that the dispatcher sees why. The smart-triage module plugs a trained
model in through ``settings.MATTERS_TRIAGE_BACKEND``; this module's ``KeywordTriage`` is the fallback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from gridwork.matters.models import Category, RoutingRule
from gridwork.matters.units import Unit
from gridwork.matters.workflow import MatterKind
from gridwork.places.models import Place


@dataclass(frozen=True)
class Suggestion:
    category_id: int | None
    kind: str
    confidence: float
    unit: Unit | None = None
    reasons: list[str] = field(default_factory=list)
    label: str = ""  # the trained model's class, when a model suggested
    model_version: int | None = None
    # The model's own confidence, when the category is the model's (refined or not); None when the keyword rules
    # chose it. Automatic dispatch trusts only this: a count of keywords is no probability.
    model_confidence: float | None = None


class TriageBackend(Protocol):
    def suggest(self, text: str, grid: Place) -> Suggestion: ...


def applicable_rules(*, category: Category | None, grid: Place) -> list[RoutingRule]:
    """The routing rules that apply to a matter of ``category`` in ``grid``, best first: the rule of the deepest
    area, then of the deepest category (a category rule beats its parent's and the area's default)."""
    chain: list[int | None] = [None]
    current = category
    while current is not None:
        chain.append(current.pk)
        current = current.parent
    rules = [
        rule
        for rule in RoutingRule.objects.filter(place__code__in=[*grid.ancestor_codes(), grid.code]).select_related(
            "place", "category", "lead_place", "lead_department"
        )
        if rule.category_id in chain
    ]
    rules.sort(key=lambda rule: (len(rule.place.path), chain.index(rule.category_id)), reverse=True)
    return rules


def route(*, category: Category | None, grid: Place) -> Unit | None:
    """The lead unit the routing rules give (the first of ``applicable_rules``), or None."""
    rules = applicable_rules(category=category, grid=grid)
    if not rules:
        return None
    return Unit(place_id=rules[0].lead_place_id, department_id=rules[0].lead_department_id)


class KeywordTriage:
    """Counts each active category's keywords (and its own name) in the text; the best match wins."""

    def suggest(self, text: str, grid: Place) -> Suggestion:
        best: tuple[int, Category, list[str]] | None = None
        for category, words in category_keywords():
            hits = [word for word in words if word in text]
            if hits and (
                best is None or len(hits) > best[0] or (len(hits) == best[0] and category.level > best[1].level)
            ):
                best = (len(hits), category, hits)
        if best is None:
            return Suggestion(
                category_id=None,
                kind=MatterKind.PERSONAL,
                confidence=0.0,
                unit=route(category=None, grid=grid),
                reasons=[_("No category keyword found in the text.")],
            )
        count, category, hits = best
        return Suggestion(
            category_id=category.pk,
            kind=category.default_kind,
            confidence=min(1.0, 0.4 + 0.2 * count),
            unit=route(category=category, grid=grid),
            reasons=[_("Keywords found: %(words)s") % {"words": "、".join(hits)}],
        )


def category_keywords() -> list[tuple[Category, list[str]]]:
    """Each active category with its keywords (its own name when it has none). A few hundred rows: read per call."""
    table = []
    for category in Category.objects.filter(is_active=True).only("pk", "name", "keywords", "level", "default_kind"):
        words = category.keyword_list() or ([category.name] if len(category.name) >= 2 else [])
        if words:
            table.append((category, words))
    return table


def get_triage_backend() -> TriageBackend:
    path = getattr(settings, "MATTERS_TRIAGE_BACKEND", "gridwork.matters.triage.KeywordTriage")
    backend: TriageBackend = import_string(path)()
    return backend

"""The columns every household need shares, wherever it is found: a care visit's ``care.Need`` and a grid worker's
``gridvisits.VisitNeed``. The need as typed, and who turned it into its one outcome and when (the rules of turning
it are in ``common.need_outcomes``).

What stays in each model, and why (the tables must not change, and the migrations' record of them neither):

- ``visit``: each points to its own app's visit;
- the outcome links (``matter``, ``wish``, and the grid visit's ``case``): their reverse names differ per model
  (``care_need``, ``grid_visit_need``) and a migration records a reverse name as written, so a shared
  ``%(app_label)s``-style name would be a new migration for both;
- the CHECK constraints: their names differ (``care_need_becomes_one_thing``, ``gridvisits_need_one_outcome``) and
  so do their conditions (the grid visit's need has a third outcome).

Each model names its outcome links in ``OUTCOME_FIELDS``; ``is_converted`` reads them.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class HouseholdNeed(models.Model):
    """A need found at a household on a visit, and who turned it into a matter, a micro-wish or a case, when."""

    OUTCOME_FIELDS: ClassVar[tuple[str, ...]]

    text = models.TextField(_("need"))
    converted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("converted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_converted(self) -> bool:
        return any(getattr(self, f"{name}_id") is not None for name in self.OUTCOME_FIELDS)

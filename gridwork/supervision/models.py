"""Supervision: the working calendar's overrides (more to come: time limits, warnings, orders, whistles)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarOverride(models.Model):
    """A day whose status the administrator sets: a holiday or an adjusted working day (调休) the package
    does not know, such as the next year's schedule before the package is updated."""

    day = models.DateField(_("day"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {'+' if self.is_workday else '-'} {self.note}"

"""Periodic jobs: the record of each fire of the schedule, which makes a fire happen once."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ScheduledFire(models.Model):
    """One fire of a schedule entry: the job ``name`` was due at ``due_at`` and its task was enqueued.

    The scheduler inserts this row and enqueues the task in one transaction. The unique (name, due_at) lets one
    insert win, however many schedulers run or restart; the task row of the database backend is written in the
    same transaction, so a fire is recorded exactly when its task is queued. The latest fire of a job is where
    the scheduler resumes after a stop.
    """

    name = models.CharField(_("job"), max_length=100)
    due_at = models.DateTimeField(_("due at"))
    enqueued_at = models.DateTimeField(_("enqueued at"), default=timezone.now)
    task_result_id = models.CharField(_("task result"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("scheduled fire")
        verbose_name_plural = _("scheduled fires")
        ordering = ["-due_at", "name"]
        constraints = [models.UniqueConstraint(fields=["name", "due_at"], name="jobs_fire_once")]

    def __str__(self) -> str:
        return f"{self.name} @ {self.due_at.isoformat()}"

"""The scheduled retraining (weekly, from ``settings.GRIDWORK_SCHEDULE``) and the administrator's retrain button."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django_tasks import task

from gridwork.triage.models import Trigger
from gridwork.triage.training import train


@task()
def retrain(user_id: int | None = None) -> dict[str, Any]:
    """Train a new version on the shipped data and every correction so far; it goes live only if not worse."""
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    model = train(trigger=Trigger.BUTTON if user else Trigger.SCHEDULE, user=user)
    return {"version": model.version, "status": model.status, "macro_f1": round(model.cv_macro_f1, 4)}

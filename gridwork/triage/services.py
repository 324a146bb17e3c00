"""Administrators' changes to smart triage: the auto-dispatch policy and the class mapping, each audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from gridwork.audit.services import audit_record
from gridwork.matters.models import Category
from gridwork.triage.models import ClassMapping, TriagePolicy


def policy_update(*, actor: Any, auto_dispatch: bool, confidence: float, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        policy, _created = TriagePolicy.objects.select_for_update().get_or_create(pk=1)
        before = {"auto_dispatch": policy.auto_dispatch, "confidence": policy.auto_dispatch_confidence}
        policy.auto_dispatch, policy.auto_dispatch_confidence, policy.updated_by = auto_dispatch, confidence, actor
        policy.save()
        audit_record(
            actor=actor,
            action="triage.policy.changed",
            target=policy,
            detail={"before": before, "after": {"auto_dispatch": auto_dispatch, "confidence": confidence}},
            request=request,
        )


def mapping_update(
    *, actor: Any, changes: dict[int, tuple[Category | None, str]], request: HttpRequest | None = None
) -> int:
    """Apply the changed rows; the number changed. Each change is audited with its before and after."""
    changed = 0
    with transaction.atomic():
        for mapping in ClassMapping.objects.select_for_update().filter(pk__in=changes):
            category, kind = changes[mapping.pk]
            new_category_id = category.pk if category else None
            if (mapping.category_id, mapping.kind) == (new_category_id, kind):
                continue
            audit_record(
                actor=actor,
                action="triage.mapping.changed",
                target=mapping,
                detail={
                    "label": mapping.label,
                    "before": {"category": mapping.category_id, "kind": mapping.kind},
                    "after": {"category": new_category_id, "kind": kind},
                },
                request=request,
            )
            mapping.category, mapping.kind, mapping.updated_by = category, kind, actor
            mapping.save()
            changed += 1
    return changed

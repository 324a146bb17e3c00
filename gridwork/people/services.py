"""Writes about people. Revealing personal data is an action too: it is audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from gridwork.audit.services import audit_record
from gridwork.people.models import Resident


def resident_reveal(*, actor: Any, resident: Resident, request: HttpRequest | None = None) -> Resident:
    """查看明文: record that ``actor`` saw this resident's unmasked personal data, and return it."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="resident.reveal_personal_data",
            target=resident,
            detail={"fields": ["name", "phone", "id_number"]},
            request=request,
        )
    return resident

"""Showing a matter's reporter unmasked (查看明文) is an action: it is audited, like a resident's personal data."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from gridwork.audit.services import audit_record
from gridwork.matters.models import Matter


def matter_reporter_contact(matter: Matter) -> tuple[str, str]:
    """The reporter's name and phone as filed, or from their resident account."""
    name = matter.reporter_name or (matter.reporter.full_name if matter.reporter is not None else "")
    phone = matter.reporter_phone or ((matter.reporter.phone or "") if matter.reporter is not None else "")
    return name, phone


def matter_reporter_reveal(*, actor: Any, matter: Matter, request: HttpRequest | None = None) -> tuple[str, str]:
    """Record that ``actor`` saw the reporter's name and phone of ``matter`` unmasked, and return them."""
    name, phone = matter_reporter_contact(matter)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="matter.reveal_reporter",
            target=matter,
            detail={"fields": [field for field, value in (("name", name), ("phone", phone)) if value]},
            request=request,
        )
    return name, phone

"""Personal data of closed matters is kept only as long as needed (个人信息保护法 art. 19):
``GRIDWORK_PERSONAL_DATA_DAYS`` after a matter closed, the nightly job removes its reporter's account link, name and
phone (and those of the residents who followed it after a merge), and masks ID card numbers, phone numbers and e-mail
addresses the reporter or a handler wrote into its title, text, reply and answers, and rounds its place to the
block (the address goes). What the city needs to learn from the matter stays: category, place, times, the event log,
the photos, the rating.

A matter is changed with compare-and-set on its version, like every move of the loop: one changed by someone else in
the meantime is left for the next run. The event log is append-only and is not rewritten: it keeps who moved the
matter, and for a signed-in resident's own moves (filing, rating) that is their account and display name, and a
rating's comment — the known gap, until residents' events are written without their identity.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from gridwork.audit.services import audit_record
from gridwork.matters.models import Matter, MatterFollower
from gridwork.matters.workflow import MatterState
from gridwork.open311.privacy import mask_text, public_coordinate

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Anonymised:
    before: datetime
    matters: int
    skipped: int  # changed by someone else during the run: the next run takes them


def _masked(value: Any, names: list[str]) -> Any:
    if isinstance(value, str):
        return mask_text(value, names=names)
    if isinstance(value, list):
        return [_masked(item, names) for item in value]
    if isinstance(value, dict):
        return {key: _masked(item, names) for key, item in value.items()}
    return value


def _anonymise(matter: Matter, *, now: datetime) -> bool:
    names = [name for name in [matter.reporter_name, *matter.followers.values_list("reporter_name", flat=True)] if name]
    with transaction.atomic():
        updated = Matter.objects.filter(pk=matter.pk, version=matter.version, anonymised_at__isnull=True).update(
            reporter=None,
            reporter_name="",
            reporter_phone="",
            title=mask_text(matter.title, names=names),
            text=mask_text(matter.text, names=names),
            reply_text=mask_text(matter.reply_text, names=names),
            attributes=_masked(matter.attributes, names),
            # Where it happened stays at the block (about 110 m), not the door: a personal matter's place is a home.
            latitude=public_coordinate(matter.latitude),
            longitude=public_coordinate(matter.longitude),
            address="",
            anonymised_at=now,
            version=F("version") + 1,
            updated_at=now,
        )
        if updated != 1:
            return False
        for follower in MatterFollower.objects.filter(matter=matter).only("pk", "note"):
            MatterFollower.objects.filter(pk=follower.pk).update(
                user=None, reporter_name="", reporter_phone="", note=mask_text(follower.note, names=names)
            )
    return True


def anonymise_closed(*, now: datetime | None = None, days: int | None = None, limit: int = 5000) -> Anonymised:
    """Remove the personal data of matters closed more than ``days`` ago (default: the setting; 0 turns it off)."""
    now = now or timezone.now()
    days = int(settings.GRIDWORK_PERSONAL_DATA_DAYS) if days is None else days
    before = now - timedelta(days=days)
    if days <= 0:
        return Anonymised(before=before, matters=0, skipped=0)
    due = Matter.objects.filter(state=MatterState.CLOSED, closed_at__lt=before, anonymised_at__isnull=True).order_by(
        "closed_at", "pk"
    )[:limit]
    done = skipped = 0
    first = last = ""
    for matter in due:
        if _anonymise(matter, now=now):
            done += 1
            first, last = first or matter.number, matter.number
        else:
            skipped += 1
    if done:
        audit_record(
            actor=None,
            actor_name="system",
            action="matters.anonymise",
            detail={"matters": done, "closed_before": before.isoformat(), "first": first, "last": last},
        )
        logger.info("personal data removed from %s matters closed before %s", done, before)
    return Anonymised(before=before, matters=done, skipped=skipped)

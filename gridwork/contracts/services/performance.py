"""亮约 and 履约: publishing a signed contract on the board, recording each clause's performance with evidence, and
the warning 30 days before the term ends."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import partial
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.common.evidence import CleanEvidence, EvidenceRejected, clean_evidence
from gridwork.common.flows import MoveRefused, StaleState, flow_move
from gridwork.contracts.flows import CONTRACT_FLOW, ContractAction
from gridwork.contracts.models import (
    Clause,
    Contract,
    ContractEvent,
    ContractParty,
    ContractState,
    Evidence,
    Performance,
)
from gridwork.contracts.services.base import (
    MAX_EVIDENCE,
    MAX_NOTE,
    WARN_DAYS,
    _can,
    _clause_of,
    _fresh,
    _notify,
    _now,
    _require_side,
    _retrying,
    _signed_in,
    _text,
    community_staff,
    unit_contacts,
)
from gridwork.notifications.services import notification_send

logger = logging.getLogger(__name__)

# --- 亮约: publish ----------------------------------------------------------------------------------------------------


def contract_publish(*, actor: Any, contract: Contract, expected_version: int, now: datetime | None = None) -> Contract:
    """亮约: the community publishes the signed contract on its public board; from now on it is performed."""
    contract = _fresh(contract)
    _require_side(actor, contract, ContractParty.COMMUNITY)
    when = _now(now)
    flow_move(
        contract,
        flow=CONTRACT_FLOW,
        action=ContractAction.PUBLISH,
        actor=actor,
        data={"party": ContractParty.COMMUNITY},
        changes={"published_at": when},
        expected_version=expected_version,
        at=when,
    )
    _notify(
        contract,
        text=_("Contract %(number)s is published on the community's board.") % {"number": contract.number},
        community=False,
        unit=True,
    )
    return contract


# --- 履约: perform ----------------------------------------------------------------------------------------------------


def _clean_files(files: Iterable[IO[bytes]], errors: dict[str, str]) -> list[CleanEvidence]:
    files = list(files)
    if not files:
        errors["evidence"] = _(
            "Add the evidence: a photo, or a PDF, Word or Excel document. Performance is not recorded without it."
        )
        return []
    if len(files) > MAX_EVIDENCE:
        errors["evidence"] = _("Add at most %(max)d files.") % {"max": MAX_EVIDENCE}
        return []
    cleaned: list[CleanEvidence] = []
    for file in files:
        try:
            cleaned.append(clean_evidence(file, original_name=str(getattr(file, "name", "") or "")))
        except EvidenceRejected as rejected:
            errors["evidence"] = str(rejected)
            return []
    return cleaned


def _store_evidence(files: list[tuple[str, bytes]]) -> None:
    """Write committed evidence to storage under the names its rows already carry (new random names each)."""
    storage = Evidence._meta.get_field("file").storage
    for name, content in files:
        saved = storage.save(name, ContentFile(content, name=name))
        if saved != name:
            logger.error("Evidence %s was stored as %s; its row still names the first.", name, saved)


def clause_perform(
    *,
    actor: Any,
    contract: Contract,
    clause: Clause | int,
    side: str,
    performed_on: date | None,
    note: str,
    files: Iterable[IO[bytes]],
    completes: bool = True,
    now: datetime | None = None,
) -> Performance:
    """履约: the party responsible for a clause records what was done and when, with evidence (at least one photo or
    document). The first record that completes the clause sets its performance date (on time: not after the due
    date). Only while the contract is published and performed."""
    _signed_in(actor)
    when = _now(now)
    contract = _fresh(contract)
    _require_side(actor, contract, side)
    _can(contract, ContractAction.PERFORM)
    found = _clause_of(contract, clause)
    if found.party != side:
        raise PermissionDenied(_("Only the party responsible for the clause records its performance."))
    errors: dict[str, str] = {}
    note = _text(note, field="note", required=_("Say what was done."), limit=MAX_NOTE, errors=errors)
    if performed_on is None:
        errors["performed_on"] = _("Give the date it was done.")
    elif performed_on > timezone.localdate(when):
        errors["performed_on"] = _("The date cannot be in the future.")
    elif contract.term_start is not None and performed_on < contract.term_start:
        errors["performed_on"] = _("The date cannot be before the term starts (%(start)s).") % {
            "start": contract.term_start.isoformat()
        }
    cleaned = _clean_files(files, errors)
    if errors:
        raise ValidationError(errors)
    assert performed_on is not None

    def attempt() -> Performance:
        with transaction.atomic():
            fresh = _fresh(contract)
            event = flow_move(
                fresh,
                flow=CONTRACT_FLOW,
                action=ContractAction.PERFORM,
                actor=actor,
                note=note,
                data={
                    "party": side,
                    "clause_id": found.pk,
                    "position": found.position,
                    "performed_on": performed_on.isoformat(),
                    "completes": completes,
                    "files": len(cleaned),
                },
                at=when,
            )
            assert isinstance(event, ContractEvent)
            record = Performance.objects.create(
                contract=fresh,
                clause=found,
                event=event,
                party=side,
                performed_on=performed_on,
                note=note,
                completes=completes,
                recorded_by=actor,
                recorded_at=when,
            )
            files: list[tuple[str, bytes]] = []
            for item in cleaned:
                stored = Evidence(
                    performance=record,
                    kind=item.kind,
                    content_type=item.content_type,
                    size=len(item.content),
                    created_at=when,
                )
                stored.file.name = stored.file.field.generate_filename(stored, item.name)
                stored.save()
                files.append((stored.file.name, item.content))
            if completes:
                Clause.objects.filter(pk=found.pk, performed_on__isnull=True).update(performed_on=performed_on)
            # The files are written once the record is committed: a record refused or rolled back leaves none.
            transaction.on_commit(partial(_store_evidence, files), robust=True)
            return record

    return _retrying(attempt)


def expiring_contracts(*, today: date) -> QuerySet[Contract]:
    """Published contracts whose term ends within ``WARN_DAYS`` days and that were not warned yet."""
    return Contract.objects.filter(
        state=ContractState.PERFORMING,
        term_end__gte=today,
        term_end__lte=today + timedelta(days=WARN_DAYS),
        expiry_warned_at__isnull=True,
    )


def contracts_warn_expiring(*, now: datetime | None = None) -> int:
    """Warn the community's staff and the unit's contacts of each published contract whose term ends within 30
    days, once per contract (the warning is an event; a second run, or two at once, warn nobody again)."""
    when = _now(now)
    today = timezone.localdate(when)
    warned = 0
    for pk in list(expiring_contracts(today=today).values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                contract = _fresh(pk)
                if contract.expiry_warned_at is not None or contract.state != ContractState.PERFORMING:
                    continue
                assert contract.term_end is not None
                flow_move(
                    contract,
                    flow=CONTRACT_FLOW,
                    action=ContractAction.WARN_EXPIRY,
                    actor=None,
                    data={"term_end": contract.term_end.isoformat()},
                    changes={"expiry_warned_at": when},
                    expected_version=contract.version,
                    at=when,
                )
                text = _(
                    "Contract %(number)s with %(unit)s ends on %(end)s: perform what is left, then evaluate it or "
                    "renew it."
                ) % {"number": contract.number, "unit": contract.unit.name, "end": contract.term_end.isoformat()}
                notification_send(
                    recipients=community_staff(contract),
                    text=text,
                    url=reverse("contracts:detail", args=[contract.pk]),
                )
                notification_send(
                    recipients=unit_contacts(contract),
                    text=text,
                    url=reverse("unit_contracts:detail", args=[contract.pk]),
                )
                warned += 1
        except (StaleState, MoveRefused):
            continue  # moved meanwhile (another run warned it, or it left performance): the next run looks again
    return warned

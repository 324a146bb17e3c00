"""Writing the households in difficulty (包联困难户): flag, update and end a household; pair and unpair it; record a
visit; turn a need found on a visit into a matter or a micro-wish in one step. And the audit rows of reading them.

Each write is one transaction that validates field by field (``ValidationError`` of a dict), checks the actor's
permission over the household's place (``PermissionDenied``), saves, and writes its audit row. Who may do what:

- flag, update, end, pair, unpair: ``MANAGE_DIFFICULTY`` over the household (community staff);
- record a visit: the paired member or leader (an open pairing of theirs), or staff holding ``VIEW_DIFFICULTY``
  over the household (grid workers, community and street staff);
- file a need as a matter: ``VIEW_DIFFICULTY`` and ``FILE_MATTERS`` over the household; post it as a micro-wish:
  ``VIEW_DIFFICULTY`` over the household and what ``wishes.services.wish_post`` asks of staff posting on a
  resident's behalf (``MANAGE_PARTY`` over the community).

A need becomes one thing, once: the need is marked by a conditional UPDATE (``WHERE matter IS NULL AND wish IS
NULL``) in the transaction that files the matter or posts the wish, so of two tries one wins and the other's matter
or wish is rolled back with it (``NeedAlreadyConverted``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.models import User
from gridwork.accounts.roles import Perm
from gridwork.audit.services import audit_record
from gridwork.care.models import Difficulty, HouseholdInDifficulty, Need, Pairing, Visit, VisitorRole
from gridwork.common.need_outcomes import (
    MAX_NEED,
    MAX_NEEDS,
    NeedAlreadyConverted,
    clean_needs,
    holds_over,
    household_community,
    household_matter_file,
    household_wish_post,
    mark_converted,
)
from gridwork.matters.models import Matter
from gridwork.party.models import MemberRegistration, RegistrationState
from gridwork.places.models import Place, PlaceLevel
from gridwork.wishes.models import Wish

# The limits of a visit's needs live with the shared rule (common.need_outcomes); named here for care.forms.
__all__ = ["MAX_NEED", "MAX_NEEDS"]

MAX_NOTE = 1000
MAX_REASON = 500
MAX_NOTES = 2000


# --- places and people -----------------------------------------------------------------------------------------------


def _require(actor: Any, perm: str, place: Place, message: str) -> None:
    if not holds_over(actor, perm, place):
        raise PermissionDenied(message)


def _signed_in(actor: Any) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in first."))


def leader_may_pair(leader: Any, household: Place) -> bool:
    """A leader (包联领导) is an active staff account holding an active post on the household's line: at its grid,
    community, street, district or city (departments' cadres included: their post sits at their jurisdiction)."""
    if not isinstance(leader, User) or not leader.is_active or not leader.is_staff_member:
        return False
    return any(household.path.startswith(post.place.path) for post in leader.active_posts)


def _today(today: date | None) -> date:
    return today or timezone.localdate()


# --- rules ----------------------------------------------------------------------------------------------------------


def clean_kinds(kinds: Sequence[str]) -> tuple[list[str], str]:
    """The kinds in their canonical order without repeats, and what is wrong with them ("" when nothing)."""
    chosen = {str(kind).strip() for kind in kinds if str(kind).strip()}
    unknown = sorted(chosen - set(Difficulty.values))
    if unknown:
        return [], _("Unknown kind of difficulty “%(kind)s”.") % {"kind": unknown[0]}
    if not chosen:
        return [], _("Choose at least one kind of difficulty.")
    return [kind for kind in Difficulty.values if kind in chosen], ""


def household_errors(*, kinds_error: str, since: date | None, note: str, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kinds_error:
        errors["kinds"] = kinds_error
    if since is None:
        errors["since"] = _("Enter the date since when the household is in difficulty.")
    elif since > today:
        errors["since"] = _("The date cannot be in the future.")
    if len(note) > MAX_NOTE:
        errors["note"] = _("Keep the note within %(max)d characters.") % {"max": MAX_NOTE}
    return errors


def _end_errors(*, ended_on: date, not_before: date, reason: str, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if ended_on > today:
        errors["ended_on"] = _("The date cannot be in the future.")
    elif ended_on < not_before:
        errors["ended_on"] = _("The end cannot come before the start (%(day)s).") % {"day": not_before.isoformat()}
    if not reason:
        errors["reason"] = _("Say why it ends.")
    elif len(reason) > MAX_REASON:
        errors["reason"] = _("Keep the reason within %(max)d characters.") % {"max": MAX_REASON}
    return errors


def _locked(record: HouseholdInDifficulty) -> HouseholdInDifficulty:
    return HouseholdInDifficulty.objects.select_for_update(of=("self",)).select_related("household").get(pk=record.pk)


def _closed(record: HouseholdInDifficulty) -> ValidationError:
    return ValidationError({NON_FIELD_ERRORS: _("This household's record has ended; reopen it by flagging it again.")})


# --- households -----------------------------------------------------------------------------------------------------


def household_flag(
    *,
    actor: Any,
    household: Place,
    kinds: Sequence[str],
    since: date | None,
    note: str = "",
    today: date | None = None,
) -> HouseholdInDifficulty:
    """Flag a household as in difficulty (MANAGE_DIFFICULTY over it). A household has one open record at a time."""
    _signed_in(actor)
    note = note.strip()
    day = _today(today)
    with transaction.atomic():
        _require(actor, Perm.MANAGE_DIFFICULTY, household, _("This household is outside the units you may manage."))
        clean, kinds_error = clean_kinds(kinds)
        errors = household_errors(kinds_error=kinds_error, since=since, note=note, today=day)
        if household.level != PlaceLevel.HOUSEHOLD:
            errors["household"] = _("Choose a household.")
        elif HouseholdInDifficulty.objects.filter(household=household, ended_on__isnull=True).exists():
            errors["household"] = _("This household is already recorded as in difficulty.")
        if errors:
            raise ValidationError(errors)
        assert since is not None
        try:
            with transaction.atomic():
                record = HouseholdInDifficulty.objects.create(
                    household=household, kinds=clean, since=since, note=note, recorded_by=actor
                )
        except IntegrityError as error:  # someone flagged it at the same moment
            raise ValidationError({"household": _("This household is already recorded as in difficulty.")}) from error
        audit_record(
            actor=actor,
            action="care.household.flag",
            target=record,
            detail={"household": household.code, "kinds": clean, "since": since.isoformat()},
        )
    return record


def household_update(
    *,
    actor: Any,
    record: HouseholdInDifficulty,
    kinds: Sequence[str],
    since: date | None,
    note: str,
    today: date | None = None,
) -> HouseholdInDifficulty:
    """Change an open record's kinds, start date or note (MANAGE_DIFFICULTY over the household)."""
    _signed_in(actor)
    note = note.strip()
    day = _today(today)
    with transaction.atomic():
        record = _locked(record)
        _require(actor, Perm.MANAGE_DIFFICULTY, record.household, _("You may not change this household's record."))
        if not record.is_open:
            raise _closed(record)
        clean, kinds_error = clean_kinds(kinds)
        errors = household_errors(kinds_error=kinds_error, since=since, note=note, today=day)
        if since is not None and "since" not in errors:
            earliest = Pairing.objects.filter(record=record).order_by("since").values_list("since", flat=True).first()
            first_visit = (
                Visit.objects.filter(record=record).order_by("visited_on").values_list("visited_on", flat=True).first()
            )
            bound = min((first for first in (earliest, first_visit) if first is not None), default=None)
            if bound is not None and since > bound:
                errors["since"] = _(
                    "Pairings and visits of this household begin on %(day)s; the date cannot be later."
                ) % {"day": bound.isoformat()}
        if errors:
            raise ValidationError(errors)
        assert since is not None
        changed = {
            name: value
            for name, value in (("kinds", clean), ("since", since), ("note", note))
            if getattr(record, name) != value
        }
        if not changed:
            return record
        for name, value in changed.items():
            setattr(record, name, value)
        record.save(update_fields=[*changed, "updated_at"])
        audit_record(
            actor=actor,
            action="care.household.update",
            target=record,
            detail={
                "fields": sorted(changed),
                **({"kinds": clean} if "kinds" in changed else {}),
                **({"since": since.isoformat()} if "since" in changed else {}),
            },
        )
    return record


def household_end(
    *,
    actor: Any,
    record: HouseholdInDifficulty,
    reason: str,
    ended_on: date | None = None,
    today: date | None = None,
) -> HouseholdInDifficulty:
    """The household is no longer in difficulty (MANAGE_DIFFICULTY): the record ends, and its open pairings with it."""
    _signed_in(actor)
    reason = reason.strip()
    day = _today(today)
    ended_on = ended_on or day
    with transaction.atomic():
        record = _locked(record)
        _require(actor, Perm.MANAGE_DIFFICULTY, record.household, _("You may not change this household's record."))
        if not record.is_open:
            raise _closed(record)
        errors = _end_errors(ended_on=ended_on, not_before=record.since, reason=reason, today=day)
        latest_pairing = (
            Pairing.objects.filter(record=record, ended_on__isnull=True)
            .order_by("-since")
            .values_list("since", flat=True)
            .first()
        )
        if "ended_on" not in errors and latest_pairing is not None and ended_on < latest_pairing:
            errors["ended_on"] = _("A pairing of this household began on %(day)s; the end cannot come before it.") % {
                "day": latest_pairing.isoformat()
            }
        if errors:
            raise ValidationError(errors)
        ended_pairings = list(Pairing.objects.filter(record=record, ended_on__isnull=True).values_list("pk", flat=True))
        Pairing.objects.filter(pk__in=ended_pairings).update(ended_on=ended_on, ended_reason=reason, ended_by=actor)
        updated = HouseholdInDifficulty.objects.filter(pk=record.pk, ended_on__isnull=True).update(
            ended_on=ended_on, ended_reason=reason, ended_by=actor, updated_at=timezone.now()
        )
        if not updated:
            raise _closed(record)
        record.refresh_from_db()
        audit_record(
            actor=actor,
            action="care.household.end",
            target=record,
            detail={"ended_on": ended_on.isoformat(), "pairings_ended": ended_pairings},
        )
    return record


def household_opened(*, actor: Any, record: HouseholdInDifficulty, request: HttpRequest | None = None) -> None:
    """The audit row of one opening of a household's record: who opened which household, when, from where."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="care.household.view",
            target=record,
            detail={"household": record.household.code},
            request=request,
        )


def households_exported(
    *, actor: Any, rows: int, unmasked: int, filters: dict[str, str], request: HttpRequest | None = None
) -> None:
    """The audit row of an export of the list of households in difficulty (every export, masked or not)."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="care.household.export",
            detail={"rows": rows, "unmasked": unmasked, "filters": filters},
            request=request,
        )


# --- pairings -------------------------------------------------------------------------------------------------------


def pairing_create(
    *,
    actor: Any,
    record: HouseholdInDifficulty,
    member: MemberRegistration | None = None,
    leader: Any = None,
    since: date | None = None,
    today: date | None = None,
) -> Pairing:
    """包联: pair the household with a confirmed member (双报到) of its community or with a leader.

    Needs MANAGE_DIFFICULTY over the household."""
    _signed_in(actor)
    day = _today(today)
    since = since or day
    with transaction.atomic():
        record = _locked(record)
        household = record.household
        _require(actor, Perm.MANAGE_DIFFICULTY, household, _("You may not pair this household."))
        if not record.is_open:
            raise _closed(record)
        errors: dict[str, str] = {}
        if (member is None) == (leader is None):
            errors["partner"] = _("Choose one partner: a registered party member or a leader.")
        elif member is not None:
            member = MemberRegistration.objects.select_related("community").get(pk=member.pk)
            community = household_community(household)
            if member.state != RegistrationState.CONFIRMED:
                errors["member"] = _("Only a member whose registration is confirmed may be paired.")
            elif community is None or member.community_id != community.pk:
                errors["member"] = _("Pair the household with a member registered with its own community.")
            elif Pairing.objects.filter(record=record, member=member, ended_on__isnull=True).exists():
                errors["member"] = _("This member is already paired with the household.")
        elif not leader_may_pair(leader, household):
            errors["leader"] = _("A leader must be active staff with a post over this household's area.")
        elif Pairing.objects.filter(record=record, leader=leader, ended_on__isnull=True).exists():
            errors["leader"] = _("This leader is already paired with the household.")
        if since > day:
            errors["since"] = _("The date cannot be in the future.")
        elif since < record.since:
            errors["since"] = _("The household is in difficulty since %(day)s; the pairing cannot begin earlier.") % {
                "day": record.since.isoformat()
            }
        if errors:
            raise ValidationError(errors)
        try:
            with transaction.atomic():
                pairing = Pairing.objects.create(
                    record=record, member=member, leader=leader, since=since, created_by=actor
                )
        except IntegrityError as error:
            field = "member" if member is not None else "leader"
            raise ValidationError({field: _("This partner is already paired with the household.")}) from error
        audit_record(
            actor=actor,
            action="care.pairing.create",
            target=pairing,
            detail={
                "record": record.pk,
                "member": member.pk if member is not None else None,
                "leader": leader.pk if leader is not None else None,
                "since": since.isoformat(),
            },
        )
    return pairing


def pairing_end(
    *,
    actor: Any,
    pairing: Pairing,
    reason: str,
    ended_on: date | None = None,
    today: date | None = None,
) -> Pairing:
    """End a pairing (MANAGE_DIFFICULTY over the household), with the reason; its visits stay."""
    _signed_in(actor)
    reason = reason.strip()
    day = _today(today)
    ended_on = ended_on or day
    with transaction.atomic():
        pairing = Pairing.objects.select_related("record__household").get(pk=pairing.pk)
        _require(actor, Perm.MANAGE_DIFFICULTY, pairing.record.household, _("You may not change this pairing."))
        if not pairing.is_open:
            raise ValidationError({NON_FIELD_ERRORS: _("This pairing has already ended.")})
        errors = _end_errors(ended_on=ended_on, not_before=pairing.since, reason=reason, today=day)
        if errors:
            raise ValidationError(errors)
        updated = Pairing.objects.filter(pk=pairing.pk, ended_on__isnull=True).update(
            ended_on=ended_on, ended_reason=reason, ended_by=actor
        )
        if not updated:
            raise ValidationError({NON_FIELD_ERRORS: _("This pairing has already ended.")})
        pairing.refresh_from_db()
        audit_record(
            actor=actor,
            action="care.pairing.end",
            target=pairing,
            detail={"record": pairing.record_id, "ended_on": ended_on.isoformat()},
        )
    return pairing


# --- visits ---------------------------------------------------------------------------------------------------------


def own_open_pairings(*, user: Any, record: HouseholdInDifficulty) -> list[Pairing]:
    """The user's open pairings with this household: as its leader, or as its member while their registration holds."""
    if not getattr(user, "is_authenticated", False):
        return []
    pairings = Pairing.objects.filter(record=record, ended_on__isnull=True).select_related("member")
    return [
        pairing
        for pairing in pairings
        if pairing.leader_id == user.pk
        or (
            pairing.member is not None
            and pairing.member.user_id == user.pk
            and pairing.member.state == RegistrationState.CONFIRMED
        )
    ]


def _visit_pairing(*, actor: Any, record: HouseholdInDifficulty, pairing: Pairing | None) -> Pairing | None:
    """The pairing a visit is recorded under, or None for staff visiting in their own right; refuses anyone else."""
    own = own_open_pairings(user=actor, record=record)
    if holds_over(actor, Perm.VIEW_DIFFICULTY, record.household):
        if pairing is None:
            return own[0] if len(own) == 1 else None
        if pairing.record_id != record.pk or not pairing.is_open:
            raise ValidationError({"pairing": _("Choose an open pairing of this household.")})
        return pairing
    if not own:
        raise PermissionDenied(_("Only the household's partners and the staff over it may record its visits."))
    if pairing is None:
        return own[0]
    if pairing.pk not in {mine.pk for mine in own}:
        raise PermissionDenied(_("You may record only the visits of your own pairing."))
    return pairing


def visit_record(
    *,
    actor: Any,
    record: HouseholdInDifficulty,
    visited_on: date | None,
    notes: str,
    needs: Sequence[str] = (),
    pairing: Pairing | None = None,
    today: date | None = None,
) -> Visit:
    """走访: record a visit with its notes and the needs found. By the paired member or leader (under their pairing),
    or by staff holding VIEW_DIFFICULTY over the household (in their own right, or for a pairing's partner)."""
    _signed_in(actor)
    notes = notes.strip()
    day = _today(today)
    with transaction.atomic():
        record = _locked(record)
        if pairing is not None:
            pairing = Pairing.objects.select_related("member", "leader").get(pk=pairing.pk)
        chosen = _visit_pairing(actor=actor, record=record, pairing=pairing)
        if not record.is_open:
            raise _closed(record)
        kept, needs_error = clean_needs(needs)
        errors: dict[str, str] = {}
        if visited_on is None:
            errors["visited_on"] = _("Enter the day of the visit.")
        elif visited_on > day:
            errors["visited_on"] = _("The date cannot be in the future.")
        elif visited_on < record.since:
            errors["visited_on"] = _("The household is in difficulty since %(day)s; a visit cannot be earlier.") % {
                "day": record.since.isoformat()
            }
        elif chosen is not None and visited_on < chosen.since:
            errors["visited_on"] = _("The pairing began on %(day)s; its visit cannot be earlier.") % {
                "day": chosen.since.isoformat()
            }
        if not notes:
            errors["notes"] = _("Say what the visit found.")
        elif len(notes) > MAX_NOTES:
            errors["notes"] = _("Keep the notes within %(max)d characters.") % {"max": MAX_NOTES}
        if needs_error:
            errors["needs"] = needs_error
        if errors:
            raise ValidationError(errors)
        assert visited_on is not None
        if chosen is None:
            role = VisitorRole.STAFF
        else:
            role = VisitorRole.MEMBER if chosen.member_id is not None else VisitorRole.LEADER
        visit = Visit.objects.create(
            record=record, pairing=chosen, visited_on=visited_on, notes=notes, visitor_role=role, recorded_by=actor
        )
        Need.objects.bulk_create([Need(visit=visit, text=text) for text in kept])
        audit_record(
            actor=actor,
            action="care.visit.record",
            target=visit,
            detail={
                "record": record.pk,
                "pairing": chosen.pk if chosen is not None else None,
                "visited_on": visited_on.isoformat(),
                "needs": len(kept),
            },
        )
    return visit


# --- needs: one step to a matter or a micro-wish ---------------------------------------------------------------------


def _need_for_conversion(actor: Any, need: Need) -> tuple[Need, Place]:
    _signed_in(actor)
    need = Need.objects.select_for_update(of=("self",)).select_related("visit__record__household").get(pk=need.pk)
    household = need.visit.record.household
    _require(actor, Perm.VIEW_DIFFICULTY, household, _("This household is outside your area."))
    if need.is_converted:
        raise NeedAlreadyConverted
    return need, household


def _mark_converted(*, actor: Any, need: Need, now: datetime, **outcome: Any) -> None:
    """The compare-and-set that makes a need one thing, once; losing it rolls back the caller's transaction."""
    mark_converted(Need, pk=need.pk, outcome_fields=("matter", "wish"), actor=actor, now=now, **outcome)


def need_file_matter(
    *,
    actor: Any,
    need: Need,
    text: str | None = None,
    kind: str = "",
    now: datetime | None = None,
) -> Matter:
    """File the need as a matter (建档) at the household's building, by staff holding FILE_MATTERS there. ``text``
    defaults to the need's words; the matter names neither the household nor its difficulty."""
    when = now or timezone.now()
    with transaction.atomic():
        need, household = _need_for_conversion(actor, need)
        matter = household_matter_file(
            actor=actor,
            household=household,
            text=need.text if text is None else text,
            kind=kind,
            now=when,
        )
        _mark_converted(actor=actor, need=need, now=when, matter=matter)
        audit_record(
            actor=actor,
            action="care.need.file_matter",
            target=need,
            detail={"record": need.visit.record_id, "matter": matter.number},
        )
    return matter


def need_post_wish(
    *,
    actor: Any,
    need: Need,
    title: str,
    value: Decimal | None,
    beneficiary_name: str,
    beneficiary_phone: str = "",
    description: str = "",
    now: datetime | None = None,
) -> Wish:
    """Post the need as a micro-wish on the household's behalf (代发), in its community and building. The wish then
    awaits the community's review like any other."""
    when = now or timezone.now()
    with transaction.atomic():
        need, household = _need_for_conversion(actor, need)
        wish = household_wish_post(
            actor=actor,
            household=household,
            title=title,
            value=value,
            beneficiary_name=beneficiary_name,
            beneficiary_phone=beneficiary_phone,
            description=description,
            now=when,
        )
        _mark_converted(actor=actor, need=need, now=when, wish=wish)
        audit_record(
            actor=actor,
            action="care.need.post_wish",
            target=need,
            detail={"record": need.visit.record_id, "wish": wish.pk},
        )
    return wish

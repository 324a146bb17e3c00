"""Services of the estates app: estates (小区) and their owners' committees (业委会 / 物管会) — members, meetings and
their decisions, public duty notices (履职公示) — and the daily election warnings. Community staff and above
(MANAGE_ACTORS over the estate's community) write; every write is one transaction with its audit row.

An estate has at most one current (forming or active) committee: the services check it, and the database refuses a
second anyway (a partial unique constraint), so two people recording a committee at once get one committee and, for
the other, the same field error. Status moves are compare-and-set (``common.flows``) with an append-only history.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.models import User, UserKind
from gridwork.accounts.roles import Perm
from gridwork.audit.services import audit_record
from gridwork.common.flows import MoveRefused, StaleState, flow_move, flow_start
from gridwork.estates.elections import WARNING_DAYS, election_warning_kind
from gridwork.estates.flows import COMMITTEE_FLOW, COMMITTEE_FLOW_ACTIVE, CommitteeAction
from gridwork.estates.models import (
    CURRENT_STATES,
    Committee,
    CommitteeKind,
    CommitteeMeeting,
    CommitteeMember,
    CommitteeStatus,
    DutyNotice,
    ElectionWarning,
    Estate,
    EstateKind,
    MeetingDecision,
    MeetingKind,
    MemberRole,
    WarningKind,
)
from gridwork.party.models import PartyMember, PartyOrganisation
from gridwork.places.models import Place, PlaceLevel

PHONE_RE = re.compile(r"^[0-9+\-() ]{5,20}$")
MAX_HOUSEHOLDS = 100_000
MAX_VOTES = 100_000
ONE_CURRENT_CONSTRAINT = "estates_committee_one_current"
NAME_CONSTRAINT = "estates_estate_unique_name"


# --- who may ------------------------------------------------------------------------------------------------------


def manages_estate(user: Any, estate: Estate) -> bool:
    """A manager of the estate: MANAGE_ACTORS over its community (the estate's row re-read through the scope)."""
    return Estate.objects.restrict(user, Perm.MANAGE_ACTORS).filter(pk=estate.pk).exists()


def _require_manager(actor: Any, estate: Estate) -> None:
    if not manages_estate(actor, estate):
        raise PermissionDenied(_("This estate is outside the communities you manage."))


def _refusal(name: str, message: str) -> ValidationError:
    return ValidationError({name: [message]})


def _dates_in_order(errors: dict[str, list[str]], start: date | None, end: date | None, name: str) -> None:
    if start is not None and end is not None and end <= start:
        errors.setdefault(name, []).append(_("The term must end after it starts."))


def _is_constraint(error: IntegrityError, name: str) -> bool:
    return name in str(error) or name in str(getattr(error, "__cause__", ""))


# --- estates ------------------------------------------------------------------------------------------------------


@dataclass
class EstateInput:
    name: str
    community: Place
    kind: str = EstateKind.COMMERCIAL
    grids: list[Place] = field(default_factory=list)
    address: str = ""
    households: int = 0
    buildings: int = 0
    latitude: float | None = None
    longitude: float | None = None
    is_active: bool = True


def _estate_errors(actor: Any, values: EstateInput, *, exclude: int | None = None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    community = values.community
    name = values.name.strip()
    if community is None or community.level != PlaceLevel.COMMUNITY:
        errors["community"] = [_("Choose a community.")]
    elif not Place.objects.restrict(actor, Perm.MANAGE_ACTORS).filter(pk=community.pk).exists():
        errors["community"] = [_("This community is outside the units you manage.")]
    if not name:
        errors["name"] = [_("Give the estate's name.")]
    elif len(name) > 120:
        errors["name"] = [_("At most %(count)d characters.") % {"count": 120}]
    elif community is not None and (
        Estate.objects.filter(community=community, name=name).exclude(pk=exclude or 0).exists()
    ):
        errors["name"] = [_("The community has an estate of this name already.")]
    if values.kind not in EstateKind.values:
        errors["kind"] = [_("Choose the kind of estate.")]
    if community is not None:
        strays = [
            grid.name
            for grid in values.grids
            if grid.level != PlaceLevel.GRID or not grid.path.startswith(community.path)
        ]
        if strays:
            errors["grids"] = [
                _("Only grids of the estate's community: %(grids)s are not.") % {"grids": "、".join(strays)}
            ]
    for name_, number in (("households", values.households), ("buildings", values.buildings)):
        if not isinstance(number, int) or number < 0 or number > MAX_HOUSEHOLDS:
            errors[name_] = [_("A number from 0 to %(max)d.") % {"max": MAX_HOUSEHOLDS}]
    if values.latitude is not None and not -90 <= values.latitude <= 90:
        errors["latitude"] = [_("A latitude between -90 and 90.")]
    if values.longitude is not None and not -180 <= values.longitude <= 180:
        errors["longitude"] = [_("A longitude between -180 and 180.")]
    return errors


def _estate_fields(values: EstateInput) -> dict[str, Any]:
    return {
        "name": values.name.strip(),
        "community": values.community,
        "kind": values.kind,
        "address": values.address.strip(),
        "households": values.households,
        "buildings": values.buildings,
        "latitude": values.latitude,
        "longitude": values.longitude,
        "is_active": values.is_active,
    }


def _save_estate(estate: Estate, update_fields: list[str] | None = None) -> None:
    try:
        with transaction.atomic():
            estate.save(update_fields=update_fields)
    except IntegrityError as error:
        if _is_constraint(error, NAME_CONSTRAINT) or "UNIQUE" in str(error).upper():
            raise _refusal("name", _("The community has an estate of this name already.")) from error
        raise


def estate_create(*, actor: Any, values: EstateInput) -> Estate:
    """A new estate in a community the actor manages, with grids of that community only; audited."""
    errors = _estate_errors(actor, values)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        estate = Estate(**_estate_fields(values))
        _save_estate(estate)
        estate.grids.set(values.grids)
        audit_record(
            actor=actor, action="estates.estate_create", target=estate, detail={"community": estate.community.code}
        )
    return estate


def estate_update(*, actor: Any, estate: Estate, values: EstateInput) -> Estate:
    """Change an estate the actor manages (moving it only to another community they manage); audited."""
    _require_manager(actor, estate)
    errors = _estate_errors(actor, values, exclude=estate.pk)
    if errors:
        raise ValidationError(errors)
    fields = _estate_fields(values)
    changes = {
        name: value
        for name, value in fields.items()
        if (estate.community_id != value.pk if name == "community" else getattr(estate, name) != value)
    }
    grids_before = set(estate.grids.values_list("pk", flat=True))
    grids_after = {grid.pk for grid in values.grids}
    with transaction.atomic():
        if changes:
            for name, value in changes.items():
                setattr(estate, name, value)
            _save_estate(estate, update_fields=[*changes, "updated_at"])
        if grids_before != grids_after:
            estate.grids.set(values.grids)
        if changes or grids_before != grids_after:
            detail = sorted(changes) + (["grids"] if grids_before != grids_after else [])
            audit_record(actor=actor, action="estates.estate_update", target=estate, detail={"fields": detail})
    return estate


# --- committees ---------------------------------------------------------------------------------------------------


@dataclass
class CommitteeInput:
    kind: str = CommitteeKind.OWNERS
    formed_on: date | None = None
    term_start: date | None = None
    term_end: date | None = None
    next_election_date: date | None = None
    party_organisation: PartyOrganisation | None = None
    party_liaison_name: str = ""
    party_liaison_member: PartyMember | None = None
    notes: str = ""


def _committee_errors(estate: Estate, values: CommitteeInput, *, active: bool) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if values.kind not in CommitteeKind.values:
        errors["kind"] = [_("Choose the kind of committee.")]
    _dates_in_order(errors, values.term_start, values.term_end, "term_end")
    if active and (values.term_start is None or values.term_end is None):
        errors.setdefault("term_end", []).append(_("An elected committee has a term: give its start and end."))
    today = timezone.localdate()
    if values.formed_on is not None and values.formed_on > today:
        errors["formed_on"] = [_("Not a date in the future.")]
    community_path = estate.community.path
    organisation = values.party_organisation
    if organisation is not None and not organisation.place.path.startswith(community_path):
        errors["party_organisation"] = [_("Choose a party organisation of the estate's community.")]
    member = values.party_liaison_member
    if member is not None and not member.organisation.place.path.startswith(community_path):
        errors["party_liaison_member"] = [_("Choose a party member of the estate's community.")]
    if len(values.party_liaison_name.strip()) > 50:
        errors["party_liaison_name"] = [_("At most %(count)d characters.") % {"count": 50}]
    return errors


def _committee_fields(values: CommitteeInput) -> dict[str, Any]:
    return {
        "kind": values.kind,
        "formed_on": values.formed_on,
        "term_start": values.term_start,
        "term_end": values.term_end,
        # The next election falls when the term ends unless said otherwise.
        "next_election_date": values.next_election_date or values.term_end,
        "party_organisation": values.party_organisation,
        "party_liaison_name": values.party_liaison_name.strip(),
        "party_liaison_member": values.party_liaison_member,
        "notes": values.notes.strip(),
    }


def _one_current_refusal() -> ValidationError:
    return _refusal(
        "estate", _("The estate has a current committee already: end its term or dissolve it before recording another.")
    )


def has_current_committee(estate: Estate) -> bool:
    return Committee.objects.filter(estate=estate, state__in=CURRENT_STATES).exists()


def committee_create(*, actor: Any, estate: Estate, values: CommitteeInput, elected: bool = False) -> Committee:
    """Record the estate's committee, forming or (``elected``) active with its term; refused while the estate has a
    current one (also by the database, for two at once); audited, with the first event of its history."""
    _require_manager(actor, estate)
    errors = _committee_errors(estate, values, active=elected)
    if errors:
        raise ValidationError(errors)
    if not estate.is_active:
        raise _refusal("estate", _("The estate is no longer active."))
    if has_current_committee(estate):
        raise _one_current_refusal()
    committee = Committee(estate=estate, **_committee_fields(values))
    try:
        with transaction.atomic():
            flow_start(committee, flow=COMMITTEE_FLOW_ACTIVE if elected else COMMITTEE_FLOW, actor=actor)
            audit_record(
                actor=actor,
                action="estates.committee_create",
                target=committee,
                detail={"estate": estate.pk, "state": committee.state},
            )
    except IntegrityError as error:
        if _is_constraint(error, ONE_CURRENT_CONSTRAINT) or "UNIQUE" in str(error).upper():
            raise _one_current_refusal() from error
        raise
    return committee


def committee_update(*, actor: Any, committee: Committee, values: CommitteeInput) -> Committee:
    """Change a committee's kind, term, next election, party leadership and notes (a renewed term is a new term's
    dates on the same committee); audited with the fields changed. Its status moves only through ``committee_move``."""
    estate = committee.estate
    _require_manager(actor, estate)
    errors = _committee_errors(estate, values, active=committee.state == CommitteeStatus.ACTIVE)
    if errors:
        raise ValidationError(errors)
    fields = _committee_fields(values)
    changes = {}
    for name, value in fields.items():
        current = getattr(committee, f"{name}_id") if name in {"party_organisation", "party_liaison_member"} else None
        if name in {"party_organisation", "party_liaison_member"}:
            if current != (value.pk if value is not None else None):
                changes[name] = value
        elif getattr(committee, name) != value:
            changes[name] = value
    if not changes:
        return committee
    with transaction.atomic():
        for name, value in changes.items():
            setattr(committee, name, value)
        committee.save(update_fields=list(changes))
        audit_record(
            actor=actor, action="estates.committee_update", target=committee, detail={"fields": sorted(changes)}
        )
    return committee


def committee_move(
    *, actor: Any, committee: Committee, action: str, expected_version: int, note: str = ""
) -> Committee:
    """Move a committee's status (elected, term ended, dissolved) by the table in ``estates.flows``, compare-and-set
    on the version the user's page showed; audited. A committee becomes active only with its term's dates."""
    _require_manager(actor, committee.estate)
    if action == CommitteeAction.ACTIVATE and (committee.term_start is None or committee.term_end is None):
        raise _refusal("action", _("Record the term's start and end (edit the committee) before marking it elected."))
    try:
        with transaction.atomic():
            flow_move(
                committee,
                flow=COMMITTEE_FLOW,
                action=action,
                actor=actor,
                note=note.strip()[:300],
                expected_version=expected_version,
            )
            audit_record(
                actor=actor, action=f"estates.committee_{action}", target=committee, detail={"state": committee.state}
            )
    except MoveRefused as error:
        raise _refusal("action", str(error)) from error
    return committee


# --- members ------------------------------------------------------------------------------------------------------


@dataclass
class MemberInput:
    name: str
    role: str = MemberRole.MEMBER
    phone: str = ""
    is_party_member: bool = False
    is_community_leader: bool = False
    staff_user: User | None = None
    term_start: date | None = None
    term_end: date | None = None


def community_staff(community: Place) -> Any:
    """The staff with an active post at ``community``: whom a community-leader member may be linked to."""
    return (
        User.objects.filter(kind=UserKind.STAFF, is_active=True, posts__place=community, posts__is_active=True)
        .distinct()
        .order_by("full_name", "username")
    )


def _require_current(committee: Committee) -> None:
    if committee.state not in CURRENT_STATES:
        raise _refusal("committee", _("The committee is no longer current: nothing more is recorded on it."))


def member_add(*, actor: Any, committee: Committee, values: MemberInput) -> CommitteeMember:
    """A member of a current committee; a staff account may be linked only for a community leader (交叉任职) who
    holds a post at the estate's community; audited (the phone not in the audit row)."""
    _require_manager(actor, committee.estate)
    _require_current(committee)
    errors: dict[str, list[str]] = {}
    name = values.name.strip()
    if not name:
        errors["name"] = [_("Give the member's name.")]
    elif len(name) > 50:
        errors["name"] = [_("At most %(count)d characters.") % {"count": 50}]
    if values.role not in MemberRole.values:
        errors["role"] = [_("Choose the member's role.")]
    if values.phone.strip() and not PHONE_RE.match(values.phone.strip()):
        errors["phone"] = [_("Not a phone number.")]
    if values.staff_user is not None:
        if not values.is_community_leader:
            errors["staff_user"] = [_("Only a community leader sitting on the committee is linked to a staff account.")]
        elif not community_staff(committee.estate.community).filter(pk=values.staff_user.pk).exists():
            errors["staff_user"] = [_("Choose a staff member of the estate's community.")]
    _dates_in_order(errors, values.term_start, values.term_end, "term_end")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        member = CommitteeMember.objects.create(
            committee=committee,
            name=name,
            role=values.role,
            phone=values.phone.strip(),
            is_party_member=values.is_party_member,
            is_community_leader=values.is_community_leader,
            staff_user=values.staff_user,
            term_start=values.term_start or committee.term_start,
            term_end=values.term_end or committee.term_end,
        )
        audit_record(
            actor=actor,
            action="estates.member_add",
            target=member,
            detail={"committee": committee.pk, "role": member.role, "leader": member.is_community_leader},
        )
    return member


def member_leave(*, actor: Any, member: CommitteeMember, left_on: date | None = None) -> CommitteeMember:
    """A member leaves the committee (compare-and-set: only one who has not left); audited."""
    _require_manager(actor, member.committee.estate)
    left_on = left_on or timezone.localdate()
    with transaction.atomic():
        updated = CommitteeMember.objects.filter(pk=member.pk, left_on__isnull=True).update(left_on=left_on)
        if not updated:
            raise StaleState
        member.left_on = left_on
        audit_record(actor=actor, action="estates.member_leave", target=member, detail={"left_on": str(left_on)})
    return member


# --- meetings and decisions ---------------------------------------------------------------------------------------


@dataclass
class DecisionInput:
    text: str
    votes_for: int = 0
    votes_against: int = 0
    votes_abstain: int = 0


@dataclass
class MeetingInput:
    held_on: date
    topic: str
    kind: str = MeetingKind.COMMITTEE
    attendance: int = 0
    minutes: str = ""
    decisions: list[DecisionInput] = field(default_factory=list)


def _decision_errors(decision: DecisionInput, prefix: str = "") -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not decision.text.strip():
        errors[f"{prefix}text"] = [_("Say what was decided.")]
    for name in ("votes_for", "votes_against", "votes_abstain"):
        value = getattr(decision, name)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_VOTES:
            errors[f"{prefix}{name}"] = [_("A number from 0 to %(max)d.") % {"max": MAX_VOTES}]
    return errors


def meeting_record(*, actor: Any, committee: Committee, values: MeetingInput) -> CommitteeMeeting:
    """A meeting of a current committee, with its decisions and their votes; not in the future; audited."""
    _require_manager(actor, committee.estate)
    _require_current(committee)
    errors: dict[str, list[str]] = {}
    if values.held_on > timezone.localdate():
        errors["held_on"] = [_("Not a date in the future.")]
    if not values.topic.strip():
        errors["topic"] = [_("Give the meeting's topic.")]
    elif len(values.topic.strip()) > 200:
        errors["topic"] = [_("At most %(count)d characters.") % {"count": 200}]
    if values.kind not in MeetingKind.values:
        errors["kind"] = [_("Choose the kind of meeting.")]
    if not isinstance(values.attendance, int) or not 0 <= values.attendance <= MAX_VOTES:
        errors["attendance"] = [_("A number from 0 to %(max)d.") % {"max": MAX_VOTES}]
    for decision in values.decisions:
        errors.update(_decision_errors(decision, "decision_"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        meeting = CommitteeMeeting.objects.create(
            committee=committee,
            held_on=values.held_on,
            kind=values.kind,
            topic=values.topic.strip(),
            attendance=values.attendance,
            minutes=values.minutes.strip(),
            recorded_by=actor,
        )
        for decision in values.decisions:
            _create_decision(meeting, decision)
        audit_record(
            actor=actor,
            action="estates.meeting_record",
            target=meeting,
            detail={"committee": committee.pk, "decisions": len(values.decisions)},
        )
    return meeting


def _create_decision(meeting: CommitteeMeeting, values: DecisionInput) -> MeetingDecision:
    return MeetingDecision.objects.create(
        meeting=meeting,
        text=values.text.strip(),
        votes_for=values.votes_for,
        votes_against=values.votes_against,
        votes_abstain=values.votes_abstain,
    )


def decision_add(*, actor: Any, meeting: CommitteeMeeting, values: DecisionInput) -> MeetingDecision:
    """One more decision of a meeting, with its votes; audited."""
    _require_manager(actor, meeting.committee.estate)
    errors = _decision_errors(values)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        decision = _create_decision(meeting, values)
        audit_record(actor=actor, action="estates.decision_add", target=decision, detail={"meeting": meeting.pk})
    return decision


# --- duty notices (履职公示) ---------------------------------------------------------------------------------------


def notice_publish(
    *, actor: Any, committee: Committee, title: str, body: str, published_on: date | None = None
) -> DutyNotice:
    """A public notice of a current committee's duties, shown on the estate's public page; audited."""
    _require_manager(actor, committee.estate)
    _require_current(committee)
    published_on = published_on or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Give the notice a title.")]
    elif len(title.strip()) > 120:
        errors["title"] = [_("At most %(count)d characters.") % {"count": 120}]
    if not body.strip():
        errors["body"] = [_("Write the notice.")]
    if published_on > timezone.localdate():
        errors["published_on"] = [_("Not a date in the future.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        notice = DutyNotice.objects.create(
            committee=committee, title=title.strip(), body=body.strip(), published_on=published_on, published_by=actor
        )
        audit_record(actor=actor, action="estates.notice_publish", target=notice, detail={"committee": committee.pk})
    return notice


def notice_withdraw(*, actor: Any, notice: DutyNotice) -> DutyNotice:
    """Take a notice off the public page (compare-and-set: only a public one); audited."""
    _require_manager(actor, notice.committee.estate)
    with transaction.atomic():
        if not DutyNotice.objects.filter(pk=notice.pk, is_public=True).update(is_public=False):
            raise StaleState
        notice.is_public = False
        audit_record(actor=actor, action="estates.notice_withdraw", target=notice)
    return notice


# --- election warnings --------------------------------------------------------------------------------------------


def community_managers(community: Place) -> list[User]:
    """Whom to warn about an estate's committee: staff holding MANAGE_ACTORS at the community; when it has none, at
    the nearest unit above it that has some."""
    from gridwork.accounts.selectors import users_holding

    paths = community.ancestor_paths(include_self=True)
    places = {place.path: place.pk for place in Place.objects.filter(path__in=paths)}
    for path in reversed(paths):
        if path in places:
            users = users_holding(Perm.MANAGE_ACTORS, place_id=places[path])
            if users:
                return sorted(users, key=lambda user: user.pk)
    return []


def _warning_text(committee: Committee, kind: str) -> str:
    values = {
        "estate": committee.estate.name,
        "committee": committee.get_kind_display(),
        "date": committee.next_election_date.isoformat() if committee.next_election_date else "",
    }
    if kind == WarningKind.OVERDUE:
        return (
            _("The election of %(committee)s of %(estate)s was due on %(date)s and no new term is recorded.") % values
        )
    return _("The election of %(committee)s of %(estate)s is due on %(date)s: prepare the new term.") % values


def election_warnings_send(*, today: date | None = None) -> dict[str, int]:
    """Warn the community's managers of each active committee whose election is within 90 days, and once more when
    the date has passed without a new term (the committee still active with that date). Each warning is recorded
    (committee, election date, kind) under a unique constraint, so it goes once: a rerun repeats nothing, a missed
    day is caught up. A committee given a new election date is warned again for that date."""
    from gridwork.notifications.services import notification_send

    today = today or timezone.localdate()
    sent = {WarningKind.DUE.value: 0, WarningKind.OVERDUE.value: 0}
    candidates = (
        Committee.objects.filter(
            state=CommitteeStatus.ACTIVE,
            next_election_date__isnull=False,
            next_election_date__lte=today + timedelta(days=WARNING_DAYS),
        )
        .select_related("estate__community")
        .order_by("pk")
    )
    for committee in candidates:
        kind = election_warning_kind(committee.next_election_date, today)
        if kind is None or committee.next_election_date is None:
            continue
        if ElectionWarning.objects.filter(
            committee=committee, election_date=committee.next_election_date, kind=kind
        ).exists():
            continue
        recipients = community_managers(committee.estate.community)
        text = _warning_text(committee, kind)
        url = reverse("estates:committee-detail", args=[committee.pk])
        try:
            with transaction.atomic():
                ElectionWarning.objects.create(
                    committee=committee,
                    election_date=committee.next_election_date,
                    kind=kind,
                    sent_at=timezone.now(),
                    recipients=len(recipients),
                )
                transaction.on_commit(partial(notification_send, recipients=recipients, text=text, url=url))
        except IntegrityError:
            continue  # another run recorded it first
        sent[kind] += 1
    return sent

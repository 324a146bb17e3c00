"""Writes of the closed loop: filing a matter, and applying each move of the workflow with a compare-and-set.

Every move goes through ``matter_transition``: it checks who may act, applies the workflow table
(``workflow.apply``), saves only the changed fields with ``UPDATE … WHERE id = … AND version = … AND state = …``
(``select_for_update`` does nothing on SQLite, a conditional UPDATE works everywhere), and appends the event
in the same transaction. Notifications go out after commit.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.analytics import rollup
from gridwork.matters import notify
from gridwork.matters.models import (
    Category,
    Channel,
    DailySequence,
    IdempotencyRecord,
    Matter,
    MatterAssignment,
    MatterEvent,
    MatterPhoto,
    Urgency,
)
from gridwork.matters.move_data import clean_move_data
from gridwork.matters.photos import CleanPhoto
from gridwork.matters.questions import clean_attributes
from gridwork.matters.triage import KeywordTriage, get_triage_backend
from gridwork.matters.units import Unit, user_acts_for
from gridwork.matters.workflow import (
    SNAPSHOT_FIELDS,
    SUPERVISION_ACTIONS,
    TRANSITIONS,
    Action,
    Actor,
    ClosureReason,
    MatterKind,
    Snapshot,
    TransitionRefused,
    apply,
    ensure_possible,
    with_supervision,
)
from gridwork.places.locating import InvalidCoordinatesError, OutsideServiceAreaError, locate
from gridwork.places.models import Place, PlaceLevel
from gridwork.supervision.deadlines import plan_move
from gridwork.supervision.moves import supervision_move_offered
from gridwork.supervision.records import RecordConflict, write_records
from gridwork.webhooks.outbox import enqueue_for_event

TEXT_MIN, TEXT_MAX = 5, 2000
TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I


logger = logging.getLogger(__name__)


class MatterNotFound(Exception):
    """The matter does not exist or lies outside the user's scope (both answer 404)."""


class ConcurrentChange(Exception):
    """Someone else changed the matter first; reload and try again (409)."""


class NotAllowed(TransitionRefused):
    """The user may see the matter but may not take this move (403)."""


class IdempotencyConflict(Exception):
    """The same idempotency key was used before with a different submission (422)."""


@dataclass(frozen=True)
class Idempotency:
    scope: str
    key: str
    request_hash: str


@dataclass(frozen=True)
class FilingReceipt:
    matter_id: int
    number: str
    tracking_code: str
    replayed: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"matter_id": self.matter_id, "number": self.number, "tracking_code": self.tracking_code}


def request_fingerprint(fields: dict[str, Any]) -> str:
    """A stable hash of a submission's content, to tell a retry from a different request under the same key."""
    return hashlib.sha256(json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def tracking_code_hash(code: str) -> str:
    normalised = code.strip().upper().replace("-", "").replace(" ", "")
    return hmac.new(settings.SECRET_KEY.encode(), normalised.encode(), hashlib.sha256).hexdigest()


def _new_tracking_code() -> str:
    raw = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def _next_number(day: datetime) -> str:
    """GW + date + a 7-digit sequence of the day. Runs inside the filing transaction: the UPDATE locks the row."""
    local_day = timezone.localtime(day).date()
    DailySequence.objects.get_or_create(day=local_day)
    DailySequence.objects.filter(day=local_day).update(last=F("last") + 1)
    last = DailySequence.objects.values_list("last", flat=True).get(day=local_day)
    return f"GW{local_day:%Y%m%d}{last:07d}"


def _title_from(text: str) -> str:
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    return first_line[:30] + ("…" if len(first_line) > 30 else "")


def _place_for_filing(
    *, latitude: float | str | None, longitude: float | str | None, building: Place | None
) -> tuple[Place, Place | None, float | None, float | None]:
    """The grid (and building) of a new matter, from the chosen building or from the map pin."""
    if building is not None:
        if building.level != PlaceLevel.MICROGRID or building.parent is None:
            raise ValidationError({"building": _("Choose a building (micro-grid).")})
        return building.parent, building, building.latitude, building.longitude
    if latitude in (None, "") or longitude in (None, ""):
        raise ValidationError({"location": _("Put a pin on the map or choose the building.")})
    try:
        location = locate(latitude, longitude)  # type: ignore[arg-type]
    except InvalidCoordinatesError as error:
        raise ValidationError({"location": str(error)}) from error
    except OutsideServiceAreaError as error:
        raise ValidationError({"location": str(error)}) from error
    grid = Place.objects.get(pk=location.grid_id)
    return grid, None, float(latitude), float(longitude)  # type: ignore[arg-type]


def _check_filing(
    *,
    text: str,
    channel: str,
    urgency: str,
    kind: str,
    photo_count: int,
    media_url: str,
    category: Category | None,
    attributes: dict[str, Any] | None,
) -> dict[str, Any]:
    """The answers to the category's questions, or ValidationError naming every field of the filing that is wrong."""
    errors: dict[str, str] = {}
    if not TEXT_MIN <= len(text) <= TEXT_MAX:
        errors["text"] = _("Describe the matter in %(min)d to %(max)d characters (now %(n)d).") % {
            "min": TEXT_MIN,
            "max": TEXT_MAX,
            "n": len(text),
        }
    if channel not in Channel.values:
        errors["channel"] = _("Unknown channel.")
    if urgency not in Urgency.values:
        errors["urgency"] = _("Unknown urgency.")
    if kind and kind not in MatterKind.values:
        errors["kind"] = _("Unknown kind.")
    if photo_count > 9:
        errors["photos"] = _("At most 9 photos.")
    if len(media_url) > 500:
        errors["media_url"] = _("At most 500 characters.")
    answers: dict[str, Any] = {}
    if attributes is not None:
        try:
            answers = clean_attributes(category, attributes)
        except ValidationError as error:
            errors.update({field: messages[0] for field, messages in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return answers


def matter_file(
    *,
    actor: Any,
    channel: str,
    text: str,
    title: str = "",
    latitude: float | str | None = None,
    longitude: float | str | None = None,
    building: Place | None = None,
    address: str = "",
    category: Category | None = None,
    kind: str = "",
    urgency: str = Urgency.NORMAL,
    reporter_name: str = "",
    reporter_phone: str = "",
    is_anonymous: bool = False,
    photos: Sequence[CleanPhoto] = (),
    idempotency: Idempotency | None = None,
    external_ref: str = "",
    attributes: dict[str, Any] | None = None,
    media_url: str = "",
    now: datetime | None = None,
) -> FilingReceipt:
    """建档: file a matter from any channel. Locates it, suggests category and unit, numbers it, records the event.

    A retry with the same idempotency key returns the first receipt and files nothing; the same key with a
    different submission raises IdempotencyConflict. ``attributes`` (answers to the category's extra questions) are
    checked only where the channel asks them (Open311, the API); ``None`` means the channel does not.
    """
    if idempotency is not None:
        earlier = _idempotent_receipt(idempotency)
        if earlier is not None:
            return earlier
    text = text.strip()
    answers = _check_filing(
        text=text,
        channel=channel,
        urgency=urgency,
        kind=kind,
        photo_count=len(photos),
        media_url=media_url,
        category=category,
        attributes=attributes,
    )
    grid, building, latitude_value, longitude_value = _place_for_filing(
        latitude=latitude, longitude=longitude, building=building
    )
    backend = get_triage_backend()
    try:
        suggestion = backend.suggest(text, grid)
    except Exception:  # a broken model must not stop a filing: the keyword rules answer
        logger.exception("triage backend failed; the keyword rules answer")
        suggestion = KeywordTriage().suggest(text, grid)
    if category is None and suggestion.category_id is not None and suggestion.confidence >= 0.6:
        category = Category.objects.filter(pk=suggestion.category_id).first()
    final_kind = kind or (category.default_kind if category else suggestion.kind) or MatterKind.PERSONAL
    codes = grid.ancestor_codes()
    ancestors = {p.level: p for p in Place.objects.filter(code__in=codes)}
    when = now or timezone.now()
    reporter = (
        actor if getattr(actor, "is_authenticated", False) and not getattr(actor, "is_staff_member", True) else None
    )
    filer = actor if getattr(actor, "is_authenticated", False) and getattr(actor, "is_staff_member", False) else None
    tracking_code = "" if reporter is not None else _new_tracking_code()
    file_data = {
        "kind": final_kind,
        "category_id": category.pk if category else None,
        "urgency": urgency,
        "suggestion": {
            "category_id": suggestion.category_id,
            "kind": suggestion.kind,
            "confidence": round(suggestion.confidence, 3),
            "unit": list(suggestion.unit.as_pair()) if suggestion.unit else None,
            "reasons": suggestion.reasons,
            "label": suggestion.label,
            "model_version": suggestion.model_version,
        },
    }
    snapshot = apply(Snapshot(), Action.FILE, file_data)
    try:
        with transaction.atomic():
            matter = Matter.objects.create(
                number=_next_number(when),
                channel=channel,
                external_ref=external_ref,
                title=(title.strip() or _title_from(text))[:100],
                text=text,
                category=category,
                kind=snapshot.kind,
                urgency=snapshot.urgency,
                grid=grid,
                community=ancestors[PlaceLevel.COMMUNITY],
                street=ancestors[PlaceLevel.STREET],
                district=ancestors[PlaceLevel.DISTRICT],
                building=building,
                place_path=grid.path,
                latitude=latitude_value,
                longitude=longitude_value,
                address=address.strip()[:200],
                attributes=answers,
                media_url=media_url,
                reporter=reporter,
                reporter_name=reporter_name.strip()[:50],
                reporter_phone=reporter_phone.strip()[:20],
                is_anonymous=is_anonymous,
                tracking_code_hash=tracking_code_hash(tracking_code) if tracking_code else "",
                filed_by=filer,
                state=snapshot.state,
                hard_stage=snapshot.hard_stage,
                version=1,
                created_at=when,
            )
            event = MatterEvent.objects.create(
                matter=matter,
                sequence=1,
                action=Action.FILE,
                from_state="",
                to_state=snapshot.state,
                **_actor_fields(actor, matter),
                at=when,
                data=file_data,
            )
            enqueue_for_event(event)
            rollup.matter_filed(matter, snapshot=snapshot, at=when)
            _save_photos(matter, event, photos, when)
            receipt = FilingReceipt(matter_id=matter.pk, number=matter.number, tracking_code=tracking_code)
            if idempotency is not None:
                IdempotencyRecord.objects.create(
                    scope=idempotency.scope,
                    key=idempotency.key,
                    request_hash=idempotency.request_hash,
                    matter=matter,
                    response=receipt.as_json(),
                )
    except IntegrityError:
        # Two retries raced: the other one filed it. Answer with its receipt; anything else is a real error.
        if idempotency is not None:
            earlier = _idempotent_receipt(idempotency)
            if earlier is not None:
                return earlier
        raise
    after_filing = getattr(backend, "after_filing", None)
    if after_filing is not None:  # smart triage's automatic dispatch: whatever happens there, the filing stands
        try:
            with transaction.atomic():
                after_filing(matter, suggestion)
        except Exception:
            logger.exception("automatic dispatch of %s failed; it waits for a dispatcher", matter.number)
    return receipt


def _idempotent_receipt(idempotency: Idempotency) -> FilingReceipt | None:
    record = IdempotencyRecord.objects.filter(scope=idempotency.scope, key=idempotency.key).first()
    if record is None:
        return None
    if record.request_hash != idempotency.request_hash:
        raise IdempotencyConflict(_("This idempotency key was already used for a different submission."))
    return FilingReceipt(
        matter_id=record.response["matter_id"],
        number=record.response["number"],
        tracking_code=record.response.get("tracking_code", ""),
        replayed=True,
    )


def _save_photos(matter: Matter, event: MatterEvent, photos: Sequence[CleanPhoto], when: datetime) -> None:
    for photo in photos:
        item = MatterPhoto(
            matter=matter, event=event, size=len(photo.content), content_type=photo.content_type, created_at=when
        )
        # Named, so that the ImageField reads the width and height from the content.
        item.image.save(photo.name, ContentFile(photo.content, name=photo.name), save=False)
        item.save()


def _holds_tracking_code(actor: Any, matter: Matter) -> bool:
    """Whether ``actor`` proved this matter's tracking code (``tracking.TrackingCodeHolder``: an anonymous reporter)."""
    code = str(getattr(actor, "tracking_code", "") or "")
    return bool(code and matter.tracking_code_hash) and hmac.compare_digest(
        matter.tracking_code_hash, tracking_code_hash(code)
    )


def _actor_fields(actor: Any, matter: Matter) -> dict[str, Any]:
    if getattr(actor, "is_system", False):
        return {"actor": None, "actor_name": "", "actor_role": "system", "actor_unit": ""}
    if not getattr(actor, "is_authenticated", False):
        role = "reporter" if _holds_tracking_code(actor, matter) else ""
        return {"actor": None, "actor_name": "", "actor_role": role, "actor_unit": ""}
    posts = getattr(actor, "active_posts", [])
    post = next((p for p in posts if matter.place_path.startswith(p.place.path)), posts[0] if posts else None)
    return {
        "actor": actor,
        "actor_name": str(actor)[:100],
        "actor_role": post.role if post else "resident",
        "actor_unit": (post.department.name if post and post.department else post.place.name if post else "")[:120],
    }


def snapshot_of(matter: Matter) -> Snapshot:
    """The stored workflow fields of a matter, in the shape that folding its events gives."""
    co_units = tuple(
        sorted(matter.assignments.values_list("place_id", "department_id"), key=lambda u: (u[0] or 0, u[1] or 0))
    )
    return Snapshot(
        state=matter.state,
        kind=matter.kind,
        category_id=matter.category_id,
        urgency=matter.urgency,
        lead_place_id=matter.lead_place_id,
        lead_department_id=matter.lead_department_id,
        co_units=co_units,
        return_count=matter.return_count,
        reopen_count=matter.reopen_count,
        extension_pending=matter.extension_pending,
        extension_count=matter.extension_count,
        extension_days=matter.extension_days,
        consultation_recorded=matter.consultation_recorded,
        satisfaction=matter.satisfaction,
        closure_reason=matter.closure_reason,
        duplicate_of_id=matter.duplicate_of_id,
        due_stage=matter.due_stage,
        due_at=matter.due_at,
        warn_at=matter.warn_at,
        supervision_open=matter.supervision_open,
        supervision_count=matter.supervision_count,
        urge_count=matter.urge_count,
        hard_level=matter.hard_level,
        level_due=matter.level_due,
        hard_stage=matter.hard_stage,
        leader=matter.leader,
    )


class SystemActor:
    """The platform itself (the deadline sweep). It sees every matter and takes only the moves in SYSTEM_MOVES."""

    is_authenticated = False
    is_system = True
    pk = None
    active_posts: tuple[Any, ...] = ()

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()
SYSTEM_MOVES = frozenset({Action.ESCALATE, Action.DISPATCH})  # the deadline sweep; smart triage's auto-dispatch


def _visible(actor: Any, matter_id: int) -> Matter:
    if getattr(actor, "is_system", False):
        found = Matter.objects.filter(pk=matter_id).first()
        if found is None:
            raise MatterNotFound
        return found
    matter = Matter.objects.restrict(actor, Perm.VIEW_MATTERS).filter(pk=matter_id).first()
    if matter is None and getattr(actor, "is_authenticated", False):
        matter = Matter.objects.filter(pk=matter_id, reporter=actor).first()
    if matter is None and str(getattr(actor, "tracking_code", "") or ""):
        matter = Matter.objects.filter(pk=matter_id).first()
        if matter is not None and not _holds_tracking_code(actor, matter):
            matter = None
    if matter is None:
        raise MatterNotFound
    return matter


def _may_dispatch(actor: Any, matter: Matter) -> bool:
    return Matter.objects.restrict(actor, Perm.DISPATCH_MATTERS).filter(pk=matter.pk).exists()


def _holds_over(actor: Any, matter: Matter, perm: str) -> bool:
    return Matter.objects.restrict(actor, perm).filter(pk=matter.pk).exists()


def _check_actor(actor: Any, matter: Matter, move_actor: Actor, action: str = "") -> None:
    lead = Unit(place_id=matter.lead_place_id, department_id=matter.lead_department_id)
    allowed = False
    if getattr(actor, "is_system", False):
        allowed = action in SYSTEM_MOVES
    elif move_actor == Actor.SUPERVISOR:
        allowed = _holds_over(actor, matter, Perm.SUPERVISE_MATTERS)
    elif move_actor == Actor.ESCALATOR:
        allowed = _holds_over(actor, matter, Perm.ESCALATE_MATTERS)
    elif move_actor == Actor.TASKED_UNIT:
        from gridwork.supervision.models import UnitTask

        open_tasks = UnitTask.objects.filter(matter=matter, reported_at__isnull=True).values_list(
            "place_id", "department_id"
        )
        allowed = any(user_acts_for(actor, Unit(place_id=p, department_id=d)) for p, d in open_tasks)
    elif move_actor == Actor.DISPATCHER:
        allowed = _may_dispatch(actor, matter)
    elif move_actor == Actor.LEAD_UNIT:
        allowed = user_acts_for(actor, lead)
    elif move_actor == Actor.HANDLING_UNIT:
        allowed = user_acts_for(actor, lead) or any(
            user_acts_for(actor, Unit(place_id=a.place_id, department_id=a.department_id))
            for a in matter.assignments.all()
        )
    elif move_actor == Actor.RATER:
        is_reporter = (
            matter.reporter_id is not None and matter.reporter_id == getattr(actor, "pk", None)
        ) or _holds_tracking_code(actor, matter)
        allowed = is_reporter or Matter.objects.restrict(actor, Perm.CALL_BACK).filter(pk=matter.pk).exists()
    if not allowed:
        raise NotAllowed(_("You may not take this step on this matter."), code="not_allowed")


_TIMESTAMPS: dict[str, str] = {
    Action.DISPATCH: "dispatched_at",
    Action.OVERRULE: "dispatched_at",
    Action.ACCEPT: "accepted_at",
    Action.REPLY: "replied_at",
    Action.CLOSE_BY_AGREEMENT: "closed_at",
    Action.VERIFY_CLOSE: "closed_at",
    Action.DISCARD: "closed_at",
}


def matter_transition(
    *,
    actor: Any,
    matter_id: int,
    action: str,
    data: dict[str, Any] | None = None,
    note: str = "",
    expected_version: int | None = None,
    photos: Sequence[CleanPhoto] = (),
    now: datetime | None = None,
) -> Matter:
    """Apply one move of the loop as ``actor``; refuse what the table or the rules do not allow, changing nothing."""
    data = dict(data or {})
    matter = _visible(actor, matter_id)
    move = TRANSITIONS.get(action)
    if move is None or action == Action.FILE:
        raise TransitionRefused(_("Unknown action “%(action)s”.") % {"action": action}, code="unknown_action")
    if expected_version is not None and expected_version != matter.version:
        raise ConcurrentChange(_("This matter was changed by someone else. Reload it and try again."))
    _check_actor(actor, matter, move.actor, action)
    ensure_possible(matter.state, action)  # the state first: a malformed move on a closed matter is "wrong state"
    when = now or timezone.now()
    data = clean_move_data(matter=matter, action=action, data=data, note=note, actor=actor, when=when)
    before = snapshot_of(matter)
    after = apply(before, action, data)
    planned = plan_move(before=before, after=after, action=action, data=data, when=when)
    if planned:  # the same as applying the move with the planned deadlines in its data: the rules are idempotent
        data.update(planned)
        after = with_supervision(after, action, data)
    changed = {
        name: getattr(after, name)
        for name in SNAPSHOT_FIELDS
        if name != "co_units" and getattr(after, name) != getattr(before, name)
    }
    if action in _TIMESTAMPS:
        changed[_TIMESTAMPS[action]] = when
    changed["updated_at"] = when  # .update() skips auto_now
    if action == Action.REPLY:
        changed["reply_text"] = str(data.get("text", ""))
    with transaction.atomic():
        updated = Matter.objects.filter(pk=matter.pk, version=matter.version, state=matter.state).update(
            version=F("version") + 1, **changed
        )
        if updated != 1:
            raise ConcurrentChange(_("This matter was changed by someone else. Reload it and try again."))
        if after.co_units != before.co_units:
            matter.assignments.all().delete()
            MatterAssignment.objects.bulk_create(
                MatterAssignment(matter=matter, place_id=place_id, department_id=department_id)
                for place_id, department_id in after.co_units
            )
        event = MatterEvent.objects.create(
            matter=matter,
            sequence=matter.version + 1,
            action=action,
            from_state=before.state,
            to_state=after.state,
            **_actor_fields(actor, matter),
            at=when,
            note=note.strip(),
            data=data,
        )
        enqueue_for_event(event)
        rollup.deadline_passed(matter, before=before, after=after, at=when)
        rollup.matter_moved(matter, action=action, before=before, after=after, data=data, at=when)
        _save_photos(matter, event, photos, when)
        _moved(actor=actor, matter=matter, event=event, note=note, when=when)
        if action in SUPERVISION_ACTIONS:
            try:
                write_records(matter=matter, event=event, action=action, data=data, actor=actor, when=when)
            except RecordConflict as error:
                raise ConcurrentChange(_("Someone else did this first. Reload the matter.")) from error
    transaction.on_commit(lambda: notify.safely(notify.matter_moved, event_id=event.pk))
    matter.refresh_from_db()
    return matter


def _moved(*, actor: Any, matter: Matter, event: MatterEvent, note: str, when: datetime) -> None:
    """What a move brings along, in its transaction: a dispatcher's other category is a lesson for the next triage
    model; a close as a duplicate makes its reporter follow the original."""
    data = event.data or {}
    if event.action == Action.DISPATCH:
        after_move = getattr(get_triage_backend(), "after_move", None)
        if after_move is not None:
            try:
                with transaction.atomic():
                    after_move(matter, event)
            except Exception:  # the lesson is lost, never the dispatch
                logger.exception("triage correction of %s not recorded", matter.number)
    if event.action == Action.DISCARD and data.get("reason") == ClosureReason.DUPLICATE and data.get("duplicate_of_id"):
        from gridwork.matters.merge import follow_original

        follow_original(actor=actor, duplicate=matter, original_id=data["duplicate_of_id"], note=note, when=when)


def matter_allowed_actions(*, actor: Any, matter: Matter) -> list[str]:
    """The moves ``actor`` may take on ``matter`` now, by the same checks ``matter_transition`` makes (no writes).

    Pages show exactly these actions; a rule that needs the move's data (a consultation before a reply, say) is
    still checked when the move is made.
    """
    allowed = []
    snapshot = snapshot_of(matter)
    for action, move in TRANSITIONS.items():
        if action == Action.FILE or matter.state not in move.sources:
            continue
        try:
            apply(snapshot, action, _TYPICAL_DATA.get(action, {}))  # the loop's own rules: a pending extension…
            _check_actor(actor, matter, move.actor, action)
            if action in SUPERVISION_ACTIONS and not supervision_move_offered(matter=matter, action=action):
                continue
        except TransitionRefused:
            continue
        allowed.append(str(action))
    return allowed


# Ordinary data for each move, to ask the workflow whether the move is possible at all in this snapshot.
_TYPICAL_DATA: dict[str, dict[str, Any]] = {
    Action.DISPATCH: {"kind": MatterKind.PERSONAL, "lead_place_id": 1, "urgency": Urgency.NORMAL},
    Action.REQUEST_EXTENSION: {"days": 1},
    Action.DECIDE_EXTENSION: {"approved": True, "days": 1},
    Action.RATE: {"satisfaction": "satisfied"},
    Action.DISCARD: {"reason": "invalid"},
    Action.REPLY: {"text": "-"},
    Action.SUPERVISE: {"deadline": {"stage": "reply"}},
    Action.WHISTLE: {"units": [[None, 0]]},
    Action.RECORD_MEETING: {"units": [[None, 0]]},
    Action.DEESCALATE: {"reason": "-"},
}


def matter_receipt_lookup(*, number: str, tracking_code: str) -> Matter | None:
    """The matter with this number and tracking code, for an anonymous reporter following it."""
    code_hash = tracking_code_hash(tracking_code)
    matter = Matter.objects.filter(number=number.strip().upper()).first()
    if matter is None or not matter.tracking_code_hash or not hmac.compare_digest(matter.tracking_code_hash, code_hash):
        return None
    return matter

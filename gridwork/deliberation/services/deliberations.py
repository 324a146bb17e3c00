"""议事: opening a deliberation, residents' votes and comments, the meeting record that closes it, cancelling, and the
system's reminder to record the meeting once the voting window has ended."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.models import User
from gridwork.audit.services import audit_record
from gridwork.common.flows import StaleState, flow_move, flow_start
from gridwork.common.numbering import next_number
from gridwork.deliberation.flows import DELIBERATION_FLOW, DeliberationAction
from gridwork.deliberation.models import (
    MAX_OPTIONS,
    MIN_OPTIONS,
    AuthorKind,
    Deliberation,
    DeliberationComment,
    DeliberationOption,
    DeliberationState,
    DeliberationVote,
    MeetingRecord,
)
from gridwork.deliberation.services.base import (
    AlreadyVoted,
    NotNow,
    managers_of,
    manages,
    notify_after_commit,
    now_or,
    require_manager,
    require_participant,
    retrying,
    signed_in,
    text_errors,
)
from gridwork.people.models import Resident
from gridwork.places.models import Place, PlaceLevel

MAX_TOPIC = 100
MAX_BACKGROUND = 4000
MAX_OPTION = 200
MAX_COMMENT = 1000
MAX_REASON = 200
MAX_PARTICIPANTS = 2000
MAX_DECISION = 4000
MAX_WINDOW_DAYS = 60
MAX_PARTICIPANTS_COUNT = 100_000
MAX_COMMENTS_PER_RESIDENT = 20  # on one deliberation: room to discuss, not to flood the page
EARLIEST_START = timedelta(days=1)  # a window may start at most this long before it is opened (the form's "now")


# --- numbering ------------------------------------------------------------------------------------------------------


def deliberation_next_number(year: int) -> str:
    """议-YYYY-NNNNNN: the year's highest number plus one, the year's numbers locked until the transaction ends
    (``next_number``); should two openings still clash, the unique number makes one fail and it takes the next one
    (``deliberation_open`` retries)."""
    return next_number(Deliberation, prefix=f"议-{year}-", width=6)


# --- opening --------------------------------------------------------------------------------------------------------


def clean_options(options: Sequence[str]) -> tuple[list[str], str]:
    """The options without blanks, and the error message when they are not 2–10 distinct answers of at most 200
    characters."""
    cleaned = [option.strip() for option in options if option and option.strip()]
    if len(cleaned) < MIN_OPTIONS:
        return cleaned, _("Give at least %(count)d options, one per line.") % {"count": MIN_OPTIONS}
    if len(cleaned) > MAX_OPTIONS:
        return cleaned, _("Give at most %(count)d options (now %(n)d).") % {"count": MAX_OPTIONS, "n": len(cleaned)}
    for option in cleaned:
        if len(option) > MAX_OPTION:
            return cleaned, _("An option has at most %(count)d characters: “%(option)s…”.") % {
                "count": MAX_OPTION,
                "option": option[:20],
            }
    if len({option.casefold() for option in cleaned}) != len(cleaned):
        return cleaned, _("Two options are the same: each option must be different.")
    return cleaned, ""


def _window_errors(opens_at: datetime | None, closes_at: datetime | None, at: datetime, errors: dict[str, str]) -> None:
    if opens_at is None:
        errors["opens_at"] = _("Say when voting opens.")
    elif opens_at < at - EARLIEST_START:
        errors["opens_at"] = _("Voting cannot open in the past.")
    if closes_at is None:
        errors["closes_at"] = _("Say when voting closes.")
    elif closes_at <= at:
        errors["closes_at"] = _("Voting must close in the future.")
    elif opens_at is not None and closes_at <= opens_at:
        errors["closes_at"] = _("Voting must close after it opens.")
    elif opens_at is not None and closes_at - opens_at > timedelta(days=MAX_WINDOW_DAYS):
        errors["closes_at"] = _("Voting lasts at most %(days)d days.") % {"days": MAX_WINDOW_DAYS}


def deliberation_open(
    *,
    actor: Any,
    community: Place | None,
    topic: str,
    background: str,
    options: Sequence[str],
    opens_at: datetime | None,
    closes_at: datetime | None,
    comments_allowed: bool = True,
    at: datetime | None = None,
) -> Deliberation:
    """A community's staff open a deliberation: the topic, the background, 2–10 options and the voting window.
    ``ValidationError`` on the field at fault; ``PermissionDenied`` outside the actor's communities."""
    signed_in(actor)
    when = now_or(at)
    errors: dict[str, str] = {}
    if community is None or community.level != PlaceLevel.COMMUNITY:
        errors["community"] = _("Choose the community whose residents deliberate.")
    else:
        require_manager(actor, community)
    topic = text_errors(errors, "topic", topic, required=_("Give the topic."), limit=MAX_TOPIC)
    background = text_errors(
        errors,
        "background",
        background,
        required=_("Explain the background: what the question is, why it comes up, what is known."),
        limit=MAX_BACKGROUND,
    )
    cleaned, message = clean_options(options)
    if message:
        errors["options"] = message
    _window_errors(opens_at, closes_at, when, errors)
    if errors:
        raise ValidationError(errors)
    assert community is not None
    assert opens_at is not None
    assert closes_at is not None

    def attempt() -> Deliberation:
        with transaction.atomic():
            deliberation = Deliberation(
                number=deliberation_next_number(timezone.localtime(when).year),
                community=community,
                topic=topic,
                background=background,
                comments_allowed=comments_allowed,
                opens_at=opens_at,
                closes_at=closes_at,
                created_by=actor,
                created_at=when,
            )
            flow_start(
                deliberation,
                flow=DELIBERATION_FLOW,
                actor=actor,
                data={"options": cleaned, "opens_at": opens_at.isoformat(), "closes_at": closes_at.isoformat()},
                at=when,
            )
            DeliberationOption.objects.bulk_create(
                DeliberationOption(deliberation=deliberation, position=position, text=text)
                for position, text in enumerate(cleaned, start=1)
            )
            return deliberation

    return retrying(attempt, IntegrityError)


# --- votes ------------------------------------------------------------------------------------------------------------


def voting_refusal(deliberation: Deliberation, at: datetime) -> str:
    """Why nobody may vote now (closed, cancelled, not yet open, over); empty while voting is open."""
    if deliberation.state != DeliberationState.OPEN:
        return _("This deliberation is %(state)s: voting is over.") % {
            "state": deliberation.get_state_display().lower()
        }
    if at < deliberation.opens_at:
        return _("Voting opens at %(when)s.") % {"when": f"{timezone.localtime(deliberation.opens_at):%Y-%m-%d %H:%M}"}
    if at >= deliberation.closes_at:
        return _("Voting closed at %(when)s.") % {
            "when": f"{timezone.localtime(deliberation.closes_at):%Y-%m-%d %H:%M}"
        }
    return ""


def _already_voted(vote: DeliberationVote) -> AlreadyVoted:
    return AlreadyVoted(
        _("You already voted on %(when)s, for “%(option)s”. A vote cannot be changed or cast twice.")
        % {"when": f"{timezone.localtime(vote.cast_at):%Y-%m-%d %H:%M}", "option": vote.option.text}
    )


def deliberation_vote(
    *, actor: Any, deliberation: Deliberation, option: DeliberationOption | None, at: datetime | None = None
) -> DeliberationVote:
    """A verified resident of the community votes for one option, once: a second vote is refused (``AlreadyVoted``),
    never replaces the first; the database's unique constraint refuses it even when both are sent at once.
    ``PermissionDenied`` (with the reason) for anyone but a verified resident of the community; ``NotNow`` outside
    the voting window; ``ValidationError`` on ``option``."""
    when = now_or(at)
    deliberation = Deliberation.objects.select_related("community").get(pk=deliberation.pk)
    resident = require_participant(actor, deliberation.community)
    refusal = voting_refusal(deliberation, when)
    if refusal:
        raise NotNow(refusal)
    if option is None or option.deliberation_id != deliberation.pk:
        raise ValidationError({"option": _("Choose one of the options.")})
    earlier = earlier_vote(deliberation=deliberation, resident=resident)
    if earlier is not None:
        raise _already_voted(earlier)
    try:
        with transaction.atomic():
            return DeliberationVote.objects.create(
                deliberation=deliberation, option=option, resident=resident, user=actor, cast_at=when
            )
    except IntegrityError as error:  # a vote sent at the same moment got in first: the unique constraint refused this
        earlier = earlier_vote(deliberation=deliberation, resident=resident)
        if earlier is None:
            raise
        raise _already_voted(earlier) from error


def earlier_vote(*, deliberation: Deliberation, resident: Any) -> DeliberationVote | None:
    """The resident's vote on the deliberation, if any (read outside any transaction: the friendly check before the
    insert; the database's unique constraint is what holds)."""
    return (
        DeliberationVote.objects.select_related("option").filter(deliberation=deliberation, resident=resident).first()
    )


# --- comments ---------------------------------------------------------------------------------------------------------


def deliberation_comment(
    *, actor: Any, deliberation: Deliberation, text: str, at: datetime | None = None
) -> DeliberationComment:
    """A verified resident of the community (or the community's staff, answering) comments while the deliberation is
    open and comments are allowed."""
    when = now_or(at)
    signed_in(actor)
    deliberation = Deliberation.objects.select_related("community").get(pk=deliberation.pk)
    staff = manages(actor, deliberation.community)
    resident = None if staff else require_participant(actor, deliberation.community)
    if deliberation.state != DeliberationState.OPEN:
        raise NotNow(_("This deliberation is closed to comments."))
    if not deliberation.comments_allowed:
        raise NotNow(_("Comments are not taken on this deliberation."))
    errors: dict[str, str] = {}
    text = text_errors(errors, "text", text, required=_("Write your comment."), limit=MAX_COMMENT, minimum=2)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if resident is not None:
            # One resident's comments one at a time, so that the limit holds when the form is sent many times at once.
            Resident.objects.select_for_update().filter(pk=resident.pk).exists()
            written = DeliberationComment.objects.filter(deliberation=deliberation, resident=resident).count()
            if written >= MAX_COMMENTS_PER_RESIDENT:
                raise NotNow(
                    _("You have written %(count)d comments on this deliberation, the most one resident may.")
                    % {"count": MAX_COMMENTS_PER_RESIDENT}
                )
        return DeliberationComment.objects.create(
            deliberation=deliberation,
            author=actor,
            author_kind=AuthorKind.STAFF if staff else AuthorKind.RESIDENT,
            resident=resident,
            text=text,
            created_at=when,
        )


def comment_hide(
    *, actor: Any, comment: DeliberationComment, reason: str, at: datetime | None = None
) -> DeliberationComment:
    """The community's staff hide a comment (insults, personal data…) with a reason shown in its place; audited."""
    when = now_or(at)
    comment = DeliberationComment.objects.select_related("deliberation__community").get(pk=comment.pk)
    require_manager(actor, comment.deliberation.community)
    errors: dict[str, str] = {}
    reason = text_errors(
        errors, "reason", reason, required=_("Say why the comment is hidden: it is shown in its place."), limit=200
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        hidden = DeliberationComment.objects.filter(pk=comment.pk, hidden_at__isnull=True).update(
            hidden_at=when, hidden_by=actor, hidden_reason=reason
        )
        if not hidden:
            raise NotNow(_("This comment is hidden already."))
        audit_record(
            actor=actor,
            action="deliberation.comment.hide",
            target=comment,
            detail={"deliberation": comment.deliberation.number, "reason": reason},
        )
    comment.refresh_from_db()
    return comment


# --- the meeting: closing ---------------------------------------------------------------------------------------------


def _meeting_errors(
    deliberation: Deliberation,
    *,
    held_on: date | None,
    participants_count: int | None,
    chosen_option: DeliberationOption | None,
    today: date,
    errors: dict[str, str],
) -> None:
    opened_on = timezone.localtime(deliberation.created_at).date()
    if held_on is None:
        errors["held_on"] = _("Give the date of the meeting.")
    elif held_on > today:
        errors["held_on"] = _("Record a meeting once it has been held (not in the future).")
    elif held_on < opened_on:
        errors["held_on"] = _("The meeting cannot be before the deliberation was opened (%(date)s).") % {
            "date": opened_on.isoformat()
        }
    if participants_count is None or not 1 <= participants_count <= MAX_PARTICIPANTS_COUNT:
        errors["participants_count"] = _("Give how many people took part (at least 1).")
    if chosen_option is not None and chosen_option.deliberation_id != deliberation.pk:
        errors["chosen_option"] = _("Choose one of this deliberation's options, or none.")


def deliberation_close(
    *,
    actor: Any,
    deliberation: Deliberation,
    held_on: date | None,
    participants_count: int | None,
    participants: str,
    decision: str,
    chosen_option: DeliberationOption | None,
    expected_version: int,
    at: datetime | None = None,
) -> MeetingRecord:
    """议事会: the meeting's record — when, how many and who took part, the decision and the option chosen (or none) —
    closes the deliberation; voting ends and the tally is published. The residents who voted or commented are told
    after commit."""
    when = now_or(at)
    deliberation = Deliberation.objects.select_related("community").get(pk=deliberation.pk)
    require_manager(actor, deliberation.community)
    DELIBERATION_FLOW.target(deliberation.state, DeliberationAction.CLOSE)  # MoveRefused once closed or cancelled
    errors: dict[str, str] = {}
    _meeting_errors(
        deliberation,
        held_on=held_on,
        participants_count=participants_count,
        chosen_option=chosen_option,
        today=timezone.localtime(when).date(),
        errors=errors,
    )
    participants = text_errors(
        errors,
        "participants",
        participants,
        required=_("Name who took part and in which role (residents' representatives, staff, units…)."),
        limit=MAX_PARTICIPANTS,
    )
    decision = text_errors(errors, "decision", decision, required=_("Write the decision."), limit=MAX_DECISION)
    if errors:
        raise ValidationError(errors)
    assert held_on is not None
    assert participants_count is not None
    with transaction.atomic():
        flow_move(
            deliberation,
            flow=DELIBERATION_FLOW,
            action=DeliberationAction.CLOSE,
            actor=actor,
            note=decision,
            data={
                "held_on": held_on.isoformat(),
                "participants_count": participants_count,
                "chosen_option": chosen_option.position if chosen_option is not None else None,
            },
            changes={"closed_at": when},
            expected_version=expected_version,
            at=when,
        )
        record = MeetingRecord.objects.create(
            deliberation=deliberation,
            held_on=held_on,
            participants_count=participants_count,
            participants=participants,
            decision=decision,
            chosen_option=chosen_option,
            recorded_by=actor,
            recorded_at=when,
        )
        _tell_participants(deliberation)
    return record


def _tell_participants(deliberation: Deliberation) -> None:
    voters = set(DeliberationVote.objects.filter(deliberation=deliberation).values_list("user_id", flat=True))
    commenters = set(
        DeliberationComment.objects.filter(deliberation=deliberation, author_kind=AuthorKind.RESIDENT).values_list(
            "author_id", flat=True
        )
    )
    recipients = list(User.objects.filter(pk__in=voters | commenters, is_active=True))
    text = _("The deliberation “%(topic)s” of %(community)s is decided: see the decision and the votes.") % {
        "topic": deliberation.topic,
        "community": deliberation.community.name,
    }
    notify_after_commit(recipients, text, reverse("deliberation_public:detail", args=[deliberation.pk]))


def deliberation_cancel(
    *, actor: Any, deliberation: Deliberation, reason: str, expected_version: int, at: datetime | None = None
) -> Deliberation:
    """The community cancels an open deliberation, saying why (shown publicly); its votes are never counted."""
    when = now_or(at)
    deliberation = Deliberation.objects.select_related("community").get(pk=deliberation.pk)
    require_manager(actor, deliberation.community)
    DELIBERATION_FLOW.target(deliberation.state, DeliberationAction.CANCEL)
    errors: dict[str, str] = {}
    reason = text_errors(
        errors, "reason", reason, required=_("Say why it is cancelled: residents read it."), limit=MAX_REASON
    )
    if errors:
        raise ValidationError(errors)
    flow_move(
        deliberation,
        flow=DELIBERATION_FLOW,
        action=DeliberationAction.CANCEL,
        actor=actor,
        note=reason,
        changes={"cancel_reason": reason},
        expected_version=expected_version,
        at=when,
    )
    return deliberation


# --- the reminder -----------------------------------------------------------------------------------------------------


def deliberations_remind_meetings(*, now: datetime | None = None) -> int:
    """Tell the community's staff, once per deliberation, that its voting window has ended and the meeting is to be
    recorded (the reminder is an event; two runs at once remind once)."""
    when = now_or(now)
    reminded = 0
    due = Deliberation.objects.filter(
        state=DeliberationState.OPEN, closes_at__lte=when, meeting_reminded_at__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(due):
        deliberation = Deliberation.objects.select_related("community").get(pk=pk)
        if deliberation.meeting_reminded_at is not None or deliberation.state != DeliberationState.OPEN:
            continue
        try:
            with transaction.atomic():
                flow_move(
                    deliberation,
                    flow=DELIBERATION_FLOW,
                    action=DeliberationAction.REMIND,
                    actor=None,
                    changes={"meeting_reminded_at": when},
                    expected_version=deliberation.version,
                    at=when,
                )
                text = _(
                    "Voting on “%(topic)s” (%(number)s) has ended: hold the residents' meeting and record its "
                    "decision to publish the result."
                ) % {"topic": deliberation.topic, "number": deliberation.number}
                notify_after_commit(
                    managers_of(deliberation.community),
                    text,
                    reverse("deliberation:close", args=[deliberation.pk]),
                )
        except StaleState:
            continue
        reminded += 1
    return reminded


def refuse(message: str) -> ValidationError:
    return ValidationError({NON_FIELD_ERRORS: [message]})

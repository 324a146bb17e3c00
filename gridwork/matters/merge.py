"""合并重复诉求: a dispatcher merges a duplicate into the matter that handles the same problem.

The duplicate is closed as a duplicate of the original through the loop's own move (``DISCARD`` with the reason
``duplicate``, by ``services.matter_transition``), so the compare-and-set on its version, the event log, webhooks
and notifications all apply as to any move. Its reporter becomes a follower of the original (``MatterFollower``):
told now that the report was merged, and later when the original is replied to or closed. Nothing of the
duplicate is lost: its text, photos and events stay, it names the original (``duplicate_of``), and the original
lists it.

The merge adds no move to the loop: the original's state and fields do not change, so its record of the merge is
the follower row (who merged what, when, with which note), shown on its page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.matters import notify
from gridwork.matters.models import Matter, MatterFollower
from gridwork.matters.services import ConcurrentChange, MatterNotFound, matter_transition
from gridwork.matters.tracking import REPORTER_ROLES
from gridwork.matters.workflow import ACTION_LABELS, Action, ClosureReason, MatterKind, MatterState, TransitionRefused
from gridwork.open311.privacy import mask_text

MAX_CHAIN = 20  # duplicates of duplicates followed to the root, at most
NOTE_MAX = 500


def _visible(actor: Any, matter_id: int) -> Matter | None:
    return Matter.objects.restrict(actor, Perm.VIEW_MATTERS).filter(pk=matter_id).first()


def merge_root(matter: Matter) -> Matter:
    """The matter that handles ``matter``'s problem: ``matter`` itself, or the end of its chain of duplicates."""
    current = matter
    for _step in range(MAX_CHAIN):
        if current.closure_reason != ClosureReason.DUPLICATE or current.duplicate_of_id is None:
            return current
        current = Matter.objects.select_related("category", "lead_place", "lead_department").get(
            pk=current.duplicate_of_id
        )
    return current


def _root_for(actor: Any, original_id: int) -> Matter:
    """The original the actor named, or the root of its chain if it is itself a duplicate; every link visible."""
    original = _visible(actor, original_id)
    if original is None:
        raise MatterNotFound
    for _step in range(MAX_CHAIN):
        if original.closure_reason != ClosureReason.DUPLICATE or original.duplicate_of_id is None:
            return original
        following = _visible(actor, original.duplicate_of_id)
        if following is None:
            raise MatterNotFound
        original = following
    return original


def matter_merge(
    *,
    actor: Any,
    duplicate_id: int,
    original_id: int,
    note: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Matter:
    """Merge the duplicate into the original (or into the root, if the original is itself a duplicate).

    Refuses with TransitionRefused a merge into itself or into a closed matter, and whatever the loop refuses
    (the duplicate is no longer to dispatch; the actor may not dispatch it: NotAllowed); with MatterNotFound a
    matter outside the actor's area; with ConcurrentChange a page older than the duplicate's ``expected_version``.
    Returns the closed duplicate. One transaction: the move, the followers and nothing else, or nothing.
    """
    duplicate = _visible(actor, duplicate_id)
    if duplicate is None:
        raise MatterNotFound
    original = _root_for(actor, original_id)
    if original.pk == duplicate.pk:
        raise TransitionRefused(_("A matter cannot be merged into itself."), code="merge_self")
    closed = TransitionRefused(
        _("%(number)s is closed: merge into an open matter.") % {"number": original.number}, code="original_closed"
    )
    if original.state == MatterState.CLOSED:
        raise closed
    if expected_version is not None and expected_version != duplicate.version:
        raise ConcurrentChange(_("This matter was changed by someone else. Reload it and try again."))
    note = note.strip()[:NOTE_MAX]
    when = now or timezone.now()
    with transaction.atomic():
        # Hold the original until the merge commits: a move closing it meanwhile waits, then tells the new
        # followers too (PostgreSQL; SQLite writes one transaction at a time anyway).
        if not Matter.objects.select_for_update().filter(pk=original.pk).exclude(state=MatterState.CLOSED).exists():
            raise closed
        # The move links the duplicate's reporter to the original and tells them (see ``follow_original``).
        return matter_transition(
            actor=actor,
            matter_id=duplicate.pk,
            action=Action.DISCARD,
            data={"reason": ClosureReason.DUPLICATE, "duplicate_of_id": original.pk},
            note=note,
            expected_version=expected_version,
            now=when,
        )


def follow_original(*, actor: Any, duplicate: Matter, original_id: int, note: str, when: datetime) -> None:
    """Part of every close as a duplicate (``matter_transition`` calls it in the move's transaction, whichever page
    or interface closed it): the duplicate's reporter, and whoever followed the duplicate already, follow the root
    of the original's chain from now on, and are told once the move commits."""
    original = merge_root(Matter.objects.get(pk=original_id))
    if original.pk == duplicate.pk:
        return
    followers = _link_followers(
        actor=actor, duplicate=duplicate, original=original, note=note.strip()[:NOTE_MAX], when=when
    )
    follower_ids = [follower.pk for follower in followers]
    transaction.on_commit(lambda: notify.safely(notify.matter_merged, follower_ids=follower_ids))


def _link_followers(
    *, actor: Any, duplicate: Matter, original: Matter, note: str, when: datetime
) -> list[MatterFollower]:
    """The duplicate's reporter, and whoever followed the duplicate already, now follow the original."""
    merged_by = actor if getattr(actor, "is_authenticated", False) else None

    def follower(source_id: int, user_id: int | None, name: str, phone: str) -> MatterFollower:
        return MatterFollower(
            matter=original,
            source_id=source_id,
            user_id=user_id,
            reporter_name=name,
            reporter_phone=phone,
            merged_by=merged_by,
            note=note,
            created_at=when,
        )

    rows = [follower(duplicate.pk, duplicate.reporter_id, duplicate.reporter_name, duplicate.reporter_phone)]
    already = set(MatterFollower.objects.filter(matter=original).values_list("source_id", flat=True))
    rows.extend(
        follower(earlier.source_id, earlier.user_id, earlier.reporter_name, earlier.reporter_phone)
        for earlier in MatterFollower.objects.filter(matter=duplicate).order_by("id")
        if earlier.source_id not in already
    )
    for row in rows:
        row.save()
    return rows


# --- reading ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MergedDuplicate:
    """A matter merged into the one on the page, and whether the user may open it."""

    follower: MatterFollower
    visible: bool


def matter_merged_duplicates(*, matter: Matter, user: Any) -> list[MergedDuplicate]:
    """The matters merged into ``matter``, in the order they were merged."""
    followers = list(
        MatterFollower.objects.filter(matter=matter).select_related("source", "merged_by").order_by("created_at", "id")
    )
    visible = set(
        Matter.objects.restrict(user, Perm.VIEW_MATTERS)
        .filter(pk__in=[f.source_id for f in followers])
        .values_list("pk", flat=True)
    )
    return [MergedDuplicate(follower=f, visible=f.source_id in visible) for f in followers]


@dataclass(frozen=True)
class PublicStep:
    at: datetime
    label: str
    state_label: str
    unit: str


@dataclass(frozen=True)
class MergedInto:
    """What the reporter of a merged duplicate sees of the matter that handles their problem: what the public may
    see of it (number, state, category, the lead unit, each step with its unit, the reply with personal data
    masked), never the other reporter's text, name, phone or notes."""

    number: str
    state_label: str
    category: str
    lead_unit: str
    steps: list[PublicStep]
    reply: str


def matter_merged_into(matter: Matter) -> MergedInto | None:
    """The public progress of the matter ``matter`` was merged into (the root of its chain), or None."""
    if matter.closure_reason != ClosureReason.DUPLICATE or matter.duplicate_of_id is None:
        return None
    root = merge_root(matter)
    if root.kind == MatterKind.PERSONAL:  # a 个事 is its reporter's own: the follower learns its number only
        return MergedInto(number=root.number, state_label="", category="", lead_unit="", steps=[], reply="")
    steps = [
        PublicStep(
            at=event.at,
            label=str(ACTION_LABELS.get(event.action, event.action)),
            state_label=str(MatterState(event.to_state).label) if event.to_state in MatterState.values else "",
            unit="" if event.actor_role in REPORTER_ROLES else event.actor_unit,
        )
        for event in root.events.order_by("sequence")
    ]
    reply = mask_text(root.reply_text, names=[root.reporter_name]) if root.reply_text else ""
    lead = root.lead_department or root.lead_place
    return MergedInto(
        number=root.number,
        state_label=str(MatterState(root.state).label),
        category=root.category.name if root.category is not None else "",
        lead_unit=lead.name if lead is not None else "",
        steps=steps,
        reply=reply,
    )

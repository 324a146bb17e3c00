"""Who hears of a move: the lead unit on dispatch and reopen, the reporter on reply, the followers (reporters of
duplicates merged into the matter) on reply and on closing, and on the merge itself. Runs after commit."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.models import User
from gridwork.accounts.roles import ROLE_PERMISSIONS, Perm
from gridwork.matters.models import Matter, MatterEvent, MatterFollower
from gridwork.matters.units import Unit
from gridwork.matters.workflow import Action, MatterState
from gridwork.notifications.services import notification_send, sms_send

logger = logging.getLogger("gridwork.notifications")


def safely(send: Callable[..., None], **kwargs: Any) -> None:
    """Run a notification after commit; its failure is logged and never undoes or fails the move it reports."""
    try:
        send(**kwargs)
    except Exception:
        logger.exception("notification %s(%s) failed", send.__name__, kwargs)


def staff_holding(perm: str, users: QuerySet[User]) -> list[User]:
    """The active users among ``users`` who hold ``perm`` in an active post."""
    users = users.filter(is_active=True).distinct().prefetch_related("posts")
    return [
        user
        for user in users
        if any(perm in ROLE_PERMISSIONS[post.role] for post in user.posts.all() if post.is_active)
    ]


def staff_of_unit(unit: Unit) -> list[User]:
    """Active staff who handle matters for a unit: a department's posts, or the posts at a place."""
    if unit.department_id is not None:
        users = User.objects.filter(posts__department_id=unit.department_id, posts__is_active=True)
    elif unit.place_id is not None:
        users = User.objects.filter(
            posts__place_id=unit.place_id, posts__department__isnull=True, posts__is_active=True
        )
    else:
        return []
    return staff_holding(Perm.HANDLE_MATTERS, users)


def unit_staff(matter: Matter) -> list[User]:
    """Active staff who handle matters for the matter's lead unit."""
    return staff_of_unit(Unit(place_id=matter.lead_place_id, department_id=matter.lead_department_id))


def matter_moved(*, event_id: int) -> None:
    event = MatterEvent.objects.select_related("matter").get(pk=event_id)
    matter = event.matter
    staff_url = reverse("matters:detail", args=[matter.number])
    if event.action in {Action.DISPATCH, Action.OVERRULE}:
        text = _("New matter %(number)s to accept: %(title)s") % {"number": matter.number, "title": matter.title}
        notification_send(recipients=unit_staff(matter), text=text, url=staff_url)
    elif event.action == Action.RATE and event.to_state == MatterState.IN_PROGRESS:
        text = _("Matter %(number)s was reopened: the resident is not satisfied.") % {"number": matter.number}
        staff = unit_staff(matter)
        notification_send(recipients=staff, text=text, url=staff_url)
        for user in staff:
            if user.phone:
                sms_send(phone=user.phone, text=text)
    elif event.action == Action.REPLY:
        text = _("Your matter %(number)s has a reply. Please rate it.") % {"number": matter.number}
        if matter.reporter is not None:
            notification_send(
                recipients=[matter.reporter], text=text, url=reverse("report:resident-detail", args=[matter.number])
            )
        if matter.reporter_phone:
            sms_send(phone=matter.reporter_phone, text=text)
        _tell_followers(
            matter,
            _("Matter %(number)s, into which your report %(source)s was merged, has a reply."),
            told_user_ids={matter.reporter_id},
            told_phones={matter.reporter_phone},
        )
    if event.to_state == MatterState.CLOSED and event.from_state != MatterState.CLOSED:
        _tell_followers(matter, _("Matter %(number)s, into which your report %(source)s was merged, is closed."))
    if event.action in {Action.SUPERVISE, Action.URGE}:
        text = (
            _("Supervision order (督办) on matter %(number)s: %(note)s")
            if event.action == Action.SUPERVISE
            else _("Matter %(number)s is urged (催办): %(note)s")
        ) % {"number": matter.number, "note": event.note[:100]}
        staff = unit_staff(matter)
        notification_send(recipients=staff, text=text, url=staff_url)
        for user in staff:
            if user.phone:
                sms_send(phone=user.phone, text=text)
    elif event.action in {Action.WHISTLE, Action.RECORD_MEETING}:
        from gridwork.supervision.models import UnitTask

        tasks = UnitTask.objects.filter(Q(whistle__event=event) | Q(meeting__event=event)).select_related("matter")
        for task in tasks:
            text = _("Your unit has a task on matter %(number)s; report by %(due)s: %(task)s") % {
                "number": matter.number,
                "due": f"{timezone.localtime(task.due_at):%Y-%m-%d %H:%M}",
                "task": task.task[:80],
            }
            notification_send(
                recipients=staff_of_unit(Unit(place_id=task.place_id, department_id=task.department_id)),
                text=text,
                url=staff_url,
            )
    if event.action in {Action.DISPATCH, Action.OVERRULE}:
        for user in unit_staff(matter):
            if user.phone:
                sms_send(phone=user.phone, text=_("New matter %(number)s to accept.") % {"number": matter.number})


def _tell_one(follower: MatterFollower, text: str, *, told_user_ids: set[Any], told_phones: set[str]) -> None:
    """A follower, by in-app notification and SMS, unless this event already told that user or phone."""
    url = reverse("report:resident-detail", args=[follower.source.number])
    if follower.user is not None and follower.user_id not in told_user_ids:
        notification_send(recipients=[follower.user], text=text, url=url)
        told_user_ids.add(follower.user_id)
    if follower.reporter_phone and follower.reporter_phone not in told_phones:
        sms_send(phone=follower.reporter_phone, text=text)
        told_phones.add(follower.reporter_phone)


def _tell_followers(
    matter: Matter, template: str, *, told_user_ids: set[Any] | None = None, told_phones: set[str] | None = None
) -> None:
    """Tell each follower of ``matter`` ``template`` (with the matter's and their own report's number), once per
    person: a resident who reported the problem twice hears it once."""
    users: set[Any] = {pk for pk in (told_user_ids or set()) if pk is not None}
    phones: set[str] = {phone for phone in (told_phones or set()) if phone}
    followers = MatterFollower.objects.filter(matter=matter).select_related("source", "user").order_by("id")
    if matter.duplicate_of_id is not None:  # merged in turn: its followers moved on and hear of that (matter_merged)
        followers = followers.exclude(
            source_id__in=MatterFollower.objects.filter(matter_id=matter.duplicate_of_id).values("source_id")
        )
    for follower in followers:
        text = template % {"number": matter.number, "source": follower.source.number}
        _tell_one(follower, text, told_user_ids=users, told_phones=phones)


def matter_merged(*, follower_ids: list[int]) -> None:
    """Tell the reporters of a merged duplicate that their report now follows the original."""
    followers = MatterFollower.objects.filter(pk__in=follower_ids).select_related("matter", "source", "user")
    users: set[Any] = set()
    phones: set[str] = set()
    for follower in followers.order_by("id"):
        text = _(
            "Your report %(source)s was merged into matter %(number)s, which handles the same problem. "
            "You will be told of its progress."
        ) % {"source": follower.source.number, "number": follower.matter.number}
        _tell_one(follower, text, told_user_ids=users, told_phones=phones)

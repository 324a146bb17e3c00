"""Cycles of the monthly service day: opening a community's cycle of a month, completing its stages one by one, and
the daily job that opens the month's cycles for every community and reminds the staff of each stage.

A stage is completed by the community's staff (``cycle_complete_stage``) once the calendar allows it
(``calendar.completable_from``) and its work is there: sorting needs an item, the service day needs every item's
result, the feedback and the summary need their text. The completion's day is kept on the cycle (``<stage>_done_on``)
so that late stages show on the lists without reading the events.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.accounts.selectors import users_holding
from gridwork.common.flows import MoveRefused, StaleState, flow_move, flow_start
from gridwork.places.models import Place, PlaceLevel
from gridwork.serviceday.calendar import (
    completable_from,
    cycle_dates,
    done_on,
    previous_month,
    stage_dates,
)
from gridwork.serviceday.figures import cycle_figures
from gridwork.serviceday.flows import COMPLETES, CYCLE_FLOW, CycleAction
from gridwork.serviceday.models import (
    STAGE_LABELS,
    STAGES,
    CycleState,
    ItemState,
    Opinion,
    Reminder,
    ReminderKind,
    ServiceCycle,
)
from gridwork.serviceday.services.common import (
    MAX_FEEDBACK,
    MAX_NOTE,
    MAX_SUMMARY,
    clean_text,
    day_of,
    locked_cycle,
    moment,
    refuse,
    require_manage,
)

# --- opening ------------------------------------------------------------------------------------------------------


def existing_cycle(*, community: Place, year: int, month: int) -> ServiceCycle | None:
    return ServiceCycle.objects.filter(community=community, year=year, month=month).first()


def cycle_open(
    *, community: Place, year: int, month: int, actor: Any = None, at: datetime | None = None
) -> tuple[ServiceCycle, bool]:
    """The community's cycle of ``year``-``month``, opened now (collecting) if it is not there yet; and whether it was
    opened now. Two openings at once give one cycle (a unique constraint)."""
    if community.level != PlaceLevel.COMMUNITY:
        raise ValidationError({"community": _("A service day is held by a community.")})
    stage_dates((year, month))  # refuses a month that is no month
    existing = existing_cycle(community=community, year=year, month=month)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            cycle = flow_start(
                ServiceCycle(community=community, year=year, month=month, opened_at=moment(at)),
                flow=CYCLE_FLOW,
                actor=actor,
                at=moment(at),
            )
    except IntegrityError:
        return ServiceCycle.objects.get(community=community, year=year, month=month), False
    return cycle, True


def cycles_open_month(*, on: date, at: datetime | None = None) -> int:
    """Open the cycle of ``on``'s month for every community that has none yet; how many were opened."""
    have = ServiceCycle.objects.filter(year=on.year, month=on.month).values_list("community_id", flat=True)
    opened = 0
    for community in Place.objects.filter(level=PlaceLevel.COMMUNITY).exclude(pk__in=have).order_by("path"):
        _cycle, created = cycle_open(community=community, year=on.year, month=on.month, at=at)
        opened += int(created)
    return opened


# --- completing a stage -------------------------------------------------------------------------------------------


def _stage_errors(cycle: ServiceCycle, *, text: str, on: date) -> tuple[dict[str, Any], dict[str, str]]:
    """The changes that complete the cycle's current stage, and what is missing for it."""
    stage = cycle.state
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {f"{stage}_done_on": on}
    if stage == CycleState.SORT and not cycle.items.filter(state=ItemState.PLANNED).exists():
        errors["text"] = _("Make at least one item of the opinions before finishing the sorting.")
    elif stage == CycleState.SERVE:
        planned = cycle.items.filter(state=ItemState.PLANNED).count()
        if planned:
            errors["text"] = _("Record the result of every item first: %(count)d still planned.") % {"count": planned}
    elif stage == CycleState.EVALUATE:
        changes["feedback_note"] = clean_text(
            text,
            field="text",
            limit=MAX_FEEDBACK,
            errors=errors,
            required=_("Write the feedback to residents: what was done, what was not and why, what comes next."),
        )
    elif stage == CycleState.SUMMARY:
        changes["summary_text"] = clean_text(
            text,
            field="text",
            limit=MAX_SUMMARY,
            errors=errors,
            required=_("Write the summary: what went well, what to improve next month."),
        )
    else:
        clean_text(text, field="text", limit=MAX_NOTE, errors=errors)
    return changes, errors


def cycle_complete_stage(
    *, actor: Any, cycle: ServiceCycle, expected_version: int, text: str = "", at: datetime | None = None
) -> ServiceCycle:
    """Complete the stage the cycle is at, moving it to the next. ``text`` is the feedback (evaluate), the summary
    (summary) or a note (the others). Refused: out of the actor's area (PermissionDenied), a stale page
    (StaleState), before the calendar allows it or with the stage's work missing (ValidationError)."""
    require_manage(actor, cycle)
    on = day_of(at)
    with transaction.atomic():
        current = locked_cycle(cycle)
        if current.version != expected_version or cycle.version != expected_version:
            raise StaleState
        action = COMPLETES.get(current.state)
        if action is None:  # closed: nothing left to complete
            raise MoveRefused(CYCLE_FLOW, CycleAction.PUBLISH_SUMMARY, current.state)
        earliest = completable_from(current, current.state)
        if on < earliest:
            raise ValidationError(
                _("“%(stage)s” can be completed from %(day)s.")
                % {"stage": STAGE_LABELS[current.state], "day": date_format(earliest, "SHORT_DATE_FORMAT")}
            )
        changes, errors = _stage_errors(current, text=text, on=on)
        refuse(errors)
        if current.state == CycleState.SUMMARY:
            changes["summary_figures"] = cycle_figures(current, on=on).as_dict()
        note = text.strip() if current.state not in (CycleState.EVALUATE, CycleState.SUMMARY) else ""
        stage = current.state
        flow_move(current, flow=CYCLE_FLOW, action=action, actor=actor, note=note, changes=changes, at=moment(at))
        if stage == CycleState.EVALUATE:
            _tell_opinion_givers(current)
    return current


def _tell_opinion_givers(cycle: ServiceCycle) -> None:
    """After commit: the residents who gave an opinion from their account learn that the feedback is out."""
    recipients = list(
        {opinion.user for opinion in Opinion.objects.filter(cycle=cycle, user__isnull=False).select_related("user")}
    )
    if not recipients:
        return
    text = _("The feedback of the service day of %(community)s (%(period)s) is published.") % {
        "community": cycle.community.name,
        "period": cycle.period,
    }
    url = reverse("serviceday_public:cycle", args=[cycle.pk])

    def send() -> None:
        from gridwork.notifications.services import notification_send

        notification_send(
            recipients=[user for user in recipients if user is not None and user.is_active], text=text, url=url
        )

    transaction.on_commit(send)


# --- the daily job ------------------------------------------------------------------------------------------------


def _reminder_text(cycle: ServiceCycle, stage: str, kind: str) -> str:
    window = cycle_dates(cycle).window(stage)
    values = {
        "community": cycle.community.name,
        "period": cycle.period,
        "stage": STAGE_LABELS[stage],
        "due": date_format(window.due, "SHORT_DATE_FORMAT"),
    }
    if kind == ReminderKind.OPENS:
        if stage == CycleState.SERVE:
            return (
                _("Service day %(period)s of %(community)s: prepare the day (helpers, activity); it is on %(due)s.")
                % values
            )
        return _("Service day %(period)s of %(community)s: “%(stage)s” opens today, due %(due)s.") % values
    if kind == ReminderKind.DUE and stage == CycleState.SERVE:
        return _("Today is the service day %(period)s of %(community)s: record each item's result.") % values
    if kind == ReminderKind.DUE:
        return _("Service day %(period)s of %(community)s: “%(stage)s” is due today.") % values
    return _("Service day %(period)s of %(community)s: “%(stage)s” is late (it was due %(due)s).") % values


def _recipients(cycle: ServiceCycle, kind: str) -> list[Any]:
    """The community's staff who run the service day; for a late stage, the street's as well."""
    users = users_holding(Perm.MANAGE_DELIBERATION, place_id=cycle.community_id)
    if kind == ReminderKind.LATE and cycle.community.parent_id is not None:
        users += users_holding(Perm.MANAGE_DELIBERATION, place_id=cycle.community.parent_id)
    return users


def _remind(cycle: ServiceCycle, stage: str, kind: str, on: date) -> bool:
    """Send one reminder once: the row's unique constraint says whether it went out already."""
    recipients = _recipients(cycle, kind)
    try:
        with transaction.atomic():
            Reminder.objects.create(cycle=cycle, stage=stage, kind=kind, sent_on=on, recipients=len(recipients))
            text = _reminder_text(cycle, stage, kind)
            url = reverse("serviceday:cycle-detail", args=[cycle.pk])

            def send() -> None:
                from gridwork.notifications.services import notification_send

                notification_send(recipients=recipients, text=text, url=url)

            transaction.on_commit(send)
    except IntegrityError:
        return False
    return True


def _due_reminders(cycle: ServiceCycle, on: date) -> list[tuple[str, str]]:
    """The reminders of ``cycle`` due on ``on``: a stage not yet completed is announced while it is open (on its
    first day, or the first run after it), again on its due day, and once as late after it."""
    wanted: list[tuple[str, str]] = []
    dates = cycle_dates(cycle)
    for stage in STAGES:
        if done_on(cycle, stage) is not None:
            continue
        window = dates.window(stage)
        if window.opens <= on < window.due:
            wanted.append((stage, ReminderKind.OPENS))
        elif on == window.due:
            wanted.append((stage, ReminderKind.DUE))
        elif on > window.due:
            wanted.append((stage, ReminderKind.LATE))
    return wanted


def serviceday_daily(*, on: date | None = None, at: datetime | None = None) -> dict[str, int]:
    """The daily job: open this month's cycle for every community (from the 1st on), then for this month's and last
    month's cycles not yet closed send each reminder that is due and was not sent yet."""
    day = on or day_of(at)
    opened = cycles_open_month(on=day, at=at)
    sent: dict[str, int] = {ReminderKind.OPENS: 0, ReminderKind.DUE: 0, ReminderKind.LATE: 0}
    for year, month in (previous_month(day.year, day.month), (day.year, day.month)):
        cycles = (
            ServiceCycle.objects.filter(year=year, month=month)
            .exclude(state=CycleState.CLOSED)
            .select_related("community")
            .order_by("community__path")
        )
        for cycle in cycles:
            already = set(Reminder.objects.filter(cycle=cycle).values_list("stage", "kind"))
            for stage, kind in _due_reminders(cycle, day):
                if (stage, kind) not in already and _remind(cycle, stage, kind, day):
                    sent[kind] += 1
    return {"opened": opened, **{f"reminded_{kind}": count for kind, count in sent.items()}}

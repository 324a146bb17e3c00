"""The deadline sweep: yellow warnings, red (overdue) alerts with their automatic urging, late reports of unit
tasks, and the automatic escalation of hard matters whose level's limit has passed.

Each alert is raised once: the alert row's unique key (matter, subject, stage, deadline, level) is written in
the same transaction as its notifications and counter, so a second run finds nothing to do, and a run killed
half-way leaves every alert either wholly done or not at all; the next run completes the rest. Escalation
goes through the loop's compare-and-set, so it too happens once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.models import User
from gridwork.accounts.roles import Perm
from gridwork.analytics import rollup
from gridwork.matters import notify
from gridwork.matters.models import Matter, MatterEvent
from gridwork.matters.services import SYSTEM, ConcurrentChange, matter_transition
from gridwork.matters.units import Unit
from gridwork.matters.workflow import Action, DueStage, MatterKind, MatterState, TransitionRefused
from gridwork.notifications.services import notification_send, sms_send
from gridwork.places.models import Place, PlaceLevel
from gridwork.supervision.models import AlertLevel, DeadlineAlert, UnitTask, alert_units

logger = logging.getLogger("gridwork.supervision")

MATTER = "matter"
LEVEL = "level"


@dataclass
class SweepReport:
    yellow: int = 0
    red: int = 0
    late_tasks: int = 0
    escalated: int = 0
    failed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "yellow": self.yellow,
            "red": self.red,
            "late_tasks": self.late_tasks,
            "escalated": self.escalated,
            "failed": len(self.failed),
        }


def supervisors_of(matter: Matter) -> list[User]:
    """Who supervises the lead unit: staff holding matters.supervise at the place above a place unit, or at a
    department's own place (its district's or the city's staff and dispatch centre)."""
    place_id: int | None = None
    if matter.lead_department is not None:
        place_id = matter.lead_department.place_id
    elif matter.lead_place is not None:
        place_id = matter.lead_place.parent_id
    if place_id is None:
        return []
    posts_here = User.objects.filter(posts__place_id=int(place_id), posts__is_active=True)
    return notify.staff_holding(Perm.SUPERVISE_MATTERS, posts_here)


def task_staff(task: UnitTask) -> list[User]:
    return notify.staff_of_unit(Unit(place_id=task.place_id, department_id=task.department_id))


def _dispatcher(matter: Matter) -> list[User]:
    """For the call-back limit: the one who dispatched the matter last (the dispatching unit calls back)."""
    event = MatterEvent.objects.filter(matter=matter, action=Action.DISPATCH).order_by("-sequence").first()
    return [event.actor] if event is not None and event.actor is not None else []


class _DeadlineMoved(Exception):
    """The matter's deadline changed after the sweep read it: nothing to raise."""


def _raise_alert(
    matter: Matter,
    *,
    subject: str,
    stage: str,
    due_at: datetime,
    level: str,
    now: datetime,
    recipients: list[User],
    text: str,
) -> bool:
    """Write the alert and its notifications together; False if it was raised before (by this or another run)."""
    try:
        with transaction.atomic():
            DeadlineAlert.objects.create(
                matter=matter,
                subject=subject,
                stage=stage,
                due_at=due_at,
                level=level,
                raised_at=now,
                **alert_units(matter),  # the units the rollup counts it for (``rollup.matter_overdue`` below)
            )
            if level == AlertLevel.RED and subject == MATTER:
                # Only if the deadline is still the matter's: a step taken since the sweep read the matter has
                # ended it (and, if late, raised this alert itself).
                still_due = Matter.objects.filter(pk=matter.pk, due_at=due_at).exclude(state=MatterState.CLOSED)
                if not still_due.update(overdue_count=F("overdue_count") + 1):
                    raise _DeadlineMoved
                rollup.matter_overdue(matter, stage=stage, at=now)
            notification_send(recipients=recipients, text=text, url=reverse("matters:detail", args=[matter.number]))
    except (IntegrityError, _DeadlineMoved):
        return False
    if level == AlertLevel.RED:
        phones = [user.phone for user in recipients if user.phone]
        transaction.on_commit(lambda: notify.safely(_sms_all, phones=phones, text=text))
    return True


def _sms_all(*, phones: list[str], text: str) -> None:
    for phone in phones:
        sms_send(phone=phone, text=text)


def _not_alerted(level: str) -> Exists:
    return Exists(
        DeadlineAlert.objects.filter(
            matter=OuterRef("pk"), subject=MATTER, stage=OuterRef("due_stage"), due_at=OuterRef("due_at"), level=level
        )
    )


def _matter_recipients(matter: Matter) -> list[User]:
    if matter.due_stage == DueStage.CALLBACK:
        return _dispatcher(matter)
    return [*notify.unit_staff(matter), *supervisors_of(matter)]


def _matter_alerts(now: datetime, report: SweepReport) -> None:
    open_matters = Matter.objects.exclude(state=MatterState.CLOSED).select_related("lead_place", "lead_department")
    yellow = open_matters.filter(warn_at__lte=now, due_at__gt=now).exclude(_not_alerted(AlertLevel.YELLOW))
    red = open_matters.filter(due_at__lte=now).exclude(_not_alerted(AlertLevel.RED))
    for level, matters in ((AlertLevel.YELLOW, yellow), (AlertLevel.RED, red)):
        for matter in matters.order_by("due_at", "pk").iterator(chunk_size=500):
            assert matter.due_at is not None
            values = {"number": matter.number, "title": matter.title, "due": timezone.localtime(matter.due_at)}
            text = (
                _("Matter %(number)s is overdue (deadline %(due)s): %(title)s")
                if level == AlertLevel.RED
                else _("Matter %(number)s is due soon (deadline %(due)s): %(title)s")
            ) % {**values, "due": f"{values['due']:%Y-%m-%d %H:%M}"}
            try:
                raised = _raise_alert(
                    matter,
                    subject=MATTER,
                    stage=matter.due_stage,
                    due_at=matter.due_at,
                    level=level,
                    now=now,
                    recipients=_matter_recipients(matter),
                    text=text,
                )
            except Exception:
                logger.exception("deadline alert for %s failed", matter.number)
                report.failed.append(matter.number)
                continue
            if raised and level == AlertLevel.RED:
                report.red += 1
            elif raised:
                report.yellow += 1


def _task_alerts(now: datetime, report: SweepReport) -> None:
    late = UnitTask.objects.filter(reported_at__isnull=True, due_at__lte=now).select_related(
        "matter", "department", "place", "whistle"
    )
    tasks = list(late.order_by("due_at", "pk")[:5000])
    raised_before = set(
        DeadlineAlert.objects.filter(
            matter_id__in={task.matter_id for task in tasks}, level=AlertLevel.RED, subject__startswith="task:"
        ).values_list("subject", "due_at")
    )
    for task in tasks:
        subject = f"task:{task.pk}"
        if (subject, task.due_at) in raised_before:
            continue
        unit = task.department.name if task.department else task.place.name if task.place else ""
        text = _("%(unit)s has not reported for its task on matter %(number)s (due %(due)s).") % {
            "unit": unit,
            "number": task.matter.number,
            "due": f"{timezone.localtime(task.due_at):%Y-%m-%d %H:%M}",
        }
        whistler = notify.unit_staff(task.matter) if task.whistle_id else []
        try:
            if _raise_alert(
                task.matter,
                subject=subject,
                stage="report",
                due_at=task.due_at,
                level=AlertLevel.RED,
                now=now,
                recipients=[*task_staff(task), *whistler],
                text=text,
            ):
                report.late_tasks += 1
        except Exception:
            logger.exception("late-task alert for task %s failed", task.pk)
            report.failed.append(subject)


def _centre_staff(matter: Matter) -> list[User]:
    """The city's dispatch centre: who puts a matter under a city leader."""
    city = Place.objects.filter(level=PlaceLevel.CITY, code__in=matter.grid.ancestor_codes()).first()
    if city is None:
        return []
    return notify.staff_holding(Perm.ESCALATE_MATTERS, User.objects.filter(posts__place=city, posts__is_active=True))


def _escalations(now: datetime, report: SweepReport) -> None:
    """Level 1 past its limit goes to joint consultation (level 2) by itself; level 2 past its limit needs a
    city leader named by the city's centre, so the sweep raises a red alert to the centre instead."""
    overdue = Matter.objects.filter(kind=MatterKind.HARD, level_due__lte=now).exclude(state=MatterState.CLOSED)
    for pk, number in overdue.filter(hard_level=1).order_by("level_due", "pk").values_list("pk", "number"):
        try:
            matter_transition(actor=SYSTEM, matter_id=pk, action=Action.ESCALATE, data={}, now=now)
        except (ConcurrentChange, TransitionRefused, ValidationError) as error:
            logger.info("automatic escalation of %s skipped: %s", number, error)
            continue
        except Exception:
            logger.exception("automatic escalation of %s failed", number)
            report.failed.append(number)
            continue
        report.escalated += 1
    at_level_2 = overdue.filter(hard_level=2).exclude(
        Exists(
            DeadlineAlert.objects.filter(
                matter=OuterRef("pk"), subject=LEVEL, due_at=OuterRef("level_due"), level=AlertLevel.RED
            )
        )
    )
    for matter in at_level_2.select_related("grid").order_by("level_due", "pk"):
        assert matter.level_due is not None
        text = _("Hard matter %(number)s is past its joint-consultation limit: name a city leader (level 3).") % {
            "number": matter.number
        }
        try:
            if _raise_alert(
                matter,
                subject=LEVEL,
                stage="level",
                due_at=matter.level_due,
                level=AlertLevel.RED,
                now=now,
                recipients=_centre_staff(matter),
                text=text,
            ):
                report.red += 1
        except Exception:
            logger.exception("level alert for %s failed", matter.number)
            report.failed.append(matter.number)


def run_sweep(*, now: datetime | None = None) -> SweepReport:
    """One pass over every deadline; safe to run again, and concurrently (each alert is raised once)."""
    now = now or timezone.now()
    report = SweepReport()
    _matter_alerts(now, report)
    _task_alerts(now, report)
    _escalations(now, report)
    logger.info("deadline sweep at %s: %s", now.isoformat(), report.as_dict())
    return report

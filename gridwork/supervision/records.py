"""The rows a supervision move writes beside its event, in the same transaction (``matters.services``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from gridwork.matters.models import Matter, MatterEvent
from gridwork.matters.workflow import Action
from gridwork.supervision.models import JointMeeting, UnitTask, Whistle


class RecordConflict(Exception):
    """Someone reported the task or concluded the whistle first: the move is rolled back (409)."""


def write_records(
    *, matter: Matter, event: MatterEvent, action: str, data: dict[str, Any], actor: Any, when: datetime
) -> None:
    user = actor if getattr(actor, "is_authenticated", False) else None
    match action:
        case Action.WHISTLE:
            assert matter.lead_place is not None  # checked by supervision.moves: a street or community leads
            whistle = Whistle.objects.create(
                matter=matter,
                event=event,
                place=matter.lead_place,
                note=event.note,
                issued_at=when,
                issued_by=user,
            )
            due = datetime.fromisoformat(data["report_due"])
            UnitTask.objects.bulk_create(
                UnitTask(
                    matter=matter, whistle=whistle, department_id=call["department_id"], task=call["task"], due_at=due
                )
                for call in data["calls"]
            )
        case Action.RECORD_MEETING:
            meeting = JointMeeting.objects.create(
                matter=matter,
                event=event,
                level=data["level"],
                held_on=date.fromisoformat(data["held_on"]),
                participants=data["participants"],
                analysis=data["analysis"],
                decision=data["decision"],
                recorded_at=when,
            )
            UnitTask.objects.bulk_create(
                UnitTask(
                    matter=matter,
                    meeting=meeting,
                    place_id=task["place_id"],
                    department_id=task["department_id"],
                    task=task["task"],
                    due_at=datetime.fromisoformat(task["due_at"]),
                )
                for task in data["tasks"]
            )
        case Action.REPORT:
            updated = UnitTask.objects.filter(pk=data["task_id"], matter=matter, reported_at__isnull=True).update(
                reported_at=when, report=data["action"], reported_by=user
            )
            if updated != 1:
                raise RecordConflict
        case Action.CONCLUDE_WHISTLE:
            updated = Whistle.objects.filter(pk=data["whistle_id"], matter=matter, concluded_at__isnull=True).update(
                result=data["result"], concluded_at=when
            )
            if updated != 1:
                raise RecordConflict

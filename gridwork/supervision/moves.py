"""The data of the supervision moves, checked and typed before the move is applied (``matters.move_data``).

Like the loop's own moves, a problem is a ValidationError naming the field; ids are checked to exist and to
belong to this matter, and what only the acting user may do (report for their own unit's task, put a matter
under a city leader from a city post) is checked here because it depends on the data.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.roles import ROLE_PERMISSIONS, Perm
from gridwork.matters.models import Matter
from gridwork.matters.units import Unit, department_choices, lead_place_choices, user_acts_for
from gridwork.matters.workflow import Action
from gridwork.places.models import PlaceLevel
from gridwork.supervision.calendar import WorkCalendar
from gridwork.supervision.deadlines import report_due
from gridwork.supervision.models import UnitTask, Whistle

MAX_UNITS = 12
MAX_TASK_DAYS = 90
MAX_ORDER_DAYS = 366
WHISTLE_LEVELS = (PlaceLevel.STREET, PlaceLevel.COMMUNITY)


def _text(data: dict[str, Any], key: str, limit: int = 2000) -> str:
    value = data.get(key, "")
    return value.strip()[:limit] if isinstance(value, str) else ""


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _moment(value: Any, zone_now: datetime) -> datetime | None:
    """An ISO date-time (or a date: the end of its office day) in the platform's zone; None if unreadable."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(17, 30))
    elif isinstance(value, str) and value.strip():
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            try:
                moment = datetime.combine(date.fromisoformat(value.strip()), time(17, 30))
            except ValueError:
                return None
    else:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    return moment.astimezone(zone_now.tzinfo)


def _required_note(note: str, errors: dict[str, str], message: str) -> str:
    if not note.strip():
        errors["note"] = message
    return note.strip()


def _units_of(matter: Matter, raw: Any, errors: dict[str, str], field: str) -> list[dict[str, Any]]:
    """[{unit: "d:12" | "p:3" (or place_id / department_id), task, days?}] → typed, each unit once."""
    places = set(lead_place_choices(matter.grid).values_list("pk", flat=True))
    departments = set(department_choices(matter.grid).values_list("pk", flat=True))
    if not isinstance(raw, list | tuple) or not raw:
        errors[field] = _("Name at least one unit and its task.")
        return []
    if len(raw) > MAX_UNITS:
        errors[field] = _("At most %(n)d units.") % {"n": MAX_UNITS}
        return []
    seen: set[tuple[int | None, int | None]] = set()
    typed = []
    for row in raw:
        if not isinstance(row, dict):
            errors[field] = _("Each unit needs a task.")
            return []
        place_id, department_id = _int(row.get("place_id")), _int(row.get("department_id"))
        unit_code = str(row.get("unit", ""))
        if unit_code:
            kind, _sep, pk = unit_code.partition(":")
            place_id = int(pk) if kind == "p" and pk.isdigit() else None
            department_id = int(pk) if kind == "d" and pk.isdigit() else None
        unit = (place_id, department_id)
        task = _text(row, "task", 500)
        if (place_id is None) == (department_id is None):
            errors[field] = _("Choose a unit from the list.")
        elif (place_id is not None and place_id not in places) or (
            department_id is not None and department_id not in departments
        ):
            errors[field] = _("That unit cannot act in this place.")
        elif unit in seen:
            errors[field] = _("Each unit once.")
        elif not task:
            errors[field] = _("Say what each unit must do.")
        else:
            seen.add(unit)
            typed.append({"place_id": place_id, "department_id": department_id, "task": task, "days": row.get("days")})
    return typed


def supervision_move_offered(*, matter: Matter, action: str) -> bool:
    """Whether a page offers the move at all: what the workflow table cannot know (who leads, what is open)."""
    match action:
        case Action.WHISTLE:
            return matter.lead_place is not None and matter.lead_place.level in WHISTLE_LEVELS
        case Action.CONCLUDE_WHISTLE:
            return Whistle.objects.filter(matter=matter, concluded_at__isnull=True).exists()
    return True


def clean_supervision_data(
    *, matter: Matter, action: str, data: dict[str, Any], note: str, actor: Any, when: datetime
) -> dict[str, Any]:
    """The typed data of a supervision move, or ValidationError naming each field that is wrong."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    match action:
        case Action.SUPERVISE:
            _required_note(note, errors, _("Say what the unit must do."))
            if user_acts_for(actor, Unit(matter.lead_place_id, matter.lead_department_id)):
                errors["note"] = _("A unit does not issue supervision orders to itself.")
            due = _moment(data.get("due_at"), when)
            if due is None:
                errors["due_at"] = _("Set the new deadline.")
            elif due <= when:
                errors["due_at"] = _("The new deadline must be in the future.")
            elif due > when + timedelta(days=MAX_ORDER_DAYS):
                errors["due_at"] = _("The new deadline must be within a year.")
            clean = {"due_at": due.isoformat() if due else ""}
        case Action.ANSWER_SUPERVISION:
            _required_note(note, errors, _("Answer the supervision order."))
        case Action.WHISTLE:
            clean = _whistle(matter, data, note, when, errors)
        case Action.REPORT:
            clean = _report(matter, data, actor, errors)
        case Action.CONCLUDE_WHISTLE:
            whistle_id = _int(data.get("whistle_id"))
            whistle = Whistle.objects.filter(pk=whistle_id, matter=matter).first() if whistle_id else None
            if whistle is None:
                errors["whistle_id"] = _("No such whistle on this matter.")
            elif whistle.concluded_at is not None:
                errors["whistle_id"] = _("This whistle already has its joint result.")
            result = _text(data, "result")
            if not result:
                errors["result"] = _("Write the joint result.")
            clean = {"whistle_id": whistle_id, "result": result}
        case Action.ESCALATE:
            clean = _escalate(matter, data, note, actor, errors)
        case Action.DEESCALATE:
            clean = {"reason": _required_note(note, errors, _("Say why the matter goes down a level."))}
        case Action.FIELD_CHECK:
            _required_note(note, errors, _("Record what the field check found."))
        case Action.RECORD_MEETING:
            clean = _meeting(matter, data, when, errors)
        case Action.TRACK:
            _required_note(note, errors, _("Record the follow-up."))
        case Action.USE_RESULTS:
            _required_note(note, errors, _("Say how the results were used."))
    if errors:
        raise ValidationError(errors)
    return clean


def _whistle(matter: Matter, data: dict[str, Any], note: str, when: datetime, errors: dict[str, str]) -> dict[str, Any]:
    _required_note(note, errors, _("Say what the whistle is about."))
    if matter.lead_place is None or matter.lead_place.level not in WHISTLE_LEVELS:
        errors["calls"] = _("Only a street or community leading the matter whistles to departments.")
        return {}
    calls = _units_of(matter, data.get("calls"), errors, "calls")
    if any(call["place_id"] is not None for call in calls):
        errors["calls"] = _("A whistle calls departments.")
    due = report_due(matter=matter, when=when)
    return {
        "calls": [{"department_id": c["department_id"], "task": c["task"]} for c in calls],
        "units": [[None, c["department_id"]] for c in calls],
        "report_due": due.isoformat(),
    }


def _report(matter: Matter, data: dict[str, Any], actor: Any, errors: dict[str, str]) -> dict[str, Any]:
    task_id = _int(data.get("task_id"))
    task = UnitTask.objects.filter(pk=task_id, matter=matter).first() if task_id else None
    if task is None:
        errors["task_id"] = _("No such task on this matter.")
    elif not user_acts_for(actor, Unit(task.place_id, task.department_id)):
        errors["task_id"] = _("This task is another unit's.")
    elif task.reported_at is not None:
        errors["task_id"] = _("This task was reported already.")
    text = _text(data, "action")
    if not text:
        errors["action"] = _("Say what your unit is doing.")
    return {"task_id": task_id, "action": text}


def _escalate(matter: Matter, data: dict[str, Any], note: str, actor: Any, errors: dict[str, str]) -> dict[str, Any]:
    automatic = bool(getattr(actor, "is_system", False))
    reason = note.strip() or _text(data, "reason")
    if not reason and not automatic:
        errors["note"] = _("Say why the matter is escalated.")
    leader = _text(data, "leader", 60)
    to_level = matter.hard_level + 1
    if to_level == 3 and not automatic:
        if not leader:
            errors["leader"] = _("Name the city leader who leads the solution.")
        city_posts = [
            post
            for post in getattr(actor, "active_posts", [])
            if post.place.level == PlaceLevel.CITY and Perm.ESCALATE_MATTERS in ROLE_PERMISSIONS[post.role]
        ]
        if not city_posts:
            errors["leader"] = _("Only the city's dispatch centre puts a matter under a city leader.")
    return {"level": to_level, "reason": reason, "leader": leader, "automatic": automatic}


def _meeting(matter: Matter, data: dict[str, Any], when: datetime, errors: dict[str, str]) -> dict[str, Any]:
    held_on_text = _text(data, "held_on", 10)
    try:
        held_on = date.fromisoformat(held_on_text)
    except ValueError:
        held_on = None
        errors["held_on"] = _("When was the meeting held?")
    if held_on is not None and held_on > timezone.localdate(when):
        errors["held_on"] = _("The meeting cannot be in the future.")
    fields = {key: _text(data, key) for key in ("participants", "analysis", "decision")}
    for key, message in (
        ("participants", _("Which units took part?")),
        ("analysis", _("Record the analysis.")),
        ("decision", _("Record the decision.")),
    ):
        if not fields[key]:
            errors[key] = message
    tasks = _units_of(matter, data.get("tasks"), errors, "tasks")
    calendar = WorkCalendar.load()
    typed = []
    for task in tasks:
        days = _int(task["days"])
        if days is None or not 1 <= days <= MAX_TASK_DAYS:
            errors["tasks"] = _("Give each unit 1 to %(max)d working days.") % {"max": MAX_TASK_DAYS}
            continue
        due = calendar.add_working_days(when, days)
        typed.append({**task, "days": days, "due_at": due.isoformat()})
    return {
        "level": matter.hard_level,
        "held_on": held_on.isoformat() if held_on else "",
        **fields,
        "tasks": typed,
        "units": [[t["place_id"], t["department_id"]] for t in typed],
    }

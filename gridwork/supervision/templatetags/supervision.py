"""Template helpers of supervision: the deadline badge, a matter's age, the hard-matter level and stage bar, and
the matter page's supervision panel. They compare stored times with the clock; none computes a calendar."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from gridwork.matters.models import Matter
from gridwork.matters.workflow import HardStage, MatterKind
from gridwork.supervision.selectors import (
    LEVEL_LABELS,
    DeadlineStatus,
    deadline_status,
    matter_supervision,
    stage_position,
)

register = template.Library()

TIME_FORMAT = "Y-m-d H:i"


def _local(moment: datetime) -> str:
    return format_date(timezone.localtime(moment), TIME_FORMAT)


@register.simple_tag
def deadline_badge(matter: Matter, now: datetime | None = None) -> SafeString | str:
    """A small badge for the matter's stored deadline: red when overdue, yellow from the warning moment, else the
    deadline itself; nothing without a deadline."""
    status = deadline_status(matter.due_at, matter.warn_at, now)
    if not status or matter.due_at is None:
        return ""
    when = _local(matter.due_at)
    if status == DeadlineStatus.OVERDUE:
        css, icon, text = "text-bg-danger", "bi-alarm", _("Overdue")
    elif status == DeadlineStatus.WARNING:
        css, icon, text = "text-bg-warning", "bi-hourglass-split", _("Due soon")
    else:
        css, icon, text = "text-bg-light border", "bi-clock", _("Due %(when)s") % {"when": when}
    return format_html(
        '<span class="badge {} text-nowrap" data-testid="deadline-badge" data-deadline="{}" title="{}">'
        '<i class="bi {}" aria-hidden="true"></i> {}</span>',
        css,
        status,
        _("Deadline: %(when)s") % {"when": when},
        icon,
        text,
    )


@register.filter
def deadline_state(matter: Matter) -> str:
    """``overdue``, ``warning``, ``running`` or "" (no deadline), for styling a row."""
    return deadline_status(matter.due_at, matter.warn_at)


@register.filter
def days_since(moment: datetime | None, now: datetime | None = None) -> int:
    """Whole days from ``moment`` to ``now`` (the age of a matter)."""
    if moment is None:
        return 0
    return max(((now or timezone.now()) - moment).days, 0)


@register.filter
def hard_level_label(level: int) -> str:
    """What a hard matter's level (1–3) means."""
    return str(LEVEL_LABELS.get(level, level))


@register.inclusion_tag("supervision/includes/stage_bar.html")
def hard_stage_bar(stage: str) -> dict[str, Any]:
    """The dispatch centre's seven stages (接判办评用) as a progress bar, the reached ones filled."""
    reached = stage_position(stage)
    return {
        "steps": [
            {"value": value, "label": label, "done": index < reached, "current": index == reached - 1}
            for index, (value, label) in enumerate(HardStage.choices)
        ],
        "reached": reached,
        "total": len(HardStage.choices),
        "label": HardStage(stage).label if stage in HardStage.values else "",
    }


@register.inclusion_tag("supervision/includes/panel.html")
def supervision_panel(matter: Matter) -> dict[str, Any]:
    """The matter page's supervision panel. The matter is one the view has already found in the user's scope."""
    supervision = matter_supervision(matter=matter)
    shown = bool(
        matter.due_at
        or matter.supervision_count
        or matter.urged_total
        or matter.hard_level
        or matter.kind == MatterKind.HARD
        or not supervision.empty
    )
    return {"matter": matter, "supervision": supervision, "shown": shown}

"""矛盾纠纷排查 — the writes of the monthly screening: recording a grid's screening of a month with what was found,
setting a found entry's status (watched, settled on the spot), and reminding grid workers of grids not yet screened.

A grid has one screening per month: a second record for the same grid and month adds its entries (and households
visited) to the month's screening and never makes a second row, even when two are recorded at once (the database's
unique constraint decides; the loser adds to the winner's row). "Nothing found" with entries is refused. Each write
is audited in its own transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.models import User
from gridwork.accounts.roles import Perm
from gridwork.accounts.selectors import users_holding
from gridwork.audit.services import audit_record
from gridwork.common.scope import holds_over
from gridwork.mediation.models import DisputeType, RiskLevel
from gridwork.notifications.models import Notification
from gridwork.notifications.services import notification_send
from gridwork.places.models import Place, PlaceLevel
from gridwork.screening.models import EntryStatus, RiskEntry, Screening
from gridwork.screening.selectors import due_day, unscreened_grids

MAX_SUMMARY = 1000
MAX_PARTIES = 500
MAX_LOCATION = 200
MAX_NOTE = 1000
MAX_ENTRIES = 20
MAX_HOUSEHOLDS = 100_000


@dataclass(frozen=True)
class EntryInput:
    """One risk or dispute found on a screening, as the grid worker tells it."""

    dispute_type: str
    risk: str
    summary: str
    parties: str
    location: str
    household: Place | None = None


def month_start(day: date) -> date:
    """The first day of ``day``'s month: how a screening's month is stored."""
    return day.replace(day=1)


holds = holds_over  # the name the views call; the rule is common.scope.holds_over


def _entry_errors(index: int, entry: EntryInput, grid: Place) -> dict[str, str]:
    """What is wrong with one entry, keyed ``entries-<index>-<field>`` (the formset's field names)."""
    errors: dict[str, str] = {}
    prefix = f"entries-{index}-"
    if entry.dispute_type not in DisputeType.values:
        errors[prefix + "dispute_type"] = _("Choose the type of dispute.")
    if entry.risk not in RiskLevel.values:
        errors[prefix + "risk"] = _("Choose the risk level.")
    for name, value, limit in (
        ("summary", entry.summary, MAX_SUMMARY),
        ("parties", entry.parties, MAX_PARTIES),
        ("location", entry.location, MAX_LOCATION),
    ):
        if not value.strip():
            errors[prefix + name] = _("Required.")
        elif len(value.strip()) > limit:
            errors[prefix + name] = _("At most %(limit)d characters.") % {"limit": limit}
    household = entry.household
    if household is not None and (household.level != PlaceLevel.HOUSEHOLD or not household.path.startswith(grid.path)):
        errors[prefix + "household"] = _("Choose a household of this grid.")
    return errors


def _validate(
    *,
    grid: Place,
    month: date,
    screened_on: date,
    households_visited: int,
    found_nothing: bool,
    note: str,
    entries: Sequence[EntryInput],
    today: date,
) -> None:
    errors: dict[str, Any] = {}
    if grid.level != PlaceLevel.GRID:
        errors["grid"] = _("Choose a grid.")
    if month > month_start(today):
        errors["month"] = _("This month has not begun yet.")
    if screened_on > today:
        errors["screened_on"] = _("The day of the screening cannot be in the future.")
    elif month_start(screened_on) != month:
        errors["screened_on"] = _("The day of the screening must fall in the month screened.")
    if households_visited < 0 or households_visited > MAX_HOUSEHOLDS:
        errors["households_visited"] = _("Give the number of households visited.")
    if len(note) > MAX_NOTE:
        errors["note"] = _("At most %(limit)d characters.") % {"limit": MAX_NOTE}
    if found_nothing and entries:
        errors["found_nothing"] = _(
            "Nothing found cannot be ticked with risks or disputes listed: untick it, or remove the entries."
        )
    elif not found_nothing and not entries:
        errors["found_nothing"] = _("List the risks and disputes found, or tick nothing found.")
    if len(entries) > MAX_ENTRIES:
        errors["entries"] = _("At most %(limit)d entries at a time.") % {"limit": MAX_ENTRIES}
    for index, entry in enumerate(entries):
        errors.update(_entry_errors(index, entry, grid))
    if errors:
        raise ValidationError(errors)


def screening_record(
    *,
    actor: Any,
    grid: Place,
    month: date,
    screened_on: date,
    households_visited: int,
    found_nothing: bool,
    note: str,
    entries: Sequence[EntryInput],
) -> Screening:
    """Record the screening of ``grid`` for ``month`` (any day of it; stored as its first day) and what was found.

    SCREEN_DISPUTES over the grid (PermissionDenied otherwise). When the month's screening exists, the entries and
    the households visited are added to it, the day screened moves to the latest, and "nothing found" stays only
    while the month has no entry. Raises ValidationError (field → message; an entry's field as
    ``entries-<n>-<field>``)."""
    if not holds_over(actor, Perm.SCREEN_DISPUTES, grid):
        raise PermissionDenied(_("This grid is outside the grids you may screen."))
    month = month_start(month)
    note = note.strip()
    _validate(
        grid=grid,
        month=month,
        screened_on=screened_on,
        households_visited=households_visited,
        found_nothing=found_nothing,
        note=note,
        entries=entries,
        today=timezone.localdate(),
    )
    with transaction.atomic():
        screening = Screening.objects.select_for_update().filter(grid=grid, month=month).first()
        created = False
        if screening is None:
            try:
                with transaction.atomic():
                    screening = Screening.objects.create(
                        grid=grid,
                        month=month,
                        screened_on=screened_on,
                        households_visited=households_visited,
                        found_nothing=found_nothing,
                        note=note,
                        screened_by=actor,
                    )
                    created = True
            except IntegrityError:
                # Recorded meanwhile by someone else: add to theirs.
                screening = Screening.objects.select_for_update().get(grid=grid, month=month)
        if not created:
            screening.households_visited += households_visited
            screening.screened_on = max(screening.screened_on, screened_on)
            screening.found_nothing = screening.found_nothing and found_nothing
            if note:
                screening.note = f"{screening.note}\n{note}".strip()
            screening.save(update_fields=["households_visited", "screened_on", "found_nothing", "note"])
        RiskEntry.objects.bulk_create(
            RiskEntry(
                screening=screening,
                dispute_type=entry.dispute_type,
                risk=entry.risk,
                summary=entry.summary.strip(),
                parties=entry.parties.strip(),
                location=entry.location.strip(),
                household=entry.household,
                found_on=screened_on,
                recorded_by=actor,
            )
            for entry in entries
        )
        audit_record(
            actor=actor,
            action="screening.record",
            target=screening,
            detail={
                "grid": grid.code,
                "month": f"{month:%Y-%m}",
                "added_to_existing": not created,
                "entries": len(entries),
                "households_visited": households_visited,
                "found_nothing": found_nothing,
            },
        )
    return screening


SETTABLE_STATUSES = (EntryStatus.WATCHED, EntryStatus.SETTLED)


def entry_status_set(*, actor: Any, entry: RiskEntry, status: str, note: str) -> RiskEntry:
    """Mark an entry watched or settled on the spot (a note saying how is required for settled).

    SCREEN_DISPUTES or MANAGE_DISPUTES over the entry's grid. An entry registered as a dispute case keeps that status
    (the case goes on); "registered" is set only by registering the case."""
    grid = entry.screening.grid
    if not (holds_over(actor, Perm.SCREEN_DISPUTES, grid) or holds_over(actor, Perm.MANAGE_DISPUTES, grid)):
        raise PermissionDenied(_("This entry is outside the grids you may screen or manage."))
    note = note.strip()
    errors: dict[str, str] = {}
    if status not in SETTABLE_STATUSES:
        errors["status"] = _("Choose watched or settled on the spot; a case is registered from the case form.")
    elif status == EntryStatus.SETTLED and not note:
        errors["note"] = _("Say how it was settled.")
    if len(note) > MAX_NOTE:
        errors["note"] = _("At most %(limit)d characters.") % {"limit": MAX_NOTE}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = RiskEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.status == EntryStatus.REGISTERED:
            raise ValidationError(
                {"status": _("This entry was registered as a dispute case; follow it up on the case.")}
            )
        before = locked.status
        locked.status, locked.status_note = status, note
        locked.save(update_fields=["status", "status_note"])
        audit_record(
            actor=actor,
            action="screening.entry_status",
            target=locked,
            detail={"from": before, "to": status},
        )
    entry.status, entry.status_note = locked.status, locked.status_note
    return locked


# --- the reminder of the due day --------------------------------------------------------------------------------------


def grid_workers(grid: Place) -> list[User]:
    """Active users with an active post at ``grid`` that grants SCREEN_DISPUTES."""
    return users_holding(Perm.SCREEN_DISPUTES, place_id=grid.pk)


def screening_remind(*, on: date | None = None, force: bool = False) -> int:
    """On the due day (``settings.GRIDWORK_SCREENING_DUE_DAY``), notify the grid workers of every grid without a
    screening this month; once per worker and day (a second run the same day sends nothing). ``force`` reminds on
    any day. Returns how many notifications were written."""
    today = on or timezone.localdate()
    if not force and today.day != due_day():
        return 0
    url = reverse("screening:screening-create")
    sent = 0
    for grid in unscreened_grids(on=today):
        text = _("%(grid)s has no dispute screening for %(month)s yet: record it today.") % {
            "grid": grid.name,
            "month": f"{today:%Y-%m}",
        }
        already = set(
            Notification.objects.filter(text=text[:300], created_at__date=timezone.localdate()).values_list(
                "recipient", flat=True
            )
        )
        sent += notification_send(
            recipients=[user for user in grid_workers(grid) if user.pk not in already],
            text=text,
            url=f"{url}?grid={grid.pk}",
        )
    return sent

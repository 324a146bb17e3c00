"""The rotating chair (轮值), computed: who chairs an alliance on any day, from its changes of chair and its members'
dates. Pure functions over plain values, so that the rule can be read and tested on its own.

Between two changes the chair rotates by itself: the chair of a change serves from its ``starts_on`` until its
``first_ends_on``; then each next member in the order serves ``term_months``. A member whose turn comes on a day
when it is not in the alliance (not yet joined, or left) is skipped. A later change cuts the running term short
(a hand-over, the chair leaving) or keeps it and applies from the next turn (a new order or term).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

ROTATION = "rotation"  # a turn that came by the order, not by a recorded change
SETTINGS = "settings"  # the kind of a change that keeps the running term (``ChairChangeKind.SETTINGS``)


@dataclass(frozen=True)
class Dates:
    """A member's days in the alliance: in it from ``joined_on``, out of it from ``left_on`` (None: still in)."""

    joined_on: date
    left_on: date | None = None

    def active_on(self, day: date) -> bool:
        return self.joined_on <= day and (self.left_on is None or self.left_on > day)


@dataclass(frozen=True)
class Change:
    """A change of chair as the rotation needs it (``models.ChairChange``); ``chair`` and ``order`` are member ids."""

    starts_on: date
    first_ends_on: date
    chair: int | None
    order: tuple[int, ...]
    term_months: int
    kind: str
    reason: str = ""
    sequence: int = 0  # changes of the same day apply in this order (the row's id)


@dataclass(frozen=True)
class Spell:
    """One member's time in the chair: from ``starts_on`` to ``ends_on`` (exclusive; for the running spell, the day
    its term is due to end). ``kind`` says how it began: a recorded change's kind, or ``ROTATION``."""

    member: int | None
    starts_on: date
    ends_on: date
    kind: str
    reason: str = ""

    def covers(self, day: date) -> bool:
        return self.starts_on <= day < self.ends_on


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; the month's last day when that month is shorter (31 Jan + 1 → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def full_order(order: Sequence[int], members: Mapping[int, Dates]) -> list[int]:
    """The chair order: the recorded ``order``, then every other member in the order they were recorded (id)."""
    recorded = [member for member in order if member in members]
    seen = set(recorded)
    return recorded + sorted(member for member in members if member not in seen)


def next_chair(order: Sequence[int], after: int | None, *, on: date, members: Mapping[int, Dates]) -> int | None:
    """The member whose turn comes after ``after`` (from the top when None or not in the order), skipping those not
    in the alliance ``on`` that day; ``after`` itself again when it is the only one; None when nobody is in."""
    if not order:
        return None
    start = order.index(after) + 1 if after in order else 0
    for step in range(len(order)):
        candidate = order[(start + step) % len(order)]
        if members[candidate].active_on(on):
            return candidate
    return None


def chair_spells(changes: Sequence[Change], members: Mapping[int, Dates], *, until: date) -> list[Spell]:
    """Every spell in the chair from the first change up to the one running on ``until``, oldest first."""
    ordered = sorted(changes, key=lambda change: (change.starts_on, change.sequence))
    spells: list[Spell] = []
    pending: Spell | None = None  # the turn that was due when the next change took over, on that very day
    for index, change in enumerate(ordered):
        cut = ordered[index + 1].starts_on if index + 1 < len(ordered) else None
        order = full_order(change.order, members)
        kind, reason = change.kind, change.reason
        if (
            kind == SETTINGS
            and pending is not None
            and (pending.member, pending.starts_on) == (change.chair, change.starts_on)
        ):
            kind, reason = pending.kind, pending.reason  # the same spell goes on under the new order or term
        pending = None
        day, ends, chair, turn = change.starts_on, change.first_ends_on, change.chair, 0
        while day <= until:
            spell = Spell(chair, day, ends, kind, reason)
            if cut is not None and day >= cut:
                pending = spell
                break
            spells.append(Spell(chair, day, min(ends, cut), kind, reason) if cut is not None else spell)
            turn += 1
            day, ends = ends, add_months(change.first_ends_on, turn * change.term_months)
            chair = next_chair(order, chair, on=day, members=members)
            kind, reason = ROTATION, ""
    return spells


def spell_on(spells: Sequence[Spell], day: date) -> Spell | None:
    """The spell running on ``day``, if any."""
    for spell in reversed(spells):
        if spell.covers(day):
            return spell
    return None

"""Test data for the screening: an entry as a grid worker tells it, and a screening recorded through the service."""

from __future__ import annotations

from datetime import date
from typing import Any

from gridwork.mediation.models import DisputeType, RiskLevel
from gridwork.places.models import Place
from gridwork.screening.models import Screening
from gridwork.screening.services import EntryInput, screening_record

PARTIES = "王建国 13912340001，李秀英 13912340002"


def leak(**fields: Any) -> EntryInput:
    values: dict[str, Any] = {
        "dispute_type": DisputeType.NEIGHBOUR,
        "risk": RiskLevel.MEDIUM,
        "summary": "201室卫生间漏水至101室，双方争执。",
        "parties": PARTIES,
        "location": "春晖路1号1号楼",
    }
    values.update(fields)
    return EntryInput(**values)


def record(
    actor: Any,
    grid: Place,
    on: date,
    *,
    entries: tuple[EntryInput, ...] = (),
    households: int = 12,
    note: str = "",
) -> Screening:
    """The screening of ``grid`` for ``on``'s month, screened on ``on`` (nothing found when no entries)."""
    return screening_record(
        actor=actor,
        grid=grid,
        month=on,
        screened_on=on,
        households_visited=households,
        found_nothing=not entries,
        note=note,
        entries=list(entries),
    )

"""Checks that span the rows of one file and the database: duplicates, parents in cycles, look-ups by code."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm

_K = TypeVar("_K", bound=Hashable)
_M = TypeVar("_M", bound=Model)
CHUNK = 500


def rows_phrase(numbers: Iterable[int]) -> str:
    """“row 3”, “rows 3 and 7”, “rows 3, 7 and 9”."""
    ordered = sorted(set(numbers))
    if len(ordered) == 1:
        return _("row %(n)d") % {"n": ordered[0]}
    return _("rows %(list)s and %(last)d") % {"list": ", ".join(str(n) for n in ordered[:-1]), "last": ordered[-1]}


def duplicates(keyed_rows: Iterable[tuple[_K, int]]) -> dict[_K, list[int]]:
    """The keys given on more than one row, with the row numbers that give each."""
    rows: dict[_K, list[int]] = defaultdict(list)
    for key, number in keyed_rows:
        rows[key].append(number)
    return {key: numbers for key, numbers in rows.items() if len(numbers) > 1}


def parent_cycles(parents: Mapping[str, str | None]) -> list[list[str]]:
    """The loops in a child → parent map (parents outside the map end a chain), each listed from where entered."""
    state: dict[str, int] = {}  # 1 on the current walk, 2 finished
    cycles: list[list[str]] = []
    for start in parents:
        if start in state:
            continue
        walk: list[str] = []
        node: str | None = start
        while node is not None and node in parents and node not in state:
            state[node] = 1
            walk.append(node)
            node = parents[node]
        if node is not None and state.get(node) == 1:
            cycles.append(walk[walk.index(node) :])
        for visited in walk:
            state[visited] = 2
    return cycles


def depths(parents: Mapping[str, str | None]) -> dict[str, int]:
    """Each key's depth among the keys: 0 when its parent is not a key. ``parents`` must hold no cycle."""
    found: dict[str, int] = {}
    for start in parents:
        chain: list[str] = []
        node: str | None = start
        while node is not None and node in parents and node not in found and node not in chain:
            chain.append(node)
            node = parents[node]
        base = found.get(node, -1) if node is not None else -1
        for offset, key in enumerate(reversed(chain), start=1):
            found[key] = base + offset
    return found


def by_code(queryset: QuerySet[_M], codes: Iterable[str], field: str = "code") -> dict[str, _M]:
    """The rows of ``queryset`` whose ``field`` is one of ``codes``, keyed by it, in chunks the database accepts."""
    wanted = sorted({code for code in codes if code})
    found: dict[str, _M] = {}
    for start in range(0, len(wanted), CHUNK):
        for item in queryset.filter(**{f"{field}__in": wanted[start : start + CHUNK]}):
            found[getattr(item, field)] = item
    return found


def in_scope_ids(actor: Any, queryset: QuerySet[_M], ids: Iterable[int]) -> set[int]:
    """Which of ``ids`` the actor may import under (``Perm.IMPORT_DATA``); all of them for the system (None)."""
    wanted = sorted(set(ids))
    if actor is None:
        return set(wanted)
    allowed: set[int] = set()
    scoped = queryset.restrict(actor, Perm.IMPORT_DATA)  # type: ignore[attr-defined]
    for start in range(0, len(wanted), CHUNK):
        allowed.update(scoped.filter(pk__in=wanted[start : start + CHUNK]).values_list("pk", flat=True))
    return allowed

"""The rollup's cost on the write path: ``matter_file`` and ``matter_transition`` on the loaded database, with the
rollup hook (``rollup.matter_filed`` / ``matter_moved``, in the move's transaction) and without it (the two hooks
replaced by no-ops in this process only), alternating in rounds so that a change in the machine's load touches both.

Each round files ``--moves / 5 / 2`` matters through the real service (a map pin located in its grid, triage,
numbering, the event, the outbox) and takes each through dispatch → accept → reply → rating (call-back) → verify and
close: five moves, by a member of the city's staff and a handler of the lead department. The hook's own time is also
measured inside the transaction (the wrapped hook), which is its whole cost. The matters and rollup rows it adds stay
in the bench database, after the dashboard queries were timed.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

MOVES = ("dispatch", "accept", "reply", "rate", "verify_close")


def _users() -> tuple[Any, Any, Any, Any]:
    from gridwork.accounts.models import Post, User
    from gridwork.accounts.roles import Role
    from gridwork.places.models import Department, Place

    city = Place.objects.get(level="city")
    grid = Place.objects.filter(level="grid").order_by("code").first()
    assert grid is not None
    district = Place.objects.get(code=grid.ancestor_codes()[1])
    department = Department.objects.filter(place=district).order_by("code").first()
    assert department is not None
    dispatcher, _created = User.objects.get_or_create(username="bench-city-staff", defaults={"full_name": "市调度员"})
    Post.objects.get_or_create(user=dispatcher, role=Role.CITY_STAFF, place=city)
    handler, _created = User.objects.get_or_create(username="bench-handler", defaults={"full_name": "部门处置员"})
    Post.objects.get_or_create(user=handler, role=Role.DEPARTMENT_HANDLER, place=district, department=department)
    return User.objects.get(pk=dispatcher.pk), User.objects.get(pk=handler.pk), grid, department


@contextmanager
def _hooks(enabled: bool, spent: list[float]) -> Iterator[None]:
    """The rollup hooks as they are, timed; or no-ops."""
    from gridwork.analytics import rollup

    original_filed, original_moved = rollup.matter_filed, rollup.matter_moved

    def timed(function: Callable[..., None]) -> Callable[..., None]:
        def wrapper(*args: Any, **kwargs: Any) -> None:
            started = time.perf_counter()
            try:
                function(*args, **kwargs)
            finally:
                spent.append(time.perf_counter() - started)

        return wrapper

    def nothing(*_args: Any, **_kwargs: Any) -> None:
        return None

    with (
        mock.patch.object(rollup, "matter_filed", timed(original_filed) if enabled else nothing),
        mock.patch.object(rollup, "matter_moved", timed(original_moved) if enabled else nothing),
    ):
        yield


def _lifecycle(  # noqa: PLR0917 — the cast of one matter's story
    dispatcher: Any, handler: Any, grid: Any, department: Any, category: Any, times: dict[str, list[float]] | None
) -> None:
    """File one matter and take it through the five moves, timing each call into ``times``."""
    from gridwork.matters.services import matter_file, matter_transition

    started = time.perf_counter()
    receipt = matter_file(
        actor=dispatcher,
        channel="hotline",
        text="小区门口路灯不亮，晚上出行不便，请尽快维修。",
        latitude=grid.latitude,
        longitude=grid.longitude,
    )
    if times is not None:
        times["file"].append(time.perf_counter() - started)
    steps: list[tuple[str, Any, dict[str, Any]]] = [
        (
            "dispatch",
            dispatcher,
            {"kind": "professional", "category_id": category.pk, "lead_department_id": department.pk},
        ),
        ("accept", handler, {}),
        ("reply", handler, {"text": "已安排维修，路灯已恢复。"}),
        ("rate", dispatcher, {"satisfaction": "satisfied", "by": "call_back"}),
        ("verify_close", dispatcher, {}),
    ]
    for action, actor, data in steps:
        started = time.perf_counter()
        matter_transition(actor=actor, matter_id=receipt.matter_id, action=action, data=data)
        if times is not None:
            times[action].append(time.perf_counter() - started)


def run(options: argparse.Namespace) -> dict[str, Any]:
    from gridwork.matters.models import Category

    dispatcher, handler, grid, department = _users()
    category = Category.objects.filter(level=3, code__startswith="T01").order_by("code").first()
    assert category is not None
    per_round = max(1, options.moves // len(MOVES) // 2)
    rounds = 4  # with, without, with, without
    times: dict[bool, dict[str, list[float]]] = {True: defaultdict(list), False: defaultdict(list)}
    hook_seconds: list[float] = []
    print(
        f"\nWrite path: {rounds} rounds of {per_round} matters × (file + {len(MOVES)} moves), hook on/off", flush=True
    )
    # Warm-up outside the measurement (the locating index, triage's keywords, the categories' cache): one matter
    # taken through the whole loop with the hooks and one without.
    for enabled in (True, False):
        with _hooks(enabled, []):
            _lifecycle(dispatcher, handler, grid, department, category, None)
    for index in range(rounds):
        enabled = index % 2 == 0
        spent: list[float] = []
        with _hooks(enabled, spent):
            for _ in range(per_round):
                _lifecycle(dispatcher, handler, grid, department, category, times[enabled])
        if enabled:
            hook_seconds.extend(spent)
    report: dict[str, Any] = {"ok": True, "matters_per_round": per_round, "rounds": rounds, "operations": {}}
    for operation in ("file", *MOVES):
        with_hook, without = times[True][operation], times[False][operation]
        report["operations"][operation] = {
            "with_hook_median_ms": round(statistics.median(with_hook) * 1000, 2),
            "without_hook_median_ms": round(statistics.median(without) * 1000, 2),
            "ratio": round(statistics.median(with_hook) / statistics.median(without), 2),
            "count": len(with_hook),
        }
    moves_with = [t for op in MOVES for t in times[True][op]]
    moves_without = [t for op in MOVES for t in times[False][op]]
    median_sum_with = sum(statistics.median(times[True][op]) for op in MOVES)
    median_sum_without = sum(statistics.median(times[False][op]) for op in MOVES)
    report["moves"] = {
        "count_each": len(moves_with),
        "sum_of_medians_with_ms": round(median_sum_with * 1000, 2),
        "sum_of_medians_without_ms": round(median_sum_without * 1000, 2),
        "ratio_of_median_sums": round(median_sum_with / median_sum_without, 3),
        "with_hook_mean_ms": round(statistics.mean(moves_with) * 1000, 2),
        "without_hook_mean_ms": round(statistics.mean(moves_without) * 1000, 2),
        "ratio_of_means": round(statistics.mean(moves_with) / statistics.mean(moves_without), 3),
    }
    report["hook"] = {
        "calls": len(hook_seconds),
        "median_ms": round(statistics.median(hook_seconds) * 1000, 2),
        "p90_ms": round(sorted(hook_seconds)[int(len(hook_seconds) * 0.9)] * 1000, 2),
        "mean_ms": round(statistics.mean(hook_seconds) * 1000, 2),
    }
    for operation, figures in report["operations"].items():
        print(
            f"  {operation:<14} with hook {figures['with_hook_median_ms']:>7.2f} ms  without "
            f"{figures['without_hook_median_ms']:>7.2f} ms  ratio {figures['ratio']:.2f}",
            flush=True,
        )
    print(
        f"  the five moves: sum of medians {report['moves']['sum_of_medians_with_ms']} ms with the hook, "
        f"{report['moves']['sum_of_medians_without_ms']} ms without (×{report['moves']['ratio_of_median_sums']}); "
        f"the hook itself: median {report['hook']['median_ms']} ms, p90 {report['hook']['p90_ms']} ms",
        flush=True,
    )
    return report

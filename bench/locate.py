"""Locating benchmark: GridIndex.locate (STRtree) against locate_brute_force (a scan of every grid).

Both look up the same deterministic random points spread over the city's bounding box. The brute force
looks up the first ``--brute-force-points`` of them (all of them is slow); its rate and the ratio are
computed on exactly the points it looked up, against the tree's time on those same points. Every point
looked up both ways must give the same answer (the same grid, or "outside" both times).
"""

from __future__ import annotations

import argparse
import gc
import random
import time
import tracemalloc
from pathlib import Path
from typing import Any

REPEATS = 3
Answer = tuple[int, bool] | None  # (grid id, inside) or None when outside the service area


def rss_bytes() -> int | None:
    """The resident set size of this process now (Linux), or None where /proc is not there."""
    status = Path("/proc/self/status")
    if not status.exists():
        return None
    for line in status.read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return None


def run(options: argparse.Namespace) -> dict[str, Any]:
    from django.conf import settings

    from gridwork.places.locating import GridIndex, OutsideServiceAreaError, get_grid_index, locate
    from gridwork.places.models import Place

    # Index load: time and memory. tracemalloc sees Python objects only; the RSS growth also counts the GEOS
    # geometries and the STRtree, which live outside Python's allocator (and any memory the query freed
    # but the allocator kept).
    gc.collect()
    rss_before = rss_bytes()
    tracemalloc.start()
    started = time.perf_counter()
    index = GridIndex.load()
    load_seconds = time.perf_counter() - started
    traced_now, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    gc.collect()
    rss_after = rss_bytes()
    started = time.perf_counter()
    GridIndex.load()
    second_load_seconds = time.perf_counter() - started

    city = Place.objects.get(level="city", code="520100000000")
    west, south, east, north = _bounds(city.boundary)
    rng = random.Random(options.seed)
    points = [(rng.uniform(south, north), rng.uniform(west, east)) for _ in range(options.points)]
    brute_count = min(options.brute_force_points, len(points))

    def answer(lookup: Any, latitude: float, longitude: float) -> Answer:
        try:
            location = lookup(latitude, longitude)
        except OutsideServiceAreaError:
            return None
        return (location.grid_id, location.inside)

    for latitude, longitude in points[:200]:  # warm up
        answer(index.locate, latitude, longitude)
        answer(index.locate_brute_force, latitude, longitude)

    def timed(lookup: Any, subset: list[tuple[float, float]]) -> tuple[list[Answer], float]:
        """The answers, and the best time of REPEATS runs over the points (as timeit does)."""
        best = float("inf")
        answers: list[Answer] = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            answers = [answer(lookup, lat, lng) for lat, lng in subset]
            best = min(best, time.perf_counter() - started)
        return answers, best

    get_grid_index()  # the service loads its own, process-wide index on first use: not part of the lookups
    tree_answers, tree_seconds = timed(index.locate, points)
    tree_subset, tree_subset_seconds = timed(index.locate, points[:brute_count])
    brute_answers, brute_seconds = timed(index.locate_brute_force, points[:brute_count])
    _service_answers, service_seconds = timed(locate, points[:brute_count])

    mismatches = [
        {"latitude": points[i][0], "longitude": points[i][1], "tree": tree_subset[i], "brute_force": brute_answers[i]}
        for i in range(brute_count)
        if tree_subset[i] != brute_answers[i]
    ]
    assert tree_subset == tree_answers[:brute_count], "the tree gave different answers on two runs"
    outcomes = {
        "inside": sum(1 for a in tree_answers if a is not None and a[1]),
        "nearest": sum(1 for a in tree_answers if a is not None and not a[1]),
        "outside": sum(1 for a in tree_answers if a is None),
    }
    tree_rate = len(points) / tree_seconds
    tree_subset_rate = brute_count / tree_subset_seconds
    brute_rate = brute_count / brute_seconds
    service_rate = brute_count / service_seconds
    result = {
        "ok": not mismatches,
        "grids": len(index),
        "points": len(points),
        "seed": options.seed,
        "nearest_metres": settings.LOCATE_NEAREST_METRES,
        "bounding_box": {"west": west, "south": south, "east": east, "north": north},
        "outcomes": outcomes,
        "load": {
            "seconds": round(load_seconds, 3),
            "second_load_seconds": round(second_load_seconds, 3),
            "python_heap_retained_mb": round(traced_now / 2**20, 1),
            "python_heap_peak_mb": round(traced_peak / 2**20, 1),
            "rss_growth_mb": round((rss_after - rss_before) / 2**20, 1) if rss_before and rss_after else None,
        },
        "tree": {
            "points": len(points),
            "seconds": round(tree_seconds, 3),
            "lookups_per_second": round(tree_rate),
            "microseconds_per_lookup": round(1e6 / tree_rate, 1),
        },
        "tree_on_brute_force_points": {
            "points": brute_count,
            "seconds": round(tree_subset_seconds, 3),
            "lookups_per_second": round(tree_subset_rate),
        },
        "brute_force": {
            "points": brute_count,
            "seconds": round(brute_seconds, 3),
            "lookups_per_second": round(brute_rate),
            "microseconds_per_lookup": round(1e6 / brute_rate, 1),
        },
        "locate_service": {
            "points": brute_count,
            "lookups_per_second": round(service_rate),
            "note": "gridwork.places.locating.locate(): parsing, the version check and GridIndex.locate",
        },
        "repeats": REPEATS,
        "speed_ratio_tree_over_brute_force": round(tree_subset_rate / brute_rate, 1),
        "compared": brute_count,
        "mismatches": len(mismatches),
        "first_mismatches": mismatches[:10],
    }
    _print(result)
    return result


def _bounds(boundary: dict[str, Any]) -> tuple[float, float, float, float]:
    import shapely

    west, south, east, north = shapely.geometry.shape(boundary).bounds
    return west, south, east, north


def _print(result: dict[str, Any]) -> None:
    load, tree, brute = result["load"], result["tree"], result["brute_force"]
    outcomes = result["outcomes"]
    rows = [
        ("grids in the index", f"{result['grids']:,}"),
        ("index load", f"{load['seconds']:.2f} s (again: {load['second_load_seconds']:.2f} s)"),
        ("index memory, RSS growth", f"{load['rss_growth_mb']} MB"),
        (
            "index memory, Python heap",
            f"{load['python_heap_retained_mb']} MB kept, {load['python_heap_peak_mb']} MB peak",
        ),
        (
            "points",
            f"{result['points']:,} (inside {outcomes['inside']:,}, nearest {outcomes['nearest']:,}, "
            f"outside {outcomes['outside']:,})",
        ),
        ("STRtree", f"{tree['lookups_per_second']:,} lookups/s ({tree['microseconds_per_lookup']} µs each)"),
        (
            "brute force",
            f"{brute['lookups_per_second']:,} lookups/s ({brute['microseconds_per_lookup']} µs each), "
            f"on {brute['points']:,} points",
        ),
        ("STRtree on those points", f"{result['tree_on_brute_force_points']['lookups_per_second']:,} lookups/s"),
        ("speed ratio", f"{result['speed_ratio_tree_over_brute_force']}× (same points)"),
        ("locate() service", f"{result['locate_service']['lookups_per_second']:,} lookups/s"),
        ("agreement", f"{result['compared'] - result['mismatches']:,} of {result['compared']:,} points"),
    ]
    width = max(len(label) for label, _value in rows)
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")

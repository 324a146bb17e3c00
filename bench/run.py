"""Run the benchmarks: ``bench/run.py`` runs them all, ``bench/run.py locate`` runs one.

The benchmarks use the development settings with their own SQLite database, var/bench/gridwork-bench.sqlite3,
migrated and filled with the city-scale demo city the first time. The intake benchmarks make databases of their
own instead (see bench/intake.py); ``intake`` names both of them. Each benchmark prints its figures and
writes them to bench/results/<name>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATABASE = ROOT / "var" / "bench" / "gridwork-bench.sqlite3"
RESULTS = ROOT / "bench" / "results"


@dataclass(frozen=True)
class Benchmark:
    name: str
    description: str
    run: Callable[[argparse.Namespace], dict[str, Any]]
    needs_bench_city: bool = True  # runs on var/bench/gridwork-bench.sqlite3 with the city-scale demo city


# Names that stand for several benchmarks.
GROUPS = {"intake": ("intake-sqlite", "intake-postgresql")}


def benchmarks() -> dict[str, Benchmark]:
    """The registry: add a module with a ``run(options) -> dict`` and list it here."""
    from bench import intake, locate

    found = [
        Benchmark("locate", "point → grid lookups: STRtree index against a scan of every grid", locate.run),
        Benchmark(
            "intake-sqlite",
            "residents' reports through POST /report/new/ on gunicorn, against GET /, on SQLite",
            intake.run_sqlite,
            needs_bench_city=False,
        ),
        Benchmark(
            "intake-postgresql",
            "residents' reports through POST /report/new/ on gunicorn, against GET /, on PostgreSQL",
            intake.run_postgresql,
            needs_bench_city=False,
        ),
    ]
    return {benchmark.name: benchmark for benchmark in found}


def setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ["GRIDWORK_SQLITE_PATH"] = str(DATABASE)
    DATABASE.parent.mkdir(parents=True, exist_ok=True)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def ensure_demo_city() -> None:
    from django.core.management import call_command

    from gridwork.demo.build import demo_city_build, demo_city_exists
    from gridwork.demo.plan import SCALES

    call_command("migrate", verbosity=0, interactive=False)
    if demo_city_exists():
        return
    print(f"Building the city-scale demo city in {DATABASE.relative_to(ROOT)} (once)…", flush=True)
    summary = demo_city_build(scale=SCALES["city"], log=print)
    print(f"Built in {summary.seconds:.1f} s.", flush=True)


def environment() -> dict[str, Any]:
    import django
    import shapely

    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "django": django.get_version(),
        "shapely": shapely.__version__,
        "geos": ".".join(map(str, shapely.geos_version)),
        "machine": platform.machine(),
        "system": platform.system(),
        "cpus": os.cpu_count(),
    }


def main(argv: list[str] | None = None) -> int:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from bench import intake

    registry = benchmarks()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "names", nargs="*", help=f"benchmarks to run, of {', '.join([*registry, *GROUPS])} (default: all)"
    )
    parser.add_argument("--points", type=int, default=20_000, help="locate: random points to look up")
    parser.add_argument(
        "--brute-force-points", type=int, default=5_000, help="locate: how many of them the brute force also looks up"
    )
    parser.add_argument("--seed", type=int, default=20261121, help="seed of the random points")
    intake.add_arguments(parser)
    options = parser.parse_args(argv)
    unknown = [name for name in options.names if name not in registry and name not in GROUPS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join([*registry, *GROUPS])}")
    names = list(dict.fromkeys(chosen for name in options.names for chosen in GROUPS.get(name, (name,))))

    setup_django()
    if any(registry[name].needs_bench_city for name in names or registry):
        ensure_demo_city()
    RESULTS.mkdir(parents=True, exist_ok=True)
    failures = 0
    for name in names or list(registry):
        benchmark = registry[name]
        print(f"\n== {name}: {benchmark.description}", flush=True)
        started = time.perf_counter()
        result = {"benchmark": name, **environment(), **benchmark.run(options)}
        result["wall_seconds"] = round(time.perf_counter() - started, 2)
        path = RESULTS / f"{name}.json"
        path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"Results written to {path.relative_to(ROOT)}")
        failures += int(not result.get("ok", True))
    return 1 if failures else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # Ctrl-C (or SIGTERM in the intake benchmark): its servers are stopped by now
        print("\nInterrupted.", file=sys.stderr)
        sys.exit(130)

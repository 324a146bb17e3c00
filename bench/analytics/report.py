"""Print the Markdown tables of bench/analytics/README.md from the results of both databases.

.venv/bin/python bench/analytics/report.py --matters 10000000
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results"


def _load(database: str, matters: int) -> dict[str, Any] | None:
    path = RESULTS / f"analytics-{database}-{matters}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def _flag(row: dict[str, Any]) -> str:
    return _ms(row["median_ms"]) if row["under_300ms"] else f"**{_ms(row['median_ms'])}**"


def queries_table(sqlite: dict[str, Any] | None, postgresql: dict[str, Any] | None) -> str:
    runs = {
        name: {row["query"]: row for row in r["queries"]["rows"]} for name, r in (("s", sqlite), ("p", postgresql)) if r
    }
    names = list((runs.get("s") or runs.get("p") or {}).keys())
    lines = [
        "| query | SQLite cold | SQLite best | SQLite median | PostgreSQL cold | PostgreSQL best | PostgreSQL median "
        "| DuckDB on Parquet | DuckDB ÷ SQLite | DuckDB ÷ PostgreSQL |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in names:
        s, p = runs.get("s", {}).get(name), runs.get("p", {}).get(name)
        reference = s or p
        assert reference is not None
        duck = reference.get("duckdb_ms")
        starred = ""
        cells = [name]
        for row in (s, p):
            if row is None:
                cells += ["—", "—", "—"]
            else:
                cells += [_ms(row["cold_ms"]), _ms(row["best_ms"]), _flag(row)]
        cells.append(f"{_ms(duck)}{starred}")
        for row in (s, p):
            ratio = row["duckdb_over_rollup"] if row else None
            cells.append("—" if not ratio else f"×{ratio:.1f}" if ratio < 10 else f"×{ratio:,.0f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def writes_table(sqlite: dict[str, Any] | None, postgresql: dict[str, Any] | None) -> str:
    lines = [
        "| operation | SQLite with hook | SQLite without | ratio | PostgreSQL with hook | PostgreSQL without | ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    operations = (sqlite or postgresql or {}).get("writes", {}).get("operations", {})
    for operation in operations:
        cells = [operation]
        for result in (sqlite, postgresql):
            figures = (result or {}).get("writes", {}).get("operations", {}).get(operation)
            if figures is None:
                cells += ["—", "—", "—"]
            else:
                cells += [
                    f"{figures['with_hook_median_ms']:.1f}",
                    f"{figures['without_hook_median_ms']:.1f}",
                    f"{figures['ratio']:.2f}",
                ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--matters", type=int, default=10_000_000)
    options = parser.parse_args(argv)
    sqlite, postgresql = _load("sqlite", options.matters), _load("postgresql", options.matters)
    if sqlite is None and postgresql is None:
        print("No results yet.", file=sys.stderr)
        return 1
    print(queries_table(sqlite, postgresql))
    print()
    print(writes_table(sqlite, postgresql))
    for name, result in (("SQLite", sqlite), ("PostgreSQL", postgresql)):
        if result and result.get("queries", {}).get("proposed_indexes"):
            print(f"\n{name}, with the proposed indexes:")
            for row in result["queries"]["proposed_indexes"]["queries"]:
                print(f"- {row['query']}: {row['before_median_ms']} → {row['after_median_ms']} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

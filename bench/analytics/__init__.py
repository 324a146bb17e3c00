"""The analytics scale benchmark: a year of a very large city's matters, the dashboard queries on the rollup against
DuckDB scanning the raw rows, and the rollup's cost on the write path (see bench/analytics/README.md)."""

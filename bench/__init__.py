"""Benchmarks of the platform, run by ``make bench`` (see bench/README.md)."""

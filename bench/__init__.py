"""Benchmarks of the course: `make bench` runs them and writes bench/results.json."""

"""Benchmarks (never part of the test suite): ``python -m bench [name ...]`` rewrites BENCHMARKS.md."""

"""Benchmarks: run by hand (see docs/operators/performance.md), never as timed tests."""

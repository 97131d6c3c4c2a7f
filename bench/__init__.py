"""Benchmarks: run by hand (see README), never as timed tests."""

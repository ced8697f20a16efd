"""Fake servers that stand in for remote APIs in tests and benchmarks (real HTTP on 127.0.0.1)."""

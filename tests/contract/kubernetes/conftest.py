"""Fixtures: the fake cluster (serving sample_cluster())."""

from __future__ import annotations

from tests.fakes.kubernetes.fixtures import fake_kubernetes  # noqa: F401  (a fixture)

"""Fixtures: the fake GitLab serving sample_instance()."""

from tests.fakes.gitlab.fixtures import fake_gitlab  # noqa: F401  (a fixture)

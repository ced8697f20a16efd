"""collectors/githost/selection.py: the repository selection every Git host's config shares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from collectors.githost.config import GitHostConfig
from collectors.githost.selection import selected


@dataclass(frozen=True)
class _Listed:
    archived: bool = False
    fork: bool = False
    topics: tuple[str, ...] = ("octocat", "atom")


@pytest.mark.parametrize(
    ("listed", "options", "expected"),
    [
        (_Listed(), {}, True),
        (_Listed(archived=True), {}, False),
        (_Listed(archived=True), {"include_archived": True}, True),
        (_Listed(fork=True), {}, False),
        (_Listed(fork=True), {"include_forks": True}, True),
        (_Listed(archived=True, fork=True), {"include_archived": True}, False),
        (_Listed(), {"include": ["svc-*"]}, False),
        (_Listed(), {"include": ["svc-*", "Hello-*"]}, True),
        (_Listed(), {"exclude": ["Hello-*"]}, False),
        (_Listed(), {"include": ["Hello-*"], "exclude": ["*-World"]}, False),
        (_Listed(), {"topics": ["atom", "other"]}, True),
        (_Listed(), {"topics": ["other"]}, False),
        (_Listed(topics=()), {"topics": ["atom"]}, False),
    ],
)
def test_selection_follows_the_configuration(listed: _Listed, options: dict[str, Any], expected: bool) -> None:
    assert selected(listed, ("Hello-World",), GitHostConfig.model_validate(options)) is expected


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"include": ["apps/*"]}, True),  # the path below the group
        ({"include": ["svc"]}, True),  # the name
        ({"include": ["other/*"]}, False),
        ({"exclude": ["sv*"]}, False),  # excluded by its name though its path does not match
        ({"exclude": ["apps/*"]}, False),
    ],
)
def test_any_of_the_names_given_is_matched(options: dict[str, Any], expected: bool) -> None:
    """GitLab gives a project's name and its path below the group."""
    assert selected(_Listed(), ("svc", "apps/svc"), GitHostConfig.model_validate(options)) is expected


def test_patterns_match_case_sensitively() -> None:
    assert not selected(_Listed(), ("Hello-World",), GitHostConfig.model_validate({"include": ["hello-*"]}))

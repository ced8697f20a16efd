"""Plain-text formats write the scope beside a path that is not live (issue 13, point 1)."""

from __future__ import annotations

import pytest

from reports.text import scoped


@pytest.mark.parametrize(
    ("locator", "shown"),
    [
        ("tests/fixtures/policy.yaml", "tests/fixtures/policy.yaml (test fixture)"),
        ("examples/basic/main.tf", "examples/basic/main.tf (sample)"),
        ("infra/main.tf", "infra/main.tf"),
        ("https://github.com/acme/tests/blob/main/x", "https://github.com/acme/tests/blob/main/x"),  # a URL, not a path
    ],
)
def test_scoped(locator: str, shown: str) -> None:
    assert scoped(locator) == shown

"""The request budget of a GitLab scan of the sample group, by endpoint: a full scan, then an
unchanged re-scan. A change that costs more requests per project shows here first."""

from __future__ import annotations

from pathlib import Path

from tests.contract.gitlab.scanning import run_gitlab
from tests.fakes.gitlab.server import FakeGitLab

GROUP = {"group": 1, "group members": 2, "group protected branches": 1, "subgroups": 1, "projects": 1, "graphql": 1}


def test_a_full_scan_and_an_unchanged_rescan_cost_what_they_should(fake_gitlab: FakeGitLab, tmp_path: Path) -> None:
    run_gitlab(fake_gitlab, cache_dir=tmp_path)
    # four projects: one archive each (the empty one has none), the window's commits (not the empty one's),
    # deployments, and merge requests of the one platform project; protected branches, direct members and
    # head commits in one GraphQL query; the members of the two subgroups holding projects (vcs.access),
    # and the one file of another project svc-a's pipeline includes
    assert dict(fake_gitlab.exchanges.per_route()) == {
        **GROUP, "archive": 3, "commits": 3, "deployments": 4, "merge requests": 1,
        "group members": GROUP["group members"] + 2, "raw file": 1,
    }
    fake_gitlab.exchanges.clear()
    run_gitlab(fake_gitlab, cache_dir=tmp_path)
    assert dict(fake_gitlab.exchanges.per_route()) == GROUP  # nothing of any project's own

"""The request budget of a GitLab scan of the sample group, by endpoint: a full scan, then an
unchanged re-scan, with the Reporter token the README recommends (the fake's default) and with a
Maintainer's. A change that costs more requests per project shows here first."""

from __future__ import annotations

from pathlib import Path

from tests.contract.gitlab.scanning import run_gitlab
from tests.fakes.gitlab.server import FakeGitLab

GROUP = {"group": 1, "group members": 2, "group protected branches": 1, "subgroups": 1, "projects": 1, "graphql": 1}


# four projects: one archive each (the empty one has none), the window's commits (not the empty one's),
# deployments, and merge requests of the one platform project; direct members and head commits in one
# GraphQL query; the members of the two subgroups holding projects (vcs.access), and the one file of
# another project svc-a's pipeline includes
FULL = {**GROUP, "archive": 3, "commits": 3, "deployments": 4, "merge requests": 1,
        "group members": GROUP["group members"] + 2, "raw file": 1}


def test_a_maintainers_full_scan_and_unchanged_rescan_cost_what_they_should(fake_gitlab: FakeGitLab, tmp_path: Path) -> None:
    fake_gitlab.instance.maintainer_tokens.add(fake_gitlab.token)
    run_gitlab(fake_gitlab, cache_dir=tmp_path)
    assert dict(fake_gitlab.exchanges.per_route()) == FULL  # protected branches in the GraphQL query too
    fake_gitlab.exchanges.clear()
    run_gitlab(fake_gitlab, cache_dir=tmp_path)
    assert dict(fake_gitlab.exchanges.per_route()) == GROUP  # nothing of any project's own


def test_a_reporters_full_scan_and_unchanged_rescan_cost_what_they_should(fake_gitlab: FakeGitLab, tmp_path: Path) -> None:
    run_gitlab(fake_gitlab, cache_dir=tmp_path)
    # GraphQL shows a Reporter no branch rules: protected branches over REST, but for the two projects whose
    # default branch protectableBranches leaves out (a protection names it)
    assert dict(fake_gitlab.exchanges.per_route()) == {**FULL, "protected branches": 2}
    fake_gitlab.exchanges.clear()
    run_gitlab(fake_gitlab, cache_dir=tmp_path)
    assert dict(fake_gitlab.exchanges.per_route()) == GROUP  # the protected branches carried with the rest

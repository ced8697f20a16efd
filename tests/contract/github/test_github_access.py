"""vcs.access: teams granted access to each repository against people granted it one by one.

The fake answers as GitHub does: secret teams are hidden from a token that is not an
organization owner (nor in the team), and a repository's collaborators from a token without
push access. What the token cannot see is unknown, never 0.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from collectors.github.access import COLLABORATORS_HIDDEN, NOT_OWNER
from scanner.model import EvidenceStatus
from tests.contract.github.orgs import acme
from tests.contract.github.scanning import Scan, ScanRunner, run_github
from tests.fakes.github.fixtures import fake_github_fixture
from tests.fakes.github.model import DEFAULT_TOKEN, Token, World
from tests.fakes.github.server import FakeGitHub

acme_github = fake_github_fixture(acme)
member_github = fake_github_fixture(lambda: World(orgs=[acme()], tokens=[Token(DEFAULT_TOKEN, org_admin=False)]))
no_push_github = fake_github_fixture(lambda: World(orgs=[acme()], tokens=[Token(DEFAULT_TOKEN, repo_push=False)]))


def test_team_grants_and_direct_collaborators_are_counted_per_repository(acme_github: FakeGitHub, scan_github: ScanRunner) -> None:
    scan = scan_github(acme_github)

    # svc-b: the secret platform-oncall team, and bob and a contractor granted one by one
    assert scan.data("github:acme/svc-b", "vcs.access") == {
        "team_grants": 1, "direct_collaborators": 2, "team_grant_share": 0.3333, "expiring_grants": None}
    assert scan.data("github:acme/svc-a", "vcs.access") == {
        "team_grants": 1, "direct_collaborators": 0, "team_grant_share": 1.0, "expiring_grants": None}
    # one repository list per team (the platform team's is read for org.teams too), none per repository
    team_lists = [entry.path for entry in acme_github.stats.log if entry.path.endswith("/repos") and "/teams/" in entry.path]
    assert set(team_lists) == {f"/orgs/acme/teams/{team.slug}/repos" for team in acme_github.org.teams}
    assert len(team_lists) == len(acme_github.org.teams) + 1


def test_a_token_that_is_not_an_owner_leaves_team_grants_unknown(member_github: FakeGitHub, scan_github: ScanRunner) -> None:
    scan = scan_github(member_github)

    # GitHub hides the secret team from it: counting what it sees would undercount team grants
    assert scan.data("github:acme", "org.teams")["teams"] == 2
    for repository in ("platform-ci", "svc-a", "svc-b", "service-template"):
        record = scan.of(f"github:acme/{repository}", "vcs.access")
        assert record.status is EvidenceStatus.UNAVAILABLE and record.reason == NOT_OWNER
    assert any("repository access unavailable for 4 subjects" in line for line in scan.messages())


def test_collaborators_hidden_from_a_token_without_push_access_are_unknown_not_zero(
    no_push_github: FakeGitHub, scan_github: ScanRunner
) -> None:
    scan = scan_github(no_push_github)

    record = scan.of("github:acme/svc-b", "vcs.access")
    assert record.status is EvidenceStatus.UNAVAILABLE and record.reason == COLLABORATORS_HIDDEN
    assert scan.data("github:acme/svc-b", "vcs.activity")["commits"] == 1  # the rest of the batch was read


def test_a_team_list_that_fails_makes_access_unknown_and_the_scan_goes_on(acme_github: FakeGitHub, scan_github: ScanRunner) -> None:
    acme_github.faults.error(route="/orgs/acme/teams/payments/repos", status=500)

    scan = scan_github(acme_github)

    record = scan.of("github:acme/svc-a", "vcs.access")
    assert record.status is EvidenceStatus.UNAVAILABLE and "500" in (record.reason or "")
    assert scan.of("github:acme/svc-a", "vcs.activity").status is EvidenceStatus.OBSERVED


def test_repositories_are_examined_while_a_team_list_is_still_outstanding(acme_github: FakeGitHub) -> None:
    """Each team's repositories are a job of the pool, not a chain of requests the scan waits for
    before the first repository: with one team's list held by the fake, files are read anyway."""
    acme_github.faults.delay(route="/orgs/acme/teams/payments/repos", seconds=60)
    scan: list[Scan] = []
    scanning = threading.Thread(target=lambda: scan.append(run_github(acme_github)))
    scanning.start()
    try:
        files_read = _wait_for(lambda: any(entry.family == "git/trees" for entry in acme_github.stats.log))
    finally:
        acme_github.faults.clear()  # lets the held list through
        scanning.join()
    # Either the held list was asked first and trees were read while it was held, or (on a busy
    # machine) the pool reached trees before asking for it: neither waits for the team lists.
    assert files_read
    assert scan[0].data("github:acme/svc-a", "vcs.access")["team_grants"] == 1


def _wait_for(condition: Callable[[], bool], attempts: int = 600) -> bool:
    """Whether `condition` came true, asked every 50 ms for at most 30 s."""
    for _attempt in range(attempts):
        if condition():
            return True
        time.sleep(0.05)
    return False

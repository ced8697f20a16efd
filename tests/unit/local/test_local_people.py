"""People, not addresses, in a real repository's history: bots are left out of author counts
and active weeks, and the checkout's .mailmap joins a person's addresses."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.unit.local.test_local_git import commit, git, new_repo

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="these tests build real repositories with git")


def bot_commit(repo: Path, when: str, author: str) -> None:
    git(repo, "commit", "-q", "--allow-empty", "-m", "bump", f"--author={author}", when=when)


@pytest.fixture
def repo_with_bots(tmp_path: Path) -> Path:
    repo = new_repo(tmp_path / "org" / "api")
    commit(repo, "2026-05-28T09:00:00+00:00", "alice@acme.test")  # week 0
    commit(repo, "2026-05-27T09:00:00+00:00", "alice@home.test")  # week 0, her other address
    bot_commit(repo, "2026-05-10T09:00:00+00:00", "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>")
    bot_commit(repo, "2026-04-20T09:00:00+00:00", "Deploy Robot <robot@ci.acme.test>")  # week 5, a configured bot
    bot_commit(repo, "2026-04-13T09:00:00+00:00", "Release <project_12_bot_0a1b@noreply.gitlab.acme.test>")
    return repo


def test_bots_are_not_authors_and_do_not_make_weeks_active(repo_with_bots: Path, scan_local) -> None:
    activity = scan_local(repo_with_bots.parent, bots=["*@ci.acme.test"]).data("local:api", "vcs.activity")
    assert (activity["commits"], activity["authors"], activity["active_weeks"]) == (5, 2, 1)


def test_without_the_configured_pattern_that_bot_counts_as_a_person(repo_with_bots: Path, scan_local) -> None:
    activity = scan_local(repo_with_bots.parent).data("local:api", "vcs.activity")
    assert (activity["authors"], activity["active_weeks"]) == (3, 2)


def test_the_mailmap_joins_addresses_of_one_person(repo_with_bots: Path, scan_local) -> None:
    (repo_with_bots / ".mailmap").write_text("# who is who\nAlice <alice@acme.test> <alice@home.test>\n")
    activity = scan_local(repo_with_bots.parent, bots=["*@ci.acme.test"]).data("local:api", "vcs.activity")
    assert activity["authors"] == 1


def test_a_mailmap_that_is_a_link_is_not_followed(repo_with_bots: Path, tmp_path: Path, scan_local) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_text("Alice <alice@acme.test> <alice@home.test>\n")
    os.symlink(elsewhere, repo_with_bots / ".mailmap")
    activity = scan_local(repo_with_bots.parent, bots=["*@ci.acme.test"]).data("local:api", "vcs.activity")
    assert activity["authors"] == 2


def test_git_config_pointing_at_a_mailmap_changes_nothing(repo_with_bots: Path, tmp_path: Path, scan_local) -> None:
    # The repository's own config names a mailmap: git must not apply it (only the checkout's
    # .mailmap, read as data, counts).
    outside = tmp_path / "outside.mailmap"
    outside.write_text("Alice <alice@acme.test> <alice@home.test>\n")
    git(repo_with_bots, "config", "mailmap.file", str(outside))
    activity = scan_local(repo_with_bots.parent, bots=["*@ci.acme.test"]).data("local:api", "vcs.activity")
    assert activity["authors"] == 2


def change(repo: Path, path: str, when: str, author: str) -> None:
    target = repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(f"{when}\n")
    git(repo, "add", "--", path)
    git(repo, "commit", "-q", "-m", f"edit {path}", f"--author={author}", when=when)


def test_documentation_kept_current_counts_people_s_commits_to_docs(tmp_path: Path, scan_local) -> None:
    repo = new_repo(tmp_path / "org" / "platform")
    change(repo, "docs/guide.md", "2026-05-28T09:00:00+00:00", "Alice <alice@acme.test>")  # week 0
    change(repo, "docs/index.md", "2026-05-27T09:00:00+00:00", "Alice <alice@home.test>")  # week 0 again
    change(repo, "README.md", "2026-05-12T09:00:00+00:00", "Bob <bob@acme.test>")  # week 2
    change(repo, "docs/deps.md", "2026-05-05T09:00:00+00:00", "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>")
    change(repo, "CHANGELOG.md", "2026-04-28T09:00:00+00:00", "Carol <carol@acme.test>")  # release notes
    change(repo, "src/app.py", "2026-04-20T09:00:00+00:00", "Dave <dave@acme.test>")  # code only
    change(repo, "docs/we\nird.md", "2026-04-13T09:00:00+00:00", "Erin <erin@acme.test>")  # week 7; git quotes the name

    activity = scan_local(repo.parent).data("local:platform", "vcs.activity")

    assert activity["commits"] == 7
    assert (activity["docs_commits"], activity["docs_active_weeks"]) == (4, 3)

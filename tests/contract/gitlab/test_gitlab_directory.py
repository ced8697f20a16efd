"""Group membership through SAML and LDAP group links, against the fake GitLab, by tier and role."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from collectors.gitlab import directory
from collectors.gitlab.client import GitLabClient
from scanner.contract import RequestCounter
from tests.collecting import CollectedScan
from tests.contract.gitlab.scanning import NOW, run_gitlab, timer_of
from tests.fakes.gitlab.model import DEVELOPER, MAINTAINER, Group
from tests.fakes.gitlab.server import FakeGitLab

ACME = "gitlab:acme"
FIELDS = ("membership_from_directory", "directory_links", "directory_link_roles")
LINKS = r"^/groups/\d+/(saml|ldap)_group_links$"


def _acme(fake: FakeGitLab, *, tier: str = "premium", owner: bool = True) -> Group:
    fake.instance.tier = tier  # type: ignore[assignment]
    if owner:
        fake.instance.owner_tokens.add(fake.token)
    group = fake.instance.group("acme")
    assert group is not None
    return group


def _subgroup(fake: FakeGitLab, path: str) -> Group:
    group = fake.instance.group(path)
    assert group is not None
    return group


def _fields(data: dict[str, object]) -> tuple[object, ...]:
    return tuple(data[field] for field in FIELDS)


def _told(scan: CollectedScan) -> list[str]:
    """The scan's problems about directory links (a Reporter's push rules are told besides)."""
    return [message for message in scan.messages() if "directory" in message]


def test_an_owner_token_counts_the_saml_and_ldap_links_and_the_roles_they_grant(fake_gitlab: FakeGitLab) -> None:
    group = _acme(fake_gitlab)
    group.saml_links = [("okta-devs", DEVELOPER), ("okta-leads", MAINTAINER)]
    group.ldap_links = [("cn=engineering", DEVELOPER)]
    scan = run_gitlab(fake_gitlab)
    access = scan.data(ACME, "org.access")
    assert _fields(access) == (True, 3, ["developer", "maintainer"])
    assert access["members"] == 3  # the members as before
    assert fake_gitlab.count(LINKS) == 6  # one request each, for the top-level group and its two subgroups
    assert _told(scan) == []


def test_links_made_on_subgroups_count_with_the_top_level_groups(fake_gitlab: FakeGitLab) -> None:
    _acme(fake_gitlab)
    _subgroup(fake_gitlab, "acme/platform").saml_links = [("okta-platform", MAINTAINER)]
    _subgroup(fake_gitlab, "acme/apps").ldap_links = [("cn=apps", DEVELOPER), ("cn=apps-leads", MAINTAINER)]
    scan = run_gitlab(fake_gitlab)
    assert _fields(scan.data(ACME, "org.access")) == (True, 3, ["developer", "maintainer"])
    asked = sorted(path for path in fake_gitlab.paths() if re.search(LINKS, path))
    assert asked == [f"/groups/{group}/{kind}_group_links" for group in (10, 11, 12) for kind in ("ldap", "saml")]
    assert _told(scan) == []


def test_a_subgroup_list_that_fails_leaves_the_count_unknown_and_asks_no_further(fake_gitlab: FakeGitLab) -> None:
    _acme(fake_gitlab).saml_links = [("okta-devs", DEVELOPER)]
    fake_gitlab.fail(r"^/groups/11/saml_group_links$", 500, times=10)
    scan = run_gitlab(fake_gitlab)
    assert _fields(scan.data(ACME, "org.access")) == (True, None, None)  # a link seen, the count not known
    assert fake_gitlab.count(r"^/groups/12/saml_group_links$") == 0  # the asking stopped at the failure
    assert fake_gitlab.count(r"^/groups/1[12]/ldap_group_links$") == 2  # the other list went on
    assert [message for message in scan.messages() if "HTTP 500" in message] == [
        "acme: requests kept failing (HTTP 500: 500 — scan again later); the evidence they carry is unavailable"
    ]


def test_subgroups_that_cannot_be_listed_leave_the_count_unknown(fake_gitlab: FakeGitLab) -> None:
    _acme(fake_gitlab)
    fake_gitlab.fail(r"^/groups/10/descendant_groups$", 500, times=10)
    scan = run_gitlab(fake_gitlab)
    assert _fields(scan.data(ACME, "org.access")) == (None, None, None)  # none on the top-level group: not "no links"
    assert fake_gitlab.count(LINKS) == 2
    assert any("the subgroups could not be listed: HTTP 500" in message for message in scan.messages())


def test_a_re_scan_carries_the_subgroups_links_while_younger_than_settings_max_age(
    fake_gitlab: FakeGitLab, tmp_path: Path
) -> None:
    _acme(fake_gitlab).saml_links = [("okta-devs", DEVELOPER)]
    platform = _subgroup(fake_gitlab, "acme/platform")
    platform.saml_links = [("okta-platform", MAINTAINER)]
    first = run_gitlab(fake_gitlab, cache_dir=tmp_path)
    assert _fields(first.data(ACME, "org.access")) == (True, 2, ["developer", "maintainer"])
    platform.saml_links = []  # a change no activity shows: seen once the carried links are too old
    fake_gitlab.exchanges.clear()
    later = NOW + timedelta(hours=2)
    again = run_gitlab(fake_gitlab, cache_dir=tmp_path, now=later)
    assert fake_gitlab.count(LINKS) == 2  # the top-level group's, which say whether the token may see them
    assert _fields(again.data(ACME, "org.access")) == (True, 2, ["developer", "maintainer"])
    assert again.of(ACME, "org.access").observed_at == NOW  # when what it carries was read
    fake_gitlab.exchanges.clear()
    fresh = run_gitlab(fake_gitlab, cache_dir=tmp_path, now=NOW + timedelta(hours=25))
    assert fake_gitlab.count(LINKS) == 6
    assert _fields(fresh.data(ACME, "org.access")) == (True, 1, ["developer"])
    assert fresh.of(ACME, "org.access").observed_at == NOW + timedelta(hours=25)


def test_a_new_subgroup_or_a_failure_reads_the_subgroups_links_again(fake_gitlab: FakeGitLab, tmp_path: Path) -> None:
    _acme(fake_gitlab)
    fake_gitlab.fail(r"^/groups/12/ldap_group_links$", 500, times=3)  # the first try and max_retries 2
    failed = run_gitlab(fake_gitlab, cache_dir=tmp_path)  # the LDAP links failed: not carried; the SAML links are
    assert _fields(failed.data(ACME, "org.access")) == (None, None, None)
    fake_gitlab.exchanges.clear()
    run_gitlab(fake_gitlab, cache_dir=tmp_path, now=NOW + timedelta(hours=1))
    assert fake_gitlab.count(r"^/groups/1[12]/saml_group_links$") == 0
    assert fake_gitlab.count(r"^/groups/1[12]/ldap_group_links$") == 2
    fake_gitlab.instance.groups.append(Group(13, "acme/data", parent_id=10, saml_links=[("okta-data", DEVELOPER)]))
    fake_gitlab.exchanges.clear()
    scan = run_gitlab(fake_gitlab, cache_dir=tmp_path, now=NOW + timedelta(hours=2))
    assert fake_gitlab.count(r"^/groups/1[123]/saml_group_links$") == 3
    assert _fields(scan.data(ACME, "org.access")) == (True, 1, ["developer"])


def test_a_group_without_links_is_observed_as_not_managed_from_a_directory(fake_gitlab: FakeGitLab) -> None:
    _acme(fake_gitlab)  # LDAP answers 404 "No linked LDAP groups found", SAML an empty list
    scan = run_gitlab(fake_gitlab)
    assert _fields(scan.data(ACME, "org.access")) == (False, 0, [])
    assert _told(scan) == []


def test_a_reporter_token_leaves_the_links_unknown_naming_the_owner_role(fake_gitlab: FakeGitLab) -> None:
    _acme(fake_gitlab, owner=False)  # SAML answers 401, LDAP 403: neither is "no links"
    scan = run_gitlab(fake_gitlab)
    assert _fields(scan.data(ACME, "org.access")) == (None, None, None)
    assert fake_gitlab.count(LINKS) == 2  # refused on the top-level group: the subgroups would refuse too
    assert _told(scan) == [
        f"gitlab: directory group links unavailable for 1 subject: HTTP 401: 401 Unauthorized — {directory.SAML_REFUSED}"
    ]
    assert scan.data("gitlab:acme/apps/svc-a", "vcs.branch_protection")["enabled"] is True  # the 401 ended nothing


def test_links_seen_on_one_list_tell_a_directory_is_used_while_the_count_stays_unknown(fake_gitlab: FakeGitLab) -> None:
    group = _acme(fake_gitlab)
    fake_gitlab.instance.saml_group_sync = False  # GitLab then refuses SAML links even to Owners
    group.ldap_links = [("cn=engineering", DEVELOPER)]
    scan = run_gitlab(fake_gitlab)
    assert _fields(scan.data(ACME, "org.access")) == (True, None, None)
    assert len(_told(scan)) == 1 and "SAML group sync" in _told(scan)[0]
    assert fake_gitlab.count(r"/saml_group_links$") == 1 and fake_gitlab.count(r"/ldap_group_links$") == 3


def test_the_free_tier_asks_nothing_and_leaves_the_links_unknown_without_a_problem(fake_gitlab: FakeGitLab) -> None:
    _acme(fake_gitlab, tier="free")
    scan = run_gitlab(fake_gitlab)
    assert _fields(scan.data(ACME, "org.access")) == (None, None, None)
    assert fake_gitlab.count(LINKS) == 0
    assert _told(scan) == []  # what the tier cannot have is nothing to grant


def test_an_instance_without_the_routes_is_unsupported_not_unavailable(fake_gitlab: FakeGitLab) -> None:
    _acme(fake_gitlab)
    fake_gitlab.instance.directory_link_routes = False
    scan = run_gitlab(fake_gitlab)
    assert _fields(scan.data(ACME, "org.access")) == (None, None, None)
    assert fake_gitlab.count(LINKS) == 2
    assert _told(scan) == []


def test_gitlab_com_is_asked_for_saml_links_only(fake_gitlab: FakeGitLab) -> None:
    group = _acme(fake_gitlab)
    group.saml_links = [("okta-devs", DEVELOPER)]
    group.ldap_links = [("cn=engineering", MAINTAINER)]  # never asked: GitLab.com has no LDAP
    client = GitLabClient(fake_gitlab.url, fake_gitlab.token, counter=RequestCounter(), timeout=5.0, max_retries=0,
                          max_rate_limit_wait=0.0, rate_limit_wait_budget=0.0, timer=timer_of(fake_gitlab))
    try:
        links = directory.read(client, group.id, premium=True, self_managed=False)
    finally:
        client.close()
    assert links == directory.Links({"membership_from_directory": True, "directory_links": 1,
                                     "directory_link_roles": ["developer"]})
    assert fake_gitlab.count(r"/ldap_group_links$") == 0


def test_roles_are_named_lowest_first_and_unknown_levels_kept_as_numbers() -> None:
    assert directory.of_levels([40, 30, 40, 7]) == {
        "membership_from_directory": True, "directory_links": 4, "directory_link_roles": ["7", "developer", "maintainer"],
    }

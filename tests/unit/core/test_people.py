"""Bots and .mailmap rules (collectors/people.py), as data."""

from __future__ import annotations

import pytest

from collectors.people import Mailmap, is_bot, people


@pytest.mark.parametrize(
    ("name", "email"),
    [
        ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"),
        ("Renovate Bot", "29139614+renovate[bot]@users.noreply.github.com"),
        ("github-actions[bot]", "41898282+github-actions[bot]@users.noreply.github.com"),
        ("Release token", "project_42_bot_3f2a@noreply.gitlab.example.com"),
        ("Group token", "group_7_bot@noreply.gitlab.com"),
    ],
)
def test_recognised_bots(name: str, email: str) -> None:
    assert is_bot(name, email)


@pytest.mark.parametrize(
    ("name", "email"),
    [
        ("Abbot Costello", "abbot@acme.test"),  # "bot" inside a name is a person
        ("Robotics Team Lead", "robot.lead@acme.test"),
        ("alice", "12345+alice@users.noreply.github.com"),  # a person's noreply address
    ],
)
def test_people_are_not_bots(name: str, email: str) -> None:
    assert not is_bot(name, email)


def test_configured_patterns_match_name_or_address_in_any_case() -> None:
    assert is_bot("Jenkins", "jenkins@ci.acme.test", ["*@CI.acme.test"])
    assert is_bot("Deploy Robot", "x@acme.test", ["deploy robot"])
    assert not is_bot("Alice", "alice@acme.test", ["*@ci.acme.test"])


def test_mailmap_forms() -> None:
    mailmap = Mailmap(
        "# comment\n"
        "Only A Name <kept@acme.test>\n"  # renames only: the address stays
        "<proper@acme.test> <old@acme.test>\n"
        "Proper <PROPER@acme.test> Old Name <shared@acme.test>\n"  # only for that name
        "not a rule\n"
    )
    assert mailmap.person("x", "kept@acme.test") == "kept@acme.test"
    assert mailmap.person("x", "OLD@acme.test") == "proper@acme.test"
    assert mailmap.person("Old Name", "shared@acme.test") == "proper@acme.test"
    assert mailmap.person("Someone Else", "shared@acme.test") == "shared@acme.test"


def test_people_leaves_bots_out_and_maps_the_rest() -> None:
    person = people(Mailmap("<a@acme.test> <b@acme.test>\n"), ["*@ci.acme.test"])
    assert person("B", "b@acme.test") == "a@acme.test"
    assert person("Jenkins", "j@ci.acme.test") is None
    assert person("dependabot[bot]", "x@acme.test") is None

"""Other ways in: a user account, a GitHub App, and the token kept out of every output."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from collectors.github import GitHubCollector
from scanner.errors import SourceUnavailable
from scanner.model import EvidenceStatus
from tests.contract.github.orgs import acme
from tests.contract.github.scanning import Scan, ScanRunner, context
from tests.fakes.github.fixtures import fake_github_fixture
from tests.fakes.github.model import DEFAULT_TOKEN, GitHubApp, Repository, Token, User, World
from tests.fakes.github.server import FakeGitHub

SECRET = "ghp_SECRETsecretSECRET0123456789abcdef"
APP_ID = 4242

_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PRIVATE_PEM = _KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
PUBLIC_PEM = _KEY.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)

user_github = fake_github_fixture(
    lambda: World(users=[User("carol", repos=[Repository("dotfiles", files={".github/dependabot.yml": b"version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n"})])])
)
secret_github = fake_github_fixture(lambda: World(orgs=[acme()], tokens=[Token(SECRET), Token(DEFAULT_TOKEN)]))
app_github = fake_github_fixture(lambda: World(orgs=[acme()], app=GitHubApp(app_id=APP_ID, public_key_pem=PUBLIC_PEM)))


def test_a_user_account_has_repositories_but_no_organization_evidence(user_github: FakeGitHub, scan_github: ScanRunner) -> None:
    scan = scan_github(user_github, organizations=["carol"])
    assert scan.ids == ["github:carol", "github:carol/dotfiles"]
    for kind in ("org.teams", "org.access", "org.rulesets"):
        record = scan.of("github:carol", kind)
        assert record.status is EvidenceStatus.UNSUPPORTED and record.reason == "a user account has no teams, members or rulesets"
    assert scan.data("github:carol/dotfiles", "deps.automation")["tools"] == ["dependabot"]
    assert scan.data("github:carol/dotfiles", "vcs.contributions")["outside_platform_team"] is None
    assert [entry.path for entry in user_github.stats.for_family("repos")] == ["/users/carol/repos"]


def test_a_github_app_installation_scans_with_its_own_token(
    app_github: FakeGitHub, scan_github: ScanRunner, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "app.pem").write_bytes(PRIVATE_PEM)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="github")  # PyGithub logs the token-issuing answer at DEBUG
    scan = scan_github(app_github, token="", base_dir=tmp_path, app={"app_id": APP_ID, "private_key_file": "app.pem"})
    assert scan.data("github:acme/svc-a", "iac.usage")["tools"] == ["terraform"]
    minted = [token.value for token in app_github.world.tokens if token.value.startswith("ghs_")]
    assert len(minted) == 1  # one installation token, shared by every worker
    assert {entry.token for entry in app_github.stats.log if entry.family not in ("app", "codeload")} == {minted[0]}
    assert minted[0] not in caplog.text and minted[0] not in scan.evidence.__repr__()


def test_an_unreadable_app_key_is_one_line(app_github: FakeGitHub, tmp_path: Path) -> None:
    (tmp_path / "broken.pem").write_text("not a key", encoding="utf-8")
    (tmp_path / "huge.pem").write_bytes(b"-" * (64 * 1024 + 1))
    os.mkfifo(tmp_path / "pipe.pem")  # opening it to read would wait for a writer forever
    cases = (
        ("missing.pem", "the GitHub App private key .*missing.pem: cannot read it"),
        ("broken.pem", "cannot sign"),
        ("huge.pem", "huge.pem: larger than 64 KiB"),
        ("pipe.pem", "pipe.pem: not a regular file but a named pipe"),
    )
    for key_file, expected in cases:
        with pytest.raises(SourceUnavailable, match=expected) as raised:
            list(GitHubCollector().collect(context(app_github, Scan(), base_dir=tmp_path, app={"app_id": APP_ID, "private_key_file": key_file})))
        assert "\n" not in raised.value.one_line()


@pytest.mark.parametrize("trouble", ["none", "server errors", "refused token"])
def test_the_token_appears_in_no_log_evidence_problem_or_exception(
    secret_github: FakeGitHub, caplog: pytest.LogCaptureFixture, trouble: str
) -> None:
    caplog.set_level(logging.DEBUG)  # the root logger, and so urllib3's and requests'
    caplog.set_level(logging.DEBUG, logger="github")  # PyGithub sets its own logger to INFO at import
    token = SECRET
    if trouble == "server errors":
        secret_github.faults.error(route="/repos/*", status=502, share=0.3, seed=5)
    if trouble == "refused token":
        secret_github.world.tokens = [Token(DEFAULT_TOKEN)]
    scan = Scan()
    outputs: list[str] = []
    try:
        for item in GitHubCollector().collect(context(secret_github, scan, token=token, max_retries=1)):
            outputs.append(item.model_dump_json())
    except SourceUnavailable as exc:
        outputs += [exc.one_line(), repr(exc), repr(exc.__cause__), repr(exc.__context__)]
    assert secret_github.stats.requests > 0 and (trouble == "refused token" or len(outputs) > 100)
    assert 'HTTP/1.1" ' in caplog.text  # urllib3 logged the requests (PyGithub, which logged their headers, sends none)
    logged = caplog.text + "".join(record.getMessage() for record in caplog.records)
    everything = [logged, *outputs, *(problem.model_dump_json() for problem in scan.problems)]
    assert not [text for text in everything if token in text]

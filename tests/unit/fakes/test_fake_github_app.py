"""GitHub App authentication on the fake: RS256 JWTs, the org installation, installation tokens."""

from __future__ import annotations

import warnings

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from github import Auth, BadCredentialsException, Github, GithubException, GithubIntegration

from tests.fakes.github import FakeGitHub, GitHubApp, World, sample_org
from tests.fakes.github.fixtures import fake_github_fixture

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from githubkit_schemas.latest.models import Installation, InstallationToken

APP_ID = 4242


def _private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


APP_KEY = _private_key()


def _world() -> World:
    public = APP_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return World(orgs=[sample_org()], app=GitHubApp(app_id=APP_ID, public_key_pem=public))


app_github = fake_github_fixture(_world)


def _integration(fake: FakeGitHub, key: rsa.RSAPrivateKey = APP_KEY) -> GithubIntegration:
    return GithubIntegration(
        auth=Auth.AppAuth(APP_ID, _pem(key)),
        base_url=fake.url,
        seconds_between_requests=None,
        seconds_between_writes=None,
        retry=None,
    )


def test_app_gets_an_installation_token_that_works(app_github: FakeGitHub) -> None:
    integration = _integration(app_github)
    installation = integration.get_org_installation("acme")
    assert installation.id == app_github.org.installation_id and installation.app_id == APP_ID
    token = integration.get_access_token(installation.id)
    assert token.token.startswith("ghs_") and token.permissions["administration"] == "read"

    gh = Github(base_url=app_github.url, auth=Auth.Token(token.token), seconds_between_requests=None, retry=None)
    protection = gh.get_repo("acme/svc-payments").get_branch("main").get_protection()
    assert protection.enforce_admins is True
    assert app_github.stats.log[-1].token == token.token
    assert [entry.charged for entry in app_github.stats.for_family("app")] == [False, False]


def test_installation_payloads_match_githubs_schema(app_github: FakeGitHub) -> None:
    integration = _integration(app_github)
    installation = integration.get_org_installation("acme")
    Installation.model_validate(installation.raw_data)
    answer = requests.post(
        f"{app_github.url}/app/installations/{installation.id}/access_tokens",
        headers={"Authorization": f"Bearer {integration.auth.token}"},
        timeout=5,
    )
    assert answer.status_code == 201
    InstallationToken.model_validate(answer.json())


def test_jwt_signed_by_another_key_is_rejected(app_github: FakeGitHub) -> None:
    with pytest.raises(GithubException) as raised:
        _integration(app_github, key=_private_key()).get_org_installation("acme")
    assert raised.value.status == 401
    assert raised.value.data["message"] == "A JSON web token could not be decoded"


def test_a_jwt_is_not_a_token(app_github: FakeGitHub) -> None:
    jwt = _integration(app_github).auth.token
    with pytest.raises(BadCredentialsException):
        Github(base_url=app_github.url, auth=Auth.Token(jwt), retry=None, lazy=False).get_organization("acme")

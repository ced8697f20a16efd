"""The fake Azure, serving the sample estate, fresh for every test."""

from tests.fakes.azure.fixtures import fake_azure  # noqa: F401  (a fixture)

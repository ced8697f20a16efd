"""The Azure collector's settings: refused in one line when wrong; the example config documents them all."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from collectors.azure.config import AzureConfig

ROOT = Path(__file__).resolve().parents[3]


def test_the_example_config_documents_every_setting() -> None:
    text = (ROOT / "config.example.yaml").read_text(encoding="utf-8")
    block = re.search(r"^  # azure:\n((?:  #   .*\n)+)", text, re.MULTILINE)
    assert block is not None
    settings = yaml.safe_load("\n".join(line.removeprefix("  #   ") for line in block.group(1).splitlines()))
    assert AzureConfig.model_validate(settings) == AzureConfig()
    assert set(settings) == set(AzureConfig.model_fields)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"subscriptions": ["prod"]}, "'prod' is not a subscription id (a GUID)"),
        ({"arm_url": "http://management.azure.com"}, "must be an https:// URL"),
        ({"authentication": "client_secret", "client_id": "x"}, "authentication client_secret needs tenant_id"),
        ({"authentication": "certificate", "tenant_id": "t", "client_id": "x"}, "needs certificate_file"),
        ({"client_secret": "s3cr3t"}, "Extra inputs are not permitted"),
        ({"cost_center_tags": ["cc']) or true"]}, "is not a tag name pecm can query"),
    ],
)
def test_bad_settings_are_refused(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        AzureConfig.model_validate(settings)


def test_subscription_ids_are_compared_in_lower_case_once_each() -> None:
    upper = "AAAAAAAA-1111-4111-8111-111111111111"
    assert AzureConfig(subscriptions=[upper, upper.lower()]).subscriptions == [upper.lower()]

"""What the GitHub collector provides, per subject kind, and why it may not know who uses a
repository's reusable CI. Apart from collector.py, which declares them, so that scan.py, which
emits them, need not import the collector that imports it.
"""

from __future__ import annotations

from collectors.cross_subject import CROSS_REFERENCES

REPOSITORY_KINDS = (
    "repo.inventory",
    "vcs.activity",
    "vcs.branch_protection",
    "vcs.security_settings",
    "vcs.template",
    "vcs.contributions",
    "ci.reusable_consumers",
    CROSS_REFERENCES,
    "delivery.deployments",
    "collaboration.feedback",
    "vcs.access",
)
ORGANIZATION_KINDS = ("org.teams", "org.access", "org.rulesets")
# Settings (settings.py)
REPOSITORY_SETTING_KINDS = ("repo.properties", "delivery.environments", "vcs.code_scanning", "vcs.codeowners_check", "vcs.pages")
ORGANIZATION_SETTING_KINDS = ("org.property_schema", "org.ci_policy", "org.ci_templates")


def sharded_reason(login: str) -> str:
    return f"a sharded scan reads one share of {login}'s repositories, so who uses this one's reusable CI is not known"


def unread_reason(login: str) -> str:
    return f"not every repository of {login} could be read, so who uses this one's reusable CI is not known"

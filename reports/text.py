"""Plain-text pieces every human-facing format shows the same way."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote

from scanner.model import CapabilityResult, EvidenceRef, MetricValue, NotInferable
from scanner.scopes import scope_label

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_WEB_ADDRESS = re.compile(r"^https?://", re.I)


def report_title(organization: str | None) -> str:
    """The heading of a report: whose platform it is, when the config's `organization:` says."""
    return f"{organization}: platform engineering maturity" if organization else "Platform engineering maturity"


def partial_shard_notice(shard: str) -> str:
    """What every human-facing report says above the stages of one shard (`shard` is 'I/N')."""
    index, _, count = shard.partition("/")
    return (
        f"Partial result: shard {index} of {count}. These stages count only this shard's repositories; "
        "`pecm merge` of every shard's evidence bundle gives the assessment."
    )


def stage_label(result: CapabilityResult) -> str:
    """The proven stage, labelled when it rests on a criterion only a self-assessment closed."""
    return f"{result.stage.value} (self-reported)" if result.self_reported else result.stage.value


def criterion_tags(criterion: NotInferable) -> str:
    """' [core]', ' [core, self-reported]' or nothing."""
    tags = (["core"] if criterion.core else []) + (["self-reported"] if criterion.self_reported else [])
    return f" [{', '.join(tags)}]" if tags else ""


def metric_summary(metric: MetricValue) -> str:
    """`protected_share = between 0 and 1 (0 matched, 0 observed, 6 unknown)`."""
    if metric.low is None and metric.high is None:
        value = "unknown" if metric.unreached else "no value (nothing counted)"
    elif metric.low is None:
        value = f"at most {metric.high:g}"
    elif metric.high is None:
        value = f"at least {metric.low:g}"
    elif metric.low == metric.high:
        value = f"{metric.low:g}"
    else:
        value = f"between {metric.low:g} and {metric.high:g}"
    unreached = f"; not reached by {', '.join(metric.unreached)}" if metric.unreached else ""
    return (
        f"{metric.name} = {value}"
        f" ({metric.matched} matched, {metric.observed} observed, {metric.unknown} unknown{unreached})"
    )


def beside_summary(metric: MetricValue) -> str:
    """A metric reported beside a rule, in words: `external reference share: 67% (3 observed, 1
    unknown)`. The pack names shares `*_share`: those read as percentages."""
    share = metric.name.endswith("_share")

    def number(value: float) -> str:
        return f"{value:.0%}" if share else f"{value:g}"

    if metric.low is None or metric.high is None:
        value = "unknown" if metric.unknown or metric.unreached else "none (nothing counted)"
    elif metric.low == metric.high:
        value = number(metric.low)
    else:
        value = f"between {number(metric.low)} and {number(metric.high)}"
    return f"{metric.name.replace('_', ' ')}: {value} ({metric.observed} observed, {metric.unknown} unknown)"


def is_file_path(locator: str) -> bool:
    """A repository-relative file path, as the file-signal detection records them: not a URL,
    not absolute, not leaving the repository."""
    if not locator or _SCHEME.match(locator) or locator.startswith("/") or "\\" in locator:
        return False
    return ".." not in locator.split("/") and not locator.endswith("/")


def file_url(ref: EvidenceRef, locator: str, file_bases: Mapping[str, str]) -> str | None:
    """Where a repository-relative path of `ref` can be opened, when its subject's files are on
    the web (a Git host). A local checkout's file:// address is the scanning machine's, often a
    temporary folder: a report read elsewhere shows the path as text instead."""
    base = file_bases.get(ref.subject)
    if base is None or not _WEB_ADDRESS.match(base) or not is_file_path(locator):
        return None
    return base + quote(locator, safe="/")


def path_scope(locator: str) -> str | None:
    """'test fixture', 'sample', 'documentation' or 'generated' beside a file path that is not
    live (scanner.scopes), so a reader sees what a finding really is; None otherwise."""
    return scope_label(locator) if is_file_path(locator) else None


def scoped(locator: str) -> str:
    """The locator with its scope beside it, for plain-text formats."""
    scope = path_scope(locator)
    return f"{locator} ({scope})" if scope else locator

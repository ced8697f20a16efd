"""Plain-text pieces every human-facing format shows the same way."""

from __future__ import annotations

from scanner.model import MetricValue


def metric_summary(metric: MetricValue) -> str:
    """`protected_share = between 0 and 1 (0 matched, 0 observed, 6 unknown)`."""
    if metric.low is None or metric.high is None:
        value = "no value (nothing counted)"
    elif metric.low == metric.high:
        value = f"{metric.low:g}"
    else:
        value = f"between {metric.low:g} and {metric.high:g}"
    return f"{metric.name} = {value} ({metric.matched} matched, {metric.observed} observed, {metric.unknown} unknown)"

"""The keys and policies a gate is given (config file or flags), without the gate itself: a
config is loaded by every scan, and importing scanner.gate for these cost it the gate's
classes and the assessment views."""

from __future__ import annotations

from typing import Final, Literal

from scanner.enums import Capability

ALL: Final = "all"
UnknownPolicy = Literal["fail", "pass"]
CAPABILITY_KEYS = frozenset({ALL, *(c.value for c in Capability)})
CAPABILITY_NAMES = ", ".join(c.value for c in Capability)

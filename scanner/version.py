"""pecm's version, on its own so that `pecm --version` and the build read it without importing pecm."""

VERSION = "0.1.0"

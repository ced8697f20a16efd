"""pecm's version and its file formats' versions, on their own so that `pecm --version`, the build
and the light assessment reader read them without importing pecm or pydantic."""

from typing import Final

VERSION = "0.1.0"

BUNDLE_SCHEMA_VERSION: Final = 1
ASSESSMENT_SCHEMA_VERSION: Final = 1

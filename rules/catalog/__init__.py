"""The default rule pack (YAML files beside this module)."""

from pathlib import Path

PACK_DIR = Path(__file__).parent

"""What every pecm command pays before it starts: plugin discovery loads no client library it
does not use (PyGithub alone took a quarter of a second)."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
from scanner.plugins import discover
plugins = discover()
assert "github" in plugins.collectors, sorted(plugins.collectors)
print(",".join(sorted(name for name in ("github", "requests", "jwt") if name in sys.modules)))
"""


def test_discovering_plugins_loads_no_git_host_client() -> None:
    loaded = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60)
    assert loaded.stdout.strip() == ""

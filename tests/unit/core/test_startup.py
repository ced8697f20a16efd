"""What every pecm command pays before it starts: the CLI and plugin discovery load no library
the command may not use (PyGithub took a quarter of a second, SQLAlchemy 0.15 s)."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
import scanner.cli
from scanner.plugins import discover
plugins = discover()
assert "github" in plugins.collectors, sorted(plugins.collectors)
print(",".join(sorted(name for name in ("github", "requests", "jwt", "sqlalchemy") if name in sys.modules)))
"""


def test_starting_loads_no_git_host_client_and_no_database_library() -> None:
    loaded = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60)
    assert loaded.stdout.strip() == ""

"""A token scan never loads PyGithub: importing it costs a scan a fifth of a second of CPU, and
only a GitHub App's credentials and typed objects need it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_scan_modules_and_a_token_client_do_not_load_pygithub() -> None:
    code = (
        "import sys\n"
        "from collectors.github.scan import scan_github\n"
        "from collectors.github.client import GitHubClient, TokenAuth\n"
        "from scanner.contract import RealTimer, RequestCounter\n"
        "client = GitHubClient('http://127.0.0.1:9', TokenAuth('t'), counter=RequestCounter(), timeout=1, max_retries=0,\n"
        "                      max_rate_limit_wait=0, rate_limit_wait_budget=0, timer=RealTimer())\n"
        "headers = {}\n"
        "client._authenticate(headers)\n"
        "assert headers == {'Authorization': 'token t'}, headers\n"
        "print(sorted(name for name in sys.modules if name == 'github' or name.startswith('github.')))\n"
    )
    found = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"

"""CODEOWNERS: how many ownership rules, and who owns."""

from __future__ import annotations

import re

from collectors.detect.files import FileReader, RepoFile
from collectors.detect.findings import CODEOWNERS, Findings

# GitLab sections: `[Name]`, `^[Optional]`, `[Name][2]`, optionally followed by default owners.
_SECTION = re.compile(r"^\^?\[[^\]]+\](?:\[\d+\])?(.*)$")


def parse_codeowners(text: str) -> tuple[int, set[str]]:
    """(rule lines, distinct owners); owners are @users, @org/teams and e-mail addresses."""
    rules = 0
    owners: set[str] = set()
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        section = _SECTION.match(line)
        if section:
            tokens = section.group(1).split()
        else:
            rules += 1
            tokens = line.split()[1:]
        for token in tokens:
            if token.startswith("#"):  # a trailing comment
                break
            if "@" in token:
                owners.add(token)
    return rules, owners


_WHOLE_REPOSITORY = frozenset({"*", "/*", "/**", "**"})


def default_owners(text: str) -> list[str]:
    """The owners of the whole repository: the last `*` rule's (later rules win in CODEOWNERS)."""
    owners: list[str] = []
    for raw_line in text.splitlines():
        tokens = raw_line.split("#", 1)[0].split() if not raw_line.lstrip().startswith("#") else []
        if tokens and tokens[0] in _WHOLE_REPOSITORY:
            owners = [token for token in tokens[1:] if "@" in token]
    return owners


def scan_codeowners(candidates: list[RepoFile], reader: FileReader, findings: Findings) -> None:
    """Only the file the host uses counts: the first readable one in order of precedence, and
    only when it names an owner (comments or a stray word assign nothing)."""
    for file in candidates:
        text = reader.text(file)
        if text is None:
            continue
        rules, owners = parse_codeowners(text)
        if not owners:
            return
        findings.hit(CODEOWNERS, file.path)
        findings.set(CODEOWNERS, "rules", rules)
        findings.add(CODEOWNERS, "owners", *owners)
        findings.add(CODEOWNERS, "default_owners", *default_owners(text))
        findings.add(CODEOWNERS, "teams", *(owner for owner in owners if is_team(owner)))
        findings.add(CODEOWNERS, "users", *(owner for owner in owners if not is_team(owner)))
        return


def is_team(owner: str) -> bool:
    """@org/team names a team; @user and e-mail addresses name people. A bare GitLab @group
    cannot be told from a user by its spelling and counts as a user."""
    return owner.startswith("@") and "/" in owner

"""The subject of a repository on a Git host, the same shape for every host."""

from __future__ import annotations

from urllib.parse import quote

from scanner.model import Subject


def repository_subject(
    source: str,
    full_name: str,
    parent: Subject,
    web_url: str | None,
    default_branch: str | None,
    blob_path: str,
    platform: bool,
) -> Subject:
    """`full_name`: the repository's path on the host ("acme/svc"); `blob_path`: how the host's
    web pages name a file at a branch ("/blob/" on GitHub, "/-/blob/" on GitLab), from which
    reports link locators to the files they name."""
    return Subject(
        id=f"{source}:{full_name}",
        kind="repository",
        name=full_name,
        source=source,
        parent=parent.id,
        url=web_url,
        files_url=f"{web_url}{blob_path}{quote(default_branch, safe='')}/" if web_url and default_branch else None,
        tags=("platform",) if platform else (),
    )

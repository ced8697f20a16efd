"""Trees, contents and commits."""

from __future__ import annotations

import base64
from typing import Any

from ..gitobjects import GitObjects, TreeEntry
from ..model import Commit, Repository
from .accounts import simple_user
from .links import Links, iso, node_id
from .repos import Owner


def tree(
    links: Links, owner: Owner, repo: Repository, sha: str, entries: list[tuple[str, TreeEntry]], truncated: bool
) -> dict[str, Any]:
    api = links.repo_api(owner.login, repo.name)
    return {
        "sha": sha,
        "url": f"{api}/git/trees/{sha}",
        "tree": [
            {
                "path": path,
                "mode": entry.mode,
                "type": entry.type,
                "sha": entry.sha,
                **({"size": entry.size} if entry.size is not None else {}),
                "url": f"{api}/git/{'blobs' if entry.type == 'blob' else 'trees'}/{entry.sha}",
            }
            for path, entry in entries
        ],
        "truncated": truncated,
    }


def _content_links(
    links: Links, owner: Owner, repo: Repository, path: str, entry: TreeEntry, ref: str
) -> dict[str, Any]:
    api = links.repo_api(owner.login, repo.name)
    kind = "blob" if entry.type == "blob" else "tree"
    self_url = f"{api}/contents/{path}?ref={ref}"
    git_url = f"{api}/git/{kind}s/{entry.sha}"
    html_url = links.html(f"/{owner.login}/{repo.name}/{kind}/{ref}/{path}")
    return {
        "url": self_url,
        "git_url": git_url,
        "html_url": html_url,
        "download_url": links.api(f"/_raw/{owner.login}/{repo.name}/{ref}/{path}") if kind == "blob" else None,
        "_links": {"self": self_url, "git": git_url, "html": html_url},
    }


def content_file(
    links: Links, owner: Owner, repo: Repository, path: str, entry: TreeEntry, content: bytes, ref: str
) -> dict[str, Any]:
    encoded = base64.encodebytes(content).decode()  # GitHub wraps base64 at 60 characters with newlines
    return {
        "type": "file",
        "encoding": "base64",
        "size": len(content),
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "content": encoded,
        "sha": entry.sha,
        **_content_links(links, owner, repo, path, entry, ref),
    }


def directory_items(
    links: Links, owner: Owner, repo: Repository, path: str, objects: GitObjects, tree_sha: str, ref: str
) -> list[dict[str, Any]]:
    items = []
    for entry in objects.trees[tree_sha]:
        item_path = f"{path}/{entry.name}" if path else entry.name
        items.append(
            {
                "type": "file" if entry.type == "blob" else "dir",
                "size": entry.size or 0,
                "name": entry.name,
                "path": item_path,
                "sha": entry.sha,
                **_content_links(links, owner, repo, item_path, entry, ref),
            }
        )
    return items


def commit(
    links: Links,
    owner: Owner,
    repo: Repository,
    entry: Commit,
    parent: Commit | None,
    tree_sha: str,
    author_id: int | None,
) -> dict[str, Any]:
    api = links.repo_api(owner.login, repo.name)
    person = {"name": entry.author_name, "email": entry.author_email, "date": iso(entry.date)}
    account = (
        simple_user(links, entry.author_login, author_id) if entry.author_login and author_id is not None else None
    )
    return {
        "sha": entry.sha,
        "node_id": node_id("Commit", int(entry.sha[:12], 16)),
        "commit": {
            "author": person,
            "committer": person,
            "message": entry.message,
            "tree": {"sha": tree_sha, "url": f"{api}/git/trees/{tree_sha}"},
            "url": f"{api}/git/commits/{entry.sha}",
            "comment_count": 0,
            "verification": {
                "verified": False,
                "reason": "unsigned",
                "signature": None,
                "payload": None,
                "verified_at": None,
            },
        },
        "url": f"{api}/commits/{entry.sha}",
        "html_url": links.html(f"/{owner.login}/{repo.name}/commit/{entry.sha}"),
        "comments_url": f"{api}/commits/{entry.sha}/comments",
        "author": account,
        "committer": account,
        "parents": []
        if parent is None
        else [
            {
                "sha": parent.sha,
                "url": f"{api}/commits/{parent.sha}",
                "html_url": links.html(f"/{owner.login}/{repo.name}/commit/{parent.sha}"),
            }
        ],
    }

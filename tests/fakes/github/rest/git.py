"""Trees, contents, tarballs (with their codeload download) and commits."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ..context import Call
from ..exchange import ApiError, Response, json_response, not_found
from ..gitobjects import GitObjects, build_objects, tarball
from ..model import Commit, Repository
from ..payloads import git
from ..payloads.repos import Owner

_MAX_CONTENT_BYTES = 1_048_576  # larger files come back with encoding "none" and no content, as on GitHub


def resolve_commit(repo: Repository, ref: str) -> str | None:
    """The commit sha a branch name, refs/heads/ name, HEAD or (abbreviated) commit sha names."""
    name = ref.removeprefix("refs/heads/")
    if name == "HEAD":
        return repo.head_sha
    branch = repo.branch(name)
    if branch is not None:
        return repo.branch_sha(branch)
    shas = [commit.sha for commit in repo.commits] + [b.sha for b in repo.branches if b.sha]
    if len(ref) >= 7:
        return next((sha for sha in shas if sha.startswith(ref.lower())), None)
    return None


def commit_payload(call: Call, owner: Owner, repo: Repository, sha: str, objects: GitObjects) -> dict[str, Any]:
    index = next((i for i, commit in enumerate(repo.commits) if commit.sha == sha), None)
    entry = repo.commits[index] if index is not None else Commit(sha=sha, date=repo.pushed_at)
    parent = repo.commits[index + 1] if index is not None and index + 1 < len(repo.commits) else None
    author = call.world.user(entry.author_login) if entry.author_login else None
    return git.commit(call.links, owner, repo, entry, parent, objects.root, author.id if author else None)


def get_tree(call: Call) -> Response:
    owner, repo = call.repo()
    objects = build_objects(repo.files)
    ref = call.params["sha"]
    tree_sha = ref if ref in objects.trees else (objects.root if resolve_commit(repo, ref) else None)
    if tree_sha is None:
        raise not_found()
    if "recursive" in call.request.query:  # GitHub treats any value, even 0, as recursive
        entries = objects.walk(tree_sha)
    else:
        entries = [(entry.name, entry) for entry in objects.trees[tree_sha]]
    limit = call.settings.tree_entry_limit
    truncated = len(entries) > limit
    return json_response(git.tree(call.links, owner, repo, tree_sha, entries[:limit], truncated))


def _wants_raw(call: Call) -> bool:
    accept = call.request.headers.get("accept", "")
    return any(media in accept for media in ("vnd.github.raw", "vnd.github.v3.raw"))


def get_contents(call: Call) -> Response:
    owner, repo = call.repo()
    ref = call.request.query.get("ref") or repo.default_branch
    if resolve_commit(repo, ref) is None:
        raise ApiError(404, f"No commit found for the ref {ref}", "https://docs.github.com/rest/repos/contents")
    path = call.params.get("path", "").strip("/")
    content = repo.files.get(path)
    objects = build_objects(repo.files)
    if content is not None:
        if _wants_raw(call):
            return Response(200, content, {"Content-Type": "application/vnd.github.raw; charset=utf-8"})
        entry = next(e for p, e in objects.walk(objects.root) if p == path)
        payload = git.content_file(call.links, owner, repo, path, entry, content, ref)
        if len(content) > _MAX_CONTENT_BYTES:
            payload.update(content="", encoding="none")
        return json_response(payload)
    tree_sha = (
        objects.root
        if not path
        else next((entry.sha for p, entry in objects.walk(objects.root) if p == path and entry.type == "tree"), None)
    )
    if tree_sha is None:
        raise not_found()
    return json_response(git.directory_items(call.links, owner, repo, path, objects, tree_sha, ref))


def get_tarball(call: Call) -> Response:
    owner, repo = call.repo()
    ref = call.params.get("ref") or repo.default_branch
    if resolve_commit(repo, ref) is None:
        raise not_found()
    location = call.links.api(f"/_codeload/{owner.login}/{repo.name}/legacy.tar.gz/{ref}")
    return Response(302, b"", {"Location": location, "Content-Type": "text/html;charset=utf-8"})


def download_tarball(call: Call) -> Response:
    """The codeload side of a tarball redirect: the archive itself."""
    owner, repo = call.repo()
    sha = resolve_commit(repo, call.params["ref"])
    if sha is None:
        raise not_found()
    top_folder = f"{owner.login}-{repo.name}-{sha[:7]}"
    commit_dates = {commit.sha: commit.date for commit in repo.commits}
    archive = tarball(repo.files, top_folder, sha, commit_dates.get(sha, repo.pushed_at))
    return Response(
        200,
        archive,
        {"Content-Type": "application/x-gzip", "Content-Disposition": f"attachment; filename={top_folder}.tar.gz"},
    )


def download_raw(call: Call) -> Response:
    """A file's `download_url` (raw.githubusercontent.com on GitHub)."""
    _, repo = call.repo()
    if resolve_commit(repo, call.params["ref"]) is None or call.params["path"] not in repo.files:
        return Response(404, b"404: Not Found", {"Content-Type": "text/plain; charset=utf-8"})
    return Response(200, repo.files[call.params["path"]], {"Content-Type": "text/plain; charset=utf-8"})


def _time_param(call: Call, name: str) -> datetime | None:
    value = call.request.query.get(name)
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(422, f"Invalid value for '{name}': {json.dumps(value)}") from None


def list_commits(call: Call) -> Response:
    owner, repo = call.repo()
    ref = call.request.query.get("sha") or repo.default_branch
    sha = resolve_commit(repo, ref)
    if sha is None:
        raise ApiError(404, f"No commit found for SHA: {ref}", "https://docs.github.com/rest/commits/commits")
    start = next((i for i, commit in enumerate(repo.commits) if commit.sha == sha), None)
    history = repo.commits[start:] if start is not None else [Commit(sha=sha, date=repo.pushed_at)]
    since, until = _time_param(call, "since"), _time_param(call, "until")
    author = call.request.query.get("author")
    chosen = [
        commit
        for commit in history
        if (since is None or commit.date >= since)
        and (until is None or commit.date <= until)
        and (author is None or author in (commit.author_login, commit.author_email))
    ]
    objects = build_objects(repo.files)
    return call.page([commit_payload(call, owner, repo, commit.sha, objects) for commit in chosen])


def get_commit(call: Call) -> Response:
    owner, repo = call.repo()
    sha = resolve_commit(repo, call.params["ref"])
    if sha is None:
        raise ApiError(
            422,
            f"No commit found for SHA: {call.params['ref']}",
            "https://docs.github.com/rest/commits/commits#get-a-commit",
        )
    payload = commit_payload(call, owner, repo, sha, build_objects(repo.files))
    return json_response({**payload, "stats": {"total": 0, "additions": 0, "deletions": 0}, "files": []})

"""A repository's files as `git archive` writes them, which is what GitHub's and GitLab's
archive endpoints serve: a .tar.gz with one top folder (its folders listed too) and the
commit sha in the pax global header."""

from __future__ import annotations

import io
import tarfile
from datetime import datetime


def git_archive(files: dict[str, bytes], top_folder: str, commit_sha: str, mtime: datetime) -> bytes:
    buffer = io.BytesIO()
    timestamp = int(mtime.timestamp())
    with tarfile.open(
        fileobj=buffer, mode="w:gz", format=tarfile.PAX_FORMAT, pax_headers={"comment": commit_sha}
    ) as archive:
        folders = {top_folder}
        for path in sorted(files):
            parts = path.split("/")
            for depth in range(1, len(parts)):
                folders.add(f"{top_folder}/{'/'.join(parts[:depth])}")
        for folder in sorted(folders):
            info = tarfile.TarInfo(folder + "/")
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o775, timestamp
            archive.addfile(info)
        for path in sorted(files):
            content = files[path]
            info = tarfile.TarInfo(f"{top_folder}/{path}")
            info.size, info.mode, info.mtime = len(content), 0o664, timestamp
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()

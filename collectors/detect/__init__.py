"""File-signal detection shared by every Git collector (local checkouts, GitHub, GitLab).

A collector hands over the repository's file list and a callable that reads one file;
`detect` returns evidence data for every kind in `scanner.kinds.FILE_SIGNAL_KINDS`.
"""

from collectors.detect.detection import DEFAULT_MAX_FILE_BYTES, Detection, detect
from collectors.detect.files import ReadFile, RepoFile, UnreadableFile

__all__ = ["DEFAULT_MAX_FILE_BYTES", "Detection", "ReadFile", "RepoFile", "UnreadableFile", "detect"]

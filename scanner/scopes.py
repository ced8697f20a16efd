"""The scope of a file in a repository, by its path alone: live, or something that only
looks like it (a test fixture, a sample, documentation, generated output).

One place decides it, for detection (which findings prove what a repository does) and for
reports (which show the scope beside each evidence path). Template skeletons (`{{ … }}` in a
path) are left out before detection and never reach this.
"""

from __future__ import annotations

from functools import lru_cache

LIVE = "live"
TEST = "test"
EXAMPLE = "example"
DOCS = "docs"
GENERATED = "generated"

#: What reports write beside a path that is not live.
SCOPE_LABELS = {TEST: "test fixture", EXAMPLE: "sample", DOCS: "documentation", GENERATED: "generated"}

# Folder names, lower case, in the order scopes win when a path has several (tests/examples/ is a test).
_FOLDER_SCOPES: tuple[tuple[str, frozenset[str]], ...] = (
    (
        TEST,
        frozenset(
            {"test", "tests", "testdata", "test-data", "test_data", "testing", "__tests__", "fixtures",
             "__fixtures__", "test-fixtures", "testfixtures", "e2e", "__snapshots__"}
        ),
    ),
    (EXAMPLE, frozenset({"example", "examples", "_examples", "sample", "samples"})),
    (DOCS, frozenset({"docs", "doc", "documentation"})),
    (GENERATED, frozenset({"generated", "__generated__", "zz_generated"})),
)
_GENERATED_NAMES = ("zz_generated", "generated_")


@lru_cache(maxsize=4096)
def scope_of(path: str) -> str:
    """`path` is POSIX and relative to the repository root. Settings folders are live whatever
    they hold (CODEOWNERS in docs/ is GitHub's, a workflow named tests.yml runs)."""
    folders = [folder.lower() for folder in path.split("/")[:-1]]
    if folders[:1] in ([".github"], [".gitlab"]) or path.endswith("CODEOWNERS"):
        return LIVE
    for scope, names in _FOLDER_SCOPES:
        if not names.isdisjoint(folders):
            return scope
    if path.rpartition("/")[2].lower().startswith(_GENERATED_NAMES):
        return GENERATED
    return LIVE


def is_live(path: str) -> bool:
    return scope_of(path) == LIVE


def scope_label(path: str) -> str | None:
    """What to write beside the path in a report, or None for a live file."""
    return SCOPE_LABELS.get(scope_of(path))

"""Where `pecm` (and `python -m scanner`) starts: before the application is imported.

`--version` is answered from here, so it costs an interpreter and nothing else. Every other
command first checks that `rules`, `reports` and `collectors` come from the installation that
`scanner` comes from: their names are generic, and a package of the same name earlier on the
path (a `reports/` in the working folder, a `rules` from the registry) would otherwise be
imported in their place and fail in some confusing way far from the cause.
"""

from __future__ import annotations

import sys
from importlib.machinery import ModuleSpec
from importlib.util import find_spec
from pathlib import Path

from scanner.stdout_failure import discard_stdout, is_stdout_failure, stdout_failure_message
from scanner.version import VERSION

SIBLINGS = ("rules", "reports", "collectors")
EXIT_USER_ERROR = 2  # as scanner.commands.support, which this module must not import


def shadowing_problem() -> str | None:
    """One line naming the first sibling package not found in scanner's installation, or None.

    find_spec locates a top-level name without importing it: the check costs a few stat calls."""
    home = _installation(find_spec("scanner"))
    for name in SIBLINGS:
        spec = find_spec(name)
        if spec is None:
            return f"pecm's package {name!r} is missing from its installation {home}; reinstall pecm"
        if _installation(spec) != home:
            return (
                f"{_where(spec)} shadows pecm's package {name!r} (pecm is installed in {home}); "
                "run pecm from another folder, or install it in its own environment (pipx or uv tool)"
            )
    return None


def _where(spec: ModuleSpec) -> Path:
    """The package folder, or the module file, that the name resolves to."""
    if spec.origin is not None and spec.has_location:
        origin = Path(spec.origin)
        return origin.parent if spec.submodule_search_locations is not None else origin
    return Path(next(iter(spec.submodule_search_locations or ()), spec.name))  # a namespace package: its folder


def _installation(spec: ModuleSpec | None) -> Path | None:
    return _where(spec).resolve().parent if spec is not None else None


def main() -> None:
    try:
        _start()
    except OSError as exc:  # `pecm --help > /dev/full`: outside any command's one-line errors
        if not is_stdout_failure(exc):
            raise
        discard_stdout()
        print(f"pecm: error: {stdout_failure_message(exc)}", file=sys.stderr)
        raise SystemExit(EXIT_USER_ERROR) from None


def _start() -> None:
    if sys.argv[1:] == ["--version"]:
        print(f"pecm, version {VERSION}")  # click's wording, as `pecm -v --version` prints it
        return
    problem = shadowing_problem()
    if problem is not None:
        print(f"pecm: error: {problem}", file=sys.stderr)
        raise SystemExit(EXIT_USER_ERROR)
    from scanner.commands.heap import collector_paused, left_to_teardown

    # Start-up makes only what lives until the command ends (modules, classes, models,
    # validators): cycle collections while importing would traverse them for nothing.
    with collector_paused():
        from scanner.cli import main as cli  # the application, imported only now
    try:
        cli()
    finally:
        left_to_teardown()

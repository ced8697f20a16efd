"""`python -m reports.schema`: rewrite the committed JSON Schema files from the models."""

from __future__ import annotations

import sys

from reports.schema import write


def main() -> None:
    for path in write():
        sys.stdout.write(f"wrote {path}\n")


if __name__ == "__main__":
    main()

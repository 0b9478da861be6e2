"""`python -m services.matching CLIENTS.csv CUSTOMERS.json` prints the proposals CSV to stdout."""
from __future__ import annotations

import sys

from .files import match_files


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m services.matching CLIENTS.csv CUSTOMERS.json", file=sys.stderr)
        return 2
    match_files(args[0], args[1], sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Fail when a module under riskctl/ is longer than LIMIT lines (run by ``make lint``).

Usage: python tools/module_sizes.py [ROOT] — prints every module over the limit.
"""

from __future__ import annotations

import sys
from pathlib import Path

LIMIT = 400


def too_long(root: Path) -> list[tuple[Path, int]]:
    found = []
    for path in sorted(root.rglob("*.py")):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > LIMIT:
            found.append((path, lines))
    return found


def main(argv: list[str]) -> int:
    root = Path(argv[1] if len(argv) > 1 else "riskctl")
    found = too_long(root)
    for path, lines in found:
        print(f"{path}: {lines} lines (at most {LIMIT}): split it by what it does")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

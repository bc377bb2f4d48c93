"""What goes wrong in an import.

The file as a whole (TableError), one cell (CellError), and every row's problems
(RowProblem, ImportProblems, ProblemCollector).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


class TableError(ValueError):
    """The file as a whole cannot be read; `message` is shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CellError(ValueError):
    """One cell's value is not acceptable; `message` is shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    message: str


class ImportProblems(Exception):
    """Every problem of a rejected import, sorted by row."""

    def __init__(self, problems: Iterable[RowProblem]) -> None:
        self.problems = sorted(problems, key=lambda problem: problem.row)
        self.message = f"共 {len(self.problems)} 处问题，未导入任何数据"
        super().__init__(self.message)

    def as_details(self, limit: int | None = None) -> dict[str, Any]:
        """The API error `details`; `limit` keeps a response for a huge file small."""
        shown = self.problems if limit is None else self.problems[:limit]
        rows = [{"row": p.row, "column": p.column, "message": p.message} for p in shown]
        return {"rows": rows, "total": len(self.problems)}


class ProblemCollector:
    """Gathers `RowProblem`s while an importer checks every row."""

    def __init__(self) -> None:
        self.problems: list[RowProblem] = []

    def add(self, row: int, column: str, message: str) -> None:
        self.problems.append(RowProblem(row, column, message))

    def cell(self, row: int, column: str, parse: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        """`parse(*args, **kw)`, or None with the problem recorded on `CellError`."""
        try:
            return parse(*args, **kw)
        except CellError as exc:
            self.add(row, column, exc.message)
            return None

    def raise_if_any(self) -> None:
        if self.problems:
            raise ImportProblems(self.problems)

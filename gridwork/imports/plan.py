"""What an importer hands back: the problems it found and, when there are none, how to write the rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gridwork.common.tabular import ImportProblem, Table


@dataclass(frozen=True)
class ImportContext:
    """One import: who runs it (None for the system) and the file, read as a table for tabular kinds."""

    actor: Any
    file_name: str
    data: bytes
    table: Table | None = None


@dataclass
class Plan:
    """Every problem found; ``write`` is called only when there are none, inside the import's transaction."""

    problems: list[ImportProblem] = field(default_factory=list)
    write: Callable[[], int] = lambda: 0

"""Running an import: read the file, check every row, and write all of it in one transaction or nothing.

``import_run`` raises ``ImportRejected`` with every problem found (file, row, column, reason); then nothing
at all has been saved. The writes go through the same rule functions as the single-object services
(``places.services``, ``party.services``, ``accounts.services.staff_create``) and bulk inserts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from gridwork.accounts.roles import Perm
from gridwork.audit.services import audit_record
from gridwork.common.tabular import ImportProblem, ImportRejected, table_read
from gridwork.imports.importers.boundaries import boundaries_plan
from gridwork.imports.importers.party import party_members_plan, party_organisations_plan
from gridwork.imports.importers.places import places_plan
from gridwork.imports.importers.staff import staff_plan
from gridwork.imports.plan import ImportContext, Plan
from gridwork.imports.specs import SPECS

IMPORTERS: dict[str, Callable[[ImportContext], Plan]] = {
    "places": places_plan,
    "party_organisations": party_organisations_plan,
    "staff": staff_plan,
    "party_members": party_members_plan,
    "boundaries": boundaries_plan,
}
assert IMPORTERS.keys() == SPECS.keys()


@dataclass(frozen=True)
class ImportResult:
    kind: str
    file_name: str
    rows_imported: int
    encoding: str | None = None  # how a CSV file was read (UTF-8, UTF-8 (BOM), GB18030, UTF-16)


class _Rejected(Exception):
    """Leaves the import's transaction (rolling it back) carrying the problems."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__()
        self.problems = problems


def import_run(*, actor: Any, kind: str, file_name: str, data: bytes) -> ImportResult:
    """Import one file of ``kind`` as ``actor`` (None: the system, unrestricted by scope). All or nothing.

    Raises ``ImportRejected`` with every problem found, or ``PermissionDenied`` for an actor who may not
    import at all; an actor who may import only where they hold ``Perm.IMPORT_DATA``.
    """
    if kind not in IMPORTERS:
        raise ValueError(f"Unknown import kind {kind!r}.")
    if actor is not None and not actor.has_perm_anywhere(Perm.IMPORT_DATA):
        raise PermissionDenied(_("You may not import data."))
    spec = SPECS[kind]
    encoding: str | None = None
    try:
        table = table_read(file_name=file_name, data=data) if spec.file_format == "table" else None
        if table is not None:
            encoding = table.encoding_label or None
        context = ImportContext(actor=actor, file_name=file_name, data=data, table=table)
        try:
            with transaction.atomic():
                plan = IMPORTERS[kind](context)
                if plan.problems:
                    raise _Rejected(plan.problems)
                count = plan.write()
                audit_record(
                    actor=actor,
                    actor_name="" if actor is not None else "system",
                    action="import.run",
                    detail={"kind": kind, "file": file_name, "rows": count, "encoding": encoding},
                )
        except _Rejected as rejected:
            raise ImportRejected(rejected.problems) from None
        except DatabaseError as exc:
            raise ImportRejected(
                [
                    ImportProblem(
                        file_name,
                        None,
                        "",
                        _("The database refused the rows (%(error)s); nothing was imported.") % {"error": exc},
                    )
                ]
            ) from exc
    except ImportRejected as rejected:
        audit_record(
            actor=actor,
            actor_name="" if actor is not None else "system",
            action="import.rejected",
            detail={"kind": kind, "file": file_name, "problems": len(rejected.problems), "encoding": encoding},
        )
        raise
    return ImportResult(kind=kind, file_name=file_name, rows_imported=count, encoding=encoding)

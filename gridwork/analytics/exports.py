"""Excel workbooks (openpyxl) of the analysis: the matter ledger (事项台账) with the work queue's filters, the league
tables (三率排名) with the public notice (通报), and one unit's measures with its children and trend.

The builders take what the selectors read and return the file's bytes; they write in openpyxl's write-only mode, so a
ledger of a hundred thousand rows never holds its cells in memory. Headers come from gettext (the model's verbose
names where a column is a field), so they are Chinese under zh-Hans. Personal data is masked here unless the row says
the user may see it unmasked; the view records such an export in the audit log.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any, cast

from django.db.models import BooleanField, Exists, Field, Model, OuterRef, QuerySet, Value
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from gridwork.accounts.roles import Perm
from gridwork.analytics.areas import Area
from gridwork.analytics.measures import DEFINITION_BY_KEY, DEFINITIONS, Figures, Weights
from gridwork.analytics.models import AnalyticsSettings, UnitKind
from gridwork.analytics.periods import Period
from gridwork.analytics.selectors import NoticeMatter, NoticeRow, RankingRow
from gridwork.common.masking import mask_name, mask_phone
from gridwork.common.workbooks import Column, headed_sheet, safe_cell
from gridwork.matters.disclosure import matter_reporter_contact
from gridwork.matters.models import Matter
from gridwork.matters.selectors import QueueFilters, QueueTab, matter_queue

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LEDGER_CAP = 100_000  # rows of one ledger export; more asks the user to narrow the filters
NOTE_FONT = Font(bold=True, color="C00000")
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.0%"
DECIMAL_FORMAT = "0.0"
INTEGER_FORMAT = "0"


# --- writing cells --------------------------------------------------------------------------------------------------


def _layout(sheet: WriteOnlyWorksheet) -> Any:
    """The sheet's autofilter, which a write-only sheet has but the type stubs do not name."""
    return sheet


def _append(sheet: WriteOnlyWorksheet, columns: Sequence[Column], values: Sequence[Any]) -> None:
    sheet.append([safe_cell(sheet, value, column.number_format) for column, value in zip(columns, values, strict=True)])


def _filter_to(sheet: WriteOnlyWorksheet, columns: Sequence[Column], last_row: int) -> None:
    """An autofilter over the header and the data rows (written when the workbook is saved)."""
    _layout(sheet).auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(last_row, 1)}"


def _note(sheet: WriteOnlyWorksheet, text: str) -> None:
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = NOTE_FONT
    sheet.append([cell])


def _about_sheet(workbook: Workbook, lines: Sequence[tuple[str | Promise, Any]]) -> None:
    """The sheet that says what the workbook holds: the export, the period or filters, when and by whom."""
    columns = [Column(gettext_lazy("Item"), 24), Column(gettext_lazy("Value"), 80)]
    sheet = headed_sheet(workbook, gettext_lazy("About this export"), columns)
    for label, value in lines:
        number_format = DATETIME_FORMAT if isinstance(value, datetime) else ""
        sheet.append([str(label), safe_cell(sheet, value, number_format)])


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _new_workbook() -> Workbook:
    return Workbook(write_only=True)


# --- the matter ledger (事项台账) -------------------------------------------------------------------------------------


def _verbose_name(model: type[Model], name: str) -> str:
    field = cast(Field[Any, Any], model._meta.get_field(name))
    return capfirst(str(field.verbose_name))


def _field(name: str) -> str:
    return _verbose_name(Matter, name)


def ledger_columns() -> list[Column]:
    """The ledger's columns, headed by the matter's verbose names (so they read as on the matter's page)."""
    return [
        Column(_field("number"), 20),
        Column(_field("created_at"), 17, DATETIME_FORMAT),
        Column(_field("channel"), 12),
        Column(_field("category"), 18),
        Column(_field("kind"), 10),
        Column(_field("urgency"), 10),
        Column(_field("state"), 12),
        Column(_field("district"), 14),
        Column(_field("street"), 14),
        Column(_field("community"), 14),
        Column(_field("grid"), 18),
        Column(_field("lead_place"), 22),
        Column(_field("dispatched_at"), 17, DATETIME_FORMAT),
        Column(_field("accepted_at"), 17, DATETIME_FORMAT),
        Column(_field("replied_at"), 17, DATETIME_FORMAT),
        Column(_field("closed_at"), 17, DATETIME_FORMAT),
        Column(_field("due_at"), 17, DATETIME_FORMAT),
        Column(_field("overdue_count"), 9, INTEGER_FORMAT),
        Column(_field("return_count"), 9, INTEGER_FORMAT),
        Column(_field("reopen_count"), 9, INTEGER_FORMAT),
        Column(_field("extension_count"), 9, INTEGER_FORMAT),
        Column(_field("satisfaction"), 12),
        Column(_field("closure_reason"), 12),
        Column(_field("reporter_name"), 12),
        Column(_field("reporter_phone"), 15),
        Column(_field("title"), 40),
    ]


@dataclass(frozen=True)
class LedgerRow:
    """One matter as the ledger shows it; ``unmasked`` says the reporter's name and phone are shown as filed."""

    values: tuple[Any, ...]
    unmasked: bool


def ledger_matters(*, user: Any, tab: QueueTab, filters: QueueFilters) -> QuerySet[Matter]:
    """The work queue's matters for ``tab`` and ``filters`` (``matter_queue``, so the scope and the filters are the
    page's), each marked ``reporter_unmasked`` when ``user`` holds the unmask permission over the matter's place."""
    matters = matter_queue(user=user, tab=tab, filters=filters).select_related("street", "district", "reporter")
    if user.has_perm_anywhere(Perm.VIEW_PERSONAL_DATA):
        visible = Matter.objects.restrict(user, Perm.VIEW_PERSONAL_DATA).filter(pk=OuterRef("pk"))
        return matters.annotate(reporter_unmasked=Exists(visible))
    return matters.annotate(reporter_unmasked=Value(False, output_field=BooleanField()))


def ledger_row(matter: Matter, *, unmasked: bool) -> LedgerRow:
    name, phone = matter_reporter_contact(matter)
    if not unmasked:
        name, phone = mask_name(name), mask_phone(phone)
    lead = matter.lead_department or matter.lead_place
    return LedgerRow(
        values=(
            matter.number,
            matter.created_at,
            matter.get_channel_display(),
            matter.category.name if matter.category is not None else "",
            matter.get_kind_display(),
            matter.get_urgency_display(),
            matter.get_state_display(),
            matter.district.name,
            matter.street.name,
            matter.community.name,
            matter.grid.name,
            lead.name if lead is not None else "",
            matter.dispatched_at,
            matter.accepted_at,
            matter.replied_at,
            matter.closed_at,
            matter.due_at,
            matter.overdue_count,
            matter.return_count,
            matter.reopen_count,
            matter.extension_count,
            matter.get_satisfaction_display() if matter.satisfaction else "",
            matter.get_closure_reason_display() if matter.closure_reason else "",
            name,
            phone,
            matter.title,
        ),
        unmasked=unmasked and bool(name or phone),
    )


def ledger_rows(matters: QuerySet[Matter], *, cap: int = LEDGER_CAP) -> Iterable[LedgerRow]:
    """The ledger rows of ``matters`` (from ``ledger_matters``), one more than ``cap`` at most, read in chunks."""
    for matter in matters[: cap + 1].iterator(chunk_size=2000):
        yield ledger_row(matter, unmasked=bool(getattr(matter, "reporter_unmasked", False)))


@dataclass(frozen=True)
class LedgerFile:
    content: bytes
    rows: int
    unmasked: int
    capped: bool


def ledger_xlsx(
    rows: Iterable[LedgerRow], *, about: Sequence[tuple[str | Promise, Any]] = (), cap: int = LEDGER_CAP
) -> LedgerFile:
    """The ledger workbook: one sheet of matters (at most ``cap``; when there were more, a last row says so) and a
    sheet about the export (its filters, how many rows, whether personal data is masked)."""
    workbook = _new_workbook()
    columns = ledger_columns()
    sheet = headed_sheet(workbook, gettext_lazy("Matter ledger"), columns)
    written = unmasked = 0
    iterator = iter(rows)
    for row in islice(iterator, cap):
        _append(sheet, columns, row.values)
        written += 1
        unmasked += row.unmasked
    capped = next(iterator, None) is not None
    _filter_to(sheet, columns, written + 1)
    cap_text = _("Only the first %(cap)s matters are exported; narrow the filters to export the rest.") % {
        "cap": f"{cap:,}"
    }
    if capped:
        _note(sheet, cap_text)
    masking = _("Masked (138****1234).")
    if unmasked:
        masking = _("Unmasked in %(count)s rows, where you may see personal data; the export is in the audit log.") % {
            "count": unmasked
        }
    lines: list[tuple[str | Promise, Any]] = [
        (gettext_lazy("Export"), gettext_lazy("Matter ledger")),
        *about,
        (gettext_lazy("Matters"), written),
        (gettext_lazy("Reporters' names and phones"), masking),
    ]
    if capped:
        lines.append((gettext_lazy("Note"), cap_text))
    _about_sheet(workbook, lines)
    return LedgerFile(content=_save(workbook), rows=written, unmasked=unmasked, capped=capped)


# --- measures, rankings and the public notice -----------------------------------------------------------------------


def _measure_format(key: str) -> str:
    definition = DEFINITION_BY_KEY[key]
    if definition.percent:
        return PERCENT_FORMAT
    if key in {"average_days", "composite"}:
        return DECIMAL_FORMAT
    return INTEGER_FORMAT


def _measure_columns(keys: Iterable[str] | None = None) -> list[Column]:
    chosen = list(keys) if keys is not None else [definition.key for definition in DEFINITIONS]
    return [Column(DEFINITION_BY_KEY[key].label, 13, _measure_format(key)) for key in chosen]


def _measure_values(figures: Figures, keys: Iterable[str] | None = None) -> list[Any]:
    chosen = list(keys) if keys is not None else [definition.key for definition in DEFINITIONS]
    return [figures.value(key) for key in chosen]


def _definitions_sheet(workbook: Workbook, weights: Weights, notice_overdue: int) -> None:
    """Each measure and how it is computed, then the weights in force when the workbook was made."""
    columns = [Column(gettext_lazy("Measure"), 26), Column(gettext_lazy("How it is computed"), 100)]
    sheet = headed_sheet(workbook, gettext_lazy("Definitions"), columns)
    wrap = Alignment(wrap_text=True, vertical="top")
    for definition in DEFINITIONS:
        how = WriteOnlyCell(sheet, value=str(definition.how))
        how.alignment = wrap
        sheet.append([str(definition.label), how])
    _filter_to(sheet, columns, len(DEFINITIONS) + 1)
    sheet.append([])
    _note(sheet, _("Weights in force"))
    settings_rows = [
        ("response_weight", weights.response),
        ("resolution_weight", weights.resolution),
        ("satisfaction_weight", weights.satisfaction),
        ("satisfied_value", float(weights.satisfied_value)),
        ("basically_value", float(weights.basically_value)),
        ("notice_overdue", notice_overdue),
    ]
    for name, value in settings_rows:
        sheet.append([_verbose_name(AnalyticsSettings, name), value])


RANKING_MEASURES = (
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "on_time_rate",
    "reopen_rate",
    "received",
    "closed",
    "overdue",
)


def ranking_columns() -> list[Column]:
    return [
        Column(gettext_lazy("Rank"), 7, INTEGER_FORMAT),
        Column(gettext_lazy("Unit"), 26),
        Column(gettext_lazy("Code"), 16),
        Column(DEFINITION_BY_KEY["composite"].label, 12, DECIMAL_FORMAT),
        Column(gettext_lazy("Previous rank"), 10, INTEGER_FORMAT),
        Column(gettext_lazy("Places gained"), 10, INTEGER_FORMAT),
        Column(gettext_lazy("Previous composite score"), 12, DECIMAL_FORMAT),
        Column(gettext_lazy("Score change"), 10, DECIMAL_FORMAT),
        *_measure_columns(RANKING_MEASURES),
    ]


def notice_columns() -> list[Column]:
    return [
        Column(gettext_lazy("Level"), 10),
        Column(gettext_lazy("Unit"), 26),
        Column(gettext_lazy("Code"), 16),
        Column(DEFINITION_BY_KEY["overdue"].label, 10, INTEGER_FORMAT),
        Column(_field("number"), 20),
        Column(_field("title"), 40),
        Column(gettext_lazy("Times overdue"), 10, INTEGER_FORMAT),
    ]


def ranking_xlsx(
    *,
    period: Period,
    tables: Sequence[tuple[str, Sequence[RankingRow]]],
    notices: Sequence[tuple[str, Sequence[NoticeRow], Mapping[int, Sequence[NoticeMatter]]]],
    weights: Weights,
    notice_overdue: int,
    about: Sequence[tuple[str | Promise, Any]] = (),
) -> bytes:
    """The league tables (one sheet per unit kind, best first), the public-notice list and the definitions."""
    workbook = _new_workbook()
    kind_labels = dict(UnitKind.choices)
    columns = ranking_columns()
    for unit_kind, rows in tables:
        sheet = headed_sheet(workbook, _("Ranking of %(kind)s") % {"kind": kind_labels[unit_kind]}, columns)
        for row in rows:
            values = [
                row.rank,
                row.area.name,
                row.area.code,
                row.score,
                row.previous_rank,
                row.rank_change,
                row.previous_score,
                row.score_change,
                *_measure_values(row.figures, RANKING_MEASURES),
            ]
            _append(sheet, columns, values)
        _filter_to(sheet, columns, len(rows) + 1)
    columns = notice_columns()
    sheet = headed_sheet(workbook, gettext_lazy("Public notice"), columns)
    written = 1
    for unit_kind, notice_rows, evidence in notices:
        for notice in notice_rows:
            unit = [str(kind_labels[unit_kind]), notice.area.name, notice.area.code, notice.overdue]
            found: Sequence[tuple[str, str, int | None]] = [
                (matter.number, matter.title, matter.times) for matter in evidence.get(notice.area.unit_id, [])
            ]
            for number, title, times in found or [("", "", None)]:
                _append(sheet, columns, [*unit, number, title, times])
                written += 1
    _filter_to(sheet, columns, written)
    if written == 1:
        _note(sheet, _("No unit let deadlines pass often enough in this period to be on the public notice."))
    _definitions_sheet(workbook, weights, notice_overdue)
    _about_sheet(
        workbook,
        [(gettext_lazy("Export"), gettext_lazy("Rankings")), (gettext_lazy("Period"), period.label()), *about],
    )
    return _save(workbook)


def measures_xlsx(
    *,
    area: Area,
    period: Period,
    figures: Figures,
    children: Sequence[tuple[Area, Figures]],
    trend: Sequence[tuple[Period, Figures]],
    weights: Weights,
    notice_overdue: int,
    about: Sequence[tuple[str | Promise, Any]] = (),
) -> bytes:
    """One unit's measures over the period, its children's (the drill-down), its trend, and the definitions."""
    workbook = _new_workbook()
    columns = [Column(gettext_lazy("Measure"), 28), Column(gettext_lazy("Value"), 14)]
    sheet = headed_sheet(workbook, gettext_lazy("Measures"), columns)
    for definition in DEFINITIONS:
        value = figures.value(definition.key)
        sheet.append([str(definition.label), safe_cell(sheet, value, _measure_format(definition.key))])
    _filter_to(sheet, columns, len(DEFINITIONS) + 1)

    columns = [Column(gettext_lazy("Unit"), 26), Column(gettext_lazy("Code"), 16), *_measure_columns()]
    sheet = headed_sheet(workbook, gettext_lazy("Units below"), columns)
    for child, child_figures in children:
        _append(sheet, columns, [child.name, child.code, *_measure_values(child_figures)])
    _filter_to(sheet, columns, len(children) + 1)

    columns = [
        Column(gettext_lazy("Period"), 12),
        Column(gettext_lazy("From"), 12, DATE_FORMAT),
        Column(gettext_lazy("Until"), 12, DATE_FORMAT),
        *_measure_columns(),
    ]
    sheet = headed_sheet(workbook, gettext_lazy("Trend"), columns)
    for bucket, bucket_figures in trend:
        _append(sheet, columns, [bucket.label(), bucket.start, bucket.end, *_measure_values(bucket_figures)])
    _filter_to(sheet, columns, len(trend) + 1)

    _definitions_sheet(workbook, weights, notice_overdue)
    _about_sheet(
        workbook,
        [
            (gettext_lazy("Export"), gettext_lazy("Measures")),
            (gettext_lazy("Unit"), f"{area.name} ({area.code})"),
            (gettext_lazy("Period"), f"{period.label()} ({period.start:%Y-%m-%d} – {period.end:%Y-%m-%d})"),
            *about,
        ],
    )
    return _save(workbook)

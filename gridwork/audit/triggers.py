"""Database triggers that make a table append-only (the audit log, matters' event logs), per database vendor.

Migrations install them; the test suite's ``flush`` (see management/commands/flush.py) lifts them for the
moment of emptying a test database and puts them back.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

# Every append-only table of the platform; a migration that creates one calls install() for it.
APPEND_ONLY_TABLES = (
    "audit_auditevent",
    "audit_auditseal",
    "matters_matterevent",
    "party_registrationevent",
    "party_unitregistrationevent",
    "points_pointentry",
    "points_exchangeevent",
    "wishes_wishevent",
    "volunteers_orderevent",
    "care_visit",
    "cobuild_needevent",
    "cobuild_resourceevent",
    "cobuild_projectevent",
    "contracts_contractevent",
    "contracts_performance",
    "contracts_evidence",
    "contracts_evaluation",
    "contracts_clausescore",
    "contracts_residentrating",
    "alliances_allianceevent",
    "alliances_chairchange",
    "alliances_jointmeeting",
    "alliances_meetingattendance",
    "workforce_workerevent",
    "ratings_roundevent",
    "ratings_assessmentevent",
    "ratings_staradjustment",
    "mediation_caseevent",
    "mediation_mediationsession",
    "threezero_applicationevent",
    "centres_bookingevent",
    "estates_committeeevent",
    "estates_electionwarning",
    "deliberation_deliberationevent",
    "deliberation_deliberationvote",
    "deliberation_meetingrecord",
    "deliberation_programmeevent",
    "deliberation_proposalevent",
    "deliberation_proposalvote",
    "deliberation_progressupdate",
    "serviceday_cycleevent",
    "serviceday_itemevent",
    "serviceday_itemrating",
    "activities_activityevent",
    "activities_checkin",
    "gridvisits_gridvisit",
    "gridvisits_visitphoto",
    "keytasks_keytaskevent",
    "keytasks_progressreport",
    "keytasks_reportevidence",
    "keytasks_milestonewarning",
    "admission_dutychange",
    "admission_admissionevent",
    "admission_admissiondecision",
    "admission_unadmittedreport",
    "propertyfirms_recognitionevent",
    "socialorgs_incubationevent",
    "audit_auditcheckpoint",
)

# Tables whose old rows may be deleted (the audit log's retention, 网络安全法 art. 21: at least six months): their
# triggers refuse every UPDATE, and a DELETE of any row whose time column is less than ``RETAIN_DAYS`` old. The
# database itself keeps the minimum; the purge job (``audit.retention``) deletes what is older than the configured
# period, which may be longer and never shorter.
RETAINED_TABLES = {"audit_auditevent": "at", "audit_auditseal": "sealed_at"}
RETAIN_DAYS = 183

_PG_FUNCTION = """CREATE OR REPLACE FUNCTION gridwork_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"""


_PG_RETAIN_FUNCTION = f"""CREATE OR REPLACE FUNCTION gridwork_keep_recent() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND (to_jsonb(OLD) ->> TG_ARGV[0])::timestamptz < now() - interval '{RETAIN_DAYS} days'
        THEN RETURN OLD; END IF;
        RAISE EXCEPTION '% is append-only (rows are deleted only after {RETAIN_DAYS} days)', TG_TABLE_NAME;
    END $$"""


def _create_retained(vendor: str, table: str, column: str) -> list[str]:
    if vendor == "sqlite":
        recent = f"OLD.{column} >= datetime('now', '-{RETAIN_DAYS} days')"
        refusal = f"{table} is append-only (rows are deleted only after {RETAIN_DAYS} days)"
        return [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} WHEN {recent} "
            f"BEGIN SELECT RAISE(ABORT, '{refusal}'); END",
        ]
    if vendor == "postgresql":
        return [
            _PG_FUNCTION,
            _PG_RETAIN_FUNCTION,
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION gridwork_keep_recent('{column}')",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION gridwork_refuse_change()",
        ]
    return []


def _create(vendor: str, table: str) -> list[str]:
    if table in RETAINED_TABLES:
        return _create_retained(vendor, table, RETAINED_TABLES[table])
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
        ]
    if vendor == "postgresql":
        return [
            _PG_FUNCTION,
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION gridwork_refuse_change()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION gridwork_refuse_change()",
        ]
    return []


def _drop(vendor: str, table: str) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_no_update", f"DROP TRIGGER IF EXISTS {table}_no_delete"]
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        ]
    return []


def install(connection: BaseDatabaseWrapper, table: str) -> None:
    with connection.cursor() as cursor:
        for statement in _create(connection.vendor, table):
            cursor.execute(statement)


def remove(connection: BaseDatabaseWrapper, table: str) -> None:
    with connection.cursor() as cursor:
        for statement in _drop(connection.vendor, table):
            cursor.execute(statement)


def existing_append_only_tables(connection: BaseDatabaseWrapper) -> list[str]:
    present = set(connection.introspection.table_names())
    return [table for table in APPEND_ONLY_TABLES if table in present]

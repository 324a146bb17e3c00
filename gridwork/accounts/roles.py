"""Staff roles, the permissions each grants, and the level of unit each is held at. One table, read-only."""

from __future__ import annotations

from types import MappingProxyType

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    GRID_WORKER = "grid_worker", _("Grid worker")
    COMMUNITY_STAFF = "community_staff", _("Community staff")
    STREET_STAFF = "street_staff", _("Street staff")
    DEPARTMENT_HANDLER = "department_handler", _("Department handler")
    DISTRICT_STAFF = "district_staff", _("District staff")
    DISPATCH_CENTRE = "dispatch_centre", _("Dispatch centre")
    CITY_STAFF = "city_staff", _("City staff")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


class Perm:
    """Permission names. A role grants a fixed set; nothing is granted that is not listed here."""

    VIEW_PLACES = "places.view"
    MANAGE_PLACES = "places.manage"
    VIEW_PARTY = "party.view"
    MANAGE_PARTY = "party.manage"
    VIEW_PEOPLE = "people.view"
    VIEW_PERSONAL_DATA = "people.view_personal_data"
    MANAGE_PEOPLE = "people.manage"
    # Households in difficulty (低保, elderly living alone, disability…) are sensitive: only those who visit and
    # pair them see the list; every opening of a household's record is audited.
    VIEW_DIFFICULTY = "care.view"
    MANAGE_DIFFICULTY = "care.manage"
    VIEW_STAFF = "accounts.view_staff"
    MANAGE_STAFF = "accounts.manage_staff"
    IMPORT_DATA = "imports.run"
    VIEW_MATTERS = "matters.view"
    FILE_MATTERS = "matters.file"
    DISPATCH_MATTERS = "matters.dispatch"
    HANDLE_MATTERS = "matters.handle"
    CALL_BACK = "matters.call_back"
    MANAGE_ROUTING = "matters.manage_routing"
    SUPERVISE_MATTERS = "matters.supervise"  # 督办 and 催办 over the matters of one's area
    ESCALATE_MATTERS = "matters.escalate"  # the dispatch centre's hard-matter levels and board
    MANAGE_INTEGRATIONS = "integrations.manage"  # API tokens, Open311 keys and webhooks of other systems
    MANAGE_TRIAGE = "triage.manage"  # the city's triage model: retrain, class mapping, auto-dispatch, duplicate rules
    MANAGE_ASSESSMENT = "analytics.manage"  # the assessment's weights (三率) and the public-notice rule
    # Star ratings (星级评定): a target assesses itself, the street reviews, the city accepts and sets the stars.
    # Schemes and rounds are built by those who hold MANAGE_ASSESSMENT.
    VIEW_RATINGS = "ratings.view"
    SELF_ASSESS = "ratings.self_assess"
    REVIEW_RATINGS = "ratings.review"
    ACCEPT_RATINGS = "ratings.accept"
    # The community workforce (社区工作者): posts, grades and pay, appointments, training, staffing.
    VIEW_WORKFORCE = "workforce.view"
    MANAGE_WORKFORCE = "workforce.manage"
    # Disputes (枫桥经验): grids screen, communities and above register, mediate, refer; parties' contacts are seen
    # in full only by those who mediate (not by grid workers), each showing audited. 三零 units: reviewed above.
    VIEW_DISPUTES = "mediation.view"
    SCREEN_DISPUTES = "mediation.screen"
    MANAGE_DISPUTES = "mediation.manage"
    VIEW_DISPUTE_PARTIES = "mediation.view_parties"
    REVIEW_THREE_ZERO = "threezero.review"
    # Positions (阵地) and community life: service centres, rooms and bookings, activities with sign-up and check-in,
    # organisation life (三会一课). Community staff and above run their centres; grid workers look.
    VIEW_CENTRES = "centres.view"
    MANAGE_CENTRES = "centres.manage"
    # Residents' voice: the monthly service day, deliberations (议事) and yearly public-interest projects (民生实事).
    VIEW_DELIBERATION = "deliberation.view"
    MANAGE_DELIBERATION = "deliberation.manage"
    # Community actors (seeds 001, 002, 003): social organisations and teams, estates (小区) with their owners'
    # committees, property companies and "red property". Community staff and above keep them; grid workers look.
    VIEW_ACTORS = "actors.view"
    MANAGE_ACTORS = "actors.manage"
    # Grid workers' visits (看问记化, 民情日记): grid workers and community staff record; those above look.
    VIEW_GRID_VISITS = "gridvisits.view"
    RECORD_GRID_VISITS = "gridvisits.record"
    # The community's duty list and admission (准入): departments and streets ask to push a task down to communities;
    # the approving bodies (a department marked as one, e.g. the organisation department, civil affairs) decide; the
    # duty lists themselves are kept by district and city staff.
    VIEW_ADMISSION = "admission.view"
    REQUEST_ADMISSION = "admission.request"
    DECIDE_ADMISSION = "admission.decide"
    MANAGE_DUTY_LIST = "admission.manage_duties"
    # Key tasks run as projects (任务项目化、项目清单化、清单责任化): leaders at street level and above define them;
    # the units and people responsible report progress.
    VIEW_KEY_TASKS = "keytasks.view"
    MANAGE_KEY_TASKS = "keytasks.manage"
    REPORT_KEY_TASKS = "keytasks.report"
    VIEW_AUDIT = "audit.view"
    # The security administrator (安全管理员, 等保 separation of duties): unlocks accounts, resets a staff member's
    # second factor, forces a password change, and reads the sign-in records; changes no business data.
    MANAGE_SECURITY = "accounts.manage_security"
    ADMIN_SITE = "admin.site"


_COMMUNITY_WORK = frozenset(
    {
        Perm.VIEW_PLACES,
        Perm.VIEW_PARTY,
        Perm.MANAGE_PARTY,
        Perm.VIEW_PEOPLE,
        Perm.VIEW_PERSONAL_DATA,
        Perm.MANAGE_PEOPLE,
        Perm.VIEW_STAFF,
        Perm.VIEW_RATINGS,
        Perm.SELF_ASSESS,
        Perm.VIEW_WORKFORCE,
        Perm.VIEW_DISPUTES,
        Perm.SCREEN_DISPUTES,
        Perm.MANAGE_DISPUTES,
        Perm.VIEW_DISPUTE_PARTIES,
        Perm.VIEW_CENTRES,
        Perm.MANAGE_CENTRES,
        Perm.VIEW_DELIBERATION,
        Perm.MANAGE_DELIBERATION,
        Perm.VIEW_ACTORS,
        Perm.MANAGE_ACTORS,
        Perm.VIEW_GRID_VISITS,
        Perm.RECORD_GRID_VISITS,
        Perm.VIEW_ADMISSION,
        Perm.VIEW_KEY_TASKS,
        Perm.REPORT_KEY_TASKS,
    }
)
_SUPERVISING = frozenset(
    {
        Perm.VIEW_PLACES,
        Perm.VIEW_PARTY,
        Perm.VIEW_PEOPLE,
        Perm.VIEW_STAFF,
        Perm.VIEW_RATINGS,
        Perm.VIEW_WORKFORCE,
        Perm.VIEW_GRID_VISITS,
        Perm.VIEW_ADMISSION,
        Perm.VIEW_KEY_TASKS,
    }
)
_DISPUTES = frozenset({Perm.VIEW_DISPUTES, Perm.MANAGE_DISPUTES, Perm.VIEW_DISPUTE_PARTIES})
_MANAGING = _SUPERVISING | {
    Perm.MANAGE_PLACES,
    Perm.MANAGE_PARTY,
    Perm.MANAGE_STAFF,
    Perm.IMPORT_DATA,
    Perm.MANAGE_WORKFORCE,
    Perm.VIEW_CENTRES,
    Perm.MANAGE_CENTRES,
    Perm.VIEW_DELIBERATION,
    Perm.MANAGE_DELIBERATION,
    Perm.VIEW_ACTORS,
    Perm.MANAGE_ACTORS,
    Perm.REQUEST_ADMISSION,
    Perm.MANAGE_KEY_TASKS,
    Perm.REPORT_KEY_TASKS,
}
# The closed loop: who files, dispatches (分流), handles (处置) and calls back (回访).
_HANDLING = frozenset({Perm.VIEW_MATTERS, Perm.HANDLE_MATTERS})
_DISPATCHING = frozenset(
    {Perm.VIEW_MATTERS, Perm.FILE_MATTERS, Perm.DISPATCH_MATTERS, Perm.HANDLE_MATTERS, Perm.CALL_BACK}
)
# Supervision (督办) presses the units below: streets press communities, districts and the city press everyone.
_SUPERVISING_MATTERS = frozenset({Perm.SUPERVISE_MATTERS})

ROLE_PERMISSIONS: MappingProxyType[str, frozenset[str]] = MappingProxyType(
    {
        Role.GRID_WORKER: frozenset({Perm.VIEW_PLACES, Perm.VIEW_PARTY, Perm.VIEW_PEOPLE, Perm.VIEW_PERSONAL_DATA})
        | _HANDLING
        | {
            Perm.FILE_MATTERS,
            Perm.VIEW_DIFFICULTY,
            Perm.VIEW_DISPUTES,
            Perm.SCREEN_DISPUTES,
            Perm.VIEW_CENTRES,
            Perm.VIEW_DELIBERATION,
            Perm.VIEW_ACTORS,
            Perm.VIEW_GRID_VISITS,
            Perm.RECORD_GRID_VISITS,
        },
        Role.COMMUNITY_STAFF: _COMMUNITY_WORK | _DISPATCHING | {Perm.VIEW_DIFFICULTY, Perm.MANAGE_DIFFICULTY},
        Role.STREET_STAFF: _MANAGING
        | _DISPATCHING
        | _SUPERVISING_MATTERS
        | _DISPUTES
        | {Perm.MANAGE_ROUTING, Perm.VIEW_DIFFICULTY, Perm.SELF_ASSESS, Perm.REVIEW_RATINGS},
        Role.DEPARTMENT_HANDLER: frozenset(
            {
                Perm.VIEW_PLACES,
                Perm.VIEW_ADMISSION,
                Perm.REQUEST_ADMISSION,
                Perm.DECIDE_ADMISSION,
                Perm.VIEW_KEY_TASKS,
                Perm.REPORT_KEY_TASKS,
            }
        )
        | _HANDLING,
        Role.DISTRICT_STAFF: _MANAGING
        | _DISPATCHING
        | _SUPERVISING_MATTERS
        | _DISPUTES
        | {
            Perm.MANAGE_ROUTING,
            Perm.SELF_ASSESS,
            Perm.REVIEW_RATINGS,
            Perm.REVIEW_THREE_ZERO,
            Perm.MANAGE_DUTY_LIST,
        },
        Role.DISPATCH_CENTRE: frozenset({Perm.VIEW_PLACES, Perm.VIEW_STAFF, Perm.MANAGE_ROUTING, Perm.ESCALATE_MATTERS})
        | _DISPATCHING
        | _SUPERVISING_MATTERS,
        Role.CITY_STAFF: _MANAGING
        | _DISPATCHING
        | _SUPERVISING_MATTERS
        | _DISPUTES
        | {
            Perm.MANAGE_ROUTING,
            Perm.MANAGE_TRIAGE,
            Perm.MANAGE_ASSESSMENT,
            Perm.REVIEW_RATINGS,
            Perm.ACCEPT_RATINGS,
            Perm.REVIEW_THREE_ZERO,
            Perm.MANAGE_DUTY_LIST,
        },
        # Separate duties (等保): the system administrator runs the system and cannot read the audit log; the
        # security administrator keeps sign-in security and nothing else; the audit administrator reads the audit log
        # and changes nothing.
        Role.SYSTEM_ADMIN: _MANAGING | {Perm.ADMIN_SITE, Perm.MANAGE_INTEGRATIONS, Perm.MANAGE_TRIAGE},
        Role.SECURITY_ADMIN: frozenset({Perm.MANAGE_SECURITY}),
        Role.AUDIT_ADMIN: frozenset({Perm.VIEW_AUDIT}),
    }
)

# The place level a post of each role is held at; a department handler's place is its department's.
ROLE_LEVELS: MappingProxyType[str, frozenset[str]] = MappingProxyType(
    {
        Role.GRID_WORKER: frozenset({"grid"}),
        Role.COMMUNITY_STAFF: frozenset({"community"}),
        Role.STREET_STAFF: frozenset({"street"}),
        Role.DEPARTMENT_HANDLER: frozenset({"city", "district", "street"}),
        Role.DISTRICT_STAFF: frozenset({"district"}),
        Role.DISPATCH_CENTRE: frozenset({"city", "district"}),
        Role.CITY_STAFF: frozenset({"city"}),
        Role.SYSTEM_ADMIN: frozenset({"city"}),
        Role.SECURITY_ADMIN: frozenset({"city"}),
        Role.AUDIT_ADMIN: frozenset({"city"}),
    }
)

# Reading these reaches a grid worker's whole community: service centres, deliberations and the community's actors
# (organisations, estates, property companies) belong to the community, not to one of its grids.
COMMUNITY_WIDE_READS = frozenset({Perm.VIEW_CENTRES, Perm.VIEW_DELIBERATION, Perm.VIEW_ACTORS})

ROLES_WITH_DEPARTMENT = frozenset({Role.DEPARTMENT_HANDLER, Role.DISPATCH_CENTRE})

# A department handler sees the matters dispatched to their department, not everything in its jurisdiction.
DEPARTMENT_SCOPED_ROLES = frozenset({Role.DEPARTMENT_HANDLER})

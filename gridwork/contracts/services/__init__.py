"""Writing co-construction contracts (契约化共建): 谈约, 签约, 亮约, 履约, 评约, the expiry warning and renewal.

The package: ``base`` (who is who, the rules of what is typed, notifications), ``negotiation`` (谈约, 签约, 续约,
a clause from a match), ``performance`` (亮约, 履约, the expiry warning), ``evaluation`` (评约, residents' ratings).

Every move goes through ``CONTRACT_FLOW`` (``common.flows``): the state changes by a compare-and-set on state and
version and the event is appended in the same transaction. Each service reads the contract afresh, checks for which
party (``side``) the actor acts — the community: MANAGE_PARTY over the contract's community; the unit: a contact of
the contract's unit (``party.UnitContact``) — validates field by field (``ValidationError`` of a dict), and refuses
with ``PermissionDenied``, ``MoveRefused`` or ``StaleState``.

Moves made from a page carry the version the page showed (``expected_version``): a draft changed in the meantime is
not signed or edited blindly. Signing is the exception that must not lose anything: when the only thing that happened
since the signer's page is the other party's signature, the signature is applied on top of it (two signers at once
both end up on the contract). Moves that only add a record (performance, evaluations, comments from the unit) retry
their compare-and-set when someone else moved the contract meanwhile.

Notifications (in-app) go out after commit.
"""

from gridwork.contracts.services.base import (
    MAX_COMMENT,
    MAX_CONTENT,
    MAX_EVIDENCE,
    MAX_MEASURE,
    MAX_NOTE,
    MAX_RATING_COMMENT,
    MAX_REASON,
    MAX_TERM_YEARS,
    MAX_TITLE,
    RETRIES,
    WARN_DAYS,
    ClauseValues,
    acts_for,
    clause_errors,
    community_staff,
    contract_managed_by,
    contract_personal_data_visible,
    contract_spoken_for_by,
    resident_of,
    terms_errors,
    unit_contacts,
    unit_may_contract_with,
)
from gridwork.contracts.services.evaluation import (
    contract_close,
    contract_evaluate,
    contract_rate,
    contract_start_evaluation,
)
from gridwork.contracts.services.negotiation import (
    clause_add,
    clause_edit,
    clause_remove,
    contract_cancel,
    contract_clause_from_match,
    contract_comment,
    contract_edit,
    contract_renew,
    contract_reopen,
    contract_sign,
    contract_start,
    renewal_of,
    sign_errors,
)
from gridwork.contracts.services.performance import (
    clause_perform,
    contract_publish,
    contracts_warn_expiring,
    expiring_contracts,
)

__all__ = [
    "MAX_COMMENT",
    "MAX_CONTENT",
    "MAX_EVIDENCE",
    "MAX_MEASURE",
    "MAX_NOTE",
    "MAX_RATING_COMMENT",
    "MAX_REASON",
    "MAX_TERM_YEARS",
    "MAX_TITLE",
    "RETRIES",
    "WARN_DAYS",
    "ClauseValues",
    "acts_for",
    "clause_add",
    "clause_edit",
    "clause_errors",
    "clause_perform",
    "clause_remove",
    "community_staff",
    "contract_cancel",
    "contract_clause_from_match",
    "contract_close",
    "contract_comment",
    "contract_edit",
    "contract_evaluate",
    "contract_managed_by",
    "contract_personal_data_visible",
    "contract_publish",
    "contract_rate",
    "contract_renew",
    "contract_reopen",
    "contract_sign",
    "contract_spoken_for_by",
    "contract_start",
    "contract_start_evaluation",
    "contracts_warn_expiring",
    "expiring_contracts",
    "renewal_of",
    "resident_of",
    "sign_errors",
    "terms_errors",
    "unit_contacts",
    "unit_may_contract_with",
]

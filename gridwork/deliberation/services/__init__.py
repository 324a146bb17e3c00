"""Writes of residents' deliberation (议事) and the yearly public-interest projects (民生实事).

The package: ``base`` (who may act, the refusals, whom to tell), ``deliberations`` (open, vote, comment, the meeting
that closes, cancel, the reminder), ``outcomes`` (the decision becomes a matter, a proposal or a contract clause) and
``programmes`` (programmes, proposals, screening, votes, choosing, progress).

Every state change goes through the app's flows (``common.flows``) with a compare-and-set on the version; a move made
from a page carries the version the page showed. Services validate field by field (``ValidationError`` of a dict) and
refuse with ``PermissionDenied`` (with the reason: who may act), ``MoveRefused`` / ``StaleState``, ``NotNow`` (not at
this moment: voting over, wrong phase) or ``AlreadyVoted`` / ``AlreadyDecided``. Notifications go out after commit.
"""

from gridwork.deliberation.services.base import (
    AlreadyDecided,
    AlreadyVoted,
    NotNow,
    manages,
    participant_refusal,
    verified_resident,
)
from gridwork.deliberation.services.deliberations import (
    clean_options,
    comment_hide,
    deliberation_cancel,
    deliberation_close,
    deliberation_comment,
    deliberation_open,
    deliberation_vote,
    deliberations_remind_meetings,
    voting_refusal,
)
from gridwork.deliberation.services.outcomes import (
    contract_choices_for,
    deliberation_to_clause,
    deliberation_to_matter,
    deliberation_to_proposal,
    matter_text,
    programme_choices_for,
)
from gridwork.deliberation.services.programmes import (
    programme_choose,
    programme_figures,
    programme_move,
    programme_open,
    proposal_progress,
    proposal_screen,
    proposal_submit,
    proposal_vote,
    vote_counts,
    votes_used,
)

__all__ = [
    "AlreadyDecided",
    "AlreadyVoted",
    "NotNow",
    "clean_options",
    "comment_hide",
    "contract_choices_for",
    "deliberation_cancel",
    "deliberation_close",
    "deliberation_comment",
    "deliberation_open",
    "deliberation_to_clause",
    "deliberation_to_matter",
    "deliberation_to_proposal",
    "deliberation_vote",
    "deliberations_remind_meetings",
    "manages",
    "matter_text",
    "participant_refusal",
    "programme_choices_for",
    "programme_choose",
    "programme_figures",
    "programme_move",
    "programme_open",
    "proposal_progress",
    "proposal_screen",
    "proposal_submit",
    "proposal_vote",
    "verified_resident",
    "vote_counts",
    "votes_used",
    "voting_refusal",
]

"""Which moves of the closed loop other systems hear of: one table from a workflow action to a webhook event.

``matter.closed`` is decided by the move's target state, not by its action, so that every move that closes a matter
(verify and close, close with the resident's agreement, discard, and any rating that would close) is announced.
"""

from __future__ import annotations

from types import MappingProxyType

from django.db import models
from django.utils.translation import gettext_lazy as _

from gridwork.matters.workflow import Action, MatterState


class WebhookEvent(models.TextChoices):
    CREATED = "matter.created", _("Matter filed (建档)")
    DISPATCHED = "matter.dispatched", _("Matter dispatched (分流)")
    REPLIED = "matter.replied", _("Matter replied (答复)")
    CLOSED = "matter.closed", _("Matter closed (结案)")


ACTION_EVENTS: MappingProxyType[str, str] = MappingProxyType(
    {
        Action.FILE: WebhookEvent.CREATED,
        Action.DISPATCH: WebhookEvent.DISPATCHED,
        Action.OVERRULE: WebhookEvent.DISPATCHED,  # a return overruled: the matter is dispatched to the unit again
        Action.REPLY: WebhookEvent.REPLIED,
    }
)


def event_type_for(action: str, to_state: str) -> str | None:
    """The webhook event of a move, or None for a move other systems do not hear of."""
    if to_state == MatterState.CLOSED:
        return WebhookEvent.CLOSED
    return ACTION_EVENTS.get(action)

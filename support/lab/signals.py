"""Reactions to other domains' signals."""
from ..tickets.signals import ticket_updated
from ..tickets.states import Status
from .operations import remind_open_checkouts

_DONE = (Status.resolved.value, Status.closed.value)


@ticket_updated.connect
def _remind_when_resolved(ticket, changes, **kwargs):
    """A ticket resolved (or closed) while a unit is still out for it: remind the agent to return it."""
    status = changes.get('status')
    if status and status[1] in _DONE:
        remind_open_checkouts(ticket)

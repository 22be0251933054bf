"""How CSAT reacts to tickets and inbound messages (inside the sender's transaction)."""
from ..channels import operations as channels
from ..tickets.signals import ticket_updated
from . import operations


@ticket_updated.connect
def _on_ticket_updated(ticket, changes, actor=None, **kwargs):
    if 'status' not in changes:
        return
    before, after = changes['status']
    if after == 'resolved':
        operations.on_resolved(ticket, actor)
    elif after == 'open':
        operations.on_reopened(ticket)


@channels.reply_taker
def _rating_reply(client, customer, inbound, actor):
    """"Reply 1 to 5": a rating while a survey waits is the answer, not a new turn of the conversation."""
    return operations.take_reply(client, customer, inbound, actor)

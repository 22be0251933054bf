"""Signals the routing domain sends inside its transactions; ``live`` turns them into events."""
from blinker import Namespace

_signals = Namespace()

offer_changed = _signals.signal('offer-changed', doc="""
Sent when an offer is created, accepted, declined, expired or cancelled. Sender: the
``Offer``. Kwargs: ``event`` (that word).
""")

ticket_routed = _signals.signal('ticket-routed', doc="""
Sent when routing queues, assigns or escalates a ticket. Sender: the ``Ticket``. Kwargs:
``event`` ("queued", "assigned", "escalated") and ``extra`` (fields added to the payload:
``queue_id``, ``agent_id``, ``previous_agent_id``, ``via``, ``escalation``).
""")

queue_changed = _signals.signal('queue-changed', doc="""
Sent when the figures of a queue may have changed. Sender: the queue id (an int), or
None for every queue (presence changes).
""")

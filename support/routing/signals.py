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

work_handed_off = _signals.signal('work-handed-off', doc="""
Sent when the agent who holds a ticket gives it up themselves (resolves it, transfers it to
someone else, sends it back to a queue), before their capacity on the channel is freed.
Sender: the ``Ticket``. Kwargs: ``agent_id``, ``channel``, ``trigger`` ("resolve",
"transfer", "unassign"). A receiver that returns True keeps that unit of capacity taken
(wrap-up) and frees it itself later (``agents.availability.free_capacity``).
""")

work_resumed = _signals.signal('work-resumed', doc="""
Sent when a resolved ticket reopens to its assignee, before capacity is taken for it again.
Sender: the ``Ticket``. Kwargs: ``agent_id``, ``channel``. A receiver that returns True
already held a unit of that agent's capacity for this ticket (a running wrap-up) and hands
it over to the reopened ticket.
""")

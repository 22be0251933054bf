"""Signals the tickets domain sends, inside the transaction that made the change.

Receivers may add to the same transaction (routing, callbacks) or queue live
events with ``core.live.publish``; they must not commit.
"""
from blinker import Namespace

_signals = Namespace()

ticket_opening = _signals.signal('ticket-opening', doc="""
Sent while a new ticket is being built, before its first flush. Sender: the ``Ticket``
(its attributes set, no id yet). Receivers may set its columns and add rows that belong
to it (relationships), so everything is written in the same flush.
""")

ticket_created = _signals.signal('ticket-created', doc="""
Sent after a ticket is created and flushed. Sender: the ``Ticket``. Kwargs:
``message`` (the first inbound ``Message``), ``actor`` (an ``Actor``).
""")

ticket_updated = _signals.signal('ticket-updated', doc="""
Sent after fields of a ticket change. Sender: the ``Ticket``. Kwargs: ``changes``
(``{field: (before, after)}``), ``actor``.
""")

message_added = _signals.signal('message-added', doc="""
Sent after a message (inbound, outbound or note) is added to an existing ticket.
Sender: the ``Ticket``. Kwargs: ``message``, ``actor``.
""")

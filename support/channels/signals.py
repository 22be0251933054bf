"""Signals the channels domain sends, inside the transaction that made the change."""
from blinker import Namespace

_signals = Namespace()

call_updated = _signals.signal('call-updated', doc="""
Sent after a telephony event changed a call log. Sender: the ``Call``. Kwargs:
``ticket`` (its ``Ticket``), ``event`` (the ``CallStatus`` that arrived).
""")

customer_left = _signals.signal('customer-left', doc="""
Sent when a real-time channel says the customer left the contact (a chat visitor closed the
conversation, a caller hung up before anyone answered). Sender: the ``Ticket``. Kwargs:
``at`` (when they left, UTC), ``channel`` ("chat" or "phone"). Routing marks the ticket
abandoned when no agent had accepted it yet and withdraws its offers.
""")

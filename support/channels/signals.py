"""Signals the channels domain sends, inside the transaction that made the change."""
from blinker import Namespace

_signals = Namespace()

call_updated = _signals.signal('call-updated', doc="""
Sent after a telephony event changed a call log. Sender: the ``Call``. Kwargs:
``ticket`` (its ``Ticket``), ``event`` (the ``CallStatus`` that arrived).
""")

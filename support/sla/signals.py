"""Signals the SLA domain sends inside the transaction that made the change.

``live`` turns warnings and breaches into events, ``outbound`` into client callbacks,
``routing`` into the queue order (``deadlines_changed``) and breach escalation.
"""
from blinker import Namespace

_signals = Namespace()

sla_warning = _signals.signal('sla-warning', doc="""
Sent once when a running clock passes its warning point. Sender: the ``SlaClock``.
Kwargs: ``ticket`` (its locked ``Ticket``), ``policy`` (a ``PolicyFacts`` or None).
""")

sla_breached = _signals.signal('sla-breached', doc="""
Sent once when a running clock passes its due time (also when the stop that came too late
is the first to notice). Sender: the ``SlaClock``. Kwargs: ``ticket``, ``policy``.
""")

deadlines_changed = _signals.signal('sla-deadlines-changed', doc="""
Sent when a ticket's clocks changed in a way that moves it in the queue. Sender: the
``Ticket``. Kwargs: ``routing_due`` (the instant the routing item should be ordered by:
the earliest running due time; far in the future when every clock is paused; the
arrival time when nothing is due).
""")

clock_stopped = _signals.signal('sla-clock-stopped', doc="""
Sent when a clock stops (met, breached and then fulfilled, or cancelled). Sender: the
``SlaClock``. Kwargs: ``ticket``. The service level of the ticket's queue changed.
""")

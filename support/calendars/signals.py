"""Signals the calendars domain sends inside the transaction that made the change."""
from blinker import Namespace

_signals = Namespace()

calendar_changed = _signals.signal('calendar-changed', doc="""
Sent after a calendar is created, changed (hours, holidays, holiday sets, zone, name), given
imported holidays, or deleted, before commit. Not sent for a change that changes nothing.
Sender: the calendar id (an int). Kwargs: ``calendar`` (the ``Calendar``, or None when deleted)
and ``times_changed`` (False when only names changed, so no due time moves).
Receivers re-plan what depends on the calendar (SLA clocks) in a job, not in the request.
""")

"""Signals the calendars domain sends inside the transaction that made the change."""
from blinker import Namespace

_signals = Namespace()

calendar_changed = _signals.signal('calendar-changed', doc="""
Sent after a calendar is created, changed (hours, holidays, zone) or deleted, before commit.
Sender: the calendar id (an int). Kwargs: ``calendar`` (the ``Calendar``, or None when deleted).
Receivers re-plan what depends on the calendar (SLA clocks) in a job, not in the request.
""")

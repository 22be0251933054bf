"""Signals the CSAT domain sends inside its transactions; ``live`` turns them into events."""
from blinker import Namespace

_signals = Namespace()

csat_received = _signals.signal('csat-received', doc="""
Sent when a customer's answer is recorded, and again when they add a comment to it.
Sender: the ``CsatResponse``. Kwargs: ``event`` ("rating" or "comment").
""")

survey_sent = _signals.signal('csat-survey-sent', doc="""
Sent when the question went out (or could not). Sender: the ``CsatSurvey``.
""")

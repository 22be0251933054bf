"""Signals the wrap-up domain sends inside its transactions; ``live`` turns them into events."""
from blinker import Namespace

_signals = Namespace()

wrapup_changed = _signals.signal('wrapup-changed', doc="""
Sent when a wrap-up starts or ends. Sender: the ``WrapUp``. Kwargs: ``event``
("started" or "ended").
""")

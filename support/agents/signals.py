"""Signals the agents domain sends, inside the transaction that made the change."""
from blinker import Namespace

_signals = Namespace()

presence_changed = _signals.signal('presence-changed', doc="""
Sent after an agent's presence changed. Sender: the ``AgentState``. Kwargs:
``before`` (the previous ``Presence``), ``actor_id`` (who changed it; None for the system).
""")

skills_changed = _signals.signal('skills-changed', doc="""
Sent after an agent's languages, clients, products or capacities changed. Sender: the
``Agent``. Kwargs: ``fields`` (names of what changed).
""")

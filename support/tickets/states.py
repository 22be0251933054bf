"""The ticket status machine: new → open → pending ↔ open → resolved → closed.

A resolved ticket reopens (→ open) when the customer replies or an agent reopens it;
closed is final (a customer who writes again gets a follow-up ticket).
"""
import enum

from ..core.errors import Conflict
from ..core.i18n import _, _l


class Status(str, enum.Enum):
    new = 'new'
    open = 'open'
    pending = 'pending'
    resolved = 'resolved'
    closed = 'closed'

    @property
    def label(self):
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.new: _l('New'),
    Status.open: _l('Open'),
    Status.pending: _l('Pending'),
    Status.resolved: _l('Resolved'),
    Status.closed: _l('Closed'),
}

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.new: frozenset({Status.open}),
    Status.open: frozenset({Status.pending, Status.resolved}),
    # Zendesk lets a pending ticket be solved directly when the customer never answers.
    Status.pending: frozenset({Status.open, Status.resolved}),
    Status.resolved: frozenset({Status.open, Status.closed}),
    Status.closed: frozenset(),
}

ACTIVE = frozenset({Status.new, Status.open, Status.pending})


def can_move(current: Status, target: Status) -> bool:
    return target in TRANSITIONS[current]


def check_transition(current: Status, target: Status) -> None:
    """Raise 409 naming both states when ``current → target`` is not allowed."""
    if current == target or not can_move(current, target):
        allowed = ', '.join(str(s.label) for s in sorted(TRANSITIONS[current], key=list(Status).index))
        raise Conflict(
            _('A ticket cannot go from "{current}" to "{target}". Allowed next: {allowed}.').format(
                current=current.label, target=target.label, allowed=allowed or _('none')),
            code='invalid_transition')

"""The status machine, as a table."""
import pytest

from support.core.errors import Conflict
from support.tickets.states import Status, can_move, check_transition

ALLOWED = {
    (Status.new, Status.open), (Status.open, Status.pending), (Status.pending, Status.open),
    (Status.open, Status.resolved), (Status.pending, Status.resolved), (Status.resolved, Status.closed),
    (Status.resolved, Status.open),
}


@pytest.mark.parametrize('current', list(Status))
@pytest.mark.parametrize('target', list(Status))
def test_transition_table(current, target):
    assert can_move(current, target) == ((current, target) in ALLOWED)


def test_closed_is_final():
    assert not any(can_move(Status.closed, target) for target in Status)


def test_illegal_transition_names_both_states_and_the_allowed_ones(app):
    with pytest.raises(Conflict) as raised:
        check_transition(Status.new, Status.closed)
    assert raised.value.code == 'invalid_transition'
    assert '"New"' in raised.value.message and '"Closed"' in raised.value.message
    assert 'Open' in raised.value.message

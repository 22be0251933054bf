"""Live: sockets join their lab room and get the lab board on connect; events reach the lab room."""
from datetime import timedelta

from support.core import clock
from support.core.extensions import socketio
from support.lab.tasks import lab_sweep


def _connect(app, who):
    client = socketio.test_client(app, namespace='/live', auth={'token': who.token})
    assert client.is_connected('/live')
    return client


def _events(client, name):
    return [event['args'][0] for event in client.get_received('/live') if event['name'] == name]


def test_supervisor_gets_the_lab_board_on_connect(app, lab):
    lab.checkout(lab.ana, lab.units[0])
    clock.advance(timedelta(hours=3))
    client = _connect(app, lab.supervisor)
    [board] = _events(client, 'lab.snapshot')
    polanco = next(s for s in board['sites'] if s['site']['name'] == 'Polanco')
    assert polanco['units'] == {'available': 1, 'checked_out': 1, 'reserved': 0, 'maintenance': 0, 'retired': 0}
    assert polanco['checked_out'][0]['agent']['name'] == 'Ana Agent' and polanco['overdue']
    client.disconnect('/live')


def test_lab_room_and_agent_room_get_events(app, lab):
    colleague, far = _connect(app, lab.bob), _connect(app, lab.far)
    supervisor = _connect(app, lab.supervisor)
    for client in (colleague, far, supervisor):
        client.get_received('/live')
    lab.checkout(lab.ana, lab.units[0])
    [payload] = _events(colleague, 'lab.checked_out')
    assert payload['unit']['asset_tag'] == 'POL-001' and payload['checkout']['agent']['id'] == lab.ana.id
    assert _events(far, 'lab.checked_out') == []
    clock.advance(timedelta(hours=2, minutes=1))
    lab_sweep()
    assert [p['unit']['asset_tag'] for p in _events(supervisor, 'lab.overdue')] == ['POL-001']
    lab.checkin(lab.ana, lab.units[0])
    assert [p['checkout']['condition_in'] for p in _events(colleague, 'lab.returned')] == ['good']
    for client in (colleague, far, supervisor):
        client.disconnect('/live')

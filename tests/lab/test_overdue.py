"""Overdue units: the sweep (with a moved clock) raises lab.overdue once, lists them, supervisors force check-in."""
from datetime import timedelta

from support.core import clock
from support.lab.tasks import lab_sweep

from .conftest import named


def test_sweep_raises_overdue_once_to_agent_lab_and_supervisors(lab, events):
    lab.checkout(lab.ana, lab.units[0])
    lab_sweep()
    assert named(events, 'lab.overdue') == []
    assert lab.get(lab.supervisor, '/overdue').get_json() == []
    clock.advance(timedelta(hours=2, minutes=5))
    lab_sweep()
    [(payload, rooms)] = named(events, 'lab.overdue')
    assert rooms == [f'lab:{lab.site_id}', f'agent:{lab.ana.id}', 'supervisors']
    assert payload['unit']['asset_tag'] == 'POL-001' and payload['checkout']['agent']['id'] == lab.ana.id
    assert payload['overdue_seconds'] == 300
    assert 'Ana Agent' in payload['message']['en'] and 'POL-001' in payload['message']['es']
    lab_sweep()
    assert len(named(events, 'lab.overdue')) == 1


def test_overdue_list_and_forced_checkin(lab):
    lab.checkout(lab.ana, lab.units[0])
    lab.checkout(lab.bob, lab.units[1], due_at=(clock.utcnow() + timedelta(hours=5)).isoformat())
    clock.advance(timedelta(hours=3))
    overdue = lab.get(lab.supervisor, '/overdue').get_json()
    assert [(c['unit']['asset_tag'], c['agent']['name'], c['overdue']) for c in overdue] == [
        ('POL-001', 'Ana Agent', True)]
    assert [c['unit']['asset_tag'] for c in lab.get(lab.bob, '/overdue').get_json()] == ['POL-001']
    assert lab.get(lab.far, '/overdue').get_json() == []
    assert lab.get(lab.supervisor, f'/overdue?site_id={lab.far_site_id}').get_json() == []
    forced = lab.post(lab.supervisor, f'/units/{lab.units[0]["id"]}/force-checkin', {'condition': 'good'})
    assert forced.status_code == 200 and forced.get_json()['forced'] is True
    assert lab.get(lab.supervisor, '/overdue').get_json() == []


def test_returned_before_sweep_is_not_overdue(lab, events):
    lab.checkout(lab.ana, lab.units[0])
    clock.advance(timedelta(hours=3))
    lab.checkin(lab.ana, lab.units[0])
    lab_sweep()
    assert named(events, 'lab.overdue') == []


def test_board_shows_units_by_status_and_overdue(lab):
    lab.checkout(lab.ana, lab.units[0])
    clock.advance(timedelta(hours=3))
    board = lab.get(lab.supervisor, '/board').get_json()
    polanco = next(s for s in board['sites'] if s['site']['id'] == lab.site_id)
    assert polanco['units']['checked_out'] == 1 and polanco['units']['available'] == 1
    assert polanco['checked_out'][0]['agent']['name'] == 'Ana Agent' and polanco['checked_out'][0]['overdue']
    assert len(polanco['overdue']) == 1
    assert {s['site']['name'] for s in board['sites']} == {'Polanco', 'Tijuana'}
    assert [s['site']['name'] for s in lab.get(lab.ana, '/board').get_json()['sites']] == ['Polanco']

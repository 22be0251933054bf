"""The waiting line: join when nothing is free, first in line gets a returned unit, unclaimed it passes on."""
from datetime import timedelta

from support.core import clock
from support.lab.tasks import lab_sweep

from .conftest import named


def _all_out(lab):
    lab.checkout(lab.ana, lab.units[0])
    lab.checkout(lab.bob, lab.units[1])


def _join(lab, who, **body):
    return lab.post(who, '/holds', dict(model_id=lab.model['id'], **body))


def test_cannot_wait_while_a_unit_is_free(lab):
    response = _join(lab, lab.supervisor)
    assert response.status_code == 409
    assert response.get_json()['error']['code'] == 'unit_free' and 'POL-001' in response.get_json()['error']['message']


def test_line_order_and_no_double_place(lab, make):
    _all_out(lab)
    carl = make.agent(site='Polanco', name='Carl Agent')
    first = _join(lab, lab.supervisor)
    second = _join(lab, carl)
    assert first.status_code == second.status_code == 201
    assert (first.get_json()['position'], second.get_json()['position']) == (1, 2)
    again = _join(lab, carl)
    assert again.status_code == 409 and again.get_json()['error']['code'] == 'already_in_line'
    line = lab.get(lab.supervisor, f'/holds?site_id={lab.site_id}').get_json()
    assert [h['agent']['name'] for h in line] == ['Sam Supervisor', 'Carl Agent']
    assert [h['agent']['name'] for h in lab.get(carl, f'/holds?site_id={lab.site_id}').get_json()] == ['Carl Agent']


def test_no_units_of_the_model_at_the_site(lab):
    response = _join(lab, lab.far)
    assert response.status_code == 409 and response.get_json()['error']['code'] == 'no_units'


def test_returned_unit_is_kept_for_the_first_in_line(lab, make, events):
    _all_out(lab)
    carl = make.agent(site='Polanco', name='Carl Agent')
    hold = _join(lab, lab.supervisor).get_json()
    _join(lab, carl)
    lab.checkin(lab.ana, lab.units[0])
    unit = lab.unit(lab.units[0])
    assert unit['status'] == 'reserved' and unit['reserved_for']['id'] == lab.supervisor.id
    [(payload, rooms)] = named(events, 'lab.hold_ready')
    assert rooms == [f'lab:{lab.site_id}', f'agent:{lab.supervisor.id}']
    assert payload['hold']['id'] == hold['id'] and 'POL-001' in payload['message']['en']
    refused = lab.checkout(carl, lab.units[0])
    assert refused.status_code == 409
    error = refused.get_json()['error']
    assert error['code'] == 'unit_reserved' and 'Sam Supervisor' in error['message']
    assert lab.checkout(lab.supervisor, lab.units[0]).status_code == 201
    mine = lab.get(lab.supervisor, '/holds?all=true').get_json()
    assert [h['status'] for h in mine] == ['fulfilled']


def test_unclaimed_unit_passes_on_then_becomes_available(lab, make, events, app):
    _all_out(lab)
    carl = make.agent(site='Polanco', name='Carl Agent')
    _join(lab, lab.supervisor)
    _join(lab, carl)
    lab.checkin(lab.ana, lab.units[0])
    clock.advance(timedelta(minutes=14))
    lab_sweep()
    assert lab.unit(lab.units[0])['reserved_for']['id'] == lab.supervisor.id
    clock.advance(timedelta(minutes=2))
    lab_sweep()
    unit = lab.unit(lab.units[0])
    assert unit['status'] == 'reserved' and unit['reserved_for']['id'] == carl.id
    assert [p['hold']['agent_id'] for p, _rooms in named(events, 'lab.hold_ready')] == [lab.supervisor.id, carl.id]
    assert named(events, 'lab.hold_expired')[0][1] == [f'agent:{lab.supervisor.id}']
    assert lab.get(lab.supervisor, '/holds?all=true').get_json()[0]['status'] == 'expired'
    clock.advance(timedelta(minutes=16))
    lab_sweep()
    assert lab.unit(lab.units[0])['status'] == 'available'


def test_hold_time_is_configurable(lab, app):
    _all_out(lab)
    _join(lab, lab.supervisor)
    app.config['SUPPORT_LAB_HOLD_MINUTES'] = 3
    try:
        lab.checkin(lab.ana, lab.units[0])
    finally:
        app.config.pop('SUPPORT_LAB_HOLD_MINUTES')
    clock.advance(timedelta(minutes=4))
    lab_sweep()
    assert lab.unit(lab.units[0])['status'] == 'available'


def test_leaving_the_line_passes_a_kept_unit_on(lab, make):
    _all_out(lab)
    carl = make.agent(site='Polanco', name='Carl Agent')
    hold = _join(lab, lab.supervisor).get_json()
    _join(lab, carl)
    lab.checkin(lab.ana, lab.units[0])
    assert lab.http.delete(f'/api/v1/lab/holds/{hold["id"]}', headers=carl.headers).status_code == 404
    response = lab.http.delete(f'/api/v1/lab/holds/{hold["id"]}', headers=lab.supervisor.headers)
    assert response.status_code == 200 and response.get_json()['status'] == 'cancelled'
    assert lab.unit(lab.units[0])['reserved_for']['id'] == carl.id
    assert lab.http.delete(f'/api/v1/lab/holds/{hold["id"]}', headers=lab.supervisor.headers).status_code == 409


def test_damaged_return_does_not_go_to_the_line(lab):
    _all_out(lab)
    _join(lab, lab.supervisor)
    lab.checkin(lab.ana, lab.units[0], 'damaged')
    assert lab.unit(lab.units[0])['status'] == 'maintenance'
    lab.http.patch(f'/api/v1/lab/units/{lab.units[0]["id"]}', json={'status': 'available'}, headers=lab.admin.headers)
    unit = lab.unit(lab.units[0])
    assert unit['status'] == 'reserved' and unit['reserved_for']['id'] == lab.supervisor.id


def test_a_kept_unit_cannot_move_site_but_can_go_to_maintenance(lab):
    _all_out(lab)
    _join(lab, lab.supervisor)
    lab.checkin(lab.ana, lab.units[0])
    url = f'/api/v1/lab/units/{lab.units[0]["id"]}'
    moved = lab.http.patch(url, json={'site_id': lab.far_site_id}, headers=lab.admin.headers)
    assert moved.status_code == 409 and moved.get_json()['error']['code'] == 'unit_reserved'
    assert lab.http.patch(url, json={'status': 'maintenance'}, headers=lab.admin.headers).status_code == 200
    [hold] = lab.get(lab.supervisor, '/holds').get_json()
    assert (hold['status'], hold['position']) == ('waiting', 1)

"""Checkout and check-in through the API: sites, tickets, due times, conditions, history, reminders."""
from datetime import datetime, timedelta, timezone

from support.core import clock

from .conftest import named


def test_checkout_for_a_ticket_shows_on_both_sides(lab, events):
    ticket = lab.ticket()
    response = lab.checkout(lab.ana, lab.units[0], ticket_id=ticket['id'], notes='walkthrough')
    assert response.status_code == 201, response.get_json()
    checkout = response.get_json()
    assert checkout['ticket_id'] == ticket['id'] and checkout['agent']['name'] == 'Ana Agent'
    assert checkout['unit']['status'] == 'checked_out'
    assert checkout['due_label'].startswith('due at ')
    unit = lab.unit(lab.units[0])
    assert unit['status'] == 'checked_out'
    assert unit['current_checkout']['ticket_id'] == ticket['id']
    assert unit['current_checkout']['agent']['id'] == lab.ana.id
    by_ticket = lab.get(lab.bob, f'/checkouts?ticket_id={ticket["id"]}&open=true').get_json()
    assert [c['unit']['asset_tag'] for c in by_ticket] == ['POL-001']
    [(payload, rooms)] = named(events, 'lab.checked_out')
    assert rooms == [f'lab:{lab.site_id}', f'agent:{lab.ana.id}']
    assert payload['unit']['asset_tag'] == 'POL-001' and payload['checkout']['ticket_id'] == ticket['id']
    assert payload['site']['timezone'] == 'America/Mexico_City'


def test_default_due_time_is_two_hours_and_configurable(lab, app):
    checkout = lab.checkout(lab.ana, lab.units[0]).get_json()
    taken, due = (datetime.fromisoformat(checkout[k]) for k in ('checked_out_at', 'due_at'))
    assert due - taken == timedelta(hours=2)
    app.config['SUPPORT_LAB_CHECKOUT_MINUTES'] = 30
    try:
        checkout = lab.checkout(lab.bob, lab.units[1]).get_json()
    finally:
        app.config.pop('SUPPORT_LAB_CHECKOUT_MINUTES')
    taken, due = (datetime.fromisoformat(checkout[k]) for k in ('checked_out_at', 'due_at'))
    assert due - taken == timedelta(minutes=30)


def test_explicit_due_time_must_be_future_and_bounded(lab):
    past = (clock.utcnow() - timedelta(minutes=1)).isoformat()
    assert lab.checkout(lab.ana, lab.units[0], due_at=past).status_code == 422
    far = (clock.utcnow() + timedelta(days=10)).isoformat()
    assert lab.checkout(lab.ana, lab.units[0], due_at=far).status_code == 422
    soon = (clock.utcnow() + timedelta(minutes=45)).replace(microsecond=0)
    response = lab.checkout(lab.ana, lab.units[0], due_at=soon.isoformat())
    assert response.status_code == 201
    assert datetime.fromisoformat(response.get_json()['due_at']) == soon


def test_second_agent_gets_409_naming_the_holder(lab):
    assert lab.checkout(lab.ana, lab.units[0]).status_code == 201
    response = lab.checkout(lab.bob, lab.units[0])
    assert response.status_code == 409
    error = response.get_json()['error']
    assert error['code'] == 'unit_checked_out'
    assert 'Ana Agent' in error['message'] and 'POL-001' in error['message'] and 'due at' in error['message']
    again = lab.checkout(lab.ana, lab.units[0])
    assert again.status_code == 409 and again.get_json()['error']['code'] == 'already_yours'


def test_409_in_spanish_with_time_in_the_site_zone(lab):
    due = datetime(2030, 1, 1, 0, 0, tzinfo=timezone.utc)
    clock.advance(due - timedelta(hours=1) - clock.utcnow())
    lab.checkout(lab.ana, lab.units[0], due_at=due.isoformat())
    response = lab.http.post(f'/api/v1/lab/units/{lab.units[0]["id"]}/checkout', json={},
                             headers={**lab.bob.headers, 'Accept-Language': 'es'})
    message = response.get_json()['error']['message']
    # midnight UTC is 18:00 the day before in Mexico City
    assert message == 'La unidad POL-001 ya la tiene Ana Agent (vence a las 18:00).'


def test_only_at_the_agents_own_site(lab):
    response = lab.checkout(lab.far, lab.units[0])
    assert response.status_code == 403
    assert response.get_json()['error']['code'] == 'other_site'


def test_agent_without_site_is_told_so(lab, make):
    nomad = make.agent(name='No Site')
    response = lab.checkout(nomad, lab.units[0])
    assert response.status_code == 409 and response.get_json()['error']['code'] == 'no_site'


def test_unknown_unit_and_ticket_are_404(lab):
    assert lab.checkout(lab.ana, {'id': 999}).status_code == 404
    assert lab.checkout(lab.ana, lab.units[0], ticket_id=999).status_code == 404


def test_resolved_ticket_cannot_take_a_unit(lab):
    ticket = lab.ticket()
    for status in ('open', 'resolved'):
        lab.http.patch(f'/api/v1/tickets/{ticket["id"]}', json={'status': status}, headers=lab.ana.headers)
    response = lab.checkout(lab.ana, lab.units[0], ticket_id=ticket['id'])
    assert response.status_code == 409 and response.get_json()['error']['code'] == 'ticket_not_active'


def test_unavailable_units_cannot_be_checked_out(lab):
    lab.http.patch(f'/api/v1/lab/units/{lab.units[0]["id"]}', json={'status': 'maintenance'},
                   headers=lab.admin.headers)
    response = lab.checkout(lab.ana, lab.units[0])
    assert response.status_code == 409 and response.get_json()['error']['code'] == 'unit_unavailable'


def test_checkin_by_holder_with_condition_and_notes(lab, events):
    lab.checkout(lab.ana, lab.units[0])
    response = lab.checkin(lab.ana, lab.units[0], 'fair', notes='scratched lid')
    assert response.status_code == 200
    body = response.get_json()
    assert body['condition_in'] == 'fair' and body['notes_in'] == 'scratched lid' and body['forced'] is False
    unit = lab.unit(lab.units[0])
    assert unit['status'] == 'available' and unit['condition'] == 'fair' and unit['current_checkout'] is None
    [(payload, rooms)] = named(events, 'lab.returned')
    assert rooms == [f'lab:{lab.site_id}', f'agent:{lab.ana.id}']
    assert payload['checkout']['condition_in'] == 'fair'


def test_damaged_unit_goes_to_maintenance(lab):
    lab.checkout(lab.ana, lab.units[0])
    lab.checkin(lab.ana, lab.units[0], 'damaged', notes='cracked')
    assert lab.unit(lab.units[0])['status'] == 'maintenance'
    assert lab.checkout(lab.bob, lab.units[0]).status_code == 409


def test_checkin_rules(lab):
    assert lab.checkin(lab.ana, lab.units[0]).status_code == 409  # not out
    lab.checkout(lab.ana, lab.units[0])
    response = lab.checkin(lab.bob, lab.units[0])
    assert response.status_code == 403 and 'Ana Agent' in response.get_json()['error']['message']
    assert lab.checkin(lab.ana, lab.units[0], 'broken').status_code == 422
    assert lab.post(lab.bob, f'/units/{lab.units[0]["id"]}/force-checkin', {'condition': 'good'}).status_code == 403


def test_supervisor_forces_a_checkin(lab):
    lab.checkout(lab.ana, lab.units[0])
    response = lab.post(lab.supervisor, f'/units/{lab.units[0]["id"]}/force-checkin',
                        {'condition': 'good', 'notes': 'found on desk'})
    assert response.status_code == 200
    body = response.get_json()
    assert body['forced'] is True and body['returned_by']['id'] == lab.supervisor.id
    assert lab.unit(lab.units[0])['status'] == 'available'


def test_history_per_unit_and_per_agent(lab):
    ticket = lab.ticket()
    lab.checkout(lab.ana, lab.units[0], ticket_id=ticket['id'])
    lab.checkin(lab.ana, lab.units[0], 'good')
    clock.advance(timedelta(minutes=1))
    lab.checkout(lab.bob, lab.units[0])
    history = lab.get(lab.ana, f'/checkouts?unit_id={lab.units[0]["id"]}').get_json()
    assert [(h['agent']['name'], h['ticket_id'], h['condition_out'], h['condition_in']) for h in history] == [
        ('Bob Agent', None, 'good', None), ('Ana Agent', ticket['id'], 'good', 'good')]
    mine = lab.get(lab.ana, f'/checkouts?agent_id={lab.ana.id}').get_json()
    assert [h['unit']['asset_tag'] for h in mine] == ['POL-001']
    assert lab.get(lab.ana, f'/checkouts?agent_id={lab.bob.id}').status_code == 403
    assert len(lab.get(lab.supervisor, f'/checkouts?agent_id={lab.bob.id}').get_json()) == 1
    assert [h['agent']['name'] for h in lab.get(lab.ana, '/checkouts').get_json()] == ['Ana Agent']
    assert len(lab.get(lab.supervisor, '/checkouts').get_json()) == 2


def test_ticket_resolved_while_unit_out_reminds_the_agent(lab, events):
    ticket = lab.ticket()
    lab.checkout(lab.ana, lab.units[0], ticket_id=ticket['id'])
    for status in ('open', 'resolved'):
        assert lab.http.patch(f'/api/v1/tickets/{ticket["id"]}', json={'status': status},
                              headers=lab.ana.headers).status_code == 200
    [(payload, rooms)] = named(events, 'lab.return_reminder')
    assert rooms == [f'agent:{lab.ana.id}']
    assert 'please return unit POL-001' in payload['message']['en']
    assert 'POL-001' in payload['message']['es'] and payload['message']['es'] != payload['message']['en']
    reminders = lab.get(lab.ana, '/reminders').get_json()
    assert [r['ticket_id'] for r in reminders] == [ticket['id']]
    assert lab.get(lab.bob, '/reminders').get_json() == []
    lab.checkin(lab.ana, lab.units[0])
    assert lab.get(lab.ana, '/reminders').get_json() == []


def test_suggestions_match_product_or_client_free_first(lab, make):
    other = make.client(slug='contoso')
    router = lab.post(lab.admin, '/models', {'maker': 'Netgear', 'name': 'R7000', 'category': 'router',
                                             'client': 'contoso', 'product_lines': ['router']}).get_json()
    lab.add_unit('POL-900', model=router)
    lab.add_unit('TIJ-001', site_id=lab.far_site_id)
    lab.checkout(lab.bob, lab.units[0])
    ticket = lab.ticket(product='modem')
    suggestions = lab.get(lab.ana, f'/suggestions?ticket_id={ticket["id"]}').get_json()
    assert [(s['unit']['asset_tag'], s['free']) for s in suggestions] == [('POL-002', True), ('POL-001', False)]
    assert suggestions[0]['matches_product'] and suggestions[0]['matches_client']
    contoso_ticket = lab.make.ticket(other, product='router')
    assert [s['unit']['asset_tag'] for s in lab.get(
        lab.ana, f'/suggestions?ticket_id={contoso_ticket["id"]}').get_json()] == ['POL-900']
    assert lab.get(lab.ana, '/suggestions').status_code == 422


def test_routes_need_a_login(lab):
    assert lab.http.get('/api/v1/lab/units').status_code == 401
    assert lab.http.post(f'/api/v1/lab/units/{lab.units[0]["id"]}/checkout', json={}).status_code == 401

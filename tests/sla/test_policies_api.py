"""SLA policies through the API: CRUD, order, validation in English and Spanish, re-planning."""
from datetime import timedelta

from support.core import clock

from .conftest import at, travel, utc

H = 3600


def test_supervisor_manages_policies_in_order(sla, make, http):
    make.client(slug='acme')
    email = sla.policy('acme', name='E-mail', conditions={'channel': ['email']}, targets={'first_response': 4 * H})
    chat = sla.policy('acme', name='Chat', conditions={'channel': ['chat']}, targets={'answer': 30},
                      service_level_percent=80)
    vip = sla.policy('acme', name='VIP', position=0, conditions={'priority': ['urgent']},
                     targets={'first_response': H}, on_breach={'priority': 'urgent'})
    assert [(p['name'], p['position']) for p in sla.policies('acme')] == [('VIP', 0), ('E-mail', 1), ('Chat', 2)]
    assert chat['targets'] == {'first_response': None, 'next_response': None, 'resolution': None, 'answer': 30}
    assert vip['on_breach'] == {'priority': 'urgent', 'escalation': 0} and vip['pause_on'] == ['pending']
    url = '/api/v1/clients/acme/sla-policies'
    order = http.put(f'{url}/order', json={'ids': [chat['id'], vip['id'], email['id']]}, headers=sla.boss.headers)
    assert [p['name'] for p in order.get_json()] == ['Chat', 'VIP', 'E-mail']
    patched = http.patch(f"{url}/{email['id']}", json={'targets': {'resolution': 48 * H}, 'position': 0},
                         headers=sla.boss.headers).get_json()
    assert patched['targets']['first_response'] == 4 * H and patched['targets']['resolution'] == 48 * H
    assert patched['version'] == email['version'] + 2  # reordered once, then patched
    assert [p['name'] for p in sla.policies('acme')] == ['E-mail', 'Chat', 'VIP']
    assert http.delete(f"{url}/{chat['id']}", headers=sla.boss.headers).status_code == 204
    assert [(p['name'], p['position']) for p in sla.policies('acme')] == [('E-mail', 0), ('VIP', 1)]
    agent = make.agent()
    assert http.get(url, headers=agent.headers).status_code == 403


def test_bad_policies_are_refused_per_field_in_english_and_spanish(sla, make, http):
    make.client(slug='acme')
    other = make.client(slug='globex')
    theirs = sla.policy(other.slug, name='Theirs', targets={'resolution': H})
    url = '/api/v1/clients/acme/sla-policies'
    cases = [
        ({'name': 'Zero', 'targets': {'first_response': 0}}, ('targets', 'first_response')),
        ({'name': 'Too long', 'targets': {'resolution': 366 * 24 * H}}, ('targets', 'resolution')),
        ({'name': 'Nothing', 'targets': {}}, ('targets',)),
        ({'name': 'Unknown product', 'targets': {'resolution': H}, 'conditions': {'product': ['toaster']}},
         ('conditions', 'product')),
        ({'name': 'Unknown tag', 'targets': {'resolution': H}, 'conditions': {'tags': ['vip']}}, ('conditions', 'tags')),
        ({'name': 'Calendar', 'targets': {'resolution': H}, 'calendar_id': 999}, ('calendar_id',)),
        ({'name': 'Channel', 'targets': {'resolution': H}, 'conditions': {'channel': ['fax']}}, ('conditions', 'channel')),
        ({'name': 'E-mail answer', 'targets': {'answer': 30}, 'conditions': {'channel': ['email']}},
         ('targets', 'answer')),
        ({'name': 'Warning', 'targets': {'resolution': H}, 'warning_percent': 100}, ('warning_percent',)),
        ({'name': 'Pause', 'targets': {'resolution': H}, 'pause_on': ['resolved']}, ('pause_on',)),
    ]
    for body, path in cases:
        for lang in ('en', 'es'):
            response = http.post(url, json=body, headers={**sla.boss.headers, 'Accept-Language': lang})
            assert response.status_code == 422, (body, response.get_json())
            error = response.get_json()['error']
            node = error['fields']
            for key in path:
                node = node[key]
            assert node, (body, error)
            if lang == 'es':
                assert error['message'] == 'Algunos campos no son válidos.'
    assert sla.policies('acme') == []  # nothing half-saved
    response = http.put(f'{url}/order', json={'ids': [theirs['id']]}, headers=sla.boss.headers)
    assert response.status_code == 422 and str(theirs['id']) in response.get_json()['error']['fields']['ids'][0]
    assert http.get(f"{url}/{theirs['id']}", headers=sla.boss.headers).status_code == 404
    assert http.patch(f"{url}/{theirs['id']}", json={'name': 'Mine'}, headers=sla.boss.headers).status_code == 404
    sla.policy('acme', name='Once', targets={'resolution': H})
    duplicate = http.post(url, json={'name': 'Once', 'targets': {'resolution': H}}, headers=sla.boss.headers)
    assert duplicate.status_code == 422 and 'name' in duplicate.get_json()['error']['fields']


def test_conditions_may_name_products_and_tags_the_client_knows(sla, make):
    creds = make.client(slug='acme')
    sla.ticket(creds, product='router', tags=['vip'])
    policy = sla.policy('acme', conditions={'product': ['router'], 'tags': ['vip']}, targets={'resolution': H})
    assert policy['conditions'] == {'product': ['router'], 'tags': ['vip']}


def test_the_first_matching_policy_applies(sla, make):
    creds = make.client(slug='acme')
    sla.policy('acme', name='Urgent', conditions={'priority': ['urgent']}, targets={'first_response': H})
    sla.policy('acme', name='Spanish chat', conditions={'language': ['es'], 'channel': ['chat']},
               targets={'answer': 20, 'first_response': 2 * H})
    sla.policy('acme', name='Everything else', targets={'first_response': 8 * H})
    travel('2026-11-16 09:00')
    urgent = sla.ticket(creds, channel='chat', language='es', priority='urgent')
    spanish = sla.ticket(creds, channel='chat', language='es')
    other = sla.ticket(creds, channel='email', language='en')
    names = {t['id']: {c['metric']: c['policy']['name'] for c in sla.read(t['id'])['sla']['clocks']}
             for t in (urgent, spanish, other)}
    assert names[urgent['id']] == {'first_response': 'Urgent'}
    assert names[spanish['id']] == {'first_response': 'Spanish chat', 'answer': 'Spanish chat'}
    assert names[other['id']] == {'first_response': 'Everything else'}


def test_changing_a_policy_replans_open_tickets_but_never_what_was_met_or_breached(sla, make, http):
    creds = make.client(slug='acme')
    policy = sla.policy('acme', targets={'first_response': H, 'resolution': 8 * H})
    travel('2026-11-16 09:00')
    replied = sla.ticket(creds, channel='email')
    waiting = sla.ticket(creds, channel='email')
    late = sla.ticket(creds, channel='email')
    clock.advance(timedelta(minutes=30))
    sla.reply(replied['id'])
    clock.advance(timedelta(minutes=40))  # 70 min: the first response of the other two is breached
    sla.sweep()
    sla.reply(late['id'])
    response = http.patch(f"/api/v1/clients/acme/sla-policies/{policy['id']}",
                          json={'targets': {'first_response': 2 * H, 'resolution': 4 * H}}, headers=sla.boss.headers)
    assert response.status_code == 200
    met = sla.clocks(replied['id'])
    assert met['first_response']['status'] == 'met' and met['first_response']['target_seconds'] == H
    assert utc(met['resolution']['due_at']) == at('2026-11-16 13:00') and met['resolution']['target_seconds'] == 4 * H
    breached = sla.clocks(waiting['id'])['first_response']
    assert breached['status'] == 'breached' and breached['target_seconds'] == H  # breached stays breached
    assert sla.clocks(late['id'])['first_response']['status'] == 'breached'


def test_a_ticket_change_that_matches_another_policy_replans_it(sla, make):
    creds = make.client(slug='acme')
    sla.policy('acme', name='Urgent', conditions={'priority': ['urgent']}, targets={'first_response': H})
    sla.policy('acme', name='Normal', targets={'first_response': 8 * H})
    travel('2026-11-16 09:00')
    ticket = sla.ticket(creds, channel='email')
    assert sla.clocks(ticket['id'])['first_response']['policy']['name'] == 'Normal'
    clock.advance(timedelta(minutes=10))
    sla.patch(ticket['id'], priority='urgent')
    first = sla.clocks(ticket['id'])['first_response']
    assert first['policy']['name'] == 'Urgent' and utc(first['due_at']) == at('2026-11-16 10:00')
    changed = sla.events(ticket['id'], 'sla_policy_changed')
    assert [e['after']['policy'] for e in changed] == ['Urgent']


def test_a_deleted_policy_leaves_its_tickets_to_the_next_one(sla, make, http):
    creds = make.client(slug='acme')
    first = sla.policy('acme', name='First', targets={'first_response': H})
    sla.policy('acme', name='Fallback', targets={'first_response': 3 * H, 'resolution': 9 * H})
    travel('2026-11-16 09:00')
    ticket = sla.ticket(creds, channel='email')
    assert http.delete(f"/api/v1/clients/acme/sla-policies/{first['id']}", headers=sla.boss.headers).status_code == 204
    clocks = sla.clocks(ticket['id'])
    assert clocks['first_response']['policy']['name'] == 'Fallback'
    assert utc(clocks['first_response']['due_at']) == at('2026-11-16 12:00')
    assert utc(clocks['resolution']['due_at']) == at('2026-11-16 18:00')  # added from the ticket's start

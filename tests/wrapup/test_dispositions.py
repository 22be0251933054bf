"""Disposition codes: a two-level tree per client, chosen on tickets, required before resolving."""
import pytest

from .helpers import reply_and_resolve, set_client, ticket, wrapups

ES = {'Accept-Language': 'es'}


@pytest.fixture
def codes(make, http):
    """An admin and a client with "billing" → "refund", "billing" → "plan_change" and "outage"."""
    class Codes:
        pass
    c = Codes()
    c.admin = make.agent(role='admin')
    c.client = make.client()
    url = f'/api/v1/clients/{c.client.slug}/dispositions'
    c.url = url

    def post(**body):
        response = http.post(url, json=body, headers=c.admin.headers)
        assert response.status_code == 201, response.get_json()
        return response.get_json()
    c.billing = post(code='billing', label_en='Billing', label_es='Facturación', position=0)
    c.refund = post(code='refund', label_en='Refund', label_es='Reembolso', parent_id=c.billing['id'])
    c.plan = post(code='plan_change', label_en='Plan change', label_es='Cambio de plan', parent_id=c.billing['id'],
                  position=1)
    c.outage = post(code='outage', label_en='Outage', label_es='Corte de servicio', position=1)
    return c


def test_the_tree_in_the_readers_language(codes, http, make):
    agent = make.agent()
    english = http.get(codes.url, headers=agent.headers).get_json()
    assert [(n['code'], n['label'], [k['label'] for k in n['children']]) for n in english] == [
        ('billing', 'Billing', ['Refund', 'Plan change']), ('outage', 'Outage', [])]
    spanish = http.get(codes.url, headers={**agent.headers, **ES}).get_json()
    assert [k['label'] for k in spanish[0]['children']] == ['Reembolso', 'Cambio de plan']
    assert spanish[1]['label'] == 'Corte de servicio'


def test_two_levels_at_most_and_codes_unique_per_client(codes, http, make):
    response = http.post(codes.url, json={'code': 'partial', 'label_en': 'Partial', 'label_es': 'Parcial',
                                          'parent_id': codes.refund['id']}, headers={**codes.admin.headers, **ES})
    assert response.status_code == 422
    assert 'dos niveles' in response.get_json()['error']['fields']['parent_id'][0]
    response = http.patch(f"{codes.url}/{codes.billing['id']}", json={'parent_id': codes.outage['id']},
                          headers=codes.admin.headers)
    assert response.status_code == 422 and 'two levels' in response.get_json()['error']['fields']['parent_id'][0]
    response = http.post(codes.url, json={'code': 'refund', 'label_en': 'x', 'label_es': 'y'},
                         headers=codes.admin.headers)
    assert response.status_code == 409 and 'code' in response.get_json()['error']['fields']
    other = make.client()
    response = http.post(f'/api/v1/clients/{other.slug}/dispositions',
                         json={'code': 'refund', 'label_en': 'Refund', 'label_es': 'Reembolso'},
                         headers=codes.admin.headers)
    assert response.status_code == 201  # another client may use the same code
    response = http.post(f'/api/v1/clients/{other.slug}/dispositions',
                         json={'code': 'x', 'label_en': 'X', 'label_es': 'X', 'parent_id': codes.billing['id']},
                         headers=codes.admin.headers)
    assert response.status_code == 422  # a parent of another client


def test_only_admins_change_codes_and_inactive_ones_are_not_offered(codes, http, make):
    agent = make.agent()
    response = http.post(codes.url, json={'code': 'x', 'label_en': 'X', 'label_es': 'X'}, headers=agent.headers)
    assert response.status_code == 403
    response = http.patch(f"{codes.url}/{codes.outage['id']}", json={'active': False, 'label_es': 'Apagón'},
                          headers=codes.admin.headers)
    assert response.status_code == 200 and response.get_json()['label_es'] == 'Apagón'
    assert [n['code'] for n in http.get(codes.url, headers=agent.headers).get_json()] == ['billing']
    everything = http.get(codes.url + '?all=true', headers=codes.admin.headers).get_json()
    assert [n['code'] for n in everything] == ['billing', 'outage']
    assert http.delete(f"{codes.url}/{codes.outage['id']}", headers=codes.admin.headers).status_code == 204
    assert http.delete(f"{codes.url}/{codes.outage['id']}", headers=codes.admin.headers).status_code == 404


def test_an_agent_sets_the_code_and_the_history_and_live_payload_say_so(codes, routing, http, make):
    agent = routing.agent()
    made = make.ticket(codes.client)
    response = http.patch(f"/api/v1/tickets/{made['id']}", json={'disposition_id': codes.billing['id']},
                          headers=agent.headers)
    assert response.status_code == 422  # a code with sub-codes is not a choice
    assert 'disposition_id' in response.get_json()['error']['fields']
    response = http.patch(f"/api/v1/tickets/{made['id']}", json={'disposition_id': codes.refund['id']},
                          headers={**agent.headers, **ES})
    assert response.status_code == 200
    body = response.get_json()
    assert body['disposition'] == {'id': codes.refund['id'], 'code': 'refund', 'label': 'Facturación › Reembolso',
                                   'parent_code': 'billing'}
    event = [e for e in body['events'] if e['kind'] == 'disposition_changed'][-1]
    assert event['before'] == {'disposition': None} and event['after'] == {'disposition': 'refund'}
    assert event['actor']['id'] == agent.id
    other = make.client()
    foreign = http.post(f'/api/v1/clients/{other.slug}/dispositions',
                        json={'code': 'z', 'label_en': 'Z', 'label_es': 'Z'}, headers=codes.admin.headers).get_json()
    response = http.patch(f"/api/v1/tickets/{made['id']}", json={'disposition_id': foreign['id']},
                          headers=agent.headers)
    assert response.status_code == 422
    response = http.delete(f"{codes.url}/{codes.refund['id']}", headers=codes.admin.headers)
    assert response.status_code == 409 and response.get_json()['error']['code'] == 'disposition_in_use'


def test_a_client_that_requires_a_code_refuses_resolving_without_one(codes, routing, http, make):
    set_client(http, codes.admin, codes.client.slug, disposition_required=True)
    agent = routing.agent()
    made = make.ticket(codes.client)
    response = reply_and_resolve(http, agent, made['id'])
    assert response.status_code == 422
    assert response.get_json()['error']['fields']['disposition_id'] == ['Required by this client before resolving.']
    response = http.patch(f"/api/v1/tickets/{made['id']}", json={'status': 'resolved'},
                          headers={**agent.headers, **ES})
    assert response.status_code == 422
    assert response.get_json()['error']['fields']['disposition_id'] == [
        'Este cliente lo exige antes de resolver.']
    assert ticket(http, agent, made['id'])['status'] == 'new'  # the reply was not kept either
    response = reply_and_resolve(http, agent, made['id'], disposition_id=codes.outage['id'])
    assert response.status_code == 201, response.get_json()
    shown = ticket(http, agent, made['id'])
    assert shown['status'] == 'resolved' and shown['disposition']['code'] == 'outage'


def test_the_code_chosen_during_wrap_up_is_kept_on_it(codes, routing, http, make):
    agent = routing.agent()
    made = make.ticket(codes.client)
    reply_and_resolve(http, agent, made['id'])
    [wrap] = wrapups(agent.id)
    response = http.post(f'/api/v1/routing/wrapups/{wrap.id}/end', json={'disposition_id': codes.plan['id']},
                         headers=agent.headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()['disposition_id'] == codes.plan['id']
    assert ticket(http, agent, made['id'])['disposition']['code'] == 'plan_change'

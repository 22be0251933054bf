"""A hand-computed month in Mexico City, read back from the Spanish PDF to the second.

Chats arrive at the edges of the client's November (local time), are offered to an agent and
accepted after a known wait, and resolved with a reply a known time later:

* 31 Oct 23:50 local (05:50 UTC on 1 Nov): an e-mail, October's, not counted in November.
* 1 Nov 00:10: a Spanish chat accepted after 10 s, resolved with a reply 180 s later.
* 30 Nov 23:50 (05:50 UTC on 1 Dec): a Spanish chat accepted after 26 s, resolved 300 s later.

The policy: answer within 20 s (goal 80 %), resolution within 1 h. So: 2 created, 2 answered,
2 resolved; ASA (10 + 26) / 2 = 18 s; service level 1 of 2 = 50 %; SLA targets met 3 of 4 (both
resolutions, one answer) = 75 %; AHT (talk only, no wrap-up for this client) (180 + 300) / 2 =
240 s; resolution 190 s and 326 s: median 258 s, 90th percentile 190 + 0.9 × 136 = 312.4 s.
"""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from support.clients.models import Client
from support.core import clock
from support.core.extensions import db

from ..outbound.conftest import admin  # noqa: F401  (fixture)
from .test_monthly_render import text_of

MEXICO = ZoneInfo('America/Mexico_City')


def _at(*args) -> None:
    clock.travel_to(datetime(*args, tzinfo=MEXICO).astimezone(timezone.utc), freeze=True)


def _chat_answered(http, make, creds, agent, wait: int, handle: int) -> None:
    ticket = make.ticket(creds, channel='chat', language='es', subject='Sin señal',
                         body='Mi módem no tiene señal desde la mañana.', customer={'name': 'Rosa', 'handle': 'rosa'})
    clock.advance(timedelta(seconds=wait))
    offers = http.get('/api/v1/routing/offers', headers=agent.headers).get_json()
    offer = next(o for o in offers if o['ticket']['id'] == ticket['id'])
    assert http.post(f"/api/v1/routing/offers/{offer['id']}/accept", headers=agent.headers).status_code == 200
    clock.advance(timedelta(seconds=handle))
    reply = http.post(f"/api/v1/tickets/{ticket['id']}/messages", headers=agent.headers,
                      json={'kind': 'reply', 'body': 'Listo, ya quedó.', 'status': 'resolved'})
    assert reply.status_code == 201, reply.get_json()


def test_the_spanish_pdf_carries_the_figures_of_the_clients_own_month(http, make, admin):
    _at(2026, 10, 1, 9)
    creds = make.client(slug='acme', name='Acme Cable', default_language='es')
    assert http.patch('/api/v1/clients/acme', json={'timezone': 'America/Mexico_City'},
                      headers=admin.headers).status_code == 200
    db.session.get(Client, creds.id).wrapup_seconds = 0
    db.session.commit()
    policy = http.post('/api/v1/clients/acme/sla-policies', headers=admin.headers, json={
        'name': 'Chat', 'conditions': {}, 'targets': {'answer': 20, 'resolution': 3600}, 'service_level_percent': 80})
    assert policy.status_code == 201, policy.get_json()
    agent = make.agent(languages=['es'], name='Lucía')
    assert http.patch(f'/api/v1/routing/agents/{agent.id}', json={'capacities': {'chat': 2, 'email': 2}},
                      headers=admin.headers).status_code == 200
    assert http.put('/api/v1/routing/me/presence', json={'status': 'available'},
                    headers=agent.headers).status_code == 200
    _at(2026, 10, 31, 23, 50)
    make.ticket(creds, channel='email', language='es', subject='Factura', body='No me llegó la factura de octubre.')
    _at(2026, 11, 1, 0, 10)
    _chat_answered(http, make, creds, agent, wait=10, handle=180)
    _at(2026, 11, 30, 23, 50)
    _chat_answered(http, make, creds, agent, wait=26, handle=300)

    _at(2026, 12, 1, 0, 5)
    made = http.post('/api/v1/reports/monthly', json={'client': 'acme', 'month': '2026-11'}, headers=admin.headers)
    assert made.status_code == 202, made.get_json()
    report = http.get(f"/api/v1/reports/monthly/{made.get_json()['id']}", headers=admin.headers).get_json()
    assert report['status'] == 'ready', report
    figures = report['figures']
    assert figures['volume'] == {'created': 2, 'answered': 2, 'resolved': 2, 'abandoned': 0, 'reopened': 0,
                                 'transferred': 0}
    assert (figures['asa_seconds'], figures['aht_seconds']) == (18, 240)
    assert figures['service_level'] == {'share': 0.5, 'within': 1, 'total': 2, 'target_seconds': 20,
                                        'goal_percent': 80}
    assert figures['resolution_seconds'] == {'median': 258, 'p90': 312.4}
    text = text_of(http.get(report['pdf_url'], headers=admin.headers).data)
    for expected in ('Informe mensual: Acme Cable, noviembre de 2026', 'Horas en America/Mexico_City',
                     'Contactos recibidos 2', 'Contactos atendidos 2', 'Tickets resueltos 2', 'Contactos abandonados 0',
                     'Velocidad media de respuesta (ASA) 18 s', 'Nivel de servicio: atendidos en 20 s 50,0 % (1 de 2)',
                     'Objetivos de SLA cumplidos 75,0 % (3 de 4)', 'Tiempo medio de operación (TMO) 4 min 00 s',
                     'Tiempo de resolución, mediana 4 min 18 s', 'Tiempo de resolución, percentil 90 5 min 12 s',
                     'Contactos por día', 'Nivel de servicio por día', 'meta 80 %', 'Por canal'):
        assert expected in text, (expected, text)
    clock.reset()

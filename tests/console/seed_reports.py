"""Add a day of contacts today and on the same weekday last week to a seeded console database:
``python -m tests.console.seed_reports DB_URL`` (after ``tests.console.seed``) prints what it made.

Each chat is offered to Lucía, accepted after a known wait and resolved a few minutes later, with
the clock moved to each moment, so the reports read real offers, presence changes and events.
"""
import json
import sys
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

ZONE = ZoneInfo('America/Mexico_City')  # the seeded client's zone (and the agents' site)
# (local hour, minute, seconds waited before accepting (within the offer timeout), language)
TODAY = [(0, 5, 12, 'es'), (0, 40, 25, 'en'), (1, 10, 8, 'es')]
LAST_WEEK = [(0, 10, 15, 'es'), (0, 20, 24, 'es'), (0, 45, 20, 'en'), (1, 15, 10, 'es'), (2, 5, 5, 'en')]
HANDLE = timedelta(minutes=4)


def seed(url: str) -> dict:
    from support import create_app
    from support.core import clock
    from support.core.extensions import db
    from support.agents.models import Agent

    app = create_app({'SQLALCHEMY_DATABASE_URI': url, 'SUPPORT_REDIS_URL': None, 'TESTING': True})
    with app.app_context():
        agent = db.session.scalar(db.select(Agent).filter_by(email='lucia@example.com'))
        supervisor = db.session.scalar(db.select(Agent).filter_by(email='sergio@example.com'))
        http = app.test_client()
        _answer_policy(http, supervisor)
        local_now = datetime.now(ZONE)
        midnight = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
        today = [item for item in TODAY if midnight + timedelta(hours=item[0], minutes=item[1] + 6) < local_now]
        made = {'last_week': _day(app, http, agent, midnight - timedelta(days=7), LAST_WEEK),  # in time order
                'today': _day(app, http, agent, midnight, today)}
        clock.reset()
        return made


def _answer_policy(http, supervisor) -> None:
    """Chats answered within 20 s meet the client's target (so ASA and the service level are measured)."""
    from support.agents.auth import issue_token
    response = http.post('/api/v1/clients/acme/sla-policies', headers={'Authorization': f'Bearer {issue_token(supervisor)}'},
                         json={'name': 'Chat', 'conditions': {'channel': ['chat']}, 'targets': {'answer': 20},
                               'service_level_percent': 80})
    assert response.status_code == 201, response.get_json()


def _day(app, http, agent, midnight, contacts) -> int:
    from support.core import clock
    from support.agents.auth import issue_token
    bearer = {'Authorization': f'Bearer {issue_token(agent)}'}
    clock.travel_to(midnight.astimezone(timezone.utc), freeze=True)
    available = http.put('/api/v1/routing/me/presence', json={'status': 'available'}, headers=bearer)
    assert available.status_code == 200, available.get_json()
    for hour, minute, wait, language in contacts:
        clock.travel_to((midnight + timedelta(hours=hour, minutes=minute)).astimezone(timezone.utc), freeze=True)
        ticket = _chat(app, http, language)
        clock.advance(timedelta(seconds=wait))
        offers = http.get('/api/v1/routing/offers', headers=bearer).get_json()
        offer = next(o for o in offers if o['ticket']['id'] == ticket['id'])
        assert http.post(f"/api/v1/routing/offers/{offer['id']}/accept", headers=bearer).status_code == 200
        clock.advance(HANDLE)
        reply = http.post(f"/api/v1/tickets/{ticket['id']}/messages", headers=bearer,
                          json={'kind': 'reply', 'status': 'resolved',
                                'body': 'Listo, ya quedó.' if language == 'es' else 'Done.'})
        assert reply.status_code in (200, 201), reply.get_json()
    clock.advance(timedelta(minutes=30))
    assert http.put('/api/v1/routing/me/presence', json={'status': 'offline'}, headers=bearer).status_code == 200
    return len(contacts)


def _chat(app, http, language):
    from support.core.extensions import db
    from support.clients.models import ClientKey
    from support.core.signing import sign
    key = db.session.scalar(db.select(ClientKey).order_by(ClientKey.id))
    body = {'subject': 'Sin señal' if language == 'es' else 'No signal', 'channel': 'chat', 'language': language,
            'body': 'Mi módem no tiene señal desde la mañana.' if language == 'es' else 'My modem has no signal.',
            'customer': {'name': 'Cliente', 'handle': f'c{time.monotonic_ns()}'}}
    raw = json.dumps(body).encode()
    stamp = int(time.time())
    response = http.post('/api/v1/intake/tickets', data=raw, headers={
        'X-Support-Key': key.key_id, 'X-Support-Timestamp': str(stamp), 'X-Support-Signature': sign(key.secret, stamp, raw),
        'Content-Type': 'application/json'})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


if __name__ == '__main__':
    print(json.dumps(seed(sys.argv[1])))

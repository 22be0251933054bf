"""Routing events over a real Socket.IO connection (python-socketio client, threaded server)."""
import pytest
import socketio

from ..servers import EventLog, ThreadServer


@pytest.fixture
def server(app):
    with ThreadServer(app) as running:
        yield running


def test_unauthenticated_connection_is_refused(server, make):
    # long-polling: a refused WebSocket client waits for its closing handshake, polling does not
    with pytest.raises(socketio.exceptions.ConnectionError):
        EventLog(server.url, None, transports=('polling',)).connect()
    with pytest.raises(socketio.exceptions.ConnectionError):
        EventLog(server.url, 'forged.token.value', transports=('polling',)).connect()


def test_supervisor_gets_snapshot_then_ticket_and_offer_events(server, make, http):
    boss = make.agent(role='supervisor')
    agent = make.agent()
    supervisor = EventLog(server.url, boss.token).connect()
    agent_log = EventLog(server.url, agent.token).connect()
    try:
        snapshot = supervisor.wait_for('queue.snapshot')
        assert set(snapshot) >= {'generated_at', 'queues', 'agents'}
        assert {a['id'] for a in snapshot['agents']} >= {boss.id, agent.id}
        assert agent_log.wait_for('agent.snapshot')['presence']['status'] == 'offline'
        assert 'queue.snapshot' not in agent_log.names()

        ticket = make.ticket(channel='chat')
        created = supervisor.wait_for('ticket.created', where=lambda d: d['id'] == ticket['id'])
        assert created['channel'] == 'chat' and created['customer']['name']
        queued = supervisor.wait_for('ticket.queued', where=lambda d: d['id'] == ticket['id'])
        assert queued['queue_id'] and queued['number'] == ticket['id']
        supervisor.wait_for('queue.updated', where=lambda d: d['waiting'] == 1)

        http.put('/api/v1/routing/me/presence', json={'status': 'available'}, headers=agent.headers)
        presence = supervisor.wait_for('agent.presence', where=lambda d: d['agent_id'] == agent.id)
        assert presence['status'] == 'available' and presence['since']
        offer = agent_log.wait_for('offer.created')
        assert offer['ticket']['id'] == ticket['id'] and offer['agent_id'] == agent.id and offer['expires_at']
        assert supervisor.wait_for('offer.created')['id'] == offer['id']

        http.post(f"/api/v1/routing/offers/{offer['id']}/accept", headers=agent.headers)
        assert agent_log.wait_for('offer.accepted')['status'] == 'accepted'
        assigned = agent_log.wait_for('ticket.assigned')
        assert assigned['agent_id'] == agent.id and assigned['assignee_id'] == agent.id and assigned['via'] == 'offer'
        supervisor.wait_for('ticket.assigned', where=lambda d: d['id'] == ticket['id'])
        assert 'ticket.created' not in agent_log.names()  # agents only see their own work
    finally:
        supervisor.close()
        agent_log.close()


def test_decline_expiry_escalation_and_presence_events(server, make, http):
    from datetime import timedelta

    from support.core import clock
    from support.routing import operations
    boss = make.agent(role='supervisor')
    first, second = make.agent(), make.agent()
    supervisor = EventLog(server.url, boss.token).connect()
    logs = {login.id: EventLog(server.url, login.token).connect() for login in (first, second)}
    try:
        for login in (first, second):
            http.put('/api/v1/routing/me/presence', json={'status': 'available'}, headers=login.headers)
        ticket = make.ticket(channel='chat')
        offer = supervisor.wait_for('offer.created', where=lambda d: d['ticket']['id'] == ticket['id'])
        holder = first if offer['agent_id'] == first.id else second
        other = second if holder is first else first
        logs[holder.id].wait_for('offer.created')
        http.post(f"/api/v1/routing/offers/{offer['id']}/decline", headers=holder.headers)
        assert logs[holder.id].wait_for('offer.declined')['id'] == offer['id']
        retry = logs[other.id].wait_for('offer.created')
        clock.advance(timedelta(seconds=31))
        operations.sweep_offers()
        operations.run_pending()
        assert logs[other.id].wait_for('offer.expired')['id'] == retry['id']
        away = supervisor.wait_for('agent.presence',
                                   where=lambda d: d['agent_id'] == other.id and d['status'] == 'away')
        assert away['reason'] == 'missed_offer'
        # nobody else can take it now: the agent who declined 31 s ago (past the grace) gets it back
        back = logs[holder.id].wait_for('offer.created', where=lambda d: d['id'] != offer['id'])
        assert back['ticket']['id'] == ticket['id']
        http.post(f"/api/v1/routing/offers/{back['id']}/decline", headers=holder.headers)
        clock.advance(timedelta(seconds=301))
        operations.sweep_escalations()
        operations.run_pending()
        escalated = supervisor.wait_for('ticket.escalated', where=lambda d: d['id'] == ticket['id'])
        assert escalated['escalation'] == 1 and escalated['queue_id']
    finally:
        supervisor.close()
        for log in logs.values():
            log.close()

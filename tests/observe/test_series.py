"""Each series moves when the thing it counts happens (through the HTTP API), and only then."""
import json
from datetime import timedelta

from support.core import clock

from ..outbound.conftest import outbound_config, receiver_factory  # noqa: F401  (fixtures)
from ..outbound.servers import run_sweep
from ..routing.conftest import Routing
from ..sla.conftest import Sla, travel

M = 60


def test_requests_are_counted_by_url_rule_method_and_status(metrics, make, http):
    boss = make.agent(role='supervisor')
    ticket = make.ticket()
    route = '/api/v1/tickets/<big:ticket_id>'
    moved = metrics.changes(lambda: [http.get(f"/api/v1/tickets/{ticket['id']}", headers=boss.headers),
                                     http.get('/api/v1/tickets/999999', headers=boss.headers)])
    assert moved.value('support_http_requests_total', route=route, method='GET', status='200') == 1
    assert moved.value('support_http_requests_total', route=route, method='GET', status='404') == 1
    assert not metrics.has('support_http_requests_total', route=f"/api/v1/tickets/{ticket['id']}")
    assert moved.value('support_http_request_duration_seconds_count', route=route, method='GET') == 2
    assert metrics.has('support_http_request_duration_seconds_bucket', route=route, le='0.005')
    assert metrics.delta('support_http_requests_total', lambda: http.get('/no/such/page'),
                         route='unmatched', status='404') == 1


def test_intake_counts_committed_tickets_and_messages_per_client_and_channel(metrics, make):
    creds = make.client(slug='acme')
    moved = metrics.changes(lambda: make.ticket(creds, channel='chat'))
    assert moved.value('support_intake_messages_total', client='acme', channel='chat', kind='ticket') == 1
    assert moved.value('support_intake_messages_total', client='acme', channel='email') == 0
    refused = lambda: make.post_ticket(creds, channel='chat', subject='')  # noqa: E731  (422: nothing committed)
    assert metrics.delta('support_intake_messages_total', refused, client='acme') == 0


def test_offers_are_counted_by_outcome(metrics, make, http):
    routing = Routing(make, http)
    agent = routing.agent()

    def offer_and_decline():
        make.ticket(channel='chat')
        offer = routing.offers(agent)[0]
        assert http.post(f"/api/v1/routing/offers/{offer['id']}/decline", headers=agent.headers).status_code == 200
    moved = metrics.changes(offer_and_decline)
    assert moved.value('support_offers_total', outcome='created', channel='chat') >= 1
    assert moved.value('support_offers_total', outcome='declined', channel='chat') == 1
    assert moved.value('support_offers_total', outcome='accepted') == 0


def test_queue_depth_and_oldest_wait_are_read_at_scrape_time(metrics, make):
    clock.travel_to(clock.utcnow(), freeze=True)
    ticket = make.ticket(channel='chat')  # nobody is available: it waits
    metrics.scrape()
    waiting = [s for s in metrics.samples if s.name == 'support_queue_tickets' and s.labels['state'] == 'waiting'
               and s.value == 1]
    assert len(waiting) == 1, metrics.samples
    queue = waiting[0].labels
    assert metrics.value('support_queue_oldest_wait_seconds', queue_id=queue['queue_id']) == 0
    clock.advance(timedelta(minutes=3))
    assert metrics.scrape().value('support_queue_oldest_wait_seconds', queue_id=queue['queue_id']) == 180
    assert queue['queue'] and ticket['id']


def test_sla_warnings_and_breaches_per_client_and_metric(metrics, make, http):
    sla = Sla(make, http)
    creds = make.client(slug='acme')
    sla.policy('acme', name='Mail', targets={'first_response': 10 * M})
    travel('2026-11-16 09:00')
    sla.ticket(creds, channel='email')
    labels = {'client': 'acme', 'metric': 'first_response'}
    clock.advance(timedelta(minutes=7, seconds=30))
    warned = metrics.changes(sla.sweep)
    assert warned.value('support_sla_warnings_total', **labels) == 1
    assert warned.value('support_sla_breaches_total', **labels) == 0
    clock.advance(timedelta(minutes=2, seconds=30))
    assert metrics.delta('support_sla_breaches_total', sla.sweep, **labels) == 1
    assert metrics.delta('support_sla_breaches_total', sla.sweep, **labels) == 0  # once


def test_outbound_deliveries_by_result_and_the_request_id_reaches_the_receiver(metrics, make, http,
                                                                                receiver_factory):
    receiver = receiver_factory(script=(503, 200))
    creds = make.client(slug='acme')
    admin = make.agent(role='admin')
    response = http.post('/api/v1/clients/acme/webhooks', json={'url': receiver.url, 'events': ['ticket.created']},
                         headers=admin.headers)
    assert response.status_code == 201, response.get_json()
    raw = json.dumps({'subject': 'No signal', 'body': 'The TV says no signal.', 'channel': 'email',
                      'customer': {'name': 'Ann', 'email': 'ann@example.com'}}).encode()
    labels = {'kind': 'webhook', 'transport': 'http'}
    metrics.scrape()
    retry, sent = metrics.value('support_outbound_deliveries_total', result='retry', **labels), \
        metrics.value('support_outbound_deliveries_total', result='sent', **labels)
    posted = http.post('/api/v1/intake/tickets', data=raw, headers=creds.headers(raw, **{'X-Request-Id': 'rq-77'}))
    assert posted.status_code == 201 and posted.headers['X-Request-Id'] == 'rq-77'
    assert len(receiver.requests) == 1 and receiver.requests[0]['headers']['X-Request-Id'] == 'rq-77'
    assert metrics.scrape().value('support_outbound_deliveries_total', result='retry', **labels) - retry == 1
    clock.advance(timedelta(minutes=5))
    run_sweep()
    assert len(receiver.requests) == 2
    assert metrics.scrape().value('support_outbound_deliveries_total', result='sent', **labels) - sent == 1


def test_jobs_enqueued_failed_pending_and_lag(metrics, app, monkeypatch):
    import time

    from support.core.jobs import huey
    from support.outbound.tasks import send_outbox
    monkeypatch.setattr(huey, 'immediate', False)
    huey.flush()
    job = {'job': 'send_outbox'}
    moved = metrics.changes(lambda: [send_outbox(424242), send_outbox(424243)])
    assert moved.value('support_jobs_enqueued_total', **job) == 2
    assert metrics.value('support_jobs_pending') == 2
    time.sleep(0.3)

    def run_all():
        while (task := huey.dequeue()) is not None:
            huey.execute(task)
    ran = metrics.changes(run_all)
    assert ran.value('support_jobs_completed_total', **job) == 2 and ran.value('support_jobs_failed_total', **job) == 0
    assert ran.value('support_job_lag_seconds_count', **job) == 2
    assert ran.value('support_job_lag_seconds_sum', **job) >= 0.6
    assert metrics.value('support_jobs_pending') == 0
    # A job whose work raises: the failure is counted (the database is gone for it).
    from support.core.extensions import db
    monkeypatch.setattr(type(db), 'engine', property(lambda self: (_ for _ in ()).throw(RuntimeError('no database'))))
    send_outbox(424244)
    failed = metrics.changes(run_all)
    monkeypatch.undo()
    assert failed.value('support_jobs_failed_total', **job) == 1


def test_a_job_with_an_eta_counts_once_when_enqueued_and_again_when_it_runs(metrics, app, monkeypatch):
    from datetime import datetime, timezone

    from support.core import jobs
    from support.core.jobs import huey
    monkeypatch.setattr(huey, 'immediate', False)
    huey.flush()
    job = {'job': 'send_outbox'}
    past = datetime(2020, 1, 1, tzinfo=timezone.utc)  # due already: the consumer moves it to the queue
    moved = metrics.changes(lambda: jobs.enqueue('send_outbox', 515151, eta=past))
    assert moved.value('support_jobs_enqueued_total', **job) == 1
    task = huey.dequeue()
    huey.enqueue(task)  # what the consumer's scheduler does with a due job: not a new job
    ran = metrics.changes(lambda: huey.execute(huey.dequeue()))
    assert ran.value('support_jobs_enqueued_total', **job) == 0 and ran.value('support_jobs_completed_total', **job) == 1

"""The stored fact rows (support/reports/facts.py) follow every change of the rows they come from: a
report after a change shows it, whichever way the change was written (the ORM, a bulk UPDATE, a
delete), on SQLite and on PostgreSQL."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from support.core import clock
from support.core.extensions import db
from support.reports import facts
from support.reports.models import ReportFact, StaleTicket
from support.sla.models import SlaClock
from support.tickets.models import Message, MessageKind, Ticket, TicketEvent

from .scripted_day import NOW, at, build
from .test_figures import RANGE


@pytest.fixture
def day(app, make):
    creds = make.client(slug='cable-us')
    a = make.agent(email='a@example.com')
    b = make.agent(email='b@example.com')
    clock.travel_to(NOW, freeze=True)
    built = build(creds.id, a.id, b.id)
    db.session.commit()
    built.tickets = {n: t.id for n, t in built.tickets.items()}  # ids: the objects leave with the session
    return built


@pytest.fixture
def boss(make):
    return make.agent(role='supervisor')


def _rows(http, boss, **args):
    response = http.get('/api/v1/reports/tickets', query_string={**RANGE, 'client': 'cable-us', **args},
                        headers=boss.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()['rows']


def test_a_report_refreshes_the_stale_tickets_and_leaves_none(http, day, boss):
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StaleTicket)) > 0  # written by the triggers
    assert _rows(http, boss)[0]['created'] == 6
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StaleTicket)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportFact)) > 0
    assert facts.refresh() == 0


def test_a_changed_dimension_moves_the_ticket_s_figures(http, day, boss):
    before = {r['language']: r['created'] for r in _rows(http, boss, group='language')}
    assert before == {'en': 4, 'es': 2}
    ticket = db.session.get(Ticket, day.tickets[2])
    ticket.language = 'en'
    db.session.commit()
    assert {r['language']: r['created'] for r in _rows(http, boss, group='language')} == {'en': 5, 'es': 1}


def test_new_history_a_reply_and_a_bulk_update_show_at_once(http, day, boss):
    first = _rows(http, boss)[0]
    t6 = day.tickets[6]
    db.session.add(TicketEvent(ticket_id=t6, kind='status_changed', actor_type='system',
                               before={'status': 'open'}, after={'status': 'resolved'}, created_at=at('20:00:00')))
    db.session.commit()
    assert _rows(http, boss)[0]['resolved'] == first['resolved'] + 1
    # a clock stopped with a bulk UPDATE (as sla.clocks writes it): the triggers see it too
    running = db.session.scalar(sa.select(SlaClock).where(SlaClock.ticket_id == t6, SlaClock.stopped_at.is_(None)))
    if running is not None:
        stop = running.started_at + timedelta(seconds=30)
        db.session.execute(sa.update(SlaClock).where(SlaClock.id == running.id)
                           .values(stopped_at=stop, status='met', business_seconds=30))
        db.session.commit()
        row = _rows(http, boss)[0]
        metric = getattr(running.metric, 'value', running.metric)
        assert row[f'sla_{metric}_met'] == first[f'sla_{metric}_met'] + 1
    # a message deleted: the talk time of its assignment goes back
    reply = db.session.scalar(sa.select(Message).where(Message.kind == MessageKind.outbound,
                                                       Message.author_agent_id == day.b).order_by(Message.id.desc()))
    db.session.delete(reply)
    db.session.commit()
    assert _rows(http, boss)[0]['talk_mean_s'] != first['talk_mean_s']


def test_deleting_a_ticket_deletes_its_facts(http, day, boss):
    _rows(http, boss)
    t0 = day.tickets[0]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportFact).where(ReportFact.ticket_id == t0))
    db.session.execute(sa.delete(TicketEvent).where(TicketEvent.ticket_id == t0))  # noqa: the history first
    db.session.execute(sa.text('DELETE FROM tickets WHERE id = :id'), {'id': t0})
    db.session.commit()
    assert not db.session.scalar(sa.select(sa.func.count()).select_from(ReportFact).where(ReportFact.ticket_id == t0))
    assert _rows(http, boss)[0]['resolved'] == 5


def test_the_migration_backfills_the_facts_of_existing_tickets(tmp_path):
    from flask_migrate import downgrade, upgrade

    from support import create_app
    from support.clients.models import Client
    from support.tickets.models import Customer

    from ..conftest import app_config
    url = 'sqlite:///' + str(tmp_path / 'facts.sqlite')
    app = create_app(app_config('sqlite', SQLALCHEMY_DATABASE_URI=url))
    with app.app_context():
        upgrade(revision='heads')
        client = Client(name='A', slug='a', default_language='en', timezone='UTC')
        db.session.add(client)
        db.session.flush()
        customer = Customer(client_id=client.id, name='Ana', created_at=at('01:00:00'))
        db.session.add(customer)
        db.session.flush()
        ticket = Ticket(client_id=client.id, customer_id=customer.id, channel='chat', language='es',
                        language_source='given', subject='s', created_at=at('02:00:00'), updated_at=at('02:00:00'))
        db.session.add(ticket)
        db.session.commit()
        downgrade(revision='0017_report_bench_indexes')  # as before the facts existed
        upgrade(revision='heads')
        kinds = db.session.execute(sa.text('SELECT kind, language FROM report_facts')).all()
        assert [tuple(k) for k in kinds] == [('created', 'es')]
        assert facts.refresh() == 0
        db.session.remove()
        db.engine.dispose()

"""Webhook delivery throughput and the cost of writing deliveries with a change.

Creates tickets through ``tickets.operations.ingest`` with 0 and then 3 webhook
subscriptions (deliveries written in the same transaction, jobs queued but not run),
then drains the backlog with the sweep into a local HTTP receiver. Prints tickets/s
with and without subscriptions and deliveries/s sent by one sweeping worker.

    .venv/bin/python bench/outbound.py [--database postgresql://postgres@127.0.0.1:5432/test_outbound]
                                       [--tickets 300]

Not a test: it prints figures. The database is emptied first.
"""
import argparse
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault('SUPPORT_JOBS', 'memory')
os.environ.setdefault('SUPPORT_INSTANCE_PATH', tempfile.mkdtemp(prefix='support-bench-'))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--database', default='sqlite:///' + os.path.join(os.environ['SUPPORT_INSTANCE_PATH'],
                                                                          'bench.sqlite'))
    parser.add_argument('--tickets', type=int, default=300)
    args = parser.parse_args()

    from support import create_app
    from support.core.extensions import db
    from support.core.jobs import huey
    from tests.outbound.servers import Receiver
    huey.immediate = False  # the worker is "down" while tickets come in: everything goes through the sweep
    app = create_app({'SQLALCHEMY_DATABASE_URI': args.database, 'SUPPORT_REDIS_URL': None,
                      'SUPPORT_OUTBOUND_ALLOW_PRIVATE': True})
    receiver = Receiver().start()
    with app.app_context():
        db.drop_all()
        db.create_all()
        plain = _ingest(app, args.tickets, subscriptions=0, url=receiver.url)
        subscribed = _ingest(app, args.tickets, subscriptions=3, url=receiver.url)
        huey.flush()
        sent, seconds = _drain()
    receiver.stop()
    print(f'backend: {args.database.split(":", 1)[0]}')
    print(f'ingest, no subscriptions:      {plain:8.1f} tickets/s')
    print(f'ingest, 3 subscriptions:       {subscribed:8.1f} tickets/s ({3 * args.tickets} deliveries written)')
    print(f'sweep, one worker:             {sent / seconds:8.1f} deliveries/s ({sent} sent in {seconds:.2f} s; '
          f'receiver got {len(receiver.requests)})')


def _ingest(app, count, subscriptions, url):
    from support.clients.models import Client
    from support.clients.operations import create_client
    from support.clients.webhooks import create_subscription
    from support.core.extensions import db
    from support.tickets.models import Channel
    from support.tickets.operations import SYSTEM, CustomerContact, InboundTicket, ingest
    client, _key, _secret = create_client(f'Bench {subscriptions}', f'bench-{subscriptions}')
    for _ in range(subscriptions):
        create_subscription(client, url, ['ticket.created'])
    db.session.commit()
    client = db.session.get(Client, client.id)
    started = time.perf_counter()
    for n in range(count):
        ingest(client, InboundTicket(channel=Channel.chat, subject='Router', body='My router keeps rebooting.',
                                     customer=CustomerContact(handle=f'visitor-{subscriptions}-{n}'),
                                     language='en'), SYSTEM)
    return count / (time.perf_counter() - started)


def _drain():
    from sqlalchemy.orm import Session

    from support.core.extensions import db
    from support.outbound.tasks import sweep_once
    db.session.close()
    session = Session(db.engine)
    started = time.perf_counter()
    counts = sweep_once(session)
    seconds = time.perf_counter() - started
    session.close()
    return counts['webhooks'], seconds


if __name__ == '__main__':
    main()

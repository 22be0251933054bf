"""Contact-center reports on a month of data: 100,000 tickets and 1,000,000 history events on PostgreSQL.

    .venv/bin/python bench/reports.py [--database postgresql://postgres@127.0.0.1:5432/reports_bench]
                                      [--tickets 100000] [--rounds 5] [--explain] [--reuse]

1. Builds the schema with the migrations (the real indexes), makes clients (seven, of very
   different sizes, in five zones, each with SLA policies and a disposition tree), sites, agents
   and queues through the operations, then writes November 2026 with COPY: for every ticket the
   history the service writes (created, offers declined and accepted, assignments, replies and
   customer messages, pending and back, transfers, resolutions, reopenings, closings, abandoned
   chats), its SLA clock rows with business seconds, its routing item, its messages, the call of
   a phone contact, the agents' wrap-ups and their presence history (shifts with breaks).
   ``--reuse`` skips the load when the database already holds it.
2. Times, as the median of ``--rounds`` runs after one warm-up, each next to a baseline read in
   the same run (one ``GROUP BY`` over the same month of ``ticket_events`` joined to ``tickets``:
   the least any report of that month reads):

   a. the month by client x language x channel, ``GET /api/v1/reports/tickets`` (in-process
      client, JSON) and ``queries.tickets_report`` alone; target < 1 s;
   b. a weekday by half hour by agent: ``queries.agents_report`` and ``queries.intervals_report``
      (and their endpoints); target < 1 s;
   c. CSV of a month of half-hour rows (``csv_export.csv_chunks``, streamed, and the endpoint with
      ``format=csv`` read chunk by chunk): the intervals report by client x language x channel and
      the agents report by agent; rows/s, target >= 50,000.

   ``--explain`` (or any timing over its target) prints an EXPLAIN ANALYZE summary of the statement.
3. Prints the machine's load average with the figures: on a shared machine only the ratios to the
   baseline of the same run compare across runs.

Not a test: it prints figures.
"""
import argparse
import io
import json
import os
import random
import statistics
import subprocess
import sys
import time
from bisect import bisect_left
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ingest import reset_database  # noqa: E402  (bench/ingest.py: the shared bench helpers)

UTC = timezone.utc
MONTH = (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
# Tickets are created a little before and after the UTC month, so every client's local month is full.
WINDOW = (MONTH[0] - timedelta(hours=12), MONTH[1] + timedelta(hours=10))
DAY = (datetime(2026, 11, 17, 5, tzinfo=UTC), datetime(2026, 11, 18, 5, tzinfo=UTC))  # a Tuesday in Bogotá
# (name, slug, share of tickets, zone, language, answer target s, business share of calendar time)
CLIENTS = [('Cablevision', 'cablevision', 40, 'America/Mexico_City', 'es', 30, 1.0),
           ('Laptops', 'laptops', 25, 'America/New_York', 'en', 20, 1.0),
           ('Phones', 'phones', 15, 'America/Chicago', 'en', 30, 0.4),
           ('Routers', 'routers', 10, 'America/Bogota', 'es', 30, 1.0),
           ('Streaming', 'streaming', 5, 'America/Los_Angeles', 'en', 20, 1.0),
           ('Printers', 'printers', 3, 'Europe/Madrid', 'es', 30, 0.4),
           ('Cameras', 'cameras', 2, 'America/New_York', 'en', 30, 1.0)]
SITES = [('Monterrey', 'America/Monterrey', 60, (6, 8, 10, 12, 14)),
         ('Bogotá', 'America/Bogota', 45, (7, 9, 11, 13, 15)),
         ('Madrid', 'Europe/Madrid', 15, (9, 15))]
CHANNELS = [('email', 32), ('chat', 26), ('phone', 16), ('whatsapp', 10), ('social', 5), ('sms', 5), ('web', 6)]
REALTIME = {'chat', 'social', 'sms', 'whatsapp', 'phone'}
FAMILIES = {'chat': 'messaging', 'social': 'messaging', 'sms': 'messaging', 'whatsapp': 'messaging',
            'phone': 'voice', 'email': 'email', 'web': 'email'}
PRIORITIES = [('normal', 70), ('high', 18), ('low', 8), ('urgent', 4)]
PRODUCTS = ['router', 'modem', 'laptop', 'phone', 'tv', None]
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 7, 10, 12, 12, 11, 10, 11, 12, 11, 10, 9, 7, 6, 5, 4, 2, 1]
DISPOSITIONS = {'billing': ['refund', 'invoice'], 'technical': ['no_signal', 'slow', 'device'],
                'account': ['move', 'cancel']}
WRAPUP_LIMIT = 60
SLOT = 1800
TARGET_S = 1.0
TARGET_ROWS_S = 50_000


def app_for(url: str):
    from support import create_app
    return create_app({'SQLALCHEMY_DATABASE_URI': url, 'SUPPORT_REDIS_URL': None, 'TESTING': False,
                       'SECRET_KEY': 'bench', 'SUPPORT_PASSWORD_METHOD': 'pbkdf2:sha256:1000'})


def loadavg() -> str:
    one, five, fifteen = os.getloadavg()
    return f'load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores'


# --- the people and the catalogue, through the operations -------------------------------------

def setup(app) -> dict:
    """Clients with policies and dispositions, sites, agents, a supervisor, queues; what the load needs."""
    from support.agents.auth import issue_token
    from support.agents.operations import create_agent
    from support.clients.operations import create_client
    from support.core.extensions import db
    from support.routing.models import Queue, automatic_queue_name
    from support.sites.operations import create_site
    from support.sla.policies import create_policy
    from support.tickets.dispositions import Disposition
    with app.app_context():
        clients = []
        for name, slug, share, zone, language, answer, business in CLIENTS:
            client = create_client(name, slug, default_language=language, wrapup_seconds=WRAPUP_LIMIT)[0]
            client.timezone = zone
            realtime = create_policy(client, {'name': 'Real time', 'conditions': {'channel': sorted(REALTIME)},
                                              'targets': {'answer': answer, 'first_response': 120,
                                                          'next_response': 120, 'resolution': 3600}})
            rest = create_policy(client, {'name': 'Everything else', 'conditions': {},
                                          'targets': {'first_response': 4 * 3600, 'next_response': 8 * 3600,
                                                      'resolution': 24 * 3600}})
            leaves = []
            for position, (top, children) in enumerate(DISPOSITIONS.items()):
                parent = Disposition(client_id=client.id, code=top, label_en=top.title(), label_es=top.title(),
                                     position=position)
                db.session.add(parent)
                db.session.flush()
                for i, code in enumerate(children):
                    leaf = Disposition(client_id=client.id, parent_id=parent.id, code=code, label_en=code,
                                       label_es=code, position=i)
                    db.session.add(leaf)
                    db.session.flush()
                    leaves.append(leaf.id)
            queues = {}
            for lang in ('en', 'es'):
                for family in ('messaging', 'voice', 'email'):
                    queue = Queue(name=automatic_queue_name(name, lang, family), client_id=client.id,
                                  language=lang, family=family)
                    db.session.add(queue)
                    db.session.flush()
                    queues[(lang, family)] = queue.id
            clients.append({'id': client.id, 'slug': slug, 'share': share, 'zone': ZoneInfo(zone), 'answer': answer,
                            'business': business, 'policies': {'realtime': realtime.id, 'rest': rest.id},
                            'dispositions': leaves, 'queues': queues})
        agents = []
        for site_name, zone, count, shifts in SITES:
            site = create_site({'name': site_name, 'timezone': zone})
            for i in range(count):
                languages = ['en', 'es'] if i % 5 < 3 else (['es'] if site_name != 'Madrid' and i % 5 == 3 else ['en'])
                agent = create_agent(f'{site_name.lower()[:3]}{i}@bench.example', f'{site_name} agent {i}',
                                     'password-123', 'agent', languages, site=site.id, all_clients=True)
                agents.append({'id': agent.id, 'zone': ZoneInfo(zone), 'languages': languages,
                               'shift': shifts[i % len(shifts)], 'off': (i % 7, (i + 1) % 7)})
        supervisor = create_agent('supervisor@bench.example', 'Supervisor', 'password-123', 'supervisor',
                                  ['en', 'es'], all_clients=True)
        db.session.commit()
        return {'clients': clients, 'agents': agents, 'token': issue_token(supervisor)}


# --- the month, generated in Python and written with COPY --------------------------------------

def _ts(epoch: float) -> str:
    return datetime.fromtimestamp(int(epoch), UTC).strftime('%Y-%m-%d %H:%M:%S')


def _nullable(value) -> str:
    if value is None:
        return '\\N'
    if isinstance(value, float):
        return _ts(value)
    return str(value)


class Month:
    """Everything written for the month, as rows of the tables (lists of tuples)."""

    def __init__(self, made: dict, tickets: int, seed: int = 10):
        self.rng = random.Random(seed)
        self.clients, self.agents = made['clients'], made['agents']
        self.lo, self.hi = WINDOW[0].timestamp(), WINDOW[1].timestamp()
        self.rows = {name: [] for name in ('customers', 'tickets', 'ticket_events', 'messages', 'sla_clocks',
                                           'routing_items', 'offers', 'calls', 'wrapups',
                                           'agent_presence_changes')}
        self.shifts = self._presence()
        self.customers = self._customers(tickets // 3)
        self.tickets = tickets

    # -- agents' shifts: presence history, and who is on shift in each half hour
    def _presence(self) -> dict:
        on_shift = {}
        for agent in self.agents:
            status, since, reason = 'offline', self.lo, None
            day = WINDOW[0].astimezone(agent['zone']).date() - timedelta(days=1)
            while True:
                day += timedelta(days=1)
                start = datetime(day.year, day.month, day.day, agent['shift'], tzinfo=agent['zone']).timestamp()
                if start >= self.hi:
                    break
                if day.weekday() in agent['off'] or start < self.lo:
                    continue
                plan = [(0, 'available', None), (2 * 3600, 'away', 'break'), (2 * 3600 + 900, 'available', None),
                        (4 * 3600, 'away', 'lunch'), (4 * 3600 + 1800, 'available', None),
                        (6 * 3600 + 1800, 'away', 'break'), (6 * 3600 + 2700, 'available', None),
                        (8 * 3600, 'offline', None)]
                for offset, next_status, next_reason in plan:
                    at = max(since + 60, start + offset + self.rng.randint(-120, 240))
                    self.rows['agent_presence_changes'].append([agent['id'], status, reason, since, at])
                    status, since, reason = next_status, at, next_reason
                for slot in range(int(start) // SLOT, int(start + 8 * 3600) // SLOT):
                    on_shift.setdefault(slot, []).append(agent)
            self.rows['agent_presence_changes'].append([agent['id'], status, reason, since, None])
        return on_shift

    def _customers(self, count: int) -> dict:
        out = {c['id']: [] for c in self.clients}
        weights = [c['share'] for c in self.clients]
        for n in range(count):
            client = self.rng.choices(self.clients, weights)[0]
            language = 'es' if self.rng.random() < (0.75 if client['slug'] in ('cablevision', 'routers', 'printers')
                                                    else 0.2) else 'en'
            out[client['id']].append((n + 1, language))
            self.rows['customers'].append((n + 1, client['id'], f'Customer {n + 1}', f'c{n + 1}@example.com',
                                           language, _ts(self.lo - 86400 * 30)))
        return out

    def _created_at(self, client: dict) -> float:
        while True:
            t = self.rng.uniform(self.lo, self.hi)
            local = datetime.fromtimestamp(t, client['zone'])
            weight = HOUR_WEIGHTS[local.hour] * (0.6 if local.weekday() >= 5 else 1.0)
            if self.rng.random() * 12 < weight:
                return t

    def _agent_at(self, t: float, language: str, latest: float, exclude=None):
        """(agent, time) of the first half hour from ``t`` to ``latest`` with an agent on shift who speaks ``language``."""
        slot = int(t) // SLOT
        while slot * SLOT < latest:
            fit = [a for a in self.shifts.get(slot, ()) if language in a['languages'] and a is not exclude]
            if fit:
                return self.rng.choice(fit), float(max(t, slot * SLOT))
            slot += 1
        return None, None

    def build(self) -> None:
        weights = [c['share'] for c in self.clients]
        starts = []
        for _ in range(self.tickets):
            client = self.rng.choices(self.clients, weights)[0]
            starts.append((self._created_at(client), client))
        starts.sort(key=lambda s: s[0])
        for ticket_id, (t0, client) in enumerate(starts, 1):
            Ticket(self, ticket_id, t0, client).write()

    def copy(self, conn) -> dict:
        """COPY every table; event and message ids follow time, as the service writes them."""
        from support.core.extensions import db
        columns = {
            'customers': ('id', 'client_id', 'name', 'email', 'preferred_language', 'created_at'),
            'tickets': ('id', 'client_id', 'customer_id', 'channel', 'language', 'language_source', 'priority',
                        'status', 'subject', 'product', 'tags', 'assignee_id', 'created_at', 'updated_at',
                        'resolved_at', 'closed_at', 'sla_due_at', 'disposition_id', 'abandoned_at'),
            'ticket_events': ('ticket_id', 'kind', 'actor_type', 'actor_id', 'before', 'after', 'created_at'),
            'messages': ('ticket_id', 'kind', 'author_agent_id', 'author_customer_id', 'body', 'language',
                         'created_at'),
            'sla_clocks': ('ticket_id', 'client_id', 'metric', 'sequence', 'policy_id', 'target_seconds', 'status',
                           'started_at', 'due_at', 'paused_seconds', 'breached_at', 'stopped_at', 'business_seconds',
                           'updated_at'),
            'routing_items': ('ticket_id', 'queue_id', 'state', 'agent_id', 'client_id', 'customer_id', 'language',
                              'channel', 'product', 'sort_priority', 'due_at', 'waiting_since', 'escalation',
                              'excluded', 'updated_at'),
            'offers': ('ticket_id', 'agent_id', 'channel', 'status', 'created_at', 'expires_at', 'responded_at'),
            'calls': ('client_id', 'call_id', 'ticket_id', 'from_number', 'status', 'agent_id', 'ringing_at',
                      'answered_at', 'ended_at', 'duration_seconds', 'created_at', 'updated_at'),
            'wrapups': ('agent_id', 'ticket_id', 'client_id', 'channel', 'trigger', 'started_at', 'due_at',
                        'ended_at', 'ended_by', 'disposition_id'),
            'agent_presence_changes': ('agent_id', 'status', 'reason', 'started_at', 'ended_at'),
        }
        time_column = {'ticket_events': 6, 'messages': 6, 'offers': 4, 'wrapups': 5, 'agent_presence_changes': 3}
        raw = conn.connection.driver_connection
        counts = {}
        with raw.cursor() as cursor:
            for table, names in columns.items():
                rows = self.rows[table]
                if table in time_column:
                    rows.sort(key=lambda r, i=time_column[table]: r[i])
                with cursor.copy(f'COPY {table} ({", ".join(names)}) FROM STDIN') as copy:
                    buffer = io.StringIO()
                    for n, row in enumerate(rows):
                        buffer.write('\t'.join(_nullable(v) for v in row))
                        buffer.write('\n')
                        if n % 20000 == 19999:
                            copy.write(buffer.getvalue())
                            buffer = io.StringIO()
                    copy.write(buffer.getvalue())
                counts[table] = len(rows)
            for table in columns:
                if 'id' in db.metadata.tables[table].c and table != 'routing_items':
                    cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                   f"(SELECT coalesce(max(id), 1) FROM {table}))")
        return counts


class Ticket:
    """One ticket's life, written as the service would: history, messages, clocks, offers, call, wrap-ups."""

    def __init__(self, month: Month, ticket_id: int, t0: float, client: dict):
        self.m, self.id, self.t0, self.client = month, ticket_id, t0, client
        rng = month.rng
        self.rng = rng
        self.customer, self.language = rng.choice(month.customers[client['id']])
        self.channel = rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
        self.realtime = self.channel in REALTIME
        self.policy = client['policies']['realtime' if self.realtime else 'rest']
        self.targets = ({'answer': client['answer'], 'first_response': 120, 'next_response': 120, 'resolution': 3600}
                        if self.realtime else
                        {'first_response': 4 * 3600, 'next_response': 8 * 3600, 'resolution': 24 * 3600})
        self.status, self.assignee, self.resolved_at, self.closed_at = 'new', None, None, None
        self.abandoned_at, self.disposition = None, None
        self.end = month.hi

    # -- rows
    def event(self, kind, at, before=None, after=None, actor=None):
        self.m.rows['ticket_events'].append([self.id, kind, 'agent' if actor else ('customer' if kind in (
            'customer_replied', 'abandoned') else 'system'), actor, json.dumps(before) if before else None,
            json.dumps(after) if after else None, at])

    def message(self, kind, at, agent=None):
        body = {'inbound': 'Mi módem no tiene señal' if self.language == 'es' else 'My modem has no signal',
                'outbound': 'Ya quedó, gracias' if self.language == 'es' else 'Fixed it for you, thanks',
                'note': 'checked the line'}[kind]
        self.m.rows['messages'].append([self.id, kind, agent, self.customer if kind == 'inbound' else None, body,
                                        self.language, at])

    def clock(self, metric, started, stopped, sequence=1):
        target = self.targets.get(metric)
        if target is None:
            return
        business = self.client['business'] if not self.realtime else 1.0
        due = started + target / business
        if stopped is None or stopped >= self.end:
            breached = due if due < self.end else None
            self.m.rows['sla_clocks'].append([self.id, self.client['id'], metric, sequence, self.policy, target,
                                              'breached' if breached else 'active', started, due, 0, breached, None,
                                              None, breached or started])
            return
        used = int((int(stopped) - int(started)) * business)
        status = 'met' if used <= target else 'breached'
        self.m.rows['sla_clocks'].append([self.id, self.client['id'], metric, sequence, self.policy, target, status,
                                          started, due, 0, due if status == 'breached' else None, stopped, used,
                                          stopped])

    def status_to(self, new, at, actor=None):
        self.event('status_changed', at, {'status': self.status}, {'status': new}, actor)
        self.status = new

    def wrapup(self, agent, at, trigger):
        if at >= self.end:
            return
        seconds = self.rng.choice([self.rng.randint(5, 55), WRAPUP_LIMIT])
        ended = at + seconds
        self.m.rows['wrapups'].append([agent['id'], self.id, self.client['id'], self.channel, trigger, at,
                                       at + WRAPUP_LIMIT, ended if ended < self.end else None,
                                       None if ended >= self.end else ('timer' if seconds == WRAPUP_LIMIT else 'agent'),
                                       self.disposition if trigger == 'resolve' else None])

    # -- the life
    def write(self) -> None:
        rng = self.rng
        self.event('created', self.t0, after={'status': 'new', 'language': self.language})
        self.message('inbound', self.t0)
        self.clock_answer = None
        taken = self.take()
        if taken is not None:
            self.work(*taken)
        self.row()

    def take(self):
        """Offers (one declined or expired first, now and then) and the accepted one; or an abandon."""
        rng, t0 = self.rng, self.t0
        if self.realtime:
            wait = min(rng.expovariate(1 / (25 if self.channel == 'phone' else 35)), 900)
            agent, at = self.m._agent_at(t0 + wait, self.language, t0 + 600)
            if agent is None or rng.random() < 0.06:
                self.abandoned_at = t0 + (min(wait, 600) if agent is not None else rng.uniform(30, 600))
                if self.abandoned_at < self.end:
                    self.event('abandoned', self.abandoned_at, after={'abandoned_at': _ts(self.abandoned_at)})
                    target = self.targets['answer']
                    status = 'breached' if self.abandoned_at - t0 > target else 'cancelled'
                    self.m.rows['sla_clocks'].append([self.id, self.client['id'], 'answer', 1, self.policy, target,
                                                      status, t0, t0 + target, 0,
                                                      t0 + target if status == 'breached' else None,
                                                      self.abandoned_at, int(self.abandoned_at) - int(t0),
                                                      self.abandoned_at])
                return None
            if rng.random() < 0.2:
                other, _ = self.m._agent_at(t0, self.language, t0 + 1, exclude=agent)
                if other is not None:
                    responded = t0 + rng.uniform(2, 20)
                    status = rng.choice(['declined', 'expired'])
                    self.m.rows['offers'].append([self.id, other['id'], self.channel, status, t0 + 1, t0 + 31,
                                                  responded if status == 'declined' else None])
            self.m.rows['offers'].append([self.id, agent['id'], self.channel, 'accepted', max(t0 + 1, at - 5),
                                          max(t0 + 1, at - 5) + 30, at])
            if at >= self.end:
                self.clock('answer', t0, None)
                return None
            self.clock('answer', t0, at)
            via = 'offer'
        else:
            agent, at = self.m._agent_at(t0 + rng.expovariate(1 / 1200), self.language, t0 + 3 * 86400)
            if agent is None or at >= self.end:
                self.clock('first_response', t0, None)
                self.clock('resolution', t0, None)
                return None
            via = 'direct'
        self.assign(agent, at, via)
        self.status_to('open', at)
        return agent, at

    def assign(self, agent, at, via, previous=None):
        self.event('assigned', at, {'assignee_id': previous['id'] if previous else None},
                   {'assignee_id': agent['id'], 'via': via}, actor=previous['id'] if previous else None)
        self.assignee = agent

    def reply(self, agent, at):
        self.message('outbound', at, agent['id'])
        self.event('reply_added', at, after={'kind': 'outbound'}, actor=agent['id'])

    def work(self, agent, at) -> None:
        rng, end = self.rng, self.end
        messaging = self.realtime
        if self.channel == 'phone':
            duration = int(90 + rng.expovariate(1 / 300))
            ended = at + duration
            self.m.rows['calls'].append([self.client['id'], f'CA{self.id:010d}', self.id, '+15550100',
                                         'ended' if ended < end else 'answered', agent['id'], self.t0, at,
                                         ended if ended < end else None, duration if ended < end else None, self.t0,
                                         min(ended, end - 1)])
            self.clock('first_response', self.t0, at)
            if rng.random() < 0.3:
                self.message('note', at + duration / 2, agent['id'])
                self.event('note_added', at + duration / 2, after={'kind': 'note'}, actor=agent['id'])
            last = ended
        else:
            first = at + (rng.uniform(20, 120) if messaging else rng.expovariate(1 / 1800))
            if first >= end:
                self.clock('first_response', self.t0, None)
                self.clock('resolution', self.t0, None)
                return
            self.reply(agent, first)
            self.clock('first_response', self.t0, first)
            last = first
            if not messaging and rng.random() < 0.25:
                self.status_to('pending', first + 60, agent['id'])
            cycles = rng.choices([0, 1, 2, 3, 4], [20, 30, 25, 15, 10])[0]
            for n in range(cycles):
                asked = last + (rng.expovariate(1 / 60) if messaging else rng.expovariate(1 / 6 / 3600))
                if asked >= end:
                    break
                self.message('inbound', asked)
                self.event('customer_replied', asked, after={'kind': 'inbound'})
                if self.status == 'pending':
                    self.status_to('open', asked)
                if n == 0 and rng.random() < 0.1:
                    target, _ = self.m._agent_at(asked, self.language, asked + 1, exclude=agent)
                    if target is not None:
                        self.wrapup(agent, asked + 30, 'transfer')
                        self.assign(target, asked + 30, 'reassign', previous=agent)
                        agent = target
                answer = asked + 30 + (rng.expovariate(1 / 45) if messaging else rng.expovariate(1 / 7200))
                self.clock('next_response', asked, answer if answer < end else None, sequence=n + 1)
                if answer >= end:
                    last = end
                    break
                self.reply(agent, answer)
                last = answer
            if rng.random() < 0.1 and last < end:
                self.message('note', last + 5, agent['id'])
                self.event('note_added', last + 5, after={'kind': 'note'}, actor=agent['id'])
        self.finish(agent, last)

    def finish(self, agent, last) -> None:
        rng, end = self.rng, self.end
        if rng.random() < 0.25 and last < end:
            self.event('priority_changed', last + 10, {'priority': 'normal'}, {'priority': 'high'}, agent['id'])
        if rng.random() < 0.75 and last < end:
            self.event('tags_changed', last + 15, {'tags': []}, {'tags': ['billing']}, agent['id'])
        resolve = last + (rng.uniform(30, 300) if self.realtime else rng.expovariate(1 / 4 / 3600))
        if rng.random() > 0.9 or resolve >= end:
            self.clock('resolution', self.t0, None)
            return
        self.disposition = rng.choice(self.client['dispositions'])
        self.event('disposition_changed', resolve - 1, {'disposition': None}, {'disposition': 'code'}, agent['id'])
        self.status_to('resolved', resolve, agent['id'])
        self.resolved_at = resolve
        self.wrapup(agent, resolve, 'resolve')
        if self.channel != 'phone' and rng.random() < 0.04:
            back = resolve + rng.uniform(3600, 3 * 86400)
            again = back + rng.uniform(600, 7200)
            if again < end:
                self.message('inbound', back)
                self.event('customer_replied', back, after={'kind': 'inbound'})
                self.status_to('open', back)
                self.reply(agent, again - 300)
                self.status_to('resolved', again, agent['id'])
                self.wrapup(agent, again, 'resolve')
                self.resolved_at = resolve = again
        self.clock('resolution', self.t0, resolve)
        closed = resolve + 72 * 3600
        if closed < end:
            self.status_to('closed', closed)
            self.closed_at = closed

    def row(self) -> None:
        c, rows = self.client, self.m.rows
        family = FAMILIES[self.channel]
        done = self.status in ('resolved', 'closed') or self.abandoned_at is not None
        state = 'done' if done else ('assigned' if self.assignee else 'waiting')
        first_due = self.t0 + self.targets['first_response']
        rows['tickets'].append([self.id, c['id'], self.customer, self.channel, self.language, 'given',
                                self.rng.choices([p for p, _ in PRIORITIES], [w for _, w in PRIORITIES])[0],
                                self.status, f'Ticket {self.id}', self.rng.choice(PRODUCTS), '[]',
                                self.assignee['id'] if self.assignee else None, self.t0,
                                self.closed_at or self.resolved_at or self.t0, self.resolved_at, self.closed_at,
                                None if done else first_due, self.disposition, self.abandoned_at])
        rows['routing_items'].append([self.id, c['queues'][(self.language, family)], state,
                                      self.assignee['id'] if state == 'assigned' else None, c['id'], self.customer,
                                      self.language, self.channel, None, 2, first_due, self.t0, 0, '[]', self.t0])


def load(url: str, tickets: int) -> tuple[dict, dict, float, float]:
    app = app_for(url)
    made = setup(app)
    started = time.perf_counter()
    month = Month(made, tickets)
    month.build()
    built = time.perf_counter() - started
    from support.core.extensions import db
    from support.reports import facts
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(sa.text('SET LOCAL session_replication_role = replica'))  # no stale marks: rebuilt below
            counts = month.copy(conn)
        copied = time.perf_counter()
        facts.rebuild()
        db.session.commit()
        counts['report_facts'] = db.session.scalar(sa.text('SELECT count(*) FROM report_facts'))
        print(f'report facts worked out in {time.perf_counter() - copied:.1f} s', flush=True)
        with db.engine.connect().execution_options(isolation_level='AUTOCOMMIT') as conn:
            conn.execute(sa.text('VACUUM ANALYZE'))
    return made, counts, built, time.perf_counter() - started


# --- timing ------------------------------------------------------------------------------------

def timed(fn, rounds: int) -> tuple[float, object]:
    """The median of ``rounds`` runs after a warm-up (plans, caches, the names of ids); a warm-up over
    3 s is the figure itself (one round: the machine is shared)."""
    started = time.perf_counter()
    out = fn()
    first = time.perf_counter() - started
    if first > 3:
        return first, out
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), out


def baseline(start: datetime, end: datetime):
    """One GROUP BY over the range's history joined to its tickets: what any report of the range reads at least."""
    from support.core.extensions import db

    def run():
        return db.session.execute(sa.text(
            'SELECT t.client_id, t.language, t.channel, e.kind, count(*) FROM ticket_events e '
            'JOIN tickets t ON t.id = e.ticket_id WHERE e.created_at >= :s AND e.created_at < :e '
            'GROUP BY 1, 2, 3, 4'), {'s': start, 'e': end}).all()
    return run


def explain(params, report) -> None:
    """EXPLAIN ANALYZE of the statement of ``report`` with ``params``: total time and the costliest nodes."""
    from support.core.extensions import db
    compiled = _statement_of(report, params).compile(db.engine, compile_kwargs={'literal_binds': True})
    sql = 'EXPLAIN (ANALYZE, FORMAT JSON) ' + str(compiled)
    from support.reports.queries import _without_jit
    _without_jit()  # jit off, work_mem: as the report runs it
    plan = db.session.connection().exec_driver_sql(sql).scalar()
    top = plan[0]
    nodes = []

    def walk(node, depth=0):
        children = node.get('Plans', [])
        own = node['Actual Total Time'] * node.get('Actual Loops', 1) - sum(
            c['Actual Total Time'] * c.get('Actual Loops', 1) for c in children)
        nodes.append((own, node['Node Type'], node.get('Relation Name') or node.get('Index Name') or '',
                      node.get('Actual Rows'), node.get('Actual Loops', 1)))
        for child in children:
            walk(child, depth + 1)
    walk(top['Plan'])
    jit = top.get('JIT', {}).get('Timing', {})
    print(f'    EXPLAIN ANALYZE: execution {top["Execution Time"]:.0f} ms, planning {top["Planning Time"]:.0f} ms'
          + (f', JIT {jit.get("Total", 0):.0f} ms' if jit else '') + '; costliest nodes (own ms, rows x loops):')
    for own, kind, name, rows, loops in sorted(nodes, reverse=True)[:6]:
        print(f'      {own:8.0f}  {kind} {name}  ({rows} x {loops})')
    if os.environ.get('BENCH_PLAN'):
        def tree(node, depth=0):
            total = node['Actual Total Time'] * node.get('Actual Loops', 1)
            if total > 50:
                print(f'{"  " * depth}{total:8.0f} {node["Node Type"]} {node.get("Relation Name", "")} '
                      f'{node.get("Parent Relationship", "")} {node.get("Subplan Name", "")} '
                      f'rows={node.get("Actual Rows")}x{node.get("Actual Loops")} {node.get("Filter", "")[:80]}')
            for child in node.get('Plans', []):
                tree(child, depth + 1)
        tree(top['Plan'])


def count_csv(chunks) -> tuple[int, int]:
    rows = size = 0
    for chunk in chunks:
        if isinstance(chunk, bytes):
            chunk = chunk.decode()
        rows += chunk.count('\r\n')
        size += len(chunk)
    return rows - 1, size


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--database', default='postgresql://postgres@127.0.0.1:5432/reports_bench')
    parser.add_argument('--tickets', type=int, default=100_000)
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--explain', action='store_true', help='EXPLAIN ANALYZE every statement timed')
    parser.add_argument('--reuse', action='store_true', help='keep the database of an earlier run when it is loaded')
    parser.add_argument('--load-only', action='store_true', help='load the month and stop')
    args = parser.parse_args()
    print(f'{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {loadavg()}')
    begun = time.perf_counter()
    if not (args.reuse and _loaded(args.database)):
        reset_database(args.database)
        print(f'database reset, {time.perf_counter() - begun:.1f} s', flush=True)
        env = dict(os.environ, SUPPORT_DATABASE_URL=args.database, SUPPORT_SECRET_KEY='bench', PYTHONPATH=ROOT)
        subprocess.run([os.path.join(ROOT, '.venv', 'bin', 'flask'), '--app', 'wsgi', 'db', 'upgrade', 'heads'],
                       cwd=ROOT, env=env, check=True, capture_output=True)
        print(f'migrated, {time.perf_counter() - begun:.1f} s', flush=True)
        made, counts, built, loaded = load(args.database, args.tickets)
        print(f'loaded in {loaded:.1f} s (generated in {built:.1f} s, COPY and ANALYZE {loaded - built:.1f} s): '
              + ', '.join(f'{n:,} {t}' for t, n in counts.items()))
    if args.load_only:
        return
    app = app_for(args.database)
    with app.app_context():
        measure(app, args)


def _loaded(url: str) -> bool:
    try:
        engine = sa.create_engine(url.replace('postgresql://', 'postgresql+psycopg://'))
        with engine.connect() as conn:
            return conn.scalar(sa.text('SELECT count(*) FROM ticket_events')) > 0
    except sa.exc.SQLAlchemyError:
        return False


def measure(app, args) -> None:
    from support.agents.auth import issue_token
    from support.agents.models import Agent
    from support.core.extensions import db
    from support.reports import queries
    from support.reports.buckets import Interval
    from support.reports.csv_export import csv_chunks
    from support.reports.queries import ReportParams
    token = issue_token(db.session.scalar(sa.select(Agent).filter_by(email='supervisor@bench.example')))
    headers = {'Authorization': f'Bearer {token}'}
    http = app.test_client()
    events, tickets = db.session.execute(sa.text(
        'SELECT (SELECT count(*) FROM ticket_events WHERE created_at >= :s AND created_at < :e), '
        '(SELECT count(*) FROM tickets WHERE created_at >= :s AND created_at < :e)'),
        {'s': MONTH[0], 'e': MONTH[1]}).one()
    print(f'the month (UTC November 2026): {tickets:,} tickets created, {events:,} history events; '
          f'{args.rounds} rounds each, median')
    from support.reports import facts
    facts.refresh()
    db.session.commit()
    stale = 1000
    db.session.execute(sa.text('INSERT INTO report_stale_tickets (ticket_id) SELECT id FROM tickets '
                               'ORDER BY random() LIMIT :n'), {'n': stale})
    db.session.commit()
    started = time.perf_counter()
    facts.refresh()
    db.session.commit()
    print(f'refresh of the facts of {stale:,} stale tickets (what a report pays first after that many changed): '
          f'{(time.perf_counter() - started) * 1000:.0f} ms')
    month_base, _ = timed(baseline(*MONTH), args.rounds)
    day_base, _ = timed(baseline(*DAY), args.rounds)
    print(f'baseline: GROUP BY over the history joined to tickets: month {month_base * 1000:.0f} ms, '
          f'day {day_base * 1000:.0f} ms')
    print(f'{"report":<62}{"ms":>8}{"rows":>9}{"x base":>8}  target')
    slow = []

    def line(label, seconds, rows, base, target=f'< {TARGET_S:.0f} s', ok=None):
        ok = seconds < TARGET_S if ok is None else ok
        print(f'{label:<62}{seconds * 1000:>8.0f}{rows:>9,}{seconds / base:>8.1f}  {target} {"ok" if ok else "MISSED"}')
        return ok

    def query_path(label, report, params, base):
        seconds, rows = timed(lambda: list(report(params).rows), args.rounds)
        if not line(label, seconds, len(rows), base) or args.explain:
            slow.append((label, report, params))
        return seconds

    def http_path(label, path, base):
        def run():
            response = http.get(path, headers=headers)
            assert response.status_code == 200, response.get_data(as_text=True)[:500]
            return response.get_json()['rows']
        seconds, rows = timed(run, args.rounds)
        line(label, seconds, len(rows), base)

    month_q = f'from={MONTH[0].isoformat()}&to={MONTH[1].isoformat()}'.replace('+', '%2B')
    day_q = f'from={DAY[0].isoformat()}&to={DAY[1].isoformat()}&tz=America/Bogota'.replace('+', '%2B')
    month = ReportParams(start=MONTH[0], end=MONTH[1], group=('client', 'language', 'channel'))
    http_path('a. month x client x language x channel  GET /reports/tickets',
              f'/api/v1/reports/tickets?{month_q}&group=client,language,channel', month_base)
    query_path('   queries.tickets_report', queries.tickets_report, month, month_base)
    zone = ZoneInfo('America/Bogota')
    day_agents = ReportParams(start=DAY[0], end=DAY[1], group=('agent',), interval=Interval.m30, zone=zone)
    http_path('b. day x 30 min x agent  GET /reports/agents',
              f'/api/v1/reports/agents?{day_q}&group=agent&interval=30min', day_base)
    query_path('   queries.agents_report', queries.agents_report, day_agents, day_base)
    http_path('   GET /reports/intervals?group=agent',
              f'/api/v1/reports/intervals?{day_q}&group=agent&interval=30min', day_base)
    query_path('   queries.intervals_report', queries.intervals_report, day_agents, day_base)

    print(f'{"CSV of a month of half hours":<44}{"ms":>8}{"rows":>9}{"rows/s":>9}{"MB":>6}{"x base":>8}  target')
    exports = [('intervals by client x language x channel', queries.intervals_report,
                ReportParams(start=MONTH[0], end=MONTH[1], group=('client', 'language', 'channel'),
                             interval=Interval.m30),
                f'/api/v1/reports/intervals?{month_q}&group=client,language,channel&interval=30min&format=csv'),
               ('agents by agent', queries.agents_report,
                ReportParams(start=MONTH[0], end=MONTH[1], group=('agent',), interval=Interval.m30),
                f'/api/v1/reports/agents?{month_q}&group=agent&interval=30min&format=csv')]
    for label, report, params, path in exports:
        seconds, (rows, size) = timed(lambda: count_csv(csv_chunks(report(params))), args.rounds)
        ok = rows / seconds >= TARGET_ROWS_S
        print(f'  {label:<42}{seconds * 1000:>8.0f}{rows:>9,}{rows / seconds:>9,.0f}{size / 1e6:>6.1f}'
              f'{seconds / month_base:>8.1f}  >= {TARGET_ROWS_S:,} rows/s {"ok" if ok else "MISSED"}')
        seconds, (rows, size) = timed(lambda: count_csv(http.get(path, headers=headers, buffered=False).response),
                                      args.rounds)
        print(f'  {"   GET " + path.split("?")[0] + " format=csv":<42}{seconds * 1000:>8.0f}{rows:>9,}'
              f'{rows / seconds:>9,.0f}{size / 1e6:>6.1f}{seconds / month_base:>8.1f}')
        def statement_alone():
            queries._without_jit()
            return db.session.execute(_statement_of(report, params)).all()
        query_seconds, _ = timed(statement_alone, 1)
        print(f'  {"   of which the SQL statement alone":<42}{query_seconds * 1000:>8.0f}')
        if not ok or args.explain:
            slow.append((label, report, params))
    for label, report, params in slow:
        print(f'{label.strip()}:')
        explain(params, report)
    print(f'{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {loadavg()}')


def _statement_of(report, params):
    from support.reports import queries
    captured = {}
    real = queries._run

    def capture(p, statement, measures, compute):
        captured['statement'] = statement
        return real(p, statement, measures, compute)
    queries._run = capture
    try:
        report(params)
    finally:
        queries._run = real
    return captured['statement']


if __name__ == '__main__':
    main()

"""The report queries: aggregate SQL over tickets, events, SLA clocks, offers, calls, wrap-ups and
presence history, grouped and bucketed in the database. This is the Python API other code calls
(the monthly PDF, the charts, the REST and CSV endpoints):

    params = ReportParams(start=..., end=..., group=('client', 'channel'), interval=Interval.m30,
                          zone=ZoneInfo('America/New_York'), filters={'language': ['es']})
    result = tickets_report(params)     # also agents_report(params), intervals_report(params)
    result.columns                      # [Column(key, label, unit)], group columns first
    for row in result.rows:             # an iterator of tuples in column order, read from a cursor
        ...
    result.dicts()                      # the rows as dicts (key -> value), also an iterator

Values are plain numbers (int counts, float seconds and shares, None where nothing was
measured) and strings for the group columns; ``interval_start`` is the local start of the
bucket in ISO 8601 with its offset. Rows come ordered by the group columns (interval first).

How it works: every measurable happening of a ticket is a stored *fact row* (``facts``: a ticket
created, an accepted offer, a stopped SLA clock, an agent's handling of a contact... with the
ticket's dimensions), worked out when the rows it comes from change; presence stretches inside a
bucket are facts of the same shape made here. One SELECT filters the facts of the range, buckets
them (``buckets.bucket_key``) and aggregates them per bucket, group and kind (a dimension the report
neither groups nor filters by is NULL); ``_pivot`` puts the kinds of a group side by side in Python
as the rows stream in, and Python only divides sums by counts and names ids. Percentiles follow
``percentile_cont`` (p at position p*(n-1) of the n sorted values, interpolated linearly) and are
read as den * the percentile, a whole number, so both backends give the same figure: PostgreSQL
from its own ``percentile_cont`` over the stopped clocks (one hashed aggregate gathering their
values into an array per group, or for 15 min to 1 h buckets a sort of the clocks alone), SQLite
from ``row_number()`` ranks of them (``sum(v_lo * (d - r) + v_hi * r)``). Presence stretches are cut
into fixed-width buckets by arithmetic (``generate_series`` on PostgreSQL, numbered buckets on
SQLite). On PostgreSQL the statement runs with JIT off and 64 MB of ``work_mem``
(``bench/reports.py`` measures it all).
"""
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterator
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.elements import Grouping

from ..agents.models import Agent, agent_clients
from ..agents.presence_history import PresenceChange
from ..clients.models import Client
from ..core.clock import utcnow
from ..core.db import is_postgresql
from ..core.extensions import db
from ..routing.models import Queue
from ..sites.models import Site
from ..tickets.dispositions import Disposition
from . import buckets, facts
from .buckets import Interval
from .definitions import (AGENT_MEASURES, CLOCK_METRICS, PRESENCE_STATES, TICKET_MEASURES, Column,
                          group_column)
from .models import ReportFact
from .sqlfuncs import epoch, greatest, least

UTC = timezone.utc
# The dimension columns of a fact row and the group/filter field each serves.
DIMENSIONS = ('client_id', 'language', 'channel', 'product', 'disposition_id', 'agent_id', 'queue_id')
DIMENSION_TYPES = {'client_id': sa.Integer, 'language': sa.String, 'channel': sa.String, 'product': sa.String,
                   'disposition_id': sa.Integer, 'agent_id': sa.Integer, 'queue_id': sa.Integer}
FIELD_COLUMN = {'client': 'client_id', 'language': 'language', 'channel': 'channel', 'product': 'product',
                'disposition': 'disposition_id', 'agent': 'agent_id', 'queue': 'queue_id', 'site': 'site_id'}
PERCENTILES = {'median': (1, 2), 'p90': (9, 10)}


@dataclass
class ReportParams:
    """What to report: [start, end) as aware datetimes, the group fields in order, the bucket
    width and zone, filters ``{field: [values]}`` (client slugs, language and channel codes,
    site names, queue ids, agent ids, product names, disposition codes) and the clients the
    reader may see (``client_ids``; None = every client). The report first refreshes the facts of stale
    tickets in the caller's transaction unless ``refresh`` is False."""
    start: datetime
    end: datetime
    group: tuple[str, ...] = ()
    interval: Interval | None = None
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo('UTC'))
    filters: dict = field(default_factory=dict)
    client_ids: frozenset[int] | None = None
    language: str = 'en'
    refresh: bool = True  # refresh the stale facts first (False: the caller just did, and committed)


@dataclass
class ReportResult:
    columns: list[Column]
    rows: Iterator[tuple]

    def dicts(self) -> Iterator[dict]:
        keys = [c.key for c in self.columns]
        return (dict(zip(keys, row)) for row in self.rows)


# --- fact rows -----------------------------------------------------------------------------

def _needed(p: ReportParams) -> set[str]:
    """The dimension columns the report groups or filters by (the client's always: the reader's scope)."""
    fields = set(p.group) | {name for name, values in p.filters.items() if values}
    if 'site' in fields:
        fields.add('agent')
    return {'client_id'} | {FIELD_COLUMN[name] for name in fields if name != 'site'}


def _stored(p: ReportParams, kinds: tuple[str, ...] | None = None, exclude=False):
    """The stored facts (``facts``) of the range of these kinds (or of every other kind; None: all)."""
    f = ReportFact.__table__
    where = [f.c.at >= p.start, f.c.at < p.end]
    if kinds is not None:
        where.append(f.c.kind.not_in(kinds) if exclude else f.c.kind.in_(kinds))
    dims = [f.c[name] if name in _needed(p) else sa.cast(sa.null(), DIMENSION_TYPES[name]).label(name)
            for name in DIMENSIONS]
    return sa.select(f.c.t, *dims, f.c.kind, f.c.value, f.c.value2, f.c.flag).where(*where)


def _bucket_table(p: ReportParams):
    """The buckets of the range as rows (t: start epoch, s, e: start and end epochs): a recursive
    CTE of fixed steps for 15 min to 1 h, a UNION of the (at most 401) days or months otherwise."""
    hi = int(p.end.timestamp())
    if p.interval is None or p.interval in (Interval.day, Interval.month):
        rows = [sa.select(sa.literal(int(s.timestamp()), sa.BigInteger).label('s'),
                          sa.literal(int(e.timestamp()), sa.BigInteger).label('e'))
                for _key, s, e in buckets.bucket_rows(p.interval, p.zone, p.start, p.end)]
        return sa.union_all(*rows).subquery('b') if len(rows) > 1 else rows[0].subquery('b')
    width = p.interval.seconds
    first = next(buckets.bucket_rows(p.interval, p.zone, p.start, p.end))[0]
    seed = sa.select(sa.literal(first, sa.BigInteger).label('s'), sa.literal(first + width, sa.BigInteger).label('e'))
    steps = seed.cte('b', recursive=True)
    steps = steps.union_all(sa.select(steps.c.s + width, steps.c.e + width).where(steps.c.e < hi))
    return sa.select(steps.c.s, steps.c.e).subquery('bb')


def _stretches(p: ReportParams):
    """Each presence stretch meeting [start, end), clipped to it: agent, state, a and b (epoch seconds;
    a stretch still open runs until now)."""
    pc = PresenceChange
    lo, hi, now = int(p.start.timestamp()), int(p.end.timestamp()), int(utcnow().timestamp())
    a = greatest(epoch(pc.started_at), lo)
    b = least(sa.func.coalesce(epoch(pc.ended_at), now), hi)
    flag = sa.case(*[(pc.status == state, i) for i, state in enumerate(PRESENCE_STATES)])
    query = (sa.select(pc.agent_id.label('agent_id'), sa.cast(flag, sa.Integer).label('flag'), a.label('a'),
                       b.label('b'))
             .where(pc.started_at < p.end, sa.or_(pc.ended_at.is_(None), pc.ended_at > p.start)))
    scope = _scoped_clients(p)
    if scope is not None:
        serving = sa.union(sa.select(agent_clients.c.agent_id).where(agent_clients.c.client_id.in_(scope)),
                           sa.select(Agent.id).where(Agent.all_clients.is_(True)))
        query = query.where(pc.agent_id.in_(serving))
    return query.subquery('stretches')


def _stretch_buckets(p: ReportParams, st):
    """(bucket start, the stretch's seconds inside it, FROM clause) of each bucket a stretch meets.

    Fixed widths (15 min to 1 h) number the buckets arithmetically from the first, so each stretch
    meets only its own: ``generate_series`` on PostgreSQL, a recursive CTE of bucket numbers on
    SQLite. Days and months (and no interval) join the few buckets of the range."""
    if p.interval in (Interval.m15, Interval.m30, Interval.h1):
        width = p.interval.seconds
        first = next(buckets.bucket_rows(p.interval, p.zone, p.start, p.end))[0]
        k0, k1 = (st.c.a - first) // width, (st.c.b - 1 - first) // width
        if is_postgresql(db.session):
            numbers = sa.func.generate_series(k0, k1).table_valued('k').render_derived(name='ks').lateral('ks')
            joined = sa.join(st, numbers, sa.true())
        else:
            count = (int(p.end.timestamp()) - first + width - 1) // width
            seed = sa.select(sa.literal(0, sa.BigInteger).label('k')).cte('numbers', recursive=True)
            numbers = seed.union_all(sa.select(seed.c.k + 1).where(seed.c.k < count - 1))
            joined = sa.join(st, numbers, sa.and_(numbers.c.k >= k0, numbers.c.k <= k1))
        s = first + numbers.c.k * width
        return s, least(st.c.b, s + width) - greatest(st.c.a, s), joined
    b = _bucket_table(p)
    return b.c.s, least(st.c.b, b.c.e) - greatest(st.c.a, b.c.s), sa.join(st, b, sa.and_(st.c.a < b.c.e,
                                                                                          st.c.b > b.c.s))


def _presence_facts(p: ReportParams) -> list:
    """Seconds of each presence stretch inside each bucket and inside [start, end)."""
    st = _stretches(p)
    bucket_start, seconds, joined = _stretch_buckets(p, st)
    nulls = [sa.cast(sa.null(), DIMENSION_TYPES[name]).label(name) for name in DIMENSIONS]
    nulls[DIMENSIONS.index('agent_id')] = st.c.agent_id.label('agent_id')
    kind = sa.case(*[(st.c.flag == i, f'presence_{state}') for i, state in enumerate(PRESENCE_STATES)])
    return [sa.select(bucket_start.label('t'), *nulls, sa.cast(kind, sa.String).label('kind'),
                      sa.cast(seconds, sa.BigInteger).label('value'), sa.cast(sa.null(), sa.BigInteger).label('value2'),
                      sa.cast(sa.null(), sa.Integer).label('flag'))
            .select_from(joined).where(st.c.b > st.c.a)]


# --- filters, grouping, aggregation ------------------------------------------------------------

def _scoped_clients(p: ReportParams) -> list[int] | None:
    """The client ids the rows are limited to: the reader's, narrowed by a client filter."""
    wanted = p.filters.get('client')
    ids = None
    if wanted:
        ids = set(db.session.scalars(sa.select(Client.id).where(Client.slug.in_(wanted))))
    if p.client_ids is not None:
        ids = set(p.client_ids) if ids is None else ids & set(p.client_ids)
    return sorted(ids) if ids is not None else None


def _filter_values(name: str, values: list) -> list:
    """Filter values as the ids the facts carry (sites by name, dispositions by code)."""
    if name == 'site':
        return list(db.session.scalars(sa.select(Site.id).where(Site.name.in_(values))))
    if name == 'disposition':
        return list(db.session.scalars(sa.select(Disposition.id).where(Disposition.code.in_(values))))
    return list(values)


def _filtered(facts, p: ReportParams, keep_unclient=False):
    """The facts with the site of their agent, limited by the reader's clients and the filters."""
    site = sa.select(Agent.site_id).where(Agent.id == facts.c.agent_id).scalar_subquery()
    needs_site = 'site' in p.group or p.filters.get('site')
    cols = [*facts.c, (site if needs_site else sa.null()).label('site_id')]
    query = sa.select(*cols)
    scope = _scoped_clients(p)
    if scope is not None:
        condition = facts.c.client_id.in_(scope)
        presence = facts.c.kind.in_([f'presence_{state}' for state in PRESENCE_STATES])
        query = query.where(sa.or_(condition, presence) if keep_unclient else condition)
    for name, values in p.filters.items():
        if name == 'client' or not values:
            continue
        column = site if name == 'site' else facts.c[FIELD_COLUMN[name]]
        query = query.where(column.in_(_filter_values(name, values)))
    return query.subquery('f')


def _keyed(filtered, p: ReportParams, rank: bool):
    """The facts with their bucket; on SQLite, ranked facts (stopped clocks) also with the rank of their
    value and value2 and the count of each within their group and kind, for the percentiles."""
    key = buckets.bucket_key(filtered.c.t, p.interval, p.zone, p.start, p.end).label('bucket')
    groups = [filtered.c[FIELD_COLUMN[name]] for name in p.group]
    partition = [key, *groups, filtered.c.kind] if p.interval else [*groups, filtered.c.kind]
    if rank:
        ranks = [sa.func.row_number().over(partition_by=partition, order_by=filtered.c.value),
                 sa.func.row_number().over(partition_by=partition, order_by=filtered.c.value2),
                 sa.func.count(filtered.c.value).over(partition_by=partition),
                 sa.func.count(filtered.c.value2).over(partition_by=partition)]
    else:
        ranks = [sa.cast(sa.null(), sa.BigInteger)] * 4
    return sa.select(*filtered.c, key, *[r.label(n) for r, n in zip(ranks, ('rn', 'rn2', 'n', 'n2'))])


def _percentile(value, rank, n, num, den):
    """den * percentile_cont(num/den) of ``value`` among the rows of a group and kind (an integer)."""
    lo = (n - 1) * num // den + 1
    rest = ((n - 1) * num) % den
    return sa.func.sum(sa.case((rank == lo, value * (den - rest)), (rank == lo + 1, value * rest), else_=None))


def _per_kind_postgresql(f, p: ReportParams, ranked_kinds: tuple[str, ...]):
    """PostgreSQL: one hashed aggregate of every fact per bucket, group and kind, the values of the stopped
    clocks gathered into arrays; then each group's percentiles from its own array (a sort of a few
    hundred values per group instead of one sort of the month's clocks by group). den * a percentile is a
    whole number (a median of whole seconds is a multiple of 1/2, a 90th percentile of 1/10), so rounding
    it gives the integer SQLite's ranks give."""
    r = _keyed(f, p, False).subquery('r')
    groups = ([r.c.bucket] if p.interval else []) + [r.c[FIELD_COLUMN[name]] for name in p.group]
    aggs = [sa.func.count().label('n'), sa.cast(sa.func.sum(r.c.value), sa.BigInteger).label('sv'),
            sa.cast(sa.func.sum(r.c.value2), sa.BigInteger).label('sv2'),
            sa.cast(sa.func.sum(r.c.flag), sa.BigInteger).label('sf')]
    if ranked_kinds:
        clock = r.c.kind.in_(ranked_kinds)
        aggs += [sa.func.array_agg(r.c.value).filter(clock).label('a'),
                 sa.func.array_agg(r.c.value2).filter(clock).label('a2')]
    g = sa.select(*groups, r.c.kind, *aggs).group_by(*groups, r.c.kind).subquery('g')
    out = [g.c[c.name] for c in groups] + [g.c.kind, g.c.n, g.c.sv, g.c.sv2, g.c.sf]
    fractions = postgresql.array([num / den for num, den in PERCENTILES.values()])
    joined = g
    for column, suffix in (('a', ''), ('a2', '2')):
        if ranked_kinds:  # LATERAL: each group's array sorted once for both percentiles
            values = sa.func.unnest(g.c[column]).column_valued('v')
            figures = sa.type_coerce(sa.func.percentile_cont(fractions).within_group(values),
                                     postgresql.ARRAY(sa.Float))
            lateral = sa.select(figures.label('x')).lateral(f'pc{suffix}')
            joined = joined.join(lateral, sa.true())
        for i, (stat, (_num, den)) in enumerate(PERCENTILES.items()):
            figure = (sa.cast(sa.func.round(sa.cast(lateral.c.x[i + 1] * den, sa.Numeric)), sa.BigInteger)
                      if ranked_kinds else sa.cast(sa.null(), sa.BigInteger))
            out.append(figure.label(f'{stat}{suffix}'))
    return sa.select(*out).select_from(joined)


def _per_kind_postgresql_sorted(f, p: ReportParams, ranked_kinds: tuple[str, ...]):
    """PostgreSQL with many small groups (15 min to 1 h buckets): the facts other than stopped clocks in a
    hashed aggregate; the clocks sorted by group (in byte order) into percentile_cont, both percentiles
    of a value from one sort. (Gathering arrays there would be a sort of every fact, then a subquery per
    group.)"""
    r = _keyed(f, p, False).subquery('r')
    clock = r.c.kind.in_(ranked_kinds)

    def grouped(column):
        return sa.collate(column, 'C').label(column.name) if isinstance(column.type, sa.String) else column
    fractions = postgresql.array([num / den for num, den in PERCENTILES.values()])
    parts = []
    for clocks in (False, True):
        groups = ([r.c.bucket] if p.interval else []) + [r.c[FIELD_COLUMN[name]] for name in p.group]
        groups = [grouped(c) for c in groups] if clocks else groups
        kind = grouped(r.c.kind) if clocks else r.c.kind
        aggs = [sa.func.count().label('n'), sa.cast(sa.func.sum(r.c.value), sa.BigInteger).label('sv'),
                sa.cast(sa.func.sum(r.c.value2), sa.BigInteger).label('sv2'),
                sa.cast(sa.func.sum(r.c.flag), sa.BigInteger).label('sf')]
        for column, suffix in ((r.c.value, ''), (r.c.value2, '2')):
            figures = sa.type_coerce(Grouping(sa.func.percentile_cont(fractions).within_group(column)),
                                     postgresql.ARRAY(sa.Float))
            for i, (stat, (_num, den)) in enumerate(PERCENTILES.items()):
                figure = (sa.cast(sa.func.round(sa.cast(figures[i + 1] * den, sa.Numeric)), sa.BigInteger)
                          if clocks else sa.cast(sa.null(), sa.BigInteger))
                aggs.append(figure.label(f'{stat}{suffix}'))
        parts.append(sa.select(*groups, kind, *aggs).where(clock if clocks else sa.not_(clock))
                     .group_by(*groups, kind))
    return sa.union_all(*parts)


def _per_kind(r, p: ReportParams, ranked: bool):
    """SQLite: one row per bucket, group and kind of fact, with its count, sums and percentile parts (from
    the ranks of the stopped clocks)."""
    groups = ([r.c.bucket] if p.interval else []) + [r.c[FIELD_COLUMN[name]] for name in p.group]
    kind = r.c.kind
    aggs = [sa.func.count().label('n'), sa.cast(sa.func.sum(r.c.value), sa.BigInteger).label('sv'),
            sa.cast(sa.func.sum(r.c.value2), sa.BigInteger).label('sv2'),
            sa.cast(sa.func.sum(r.c.flag), sa.BigInteger).label('sf')]
    for stat, (num, den) in PERCENTILES.items():
        for column, suffix, rank, n in ((r.c.value, '', r.c.rn, r.c.n), (r.c.value2, '2', r.c.rn2, r.c.n2)):
            figure = _percentile(column, rank, n, num, den) if ranked else sa.cast(sa.null(), sa.BigInteger)
            aggs.append(sa.cast(figure, sa.BigInteger).label(f'{stat}{suffix}'))
    return sa.select(*groups, kind, *aggs).group_by(*groups, kind)


# Second level, in Python (``_pivot``): the kinds of a group side by side, under the names ``_ticket_plan``
# and ``_agent_plan`` read: (name, kind, column of the per-kind row, 0 when the group has none).
def _aggregate_specs() -> list[tuple[str, str, str, bool]]:
    specs = [(f'n_{kind}', kind, 'n', True) for kind in ('created', 'answered', 'resolved', 'reopened',
                                                          'transferred', 'abandoned', 'handle', 'abandon_answer',
                                                          'csat')]
    specs += [('n_abandon_answer_breached', 'abandon_answer', 'sf', True), ('sum_csat', 'csat', 'sv', False),
              ('n_csat_satisfied', 'csat', 'sf', True)]
    for metric in CLOCK_METRICS:
        kind = f'clock_{metric}'
        specs += [(f'n_{kind}', kind, 'n', True), (f'met_{metric}', kind, 'sf', True),
                  (f'n_breach_{metric}', f'breach_{metric}', 'n', True), (f'sum_{metric}', kind, 'sv', False),
                  (f'sum2_{metric}', kind, 'sv2', False)]
        for stat in PERCENTILES:
            specs += [(f'{stat}_{metric}', kind, stat, False), (f'{stat}2_{metric}', kind, f'{stat}2', False)]
    specs += [('sum_talk', 'handle', 'sv', False), ('sum_wrap', 'handle', 'sv2', False)]
    specs += [(f'presence_{state}', f'presence_{state}', 'sv', True) for state in PRESENCE_STATES]
    return specs


AGGREGATES = _aggregate_specs()
AGGREGATE_NAMES = [name for name, _kind, _column, _zero in AGGREGATES]


def _statement(p: ReportParams, plain: list, ranked: list = (), keep_unclient=False):
    """Facts -> one row per bucket, group and kind, ordered by bucket and group (``_pivot`` puts the kinds
    of a group side by side). Only stopped clocks get percentiles: on SQLite ranks of them alone; on
    PostgreSQL (``_per_kind_postgresql``) every fact in one hashed aggregate."""
    if is_postgresql(db.session):
        kinds = facts.CLOCK_KINDS if ranked else ()
        f = _filtered(sa.union_all(*plain, *ranked).subquery('facts'), p, keep_unclient)
        many = p.interval in (Interval.m15, Interval.m30, Interval.h1)
        per_kind = _per_kind_postgresql_sorted if many and kinds else _per_kind_postgresql
        k = per_kind(f, p, kinds).subquery('k')
    else:
        parts = [_keyed(_filtered(sa.union_all(*selects).subquery(name), p, keep_unclient), p, rank)
                 for selects, name, rank in ((plain, 'facts', False), (ranked, 'clocks', True)) if selects]
        r = (sa.union_all(*parts) if len(parts) > 1 else parts[0]).subquery('r')
        k = _per_kind(r, p, bool(ranked)).subquery('k')
    groups = ([k.c.bucket] if p.interval else []) + [k.c[FIELD_COLUMN[name]] for name in p.group]
    return sa.select(*k.c).order_by(*groups)


def _pivot(result, p: ReportParams):
    """The per-kind rows of ``result`` (ordered by bucket and group) as one row per bucket and group:
    (bucket or None, the group values, the aggregates in ``AGGREGATE_NAMES`` order)."""
    keys = list(result.keys())
    width = (1 if p.interval else 0) + len(p.group)
    kind_i = keys.index('kind')
    slots: dict[str, list[tuple[int, int]]] = {}
    for slot, (_name, kind, column, _zero) in enumerate(AGGREGATES):
        slots.setdefault(kind, []).append((slot, keys.index(column)))
    empty = [0 if zero else None for _name, _kind, _column, zero in AGGREGATES]
    zero_slots = {slot for slot, (_n, _k, _c, zero) in enumerate(AGGREGATES) if zero}
    current, values = None, None
    for row in result:
        head = tuple(row[:width])
        if head != current:
            if current is not None:
                yield current, values
            current, values = head, list(empty)
        for slot, column in slots.get(row[kind_i], ()):
            value = row[column]
            values[slot] = (value or 0) if slot in zero_slots else value
    if current is not None:
        yield current, values
    elif not p.interval and not p.group:
        yield (), list(empty)  # a report without grouping always has its one row


# --- turning aggregate rows into report rows ---------------------------------------------------

def _div(a, b, ndigits=3):
    return round(a / b, ndigits) if b else None


# What each measure reads of the aggregate row (``_aggregates``' names), worked out once per report as
# positions in the row, so a row is a tuple read by index (a CSV of 60,000 rows is read in Python too).
def _ticket_plan(keys: list[str]):
    at = {name: i for i, name in enumerate(keys)}
    volume = [at[f'n_{k}'] for k in ('created', 'answered', 'resolved', 'reopened', 'transferred', 'abandoned')]
    clocks = [(at[f'n_clock_{m}'], at[f'sum_{m}'], at[f'sum2_{m}'],
               [(at[f'{stat}{two}_{m}'], den) for two in ('', '2') for stat, (_num, den) in PERCENTILES.items()],
               at[f'met_{m}'], at[f'n_breach_{m}'], m == 'answer') for m in CLOCK_METRICS]
    n_abandon, n_abandon_breached = at['n_abandon_answer'], at['n_abandon_answer_breached']
    handle = (at['n_handle'], at['sum_talk'], at['sum_wrap'])
    csat = (at['n_csat'], at['sum_csat'], at['n_csat_satisfied'])

    def values(row) -> list:
        out = [row[i] for i in volume]
        sla = []
        for n_i, sum_i, sum2_i, stats, met_i, breach_i, answer in clocks:
            n = row[n_i]
            (med, d1), (p90, d2), (med2, d3), (p902, d4) = ((row[i], den) for i, den in stats)
            if n:
                out += [None if med is None else med / d1, round((row[sum_i] or 0) / n, 3),
                        None if p90 is None else p90 / d2,
                        None if med2 is None else med2 / d3, round((row[sum2_i] or 0) / n, 3),
                        None if p902 is None else p902 / d4]
            else:
                out += [None] * 6
            met = row[met_i]
            breached = n - met + row[breach_i] + (row[n_abandon_breached] if answer else 0)
            sla += [met, breached, round(met / (met + breached), 4) if met + breached else None]
        out += sla
        met_answer = row[clocks[0][4]]
        offered = row[clocks[0][0]] + row[n_abandon]
        out += [offered, met_answer, round(met_answer / offered, 4) if offered else None]
        out += _handle(row[handle[0]], row[handle[1]] or 0, row[handle[2]] or 0)
        n = row[csat[0]]
        out += [n, _div(row[csat[1]] or 0, n, 2), _div(row[csat[2]], n, 4)]
        return out
    return values


def _handle(handled, talk, wrap) -> list:
    """handled, talk_mean_s, wrapup_mean_s, aht_s."""
    if not handled:
        return [handled, None, None, None]
    return [handled, round(talk / handled, 3), round(wrap / handled, 3), round((talk + wrap) / handled, 3)]


def _agent_plan(keys: list[str]):
    at = {name: i for i, name in enumerate(keys)}
    handle = (at['n_handle'], at['sum_talk'], at['sum_wrap'])
    presence = [at[f'presence_{state}'] for state in PRESENCE_STATES]
    available = PRESENCE_STATES.index('available')

    def values(row) -> list:
        talk, wrap = row[handle[1]] or 0, row[handle[2]] or 0
        states = [row[i] or 0 for i in presence]
        handling = talk + wrap
        return [*_handle(row[handle[0]], talk, wrap), handling, *states,
                round(handling / states[available], 4) if states[available] else None]
    return values


class _Names:
    """Ids to what a report shows: client slug, agent e-mail, site and queue names, disposition code."""

    def __init__(self, language: str):
        self.language = language
        self.cache: dict[str, dict] = {}

    def of(self, name: str, value):
        if value is None or name in ('language', 'channel', 'product'):
            return value
        table = self.cache.get(name)
        if table is None:
            table = self.cache[name] = self._load(name)
        return table.get(value, value)

    def _load(self, name: str) -> dict:
        if name == 'client':
            return dict(db.session.execute(sa.select(Client.id, Client.slug)).all())
        if name == 'agent':
            return dict(db.session.execute(sa.select(Agent.id, Agent.email)).all())
        if name == 'site':
            return dict(db.session.execute(sa.select(Site.id, Site.name)).all())
        if name == 'disposition':
            return dict(db.session.execute(sa.select(Disposition.id, Disposition.code)).all())
        if name == 'queue':
            return {q.id: q.display_name() for q in db.session.scalars(sa.select(Queue))}
        return {}


def _without_jit() -> None:
    """PostgreSQL's JIT compiles a statement this size for seconds (17 s of 21 for a month of 100k
    tickets) to save milliseconds: off for the rest of this transaction; and the sort of a month's
    stopped clocks (tens of MB) done in memory rather than in temporary files (bench/reports.py)."""
    if is_postgresql(db.session):
        db.session.execute(sa.text("SET LOCAL jit = off"))
        db.session.execute(sa.text("SET LOCAL work_mem = '64MB'"))


def _run(p: ReportParams, statement, measures: list[Column], plan) -> ReportResult:
    columns = ([group_column('interval_start')] if p.interval else []) + [group_column(g) for g in p.group] \
        + measures
    names = _Names(p.language)

    def rows():
        _without_jit()
        result = db.session.connection().execute(statement.execution_options(yield_per=5000))  # Core: no ORM rows
        values, labels = plan(AGGREGATE_NAMES), {}
        plain = all(g in ('language', 'channel', 'product') for g in p.group)
        for head, aggregates in _pivot(result, p):
            out = []
            if p.interval:
                bucket, head = head[0], head[1:]
                label = labels.get(bucket)
                if label is None:
                    label = labels[bucket] = buckets.label(bucket, p.interval, p.zone)
                out.append(label)
            out += head if plain else [names.of(g, v) for g, v in zip(p.group, head)]
            out += values(aggregates)
            yield tuple(out)
    return ReportResult(columns, rows())


def tickets_report(p: ReportParams) -> ReportResult:
    """Volume, speed, SLA, service level and handle figures of tickets, per group (see docs/reports.md)."""
    if p.refresh:
        facts.refresh()
    if is_postgresql(db.session):  # one scan of the facts: the percentiles are of the clock kinds' arrays
        statement = _statement(p, [], [_stored(p)])
    else:
        statement = _statement(p, [_stored(p, facts.CLOCK_KINDS, exclude=True)], [_stored(p, facts.CLOCK_KINDS)])
    return _run(p, statement, TICKET_MEASURES, _ticket_plan)


def intervals_report(p: ReportParams) -> ReportResult:
    """The tickets report per interval (30 minutes unless another is given): the staffing view."""
    if p.interval is None:
        p = ReportParams(**{**p.__dict__, 'interval': Interval.m30})
    return tickets_report(p)


def agents_report(p: ReportParams) -> ReportResult:
    """Per agent: handled, talk, wrap-up, AHT, handling time, time in each presence state, occupancy."""
    if 'agent' not in p.group:
        p = ReportParams(**{**p.__dict__, 'group': ('agent', *p.group)})
    if p.refresh:
        facts.refresh()
    statement = _statement(p, [_stored(p, ('handle',))] + _presence_facts(p), keep_unclient=True)
    return _run(p, statement, AGENT_MEASURES, _agent_plan)

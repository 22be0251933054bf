"""Full-text search: which tickets (and customers) match a query, how well, and where (docs/search.md).

A ticket matches when its subject, one of its messages, its customer or one of its text custom
fields (support/tickets/fields.py) matches the whole query. Its rank is the best of those: ``ts_rank`` on PostgreSQL, ``bm25`` on SQLite (a
subject counts double, the customer one and a half). The statement per backend differs; what
it answers (ids, ranks, the order) and everything built on it is shared.
"""
import functools
import hashlib
import itertools
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY, TSVECTOR, aggregate_order_by, distinct_on

from ..core.db import BIGINT_MAX, is_postgresql
from ..core.errors import ValidationFailed
from ..core.extensions import db
from ..core.i18n import _, _l
from . import search_text
from .models import Customer, Message, MessageKind, Ticket
from .search_text import LANGUAGES, Query, QueryError, Term, highlight, stem

QUERY_ERRORS = {
    'empty': _l('The search has no words to look for.'),
    'only_excluded': _l('Give at least one word to find, not only words to leave out.'),
    'too_many': _l('At most {count} words or phrases in a search.'),
}
WEIGHTS = {'subject': 2.0, 'message': 1.0, 'customer': 1.5, 'field': 1.5}
CUSTOMER_FIELDS = ('name', 'email', 'phone', 'handle')
Score = sa.Float(53)


def parse_query(text: str, field: str = 'q') -> Query:
    """The query, or a 422 on ``field`` that says why there is nothing to look for."""
    try:
        return search_text.parse(text)
    except QueryError as error:
        message = QUERY_ERRORS[error.reason]
        raise ValidationFailed(fields={field: [str(message).format(count=search_text.MAX_TERMS)]})


# PostgreSQL ---------------------------------------------------------------------------------

def _light(name: str, *columns: str):
    """The table as the search sees it, with the generated column the models do not map."""
    return sa.table(name, *(sa.column(c) for c in columns), sa.column('search_vector', TSVECTOR))


def _param(index: int, configs: tuple[str, ...]) -> str:
    return f"search_{'name' if configs == ('simple',) else 'text'}_{index}"


def _pg_term(term: Term, configs: tuple[str, ...], key: str):
    if term.prefix:
        return sa.cast(sa.bindparam(key, type_=sa.String), TSQUERY)
    value = sa.func.public.support_unaccent(sa.bindparam(key, type_=sa.String))
    calls = [sa.func.phraseto_tsquery(sa.literal_column(f"'pg_catalog.{config}'::regconfig"), value)
             for config in configs]
    return _combine(calls, '||')


def _pg_value(term: Term, configs: tuple[str, ...]) -> str:
    """What ``_pg_term``'s parameter holds: the text of a word or phrase, or a prefix's lexemes."""
    if not term.prefix:
        return term.text
    forms = [term.words[0]] + ([stem(term.words[0], lang) for lang in LANGUAGES] if configs != ('simple',) else [])
    return ' | '.join(f"'{form}':*" for form in dict.fromkeys(forms))


def _combine(parts, operator: str):
    combined = parts[0]
    for part in parts[1:]:
        combined = combined.op(operator, return_type=TSQUERY)(part)
    return combined


def _shape(query: Query) -> tuple:
    """What the statement of a query depends on (its words are parameters): groups, prefixes, exclusions."""
    return (tuple(tuple(term.prefix for term in group) for group in query.groups),
            tuple(term.prefix for term in query.excluded))


def _terms(query: Query) -> list[Term]:
    return query.positive_terms() + list(query.excluded)


def query_values(query: Query) -> dict:
    """The parameters of the statements built for ``query``'s shape (``pg_tsquery``, ``fts_match``)."""
    if is_postgresql(db.session):
        return {_param(i, configs): _pg_value(term, configs) for configs in (TEXT_CONFIGS, NAME_CONFIGS)
                for i, term in enumerate(_terms(query))}
    return {'search_text_match': fts_match(query), 'search_name_match': fts_match(query, stemmed=False)}


TEXT_CONFIGS, NAME_CONFIGS = ('spanish', 'english'), ('simple',)


def pg_tsquery(query: Query, configs: tuple[str, ...] = TEXT_CONFIGS):
    """The query as a ``tsquery``: each word by its Spanish or its English stem (``simple``: as written).

    Its words are parameters (``query_values``): the expression depends only on ``_shape(query)``."""
    return _pg_tsquery(_shape(query), configs)


@functools.lru_cache(maxsize=512)
def _pg_tsquery(shape: tuple, configs: tuple[str, ...]):
    groups_shape, excluded_shape = shape
    index = itertools.count()
    groups = [_combine([_pg_term(Term('', (), prefix), configs, _param(next(index), configs)) for prefix in group],
                       '||') for group in groups_shape]
    combined = _combine(groups, '&&')
    for prefix in excluded_shape:  # tsquery_not is the function behind the !! operator
        term = _pg_term(Term('', (), prefix), configs, _param(next(index), configs))
        combined = combined.op('&&', return_type=TSQUERY)(sa.func.tsquery_not(term))
    return combined


@functools.lru_cache(maxsize=512)
def _pg_hits(shape: tuple):
    text_query, name_query = _pg_tsquery(shape, TEXT_CONFIGS), _pg_tsquery(shape, NAME_CONFIGS)
    tickets, messages = _light('tickets', 'id', 'customer_id'), _light('messages', 'ticket_id')
    customers, owners = _light('customers', 'id'), sa.table('tickets', sa.column('id'), sa.column('customer_id'))
    values = _light('ticket_field_values', 'ticket_id')

    def score(vector, tsquery, weight):
        return (sa.cast(sa.func.ts_rank(vector, tsquery), Score) * weight).label('score')
    return sa.union_all(
        sa.select(tickets.c.id.label('ticket_id'), score(tickets.c.search_vector, text_query, WEIGHTS['subject']))
        .where(tickets.c.search_vector.op('@@')(text_query)),
        sa.select(messages.c.ticket_id, score(messages.c.search_vector, text_query, WEIGHTS['message']))
        .where(messages.c.search_vector.op('@@')(text_query)),
        sa.select(owners.c.id, score(customers.c.search_vector, name_query, WEIGHTS['customer']))
        .select_from(customers.join(owners, owners.c.customer_id == customers.c.id))
        .where(customers.c.search_vector.op('@@')(name_query)),
        sa.select(values.c.ticket_id, score(values.c.search_vector, text_query, WEIGHTS['field']))
        .where(values.c.search_vector.op('@@')(text_query)))


# SQLite (FTS5) ------------------------------------------------------------------------------

def _phrase(words) -> str:
    return '"' + ' '.join(words) + '"'


def _fts_term(term: Term, stemmed: bool) -> str:
    if term.prefix:
        forms = [term.words[0]] + ([stem(term.words[0], lang) for lang in LANGUAGES] if stemmed else [])
        return '(' + ' OR '.join(f'"{form}"*' for form in dict.fromkeys(forms)) + ')'
    if not stemmed:
        return _phrase(term.words)
    phrases = dict.fromkeys(_phrase([stem(word, lang) for word in term.words]) for lang in LANGUAGES)
    return '(' + ' OR '.join(phrases) + ')'


def fts_match(query: Query, stemmed: bool = True) -> str:
    """The query in FTS5's syntax, over the stems ``search_text.document_terms`` stored."""
    groups = ['(' + ' OR '.join(_fts_term(term, stemmed) for term in group) + ')' for group in query.groups]
    text = ' AND '.join(groups)
    for term in query.excluded:
        text = f'({text}) NOT {_fts_term(term, stemmed)}'
    return text


def _fts(name: str):
    return sa.table(name, sa.column('rowid'), sa.column('terms'))


def fts_condition(name: str, match):
    """``name MATCH match`` (a string, or a bound parameter of the statement templates)."""
    match = match if isinstance(match, sa.BindParameter) else sa.literal(match)
    return sa.literal_column(name).op('MATCH')(match)


def _fts_score(name: str, weight: float):
    return (-sa.func.bm25(sa.literal_column(name)) * weight).label('score')


@functools.cache
def _sqlite_hits():
    text_match, name_match = sa.bindparam('search_text_match'), sa.bindparam('search_name_match')
    subjects, bodies, names = _fts('search_tickets'), _fts('search_messages'), _fts('search_customers')
    values, value_rows = _fts('search_field_values'), sa.table('ticket_field_values', sa.column('id'),
                                                               sa.column('ticket_id'))
    return sa.union_all(
        sa.select(subjects.c.rowid.label('ticket_id'), _fts_score('search_tickets', WEIGHTS['subject']))
        .where(fts_condition('search_tickets', text_match)),
        sa.select(Message.ticket_id, _fts_score('search_messages', WEIGHTS['message']))
        .select_from(bodies.join(Message.__table__, Message.id == bodies.c.rowid))
        .where(fts_condition('search_messages', text_match)),
        sa.select(Ticket.id, _fts_score('search_customers', WEIGHTS['customer']))
        .select_from(names.join(Ticket.__table__, Ticket.customer_id == names.c.rowid))
        .where(fts_condition('search_customers', name_match)),
        sa.select(value_rows.c.ticket_id, _fts_score('search_field_values', WEIGHTS['field']))
        .select_from(values.join(value_rows, value_rows.c.id == values.c.rowid))
        .where(fts_condition('search_field_values', text_match)))


# Shared --------------------------------------------------------------------------------------

_SERIAL_PLANS = sa.text("SELECT set_config('max_parallel_workers_per_gather', '0', true), "
                        "set_config('plan_cache_mode', 'force_custom_plan', true)")


def serial_plans() -> None:
    """PostgreSQL: no parallel workers and a plan made for these words, for the rest of this transaction
    (``set_config(..., true)``, as ``SET LOCAL``).

    The planner gives a search's ``UNION ALL`` of bitmap scans two workers; starting them costs more
    than a selective search itself (a serial number: 42 ms with workers, 0.1 ms without, on 2 busy
    cores), and with 8 requests at once there are no idle cores for them anyway. The driver prepares
    a statement run five times on a connection, and after five more PostgreSQL plans it once for any
    words: that generic plan took twice as long (a topic word 12.5 ms against 6.4, a common word 303
    against 208), so each search is planned for its own words (docs/search.md).
    """
    if is_postgresql(db.session):
        db.session.execute(_SERIAL_PLANS)


def _hits(query: Query):
    return _pg_hits(_shape(query)) if is_postgresql(db.session) else _sqlite_hits()


def ranked_tickets(query: Query):
    """``(ticket_id, rank)`` of every ticket that matches, as a subquery to join; its parameters are
    ``query_values(query)`` (pass them to ``execute``)."""
    return _ranked(_hits(query))


@functools.lru_cache(maxsize=512)
def _ranked(hits):
    hits = hits.subquery('hits')
    return (sa.select(hits.c.ticket_id, sa.cast(sa.func.max(hits.c.score), Score).label('rank'))
            .group_by(hits.c.ticket_id).subquery('ranked'))


def matching_ticket_ids(query: Query):
    """The ids of the tickets that match (for ``Ticket.id.in_(...)``), its parameters bound."""
    return sa.select(_hits(query).subquery('hits').c.ticket_id).params(query_values(query))


def matching_customer_ids(query: Query):
    """The ids of the customers whose name, e-mail, phone or handle match, its parameters bound."""
    if is_postgresql(db.session):
        customers = _light('customers', 'id')
        statement = sa.select(customers.c.id).where(customers.c.search_vector.op('@@')(
            pg_tsquery(query, NAME_CONFIGS)))
    else:
        names = _fts('search_customers')
        statement = sa.select(names.c.rowid).where(fts_condition('search_customers', sa.bindparam('search_name_match')))
    return statement.params(query_values(query))


def _among(column):
    """``column`` is one of the ids in the parameter ``page_ids``: ``= ANY(array)`` on PostgreSQL (one
    parameter, one statement text whatever the count), an expanding ``IN`` on SQLite."""
    if is_postgresql(db.session):
        return column == sa.any_(sa.bindparam('page_ids', type_=ARRAY(sa.BigInteger)))
    return column.in_(sa.bindparam('page_ids', expanding=True))


def best_messages(query: Query, ticket_ids: list[int]) -> dict[int, sa.Row]:
    """The best-matching message of each of these tickets: ``{ticket_id: row(id, body, language, kind)}``."""
    if not ticket_ids:
        return {}
    statement = _best_messages(_shape(query)) if is_postgresql(db.session) else _best_messages_sqlite()
    rows = db.session.execute(statement, {**query_values(query), 'page_ids': list(ticket_ids)})
    best = {}
    for row in rows:
        best.setdefault(row.ticket_id, row)
    return best


@functools.lru_cache(maxsize=512)
def _best_messages(shape: tuple):
    """PostgreSQL: one row per ticket (``DISTINCT ON``), its best message by rank, then the newest."""
    vector = sa.column('search_vector', TSVECTOR)
    tsquery = _pg_tsquery(shape, TEXT_CONFIGS)
    score = sa.func.ts_rank(vector, tsquery)
    return (sa.select(Message.id, Message.ticket_id, Message.body, Message.language, Message.kind)
            .ext(distinct_on(Message.ticket_id))
            .where(_among(Message.ticket_id), vector.op('@@')(tsquery))
            .order_by(Message.ticket_id, score.desc(), Message.id.desc()))


@functools.cache
def _best_messages_sqlite():
    bodies = _fts('search_messages')
    scored = (sa.select(Message.id, _fts_score('search_messages', 1.0))
              .select_from(bodies.join(Message.__table__, Message.id == bodies.c.rowid))
              .where(fts_condition('search_messages', sa.bindparam('search_text_match')),
                     _among(Message.ticket_id))).subquery('scored')
    return (sa.select(Message.id, Message.ticket_id, Message.body, Message.language, Message.kind, scored.c.score)
            .join(scored, scored.c.id == Message.id).order_by(scored.c.score.desc(), Message.id.desc()))


class PageMessage(NamedTuple):
    id: int
    body: str
    language: str | None
    kind: MessageKind


@functools.lru_cache(maxsize=512)
def _best_message_lateral(shape: tuple):
    """PostgreSQL: the best message of the page's ticket by rank, then the newest (``LEFT JOIN LATERAL``,
    run for the page's rows only, by ``ix_messages_ticket``)."""
    vector = sa.literal_column('messages.search_vector', TSVECTOR)
    tsquery = _pg_tsquery(shape, TEXT_CONFIGS)
    return (sa.select(Message.id, Message.body, Message.language, Message.kind)
            .where(Message.ticket_id == Ticket.id, vector.op('@@')(tsquery))
            .order_by(sa.func.ts_rank(vector, tsquery).desc(), Message.id.desc()).limit(1).lateral('best'))


@functools.cache
def _field_texts_column():
    """PostgreSQL: the page's ticket's text custom fields as a JSON array of ``[name, text]`` (or NULL)."""
    from .fields import TicketField, TicketFieldValue
    pair = sa.func.json_build_array(TicketField.name, TicketFieldValue.search_text)
    return (sa.select(sa.func.json_agg(aggregate_order_by(pair, TicketField.position, TicketField.name)))
            .select_from(TicketFieldValue).join(TicketField, TicketField.id == TicketFieldValue.field_id)
            .where(TicketFieldValue.ticket_id == Ticket.id, TicketFieldValue.search_text.is_not(None))
            .scalar_subquery().label('field_texts'))


def field_texts(ticket_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """The text custom field values of these tickets: ``{ticket_id: [(field name, text), ...]}``."""
    if not ticket_ids:
        return {}
    found: dict[int, list] = {}
    for ticket_id, name, text in db.session.execute(_field_texts(is_postgresql(db.session)), {'page_ids': list(ticket_ids)}):
        found.setdefault(ticket_id, []).append((name, text))
    return found


@functools.lru_cache(maxsize=2)
def _field_texts(_postgresql: bool):
    from .fields import TicketField, TicketFieldValue
    return (sa.select(TicketFieldValue.ticket_id, TicketField.name, TicketFieldValue.search_text)
            .join(TicketField, TicketField.id == TicketFieldValue.field_id)
            .where(_among(TicketFieldValue.ticket_id), TicketFieldValue.search_text.is_not(None))
            .order_by(TicketField.position, TicketField.name))


def ticket_matches(query: Query, row, message, texts=()) -> list[dict]:
    """Where a ticket matched: snippets of its subject, best message, customer and text custom fields."""
    found = []
    subject = highlight(row.subject, query, row.language)
    if subject:
        found.append({'field': 'subject', 'message_id': None, 'message_kind': None, **subject})
    if message is not None:
        body = highlight(message.body, query, message.language)
        if body:
            found.append({'field': 'message', 'message_id': message.id, 'message_kind': message.kind.value, **body})
    for name in CUSTOMER_FIELDS:
        value = getattr(row, f'customer_{name}', None)
        snippet = highlight(value, query, stemmed=False) if value else None
        if snippet:
            found.append({'field': f'customer_{name}', 'message_id': None, 'message_kind': None, **snippet})
    for name, text in texts:
        snippet = highlight(text, query)
        if snippet:
            found.append({'field': 'field', 'field_name': name, 'message_id': None, 'message_kind': None, **snippet})
    return found


# Cursor: (rank, id) of the last row, signed, bound to the query -----------------------------

def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt='support.search.cursor')


def _query_tag(query: Query) -> str:
    return hashlib.sha256(query.fingerprint.encode()).hexdigest()[:16]


def encode_cursor(rank: float, last_id: int, query: Query) -> str:
    return _serializer().dumps([float(rank), last_id, _query_tag(query)])


def decode_cursor(cursor: str, query: Query) -> tuple[float, int]:
    """The position a cursor names; a forged, altered or foreign (another query's) cursor is a 422."""
    try:
        rank, last_id, tag = _serializer().loads(cursor)
        if (not isinstance(rank, (int, float)) or isinstance(rank, bool) or not isinstance(last_id, int)
                or not 0 < last_id <= BIGINT_MAX or tag != _query_tag(query)):
            raise ValueError
        return float(rank), last_id
    except (BadData, ValueError, TypeError):
        raise ValidationFailed(fields={'cursor': [_('Not a valid cursor for this search.')]})


def after(rank_column, position: tuple[float, int]):
    """Rows after the cursor in (rank descending, id descending) order: keyset, no OFFSET."""
    rank, last_id = position
    return sa.or_(rank_column < rank, sa.and_(rank_column == rank, Ticket.id < last_id))


__all__ = ['Customer', 'parse_query', 'ranked_tickets', 'matching_ticket_ids', 'matching_customer_ids']


def search_page(agent, args: dict) -> tuple[list[dict], str | None]:
    """One page of the tickets ``agent`` may see that match ``args['q']``, best first, with the list's filters."""
    from . import listing
    from .queries import apply_filters, visible_to
    from ..core.clock import utcnow
    query = parse_query(args['q'])
    serial_plans()
    ranked = ranked_tickets(query)
    # The page's ids first (filters, scope, order, limit over ids and ranks only), then what they show:
    # the joins of a list item run for 50 rows, not for every match.
    ids = sa.select(Ticket.id, ranked.c.rank).join(ranked, ranked.c.ticket_id == Ticket.id)
    ids = apply_filters(visible_to(agent, ids), agent, {k: v for k, v in args.items() if k != 'q'})
    if args.get('cursor'):
        ids = ids.where(after(ranked.c.rank, decode_cursor(args['cursor'], query)))
    limit = args['limit']
    chosen = ids.order_by(ranked.c.rank.desc(), Ticket.id.desc()).limit(limit + 1).subquery('chosen')
    statement = listing.page_query().add_columns(chosen.c.rank).join(chosen, chosen.c.id == Ticket.id)
    postgresql = is_postgresql(db.session)
    if postgresql:  # the best message and the text fields of each item in the same statement
        best = _best_message_lateral(_shape(query))
        statement = statement.outerjoin(best, sa.true()).add_columns(
            *(column.label(f'best_{column.key}') for column in best.c), _field_texts_column())
    rows = db.session.execute(statement.order_by(chosen.c.rank.desc(), Ticket.id.desc()), query_values(query)).all()
    page = rows[:limit]
    next_cursor = encode_cursor(page[-1].rank, page[-1].id, query) if len(rows) > limit else None
    if postgresql:
        messages = {row.id: PageMessage(row.best_id, row.best_body, row.best_language, row.best_kind)
                    for row in page if row.best_id is not None}
        texts = {row.id: [tuple(pair) for pair in row.field_texts] for row in page if row.field_texts}
    else:
        messages = best_messages(query, [row.id for row in page])
        texts = field_texts([row.id for row in page])
    labels, now = listing.labels(), utcnow()
    return [{'ticket': listing.list_item(row, labels, now), 'rank': row.rank,
             'matches': ticket_matches(query, row, messages.get(row.id), texts.get(row.id, ()))}
            for row in page], next_cursor

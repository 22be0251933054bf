"""Full-text search: which tickets (and customers) match a query, how well, and where (docs/search.md).

A ticket matches when its subject, one of its messages, its customer or one of its text custom
fields (support/tickets/fields.py) matches the whole query. Its rank is the best of those: ``ts_rank`` on PostgreSQL, ``bm25`` on SQLite (a
subject counts double, the customer one and a half). The statement per backend differs; what
it answers (ids, ranks, the order) and everything built on it is shared.
"""
import hashlib

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR

from ..core.db import BIGINT_MAX
from ..core.errors import ValidationFailed
from ..core.extensions import db
from ..core.i18n import _, _l
from . import search_text
from .models import Customer, Message, Ticket
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


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == 'postgresql'


# PostgreSQL ---------------------------------------------------------------------------------

def _light(name: str, *columns: str):
    """The table as the search sees it, with the generated column the models do not map."""
    return sa.table(name, *(sa.column(c) for c in columns), sa.column('search_vector', TSVECTOR))


def _pg_term(term: Term, configs: tuple[str, ...]):
    if term.prefix:
        forms = [term.words[0]] + ([stem(term.words[0], lang) for lang in LANGUAGES] if configs != ('simple',)
                                   else [])
        lexemes = ' | '.join(f"'{form}':*" for form in dict.fromkeys(forms))
        return sa.cast(sa.literal(lexemes), TSQUERY)
    calls = [sa.func.phraseto_tsquery(sa.literal_column(f"'pg_catalog.{config}'::regconfig"),
                                      sa.func.public.support_unaccent(sa.literal(term.text)))
             for config in configs]
    return _combine(calls, '||')


def _combine(parts, operator: str):
    combined = parts[0]
    for part in parts[1:]:
        combined = combined.op(operator, return_type=TSQUERY)(part)
    return combined


def pg_tsquery(query: Query, configs: tuple[str, ...] = ('spanish', 'english')):
    """The query as a ``tsquery``: each word by its Spanish or its English stem (``simple``: as written)."""
    groups = [_combine([_pg_term(term, configs) for term in group], '||') for group in query.groups]
    combined = _combine(groups, '&&')
    for term in query.excluded:  # tsquery_not is the function behind the !! operator
        combined = combined.op('&&', return_type=TSQUERY)(sa.func.tsquery_not(_pg_term(term, configs)))
    return combined


def _pg_hits(query: Query):
    text_query, name_query = pg_tsquery(query), pg_tsquery(query, ('simple',))
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


def fts_condition(name: str, match: str):
    return sa.literal_column(name).op('MATCH')(sa.literal(match))


def _fts_score(name: str, weight: float):
    return (-sa.func.bm25(sa.literal_column(name)) * weight).label('score')


def _sqlite_hits(query: Query):
    text_match, name_match = fts_match(query), fts_match(query, stemmed=False)
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

def ranked_tickets(query: Query):
    """``(ticket_id, rank)`` of every ticket that matches, as a subquery to join."""
    hits = (_pg_hits(query) if _postgresql() else _sqlite_hits(query)).subquery('hits')
    return (sa.select(hits.c.ticket_id, sa.cast(sa.func.max(hits.c.score), Score).label('rank'))
            .group_by(hits.c.ticket_id).subquery('ranked'))


def matching_ticket_ids(query: Query):
    """The ids of the tickets that match (for ``Ticket.id.in_(...)``)."""
    hits = (_pg_hits(query) if _postgresql() else _sqlite_hits(query)).subquery('hits')
    return sa.select(hits.c.ticket_id)


def matching_customer_ids(query: Query):
    """The ids of the customers whose name, e-mail, phone or handle match."""
    if _postgresql():
        customers = _light('customers', 'id')
        return sa.select(customers.c.id).where(customers.c.search_vector.op('@@')(
            pg_tsquery(query, ('simple',))))
    names = _fts('search_customers')
    return sa.select(names.c.rowid).where(fts_condition('search_customers', fts_match(query, stemmed=False)))


def best_messages(query: Query, ticket_ids: list[int]) -> dict[int, sa.Row]:
    """The best-matching message of each of these tickets: ``{ticket_id: row(id, body, language, kind)}``."""
    if not ticket_ids:
        return {}
    if _postgresql():
        messages = _light('messages', 'id', 'ticket_id')
        tsquery = pg_tsquery(query)
        scored = (sa.select(messages.c.id, sa.cast(sa.func.ts_rank(messages.c.search_vector, tsquery), Score)
                            .label('score'))
                  .where(messages.c.ticket_id.in_(ticket_ids), messages.c.search_vector.op('@@')(tsquery)))
    else:
        bodies = _fts('search_messages')
        scored = (sa.select(Message.id, _fts_score('search_messages', 1.0))
                  .select_from(bodies.join(Message.__table__, Message.id == bodies.c.rowid))
                  .where(fts_condition('search_messages', fts_match(query)), Message.ticket_id.in_(ticket_ids)))
    scored = scored.subquery('scored')
    rows = db.session.execute(
        sa.select(Message.id, Message.ticket_id, Message.body, Message.language, Message.kind, scored.c.score)
        .join(scored, scored.c.id == Message.id).order_by(scored.c.score.desc(), Message.id.desc()))
    best = {}
    for row in rows:
        best.setdefault(row.ticket_id, row)
    return best


def field_texts(ticket_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """The text custom field values of these tickets: ``{ticket_id: [(field name, text), ...]}``."""
    if not ticket_ids:
        return {}
    from .fields import TicketField, TicketFieldValue
    rows = db.session.execute(
        sa.select(TicketFieldValue.ticket_id, TicketField.name, TicketFieldValue.search_text)
        .join(TicketField, TicketField.id == TicketFieldValue.field_id)
        .where(TicketFieldValue.ticket_id.in_(ticket_ids), TicketFieldValue.search_text.is_not(None))
        .order_by(TicketField.position, TicketField.name))
    found: dict[int, list] = {}
    for ticket_id, name, text in rows:
        found.setdefault(ticket_id, []).append((name, text))
    return found


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
    rows = db.session.execute(statement.order_by(chosen.c.rank.desc(), Ticket.id.desc())).all()
    page = rows[:limit]
    next_cursor = encode_cursor(page[-1].rank, page[-1].id, query) if len(rows) > limit else None
    messages = best_messages(query, [row.id for row in page])
    texts = field_texts([row.id for row in page])
    labels, now = listing.labels(), utcnow()
    return [{'ticket': listing.list_item(row, labels, now), 'rank': row.rank,
             'matches': ticket_matches(query, row, messages.get(row.id), texts.get(row.id, ()))}
            for row in page], next_cursor

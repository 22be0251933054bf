from datetime import timezone

from flask_babel import get_locale, get_timezone, to_user_timezone
from marshmallow import fields, pre_load, validate, validates_schema, ValidationError

from ..core.clock import utcnow
from ..core.i18n import _, _l
from ..core.extensions import db
from ..core.schemas import Id, Schema, Text, choice
from .dispositions import Disposition
from .models import LANGUAGES, Channel, LanguageSource, Message, MessageKind, Priority, TicketEvent
from .states import Status

TAG = Text(max_length=40, min_length=1)
# The ``fields`` object of a ticket (support/tickets/fields.py, docs/fields.md): its keys are the names of
# the client's custom fields (GET /clients/{slug}/fields), its values typed by each field's type.
FIELD_VALUE_DOC = {'oneOf': [{'type': 'string', 'nullable': True}, {'type': 'number'}, {'type': 'boolean'}]}
FIELDS_DESCRIPTION = (
    "the client's custom fields (GET /api/v1/clients/{slug}/fields), `{name: value}`: text a string, "
    'number a number, select the value of one of its options, date `YYYY-MM-DD`, checkbox a boolean')


class _AtMost(validate.Validator):
    """At most ``count`` entries in a mapping (documented as ``maxProperties``, not a string's ``maxLength``)."""

    def __init__(self, count: int):
        self.count = count

    def __call__(self, value):
        if len(value) > self.count:
            raise ValidationError(_('At most {count} entries.').format(count=self.count))
        return value


def field_values(description: str = '', **kwargs) -> fields.Dict:
    """The ``fields`` object of a request: ``{name: value}`` (null clears a value), checked against the
    ticket's client's fields by ``tickets.fields.check_values``."""
    return fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=40)),
                       values=fields.Raw(allow_none=True, metadata=FIELD_VALUE_DOC),
                       validate=_AtMost(100), data_key='fields', metadata={
                           'maxProperties': 100,
                           'description': description or FIELDS_DESCRIPTION + '; null clears a value'}, **kwargs)


def _fields_document(ticket) -> dict:
    from . import fields as ticket_fields
    return ticket_fields.document(ticket)
SEARCH_MAX_LENGTH = 500


class CustomerSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    handle = fields.String(allow_none=True)
    preferred_language = fields.String(allow_none=True)


class AgentRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()


def sla_state(ticket) -> str | None:
    """``breached`` (a running clock is past due), ``at_risk`` (past its warning point), ``active``,
    ``paused`` (every running clock stands still) or None (no running clock). Kept by support/sla."""
    now = utcnow()
    if ticket.sla_due_at is not None:
        if ticket.sla_due_at <= now:
            return 'breached'
        return 'at_risk' if ticket.sla_warn_at is not None and ticket.sla_warn_at <= now else 'active'
    running = [c for c in getattr(ticket, 'sla_clocks', None) or [] if c.stopped_at is None]
    return 'paused' if any(c.paused_at is not None for c in running) else None


SLA_STATES = ['breached', 'at_risk', 'active', 'paused']


def _local(value):
    return to_user_timezone(value).isoformat() if value is not None else None


class SlaPolicyRefSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)


class SlaClockSchema(Schema):
    """One SLA clock of the ticket (support/sla, docs/sla.md); times in UTC and in the viewer's zone."""

    id = fields.Integer(dump_only=True)
    metric = fields.String(attribute='metric.value', dump_only=True,
                           metadata={'enum': ['first_response', 'next_response', 'resolution', 'answer']})
    metric_label = fields.Function(lambda c: str(c.metric_label), dump_only=True)
    sequence = fields.Integer(dump_only=True)
    policy = fields.Nested(SlaPolicyRefSchema, dump_only=True, allow_none=True)
    target_seconds = fields.Integer(dump_only=True)
    status = fields.String(attribute='status.value', dump_only=True,
                           metadata={'enum': ['active', 'paused', 'met', 'breached', 'cancelled']})
    status_label = fields.Function(lambda c: str(c.status_label), dump_only=True)
    started_at = fields.DateTime(dump_only=True)
    due_at = fields.DateTime(dump_only=True, allow_none=True,
                             metadata={'description': 'null while paused, or never (no opening hours)'})
    due_at_local = fields.Function(lambda c: _local(c.due_at), dump_only=True, allow_none=True,
                                   metadata={'format': 'date-time', 'description': "in the viewer's zone"})
    warn_at = fields.DateTime(dump_only=True, allow_none=True)
    paused_at = fields.DateTime(dump_only=True, allow_none=True)
    warned_at = fields.DateTime(dump_only=True, allow_none=True)
    breached_at = fields.DateTime(dump_only=True, allow_none=True)
    stopped_at = fields.DateTime(dump_only=True, allow_none=True)
    business_seconds_used = fields.Integer(dump_only=True)


class TicketSlaSchema(Schema):
    state = fields.String(dump_only=True, allow_none=True, metadata={'enum': SLA_STATES})
    next_due_at = fields.DateTime(dump_only=True, allow_none=True)
    next_due_at_local = fields.String(dump_only=True, allow_none=True, metadata={'format': 'date-time'})
    timezone = fields.String(dump_only=True, metadata={'description': "the viewer's zone"})
    clocks = fields.List(fields.Nested(SlaClockSchema), dump_only=True)


def _sla_block(ticket) -> dict:
    return {'state': sla_state(ticket), 'next_due_at': ticket.sla_due_at,
            'next_due_at_local': _local(ticket.sla_due_at), 'timezone': str(get_timezone() or 'UTC'),
            'clocks': list(getattr(ticket, 'sla_clocks', None) or [])}


class TicketSchema(Schema):
    id = fields.Integer(dump_only=True)
    number = fields.Integer(dump_only=True)
    client = fields.Function(lambda t: t.client.slug, dump_only=True, metadata={'description': 'slug'})
    client_name = fields.Function(lambda t: t.client.name, dump_only=True, metadata={'type': 'string'})
    channel = fields.String(dump_only=True, attribute='channel.value')
    language = fields.String(dump_only=True)
    language_source = fields.String(dump_only=True, attribute='language_source.value',
                                    metadata={'enum': [s.value for s in LanguageSource]})
    priority = fields.String(dump_only=True, attribute='priority.value')
    status = fields.String(dump_only=True, attribute='status.value')
    status_label = fields.Function(lambda t: str(t.status.label), dump_only=True)
    subject = fields.String(dump_only=True)
    product = fields.String(dump_only=True, allow_none=True)
    tags = fields.List(fields.String(), dump_only=True)
    external_id = fields.String(dump_only=True, allow_none=True)
    customer = fields.Nested(CustomerSchema, dump_only=True)
    assignee = fields.Nested(AgentRefSchema, dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    resolved_at = fields.DateTime(dump_only=True, allow_none=True)
    closed_at = fields.DateTime(dump_only=True, allow_none=True)
    sla_due_at = fields.DateTime(dump_only=True, allow_none=True,
                                 metadata={'description': 'the earliest due time of the running SLA clocks'})
    sla_warn_at = fields.DateTime(dump_only=True, allow_none=True,
                                  metadata={'description': 'the earliest warning point of the running SLA clocks'})
    sla_state = fields.Function(sla_state, dump_only=True, allow_none=True, metadata={'enum': SLA_STATES})


class MessageSchema(Schema):
    id = fields.Integer(dump_only=True)
    kind = fields.String(attribute='kind.value', dump_only=True)
    body = fields.String(dump_only=True)
    language = fields.String(dump_only=True, allow_none=True)
    author = fields.Method('_author', dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    delivery_status = fields.String(dump_only=True, allow_none=True,
                                    metadata={'enum': ['pending', 'sent', 'failed'],
                                              'description': 'outbound only: reached the customer channel?'})
    attachments = fields.Function(lambda m: [
        {'id': a.id, 'filename': a.filename, 'content_type': a.content_type, 'size': a.size,
         'url': f'/api/v1/channels/attachments/{a.id}'} for a in getattr(m, 'attachments', None) or []],
        dump_only=True, metadata={'description': 'files that came with an inbound message (channels)'})

    def _author(self, message):
        if message.author_agent is not None:
            return {'type': 'agent', 'id': message.author_agent.id, 'name': message.author_agent.name}
        if message.author_customer_id is None:  # an automatic message (acknowledgement)
            return {'type': 'system', 'id': None, 'name': None}
        return {'type': 'customer', 'id': message.author_customer_id, 'name': message.ticket.customer.name}


class EventSchema(Schema):
    id = fields.Integer(dump_only=True)
    kind = fields.String(dump_only=True)
    actor = fields.Function(lambda e: {'type': e.actor_type, 'id': e.actor_id, 'name': e.actor_name},
                            dump_only=True)
    before = fields.Dict(dump_only=True, allow_none=True)
    after = fields.Dict(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class DispositionRefSchema(Schema):
    id = fields.Integer(dump_only=True)
    code = fields.String(dump_only=True)
    label = fields.String(dump_only=True, metadata={'description': "in the reader's language"})
    parent_code = fields.String(dump_only=True, allow_none=True)


def _disposition(ticket):
    row = db.session.get(Disposition, ticket.disposition_id) if ticket.disposition_id else None
    if row is None:
        return None
    parent = db.session.get(Disposition, row.parent_id) if row.parent_id else None
    language = str(get_locale() or 'en')
    label = row.label(language) if parent is None else f'{parent.label(language)} › {row.label(language)}'
    return {'id': row.id, 'code': row.code, 'label': label, 'parent_code': parent.code if parent else None}


# Blocks that domains on top add to a ticket's detail without tickets importing them:
# name -> fn(ticket) -> JSON-ready dict or None (support/csat registers "csat").
DETAIL_BLOCKS: dict = {}


def _block(name: str, ticket):
    fn = DETAIL_BLOCKS.get(name)
    return fn(ticket) if fn is not None else None


class TicketDetailSchema(TicketSchema):
    disposition = fields.Function(lambda t: DispositionRefSchema().dump(_disposition(t)) if t.disposition_id else None,
                                  dump_only=True, allow_none=True,
                                  metadata={'description': 'the disposition code the agent chose'})
    abandoned_at = fields.DateTime(dump_only=True, allow_none=True, metadata={
        'description': 'a real-time contact whose customer left before any agent accepted it'})
    messages = fields.List(fields.Nested(MessageSchema), dump_only=True)
    events = fields.List(fields.Nested(EventSchema), dump_only=True)
    sla = fields.Function(lambda t: TicketSlaSchema().dump(_sla_block(t)), dump_only=True,
                          metadata={'description': 'the SLA clocks of the ticket (docs/sla.md)'})
    custom_fields = fields.Function(_fields_document, dump_only=True, data_key='fields', metadata={
        'type': 'object', 'additionalProperties': FIELD_VALUE_DOC,
        'description': FIELDS_DESCRIPTION + '; every active field (null: no value yet)'})

    csat = fields.Function(lambda t: _block('csat', t), dump_only=True, allow_none=True, metadata={
        'type': 'object', 'description': 'the satisfaction survey and the answer, as `GET /api/v1/tickets/{id}/csat` '
                                         '(docs/csat.md); null when nobody was asked'})


class TicketCreatedSchema(TicketSchema):
    """A ticket the intake opened: the list's shape and its custom fields."""

    custom_fields = fields.Function(_fields_document, dump_only=True, data_key='fields', metadata={
        'type': 'object', 'additionalProperties': FIELD_VALUE_DOC,
        'description': FIELDS_DESCRIPTION + '; every active field (null: no value yet)'})


class TicketSummaryCustomerSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True, allow_none=True)


class TicketSummarySchema(Schema):
    """``payloads.ticket_summary``: the ticket in routing answers and live events (timestamps as ISO strings)."""
    id = fields.Integer(dump_only=True)
    number = fields.Integer(dump_only=True)
    client = fields.String(dump_only=True, allow_none=True, metadata={'description': 'slug'})
    client_name = fields.String(dump_only=True, allow_none=True)
    channel = choice(Channel, dump_only=True)
    language = fields.String(dump_only=True)
    priority = choice(Priority, dump_only=True)
    status = choice(Status, dump_only=True)
    subject = fields.String(dump_only=True)
    product = fields.String(dump_only=True, allow_none=True)
    customer = fields.Nested(TicketSummaryCustomerSchema, dump_only=True, allow_none=True)
    assignee_id = fields.Integer(dump_only=True, allow_none=True)
    created_at = fields.String(dump_only=True, metadata={'format': 'date-time'})
    updated_at = fields.String(dump_only=True, metadata={'format': 'date-time'})
    sla_due_at = fields.String(dump_only=True, allow_none=True, metadata={'format': 'date-time'})
    sla_warn_at = fields.String(dump_only=True, allow_none=True, metadata={'format': 'date-time'})
    disposition_id = fields.Integer(dump_only=True, allow_none=True)
    abandoned_at = fields.String(dump_only=True, allow_none=True, metadata={'format': 'date-time'})


class TicketPageSchema(Schema):
    """A page of the list (items built by ``listing.list_item`` in this shape)."""
    items = fields.List(fields.Nested(TicketSchema), required=True)
    next_cursor = fields.String(allow_none=True, metadata={
        'description': 'pass as `cursor` (with the same filters and sort) for the next page; null on the last'})


class TicketListArgs(Schema):
    status = fields.List(choice(Status))
    client = fields.String(validate=validate.Length(max=64))
    channel = fields.List(choice(Channel))
    language = choice(LANGUAGES)
    priority = fields.List(choice(Priority))
    assignee = fields.String(validate=validate.Regexp(r'^(me|none|\d{1,9})$'),
                             metadata={'description': 'an agent id, "me" or "none"'})
    product = Text(max_length=120, metadata={'description': 'the product line, exactly'})
    tag = fields.List(TAG, validate=validate.Length(max=5), metadata={
        'description': 'tickets carrying this tag (repeat for tickets carrying every one given)'})
    created_after = fields.AwareDateTime(default_timezone=timezone.utc, metadata={
        'description': 'created at or after this time (UTC when no offset is given)'})
    created_before = fields.AwareDateTime(default_timezone=timezone.utc, metadata={
        'description': 'created before this time (UTC when no offset is given)'})
    q = Text(max_length=SEARCH_MAX_LENGTH, metadata={'description': (
        'full-text search of the subject, messages and customer (docs/search.md): accents and case ignored, '
        'words stemmed in English and Spanish, "a phrase", -left_out, this OR that, prefix*')})
    sla = fields.List(choice(['breached', 'at_risk', 'active']), metadata={
        'description': 'breached: a running clock is past due; at_risk: past its warning point, not due yet; '
                       'active: any clock running'})
    sort = choice(['-created', 'due'], load_default='-created', metadata={
        'description': '-created: newest first; due: the next SLA due time first (tickets with none last)'})
    cursor = fields.String(validate=validate.Length(max=200))
    limit = fields.Integer(load_default=50, validate=validate.OneOf(range(1, 201), error=_l(
        'Must be between 1 and 200.')), metadata={'minimum': 1, 'maximum': 200})
    field_filters = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=40)), values=Text(max_length=500),
        validate=_AtMost(5), data_key='field', metadata={'maxProperties': 5,
            'description': 'custom fields: `field.<name>=<value>` (e.g. `field.account_number=A-1042`, '
                           '`field.plan=fiber`, `field.callback=true`), up to 5; tickets holding every one given'})

    @pre_load
    def _field_filters(self, data, **kwargs):
        """``field.<name>=<value>`` parameters gathered into ``field`` ``{name: value}``."""
        names = [key for key in data if isinstance(key, str) and key.startswith(FIELD_PREFIX)]
        if not names:
            return data
        plain = {key: data[key] for key in data if key not in names}
        plain['field'] = {key[len(FIELD_PREFIX):]: data[key] for key in names}
        return plain


FIELD_PREFIX = 'field.'


class SearchArgs(TicketListArgs):
    """The list's filters, and a required query; the order is the rank (best first)."""

    class Meta(Schema.Meta):
        exclude = ('sort',)

    q = Text(required=True, min_length=1, max_length=SEARCH_MAX_LENGTH, metadata={'description': (
        'words (each found by its English or Spanish stem, accents and case ignored), "a phrase", '
        '-left_out, this OR that, prefix*; at most 16 words or phrases')})
    cursor = fields.String(validate=validate.Length(max=300), metadata={
        'description': 'next_cursor of the previous page (signed; only valid for the same q)'})


HIGHLIGHT = fields.List(fields.Integer(), validate=validate.Length(equal=2))


class SearchMatchSchema(Schema):
    field = fields.String(metadata={'enum': ['subject', 'message', 'customer_name', 'customer_email',
                                             'customer_phone', 'customer_handle', 'field']})
    field_name = fields.String(metadata={'description': 'field "field" only: the name of the custom field'})
    message_id = fields.Integer(allow_none=True)
    message_kind = fields.String(allow_none=True, metadata={'enum': [k.value for k in MessageKind]})
    text = fields.String(metadata={'description': 'plain text (not HTML), cut with "…" around the matches'})
    highlights = fields.List(HIGHLIGHT, metadata={
        'description': '[start, end) character offsets in text of each matching word'})


class SearchHitSchema(Schema):
    ticket = fields.Nested(TicketSchema)
    rank = fields.Float(metadata={'description': 'higher is better; compare only within one search'})
    matches = fields.List(fields.Nested(SearchMatchSchema))


class SearchPageSchema(Schema):
    items = fields.List(fields.Nested(SearchHitSchema), required=True)
    next_cursor = fields.String(allow_none=True, metadata={
        'description': 'pass as `cursor` (with the same q and filters) for the next page; null on the last'})


def _page_limit():
    return fields.Integer(load_default=50, validate=validate.OneOf(range(1, 201), error=_l(
        'Must be between 1 and 200.')), metadata={'minimum': 1, 'maximum': 200})


class MessageListArgs(Schema):
    after = Id(Message.id, metadata={'description': 'the `next_cursor` of the previous page'})
    limit = _page_limit()


class EventListArgs(Schema):
    after = Id(TicketEvent.id, metadata={'description': 'the `next_cursor` of the previous page'})
    limit = _page_limit()


class MessagePageSchema(Schema):
    items = fields.List(fields.Nested(MessageSchema), required=True)
    next_cursor = fields.Integer(allow_none=True, metadata={'description': 'pass as `after` for the next page'})


class EventPageSchema(Schema):
    items = fields.List(fields.Nested(EventSchema), required=True)
    next_cursor = fields.Integer(allow_none=True, metadata={'description': 'pass as `after` for the next page'})


class TagArgs(Schema):
    client = fields.String(required=True, validate=validate.Length(min=1, max=64))
    prefix = Text(load_default='', max_length=40)


class TagSuggestionSchema(Schema):
    tag = fields.String()
    count = fields.Integer(metadata={'description': "how many of the client's latest 1,000 tickets carry it "
                                                    "(0: in the client's catalogue, on none of them)"})


class TicketUpdateSchema(Schema):
    status = choice(Status)
    priority = choice(Priority)
    tags = fields.List(TAG, validate=validate.Length(max=30))
    product = Text(max_length=120)
    disposition_id = Id(allow_none=True, metadata={
        'description': "a disposition code of the ticket's client (GET /clients/{slug}/dispositions); null clears it"})
    custom_fields = field_values()

    @validates_schema
    def _not_empty(self, data, **kwargs):
        if not data:
            raise ValidationError(_l('Send at least one of status, priority, tags, product, disposition_id or '
                                     'fields.'))


class MessageCreateSchema(Schema):
    kind = fields.String(load_default='reply', validate=validate.OneOf(['reply', 'note']))
    body = Text(required=True, min_length=1, max_length=20000, multiline=True)
    status = choice([Status.open, Status.pending, Status.resolved])
    disposition_id = Id(metadata={'description': 'set this disposition code too (before the status moves)'})


__all__ = ['MessageKind']

from marshmallow import fields, validate

from ..core.schemas import Id, Schema, Text
from ..tickets.models import Customer
from ..tickets.schemas import AgentRefSchema, SEARCH_MAX_LENGTH

LIMIT = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200), metadata={'minimum': 1,
                                                                                          'maximum': 200})


class IdentitySchema(Schema):
    kind = fields.String(dump_only=True, metadata={'enum': ['email', 'phone', 'handle', 'chat']})
    value = fields.String(dump_only=True)


class CustomerRecordSchema(Schema):
    id = fields.Integer(dump_only=True)
    client = fields.Function(lambda c: c.client_slug, dump_only=True, metadata={'description': 'slug'})
    client_name = fields.Function(lambda c: c.client_name, dump_only=True, metadata={'type': 'string'})
    name = fields.String(dump_only=True, allow_none=True)
    email = fields.String(dump_only=True, allow_none=True)
    phone = fields.String(dump_only=True, allow_none=True)
    handle = fields.String(dump_only=True, allow_none=True)
    preferred_language = fields.String(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class CustomerDetailSchema(CustomerRecordSchema):
    identities = fields.List(fields.Nested(IdentitySchema), dump_only=True)
    tickets = fields.Function(lambda c: c.ticket_count, dump_only=True,
                              metadata={'type': 'integer', 'description': 'how many tickets the customer has'})


class CustomerListArgs(Schema):
    q = Text(max_length=SEARCH_MAX_LENGTH, metadata={
        'description': 'name (full text, the last word as a prefix), e-mail, phone (any format) or handle'})
    client = fields.String(validate=validate.Length(max=64))
    cursor = fields.String(validate=validate.Length(max=300))
    limit = LIMIT


class CustomerPageSchema(Schema):
    items = fields.List(fields.Nested(CustomerRecordSchema), required=True)
    next_cursor = fields.String(allow_none=True)


class TimelineArgs(Schema):
    cursor = fields.String(validate=validate.Length(max=300))
    limit = LIMIT


class TimelineTicketSchema(Schema):
    id = fields.Integer()
    number = fields.Integer()
    client = fields.Function(lambda t: t.client.slug, metadata={'type': 'string', 'description': 'slug'})
    client_name = fields.Function(lambda t: t.client.name, metadata={'type': 'string'})
    subject = fields.String()
    status = fields.String(attribute='status.value')
    channel = fields.String(attribute='channel.value')
    language = fields.String()
    created_at = fields.DateTime()


class TimelineMessageSchema(Schema):
    id = fields.Integer()
    kind = fields.String(attribute='kind.value', metadata={'enum': ['inbound', 'outbound', 'note']})
    excerpt = fields.Function(lambda m: m.body if len(m.body) <= 300 else m.body[:299] + '…',
                              metadata={'type': 'string', 'description': 'the first 300 characters, plain text'})
    language = fields.String(allow_none=True)
    author = fields.Function(lambda m: {'type': 'agent', 'id': m.author_agent_id} if m.author_agent_id else (
        {'type': 'customer', 'id': m.author_customer_id} if m.author_customer_id else {'type': 'system', 'id': None}),
        metadata={'type': 'object'})


class TimelineCallSchema(Schema):
    id = fields.Integer()
    status = fields.String(attribute='status.value')
    from_number = fields.String()
    agent_name = fields.String(allow_none=True)
    duration_seconds = fields.Integer(allow_none=True)
    disposition = fields.String(allow_none=True)
    ended_at = fields.DateTime(allow_none=True)


class TimelineCheckoutSchema(Schema):
    id = fields.Integer()
    asset_tag = fields.Function(lambda c: c.unit.asset_tag, metadata={'type': 'string'})
    model = fields.Function(lambda c: c.unit.model.title, metadata={'type': 'string'})
    agent = fields.Nested(AgentRefSchema)
    due_at = fields.DateTime()
    returned_at = fields.DateTime(allow_none=True)


class TimelineCsatSchema(Schema):
    id = fields.Integer()
    rating = fields.Integer(metadata={'minimum': 1, 'maximum': 5})
    comment = fields.String(allow_none=True)
    via = fields.String(attribute='via.value', metadata={'enum': ['link', 'reply']})
    agent_id = fields.Integer(allow_none=True, metadata={'description': 'the agent who held the ticket'})


class TimelineEntrySchema(Schema):
    kind = fields.String(metadata={'enum': ['ticket', 'message', 'call', 'lab_checkout', 'csat']})
    id = fields.Integer(metadata={'description': 'the id of the ticket, message, call, checkout or CSAT answer'})
    at = fields.DateTime()
    ticket = fields.Nested(TimelineTicketSchema, metadata={'description': 'the ticket the entry belongs to'})
    message = fields.Nested(TimelineMessageSchema, allow_none=True)
    call = fields.Nested(TimelineCallSchema, allow_none=True)
    lab_checkout = fields.Nested(TimelineCheckoutSchema, allow_none=True)
    csat = fields.Nested(TimelineCsatSchema, allow_none=True, metadata={'description': "the customer's rating"})


class TimelinePageSchema(Schema):
    items = fields.List(fields.Nested(TimelineEntrySchema), required=True)
    next_cursor = fields.String(allow_none=True)


class MergeSchema(Schema):
    customer_id = Id(Customer.id, required=True, metadata={
        'description': 'the customer to merge into this one (deleted once everything moved)'})


class MergeResultSchema(Schema):
    customer = fields.Nested(CustomerDetailSchema)
    merged_customer_id = fields.Integer()
    tickets = fields.List(fields.Integer(), metadata={'description': 'the tickets that moved'})
    moved = fields.Dict(keys=fields.String(), values=fields.Integer(),
                        metadata={'description': 'rows that now point at the kept customer, by table.column'})


class ReasonSchema(Schema):
    kind = fields.String(metadata={'enum': ['email', 'phone']})
    value = fields.String()


class DuplicateSchema(Schema):
    customer = fields.Nested(CustomerRecordSchema)
    reasons = fields.List(fields.Nested(ReasonSchema))

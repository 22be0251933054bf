from marshmallow import ValidationError, fields, validate, validates_schema

from ..core.i18n import _l
from ..core.schemas import Id, Schema, Text, choice
from ..routing.models import Queue
from ..tickets.models import LANGUAGES, Priority, Ticket
from ..tickets.schemas import TAG, MessageSchema, TicketSummarySchema
from ..tickets.states import Status
from . import rendering
from .models import MacroKind

SLUG = fields.String(validate=validate.Length(min=1, max=64), allow_none=True,
                     metadata={'description': "the client's slug; null: a macro for every client"})
STATUSES = [Status.open, Status.pending, Status.resolved]


def _check_template(text: str) -> None:
    problems = rendering.trial(text)
    if problems:
        raise ValidationError(problems)


TEMPLATE = {'max_length': rendering.MAX_TEMPLATE, 'multiline': True, 'validate': [_check_template],
            'metadata': {'description': 'a template: {{ customer.name }}, {% if ... %}, filters (docs/macros.md)'}}


class MacroActionsSchema(Schema):
    """What applying the macro changes besides writing its text; every action is optional."""

    status = choice(STATUSES, allow_none=True)
    priority = choice(Priority, allow_none=True)
    add_tags = fields.List(TAG, validate=validate.Length(max=30))
    remove_tags = fields.List(TAG, validate=validate.Length(max=30))
    queue_id = Id(Queue.id, allow_none=True, metadata={'description': 'transfer the ticket to this queue'})
    # Last in the class body: from here on ``fields`` names this attribute, not marshmallow's module.
    fields = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=40)),
                         values=fields.Raw(allow_none=True), allow_none=True, validate=validate.Length(max=50),
                         metadata={'description': "custom field values {name: value} of the macro's client "
                                                  '(docs/fields.md); null clears one'})

    @validates_schema(skip_on_field_errors=True)
    def _tags_apart(self, data, **kwargs):
        both = {t.lower() for t in data.get('add_tags') or []} & {t.lower() for t in data.get('remove_tags') or []}
        if both:
            raise ValidationError(_l('A tag cannot be both added and removed: {tags}.').format(
                tags=', '.join(sorted(both))), 'remove_tags')


class MacroActionsOutSchema(MacroActionsSchema):
    queue = fields.String(dump_only=True, allow_none=True, metadata={'description': "the queue's name"})


class MacroSchema(Schema):
    id = fields.Integer(dump_only=True)
    client = fields.Function(lambda m: m.client.slug if m.client else None, dump_only=True,
                             metadata={'description': 'client slug; null: every client'})
    client_name = fields.Function(lambda m: m.client.name if m.client else None, dump_only=True)
    title = fields.String(dump_only=True)
    body_en = fields.String(dump_only=True)
    body_es = fields.String(dump_only=True)
    kind = choice(MacroKind, dump_only=True)
    actions = fields.Nested(MacroActionsOutSchema, dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


def _words(data) -> bool:
    return bool((data.get('body_en') or '').strip() or (data.get('body_es') or '').strip())


def _acts(actions) -> bool:
    return any(actions.get(name) for name in ('status', 'priority', 'add_tags', 'remove_tags', 'queue_id', 'fields'))


class MacroCreateSchema(Schema):
    client = SLUG
    title = Text(required=True, min_length=1, max_length=120)
    body_en = Text(load_default='', **TEMPLATE)
    body_es = Text(load_default='', **TEMPLATE)
    kind = choice(MacroKind, load_default='reply', metadata={'description': 'reply: to the customer; note: internal'})
    actions = fields.Nested(MacroActionsSchema, load_default=dict)

    @validates_schema(skip_on_field_errors=True)
    def _something(self, data, **kwargs):
        if not _words(data) and not _acts(data.get('actions') or {}):
            raise ValidationError(_l('Give a text in English or Spanish, or at least one action.'))


class MacroUpdateSchema(Schema):
    client = SLUG
    title = Text(min_length=1, max_length=120)
    body_en = Text(**TEMPLATE)
    body_es = Text(**TEMPLATE)
    kind = choice(MacroKind)
    actions = fields.Nested(MacroActionsSchema)

    @validates_schema
    def _not_empty(self, data, **kwargs):
        if not data:
            raise ValidationError(_l('Send at least one of client, title, body_en, body_es, kind or actions.'))


class MacroListArgs(Schema):
    client = fields.String(validate=validate.Length(min=1, max=64),
                           metadata={'description': "this client's macros and those for every client"})
    q = Text(max_length=120, metadata={'description': 'part of the title'})


class MacroDraftSchema(Schema):
    """A macro text not saved yet, filled in for a ticket (or made-up data) to preview it."""

    body_en = Text(load_default='', **TEMPLATE)
    body_es = Text(load_default='', **TEMPLATE)
    ticket_id = Id(Ticket.id, metadata={'description': 'fill in from this ticket'})
    client = SLUG


class MacroDraftPreviewSchema(Schema):
    body_en = fields.String(dump_only=True)
    body_es = fields.String(dump_only=True)


class MacroPreviewSchema(Schema):
    macro_id = fields.Integer(dump_only=True)
    ticket_id = fields.Integer(dump_only=True)
    language = choice(LANGUAGES, dump_only=True, metadata={'description': 'the language of the text used'})
    kind = choice(MacroKind, dump_only=True)
    body = fields.String(dump_only=True)
    actions = fields.Nested(MacroActionsOutSchema, dump_only=True)


class MacroApplySchema(Schema):
    body = Text(max_length=rendering.MAX_RENDERED, multiline=True, metadata={
        'description': "the text to send as it is (the agent's edit of the preview); omitted: the macro's "
                       'text filled in'})
    kind = choice(['reply', 'note'], metadata={'description': "overrides the macro's kind"})


class MacroFilesFormSchema(Schema):
    body = Text(required=True, min_length=1, max_length=rendering.MAX_RENDERED, multiline=True, metadata={
        'description': "the reply to send as it is (the agent's edit of the preview); the files go with it"})


class MacroAppliedSchema(Schema):
    message = fields.Nested(MessageSchema, dump_only=True, allow_none=True)
    ticket = fields.Nested(TicketSummarySchema, dump_only=True)
    changes = fields.Dict(dump_only=True, metadata={'description': '{field: [before, after]} of the actions'})

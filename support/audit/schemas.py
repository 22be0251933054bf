from marshmallow import fields, validate

from ..core.schemas import RANGE, Id, Schema, Text, choice
from .models import AuditEntry

ACTOR_TYPES = ('agent', 'client', 'system', 'anonymous')


class AuditEntrySchema(Schema):
    id = fields.Integer()
    created_at = fields.DateTime()
    actor = fields.Function(lambda e: {'type': e.actor_type, 'id': e.actor_id, 'name': e.actor_name})
    action = fields.String()
    target_type = fields.String(allow_none=True)
    target_id = fields.String(allow_none=True)
    client = fields.Function(lambda e: getattr(e, 'client_slug', None), allow_none=True,
                             metadata={'description': 'slug of the client the entry belongs to'})
    ip = fields.String(allow_none=True)
    detail = fields.Dict(allow_none=True)


class AuditPageSchema(Schema):
    items = fields.List(fields.Nested(AuditEntrySchema))
    next_cursor = fields.Integer(allow_none=True, metadata={'description': 'pass as `before` for the next page'})


class AuditListArgs(Schema):
    action = fields.String(validate=validate.Length(min=1, max=81), metadata={
        'description': 'an action (`client.key_created`), or a prefix ending in `*` (`login.*`)'})
    actor_type = choice(ACTOR_TYPES)
    actor_id = Id()
    target_type = Text(max_length=40)
    target_id = Text(max_length=120)
    client = fields.String(validate=validate.Length(max=64), metadata={'description': 'client slug'})
    since = fields.AwareDateTime()
    until = fields.AwareDateTime()
    before = Id(AuditEntry.id, metadata={'description': 'the `next_cursor` of the previous page'})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500, error=RANGE))


class AuditExportArgs(AuditListArgs):
    limit = fields.Integer(load_default=10000, validate=validate.Range(min=1, max=100000, error=RANGE),
                           metadata={'description': 'at most this many entries, newest first'})

from marshmallow import ValidationError, fields, validate, validates_schema

from ..core.i18n import _l
from ..core.schemas import Id, Schema, Text, choice, email
from ..tickets.models import LANGUAGES, Ticket
from ..tickets.schemas import field_values
from .models import CallStatus, Provider

EXTERNAL_ID = Text(required=True, min_length=1, max_length=128)
_PHONE_FORMAT = validate.Regexp(r'^\+?(?=(?:\D*\d){3})[0-9 ().-]{4,31}$', error=_l(
    'Not a valid phone number.'))
PHONE = fields.String(validate=_PHONE_FORMAT)
SECRET = Text(min_length=8, max_length=255)
ACCOUNT_SID = fields.String(validate=validate.Regexp(r'^AC[0-9a-fA-F]{32}$', error=_l(
    'A Twilio account SID looks like AC followed by 32 hexadecimal digits.')), allow_none=True)


class ChannelConfigCreateSchema(Schema):
    provider = choice(Provider, required=True)
    name = Text(max_length=120)
    secret = Text(required=True, min_length=8, max_length=255, metadata={
        'description': 'Mailgun HTTP webhook signing key, Meta app secret or Twilio auth token'})
    addresses = fields.List(fields.String(validate=validate.Length(max=254)), required=True,
                            validate=validate.Length(min=1, max=50), metadata={
                                'description': 'recipient email addresses, page/account ids or E.164 numbers'})
    verify_token = Text(min_length=8, max_length=255, metadata={
        'description': 'Meta hub.verify_token; generated when left out'})
    account_sid = ACCOUNT_SID
    public_url = fields.Url(schemes={'http', 'https'}, validate=validate.Length(max=500), allow_none=True)

    @validates_schema(skip_on_field_errors=True)
    def _fits_provider(self, data, **kwargs):
        provider = Provider(data['provider'])
        if 'verify_token' in data and provider != Provider.meta:
            raise ValidationError(_l('Only Meta uses a verify token.'), 'verify_token')
        for name in ('account_sid', 'public_url'):
            if data.get(name) and provider != Provider.twilio:
                raise ValidationError(_l('Only Twilio uses this field.'), name)


class ChannelConfigUpdateSchema(Schema):
    name = Text(max_length=120, allow_none=True)
    secret = SECRET
    addresses = fields.List(fields.String(validate=validate.Length(max=254)),
                            validate=validate.Length(min=1, max=50))
    verify_token = Text(min_length=8, max_length=255)
    account_sid = ACCOUNT_SID
    public_url = fields.Url(schemes={'http', 'https'}, validate=validate.Length(max=500), allow_none=True)
    active = fields.Boolean()

    @validates_schema
    def _not_empty(self, data, **kwargs):
        if not data:
            raise ValidationError(_l('Send at least one field to change.'))


WEBHOOK_PATHS = {Provider.mailgun: '/api/v1/channels/mailgun', Provider.meta: '/api/v1/channels/meta',
                 Provider.twilio: '/api/v1/channels/twilio'}


class ChannelConfigSchema(Schema):
    id = fields.Integer()
    provider = fields.String(attribute='provider.value')
    name = fields.String(allow_none=True)
    addresses = fields.Function(lambda c: [a.value for a in c.addresses])
    has_secret = fields.Function(lambda c: bool(c.secret), metadata={'description': 'the secret is never shown'})
    has_verify_token = fields.Function(lambda c: bool(c.verify_token_hash))
    account_sid = fields.String(allow_none=True)
    public_url = fields.String(allow_none=True)
    webhook_path = fields.Function(lambda c: WEBHOOK_PATHS[c.provider])
    active = fields.Boolean()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ChannelConfigCreatedSchema(ChannelConfigSchema):
    verify_token = fields.String(allow_none=True, metadata={'description': 'Meta only; shown in this response only'})


class VisitorSchema(Schema):
    id = Text(required=True, min_length=1, max_length=100)
    name = Text(max_length=200)
    email = email()
    phone = PHONE


class ChatMessageSchema(Schema):
    conversation_id = EXTERNAL_ID
    message_id = EXTERNAL_ID
    visitor = fields.Nested(VisitorSchema, required=True)
    text = Text(required=True, min_length=1, max_length=20000, multiline=True)
    language = choice(LANGUAGES)
    subject = Text(max_length=300)
    custom_fields = field_values(description=(
        "the client's custom fields for the ticket a new conversation opens (a pre-chat form: "
        "docs/fields.md); ignored on later messages"))


class ChatLeftSchema(Schema):
    conversation_id = EXTERNAL_ID
    left_at = fields.AwareDateTime(default_timezone=None, metadata={
        'description': 'when the visitor left (default: now); a naive time is refused'})


class ChatLeftResultSchema(Schema):
    ticket = fields.Integer(allow_none=True, metadata={'description': "the conversation's ticket (null: none)"})
    abandoned = fields.Boolean(metadata={'description': 'the ticket is abandoned (no agent had accepted it)'})
    abandoned_at = fields.DateTime(allow_none=True)


class AgentRefInSchema(Schema):
    id = Id()
    email = email()
    name = Text(max_length=120)


class PhoneEventSchema(Schema):
    call_id = EXTERNAL_ID
    event = choice(CallStatus, required=True)
    from_ = fields.String(required=True, data_key='from', validate=_PHONE_FORMAT)
    to = PHONE
    caller_name = Text(max_length=200)
    occurred_at = fields.AwareDateTime(default_timezone=None)
    agent = fields.Nested(AgentRefInSchema)
    duration_seconds = fields.Integer(validate=validate.Range(min=0, max=7 * 24 * 3600))
    disposition = Text(max_length=64)
    recording_url = fields.Url(schemes={'http', 'https'}, validate=validate.Length(max=1000))
    notes = Text(max_length=10000, multiline=True)
    language = choice(LANGUAGES)
    custom_fields = field_values(description=(
        "the client's custom fields for the ticket a new call opens (what the IVR collected: docs/fields.md); "
        'ignored on later events of the call'))


class InboundReceiptSchema(Schema):
    status = fields.String(metadata={'enum': ['accepted', 'duplicate']})
    ticket = fields.Integer(allow_none=True)
    message_id = fields.Integer(allow_none=True)


class CallLogSchema(Schema):
    id = fields.Integer()
    call_id = fields.String()
    ticket = fields.Integer(attribute='ticket_id')
    message_id = fields.Integer(allow_none=True)
    status = fields.String(attribute='status.value')
    from_number = fields.String(data_key='from')
    to_number = fields.String(data_key='to', allow_none=True)
    agent = fields.Function(lambda c: {'id': c.agent_id, 'name': c.agent_name} if (c.agent_id or c.agent_name)
                            else None)
    ringing_at = fields.DateTime(allow_none=True)
    answered_at = fields.DateTime(allow_none=True)
    ended_at = fields.DateTime(allow_none=True)
    duration_seconds = fields.Integer(allow_none=True)
    disposition = fields.String(allow_none=True)
    recording_url = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)


class CallListArgs(Schema):
    ticket = Id(Ticket.id, required=True)


class CallEventResultSchema(InboundReceiptSchema):
    call = fields.Nested(CallLogSchema, allow_none=True)

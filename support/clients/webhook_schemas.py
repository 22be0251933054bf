from marshmallow import fields, validate

from ..core.i18n import _l
from ..core.schemas import RANGE, Id, Schema, Text, choice
from .webhook_models import DeliveryStatus, SystemEvent, WebhookDelivery, WebhookEvent

MAX_GRACE_SECONDS = 7 * 24 * 3600

URL = fields.String(required=True, validate=[validate.Length(min=1, max=2000),
                                             validate.URL(schemes={'http', 'https'}, require_tld=False)])
EVENTS = fields.List(choice(WebhookEvent), required=True,
                     validate=validate.Length(min=1, max=len(WebhookEvent),
                                              error=_l('Choose at least one event.')))


class SubscriptionCreateSchema(Schema):
    url = URL
    events = EVENTS
    description = Text(max_length=200, allow_none=True)
    active = fields.Boolean(load_default=True)


class SubscriptionUpdateSchema(Schema):
    url = fields.String(validate=[validate.Length(min=1, max=2000),
                                  validate.URL(schemes={'http', 'https'}, require_tld=False)])
    events = fields.List(choice(WebhookEvent), validate=validate.Length(min=1, max=len(WebhookEvent),
                                                                        error=_l('Choose at least one event.')))
    description = Text(max_length=200, allow_none=True)
    active = fields.Boolean()


class SubscriptionSchema(Schema):
    id = fields.Integer()
    url = fields.String()
    events = fields.List(fields.String(), metadata={'items': {'enum': [e.value for e in WebhookEvent]}})
    description = fields.String(allow_none=True)
    active = fields.Boolean()
    api_version = fields.String(metadata={'description': 'the payload version this endpoint receives'})
    signed_with = fields.Function(lambda s: 'endpoint_secret' if s.secret else 'client_key', metadata={
        'enum': ['endpoint_secret', 'client_key'],
        'description': '`client_key`: created before endpoint secrets; rotate its secret to get one'})
    previous_secret_expires_at = fields.DateTime(allow_none=True, metadata={
        'description': 'until then deliveries carry a second signature with the previous secret'})
    failing_since = fields.DateTime(allow_none=True)
    disabled_at = fields.DateTime(allow_none=True)
    disabled_reason = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class SubscriptionCreatedSchema(SubscriptionSchema):
    secret = fields.String(attribute='shown_secret', metadata={
        'description': 'the signing secret of this endpoint; shown only in this response'})


class RotateSecretSchema(Schema):
    grace_seconds = fields.Integer(load_default=24 * 3600, validate=validate.Range(
        min=0, max=MAX_GRACE_SECONDS, error=RANGE), metadata={
        'description': 'how long the previous secret keeps signing too (0: stop at once)'})


class NewSecretSchema(Schema):
    secret = fields.String(metadata={'description': 'shown only in this response'})
    previous_secret_expires_at = fields.DateTime(allow_none=True)


class AttemptSchema(Schema):
    number = fields.Integer()
    started_at = fields.DateTime()
    duration_ms = fields.Integer()
    status_code = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)
    response_excerpt = fields.String(allow_none=True)


class DeliverySchema(Schema):
    id = fields.String(attribute='public_id')
    subscription_id = fields.Integer()
    event = fields.String()
    event_id = fields.String()
    status = fields.String(attribute='status.value', metadata={'enum': [s.value for s in DeliveryStatus]})
    attempts = fields.Integer()
    next_attempt_at = fields.DateTime(allow_none=True)
    last_status_code = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    redelivery_of = fields.Function(lambda d: d.redelivery_of.public_id if d.redelivery_of else None,
                                    allow_none=True)
    created_at = fields.DateTime()
    delivered_at = fields.DateTime(allow_none=True)


class DeliveryDetailSchema(DeliverySchema):
    payload = fields.Dict()
    attempt_log = fields.List(fields.Nested(AttemptSchema))


class DeliveryListArgs(Schema):
    status = choice(DeliveryStatus)
    event = choice([*WebhookEvent, *SystemEvent])
    subscription_id = Id()
    before = Id(WebhookDelivery.id, metadata={'description': 'the `cursor` of the previous page'})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200, error=RANGE))


class DeliveryPageSchema(Schema):
    items = fields.List(fields.Nested(DeliverySchema))
    next_cursor = fields.Integer(allow_none=True, metadata={'description': 'pass as `before` for the next page'})

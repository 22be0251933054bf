"""What the lab API reads and writes."""
from datetime import timedelta, timezone

from marshmallow import ValidationError, fields, validate, validates_schema

from ..core.i18n import _l
from ..core.schemas import Id, Schema, Text, choice
from ..tickets.models import Ticket
from .models import Category, Condition, HoldStatus, UnitStatus
from .operations import line_position

def asset_tag_field(**kwargs):
    return Text(min_length=1, max_length=64, validate=[validate.Regexp(
        r'^[A-Za-z0-9][A-Za-z0-9._/-]*$', error=_l('Letters, digits, dots, dashes, slashes and underscores only.'))],
        **kwargs)


MAX_RESERVATION = timedelta(days=14)


class EnumValue(fields.String):
    """An enum's value on the wire (validated on load, documented as an enum)."""

    def __init__(self, enum, **kwargs):
        values = [member.value for member in enum]
        super().__init__(validate=validate.OneOf(values), metadata={'enum': values, **kwargs.pop('metadata', {})},
                         **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return getattr(value, 'value', value)


def _slug(value):
    if not isinstance(value, str) or len(value) > 64:
        raise ValidationError(_l('Give a client slug.'))
    return value


def _when(**kwargs):
    """A date-time; one without an offset is taken as UTC."""
    return fields.AwareDateTime(default_timezone=timezone.utc, **kwargs)


def _limit():
    return fields.Integer(load_default=50, validate=validate.Range(min=1, max=200, error=_l(
        'Must be between 1 and 200.')), metadata={'minimum': 1, 'maximum': 200})


def _offset():
    return fields.Integer(load_default=0, validate=validate.Range(min=0, max=100000, error=_l(
        'Must be between 0 and 100000.')))


class RefSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class ModelSchema(Schema):
    id = fields.Integer(dump_only=True)
    maker = Text(required=True, min_length=1, max_length=120)
    name = Text(required=True, min_length=1, max_length=120)
    category = EnumValue(Category, load_default=Category.other.value)
    client = fields.Function(lambda m: m.client.slug if m.client else None, deserialize=_slug,
                             allow_none=True, metadata={'description': 'slug of the client this model stands for'})
    product_lines = fields.List(Text(min_length=1, max_length=60), load_default=list,
                                validate=validate.Length(max=30))
    photo_url = fields.Url(allow_none=True, validate=validate.Length(max=500), schemes={'http', 'https'})
    notes = Text(allow_none=True, max_length=2000, multiline=True)
    created_at = fields.DateTime(dump_only=True)


class ModelUpdateSchema(ModelSchema):
    maker = Text(min_length=1, max_length=120)
    name = Text(min_length=1, max_length=120)
    category = choice(Category)
    product_lines = fields.List(Text(min_length=1, max_length=60), validate=validate.Length(max=30))


class ModelRefSchema(Schema):
    id = fields.Integer()
    maker = fields.String()
    name = fields.String()
    category = EnumValue(Category)


class CheckoutBriefSchema(Schema):
    id = fields.Integer()
    agent = fields.Nested(RefSchema)
    ticket_id = fields.Integer(allow_none=True)
    checked_out_at = fields.DateTime()
    due_at = fields.DateTime()
    overdue = fields.Function(lambda c: c.due_at < _now())


class UnitSchema(Schema):
    id = fields.Integer(dump_only=True)
    asset_tag = asset_tag_field(required=True)
    serial = Text(allow_none=True, max_length=120)
    model_id = Id(required=True, load_only=True)
    site_id = Id(required=True)
    shelf = Text(allow_none=True, max_length=120)
    condition = EnumValue(Condition, load_default=Condition.good.value)
    status = EnumValue(UnitStatus, dump_only=True)
    status_label = fields.Function(lambda u: str(u.status.label), dump_only=True)
    notes = Text(allow_none=True, max_length=2000, multiline=True)
    model = fields.Nested(ModelRefSchema, dump_only=True)
    reserved_for = fields.Nested(RefSchema, dump_only=True, allow_none=True)
    reserved_until = fields.DateTime(dump_only=True, allow_none=True)
    updated_at = fields.DateTime(dump_only=True)


class UnitUpdateSchema(Schema):
    serial = Text(allow_none=True, max_length=120)
    model_id = Id()
    site_id = Id()
    shelf = Text(allow_none=True, max_length=120)
    condition = choice(Condition)
    status = choice([UnitStatus.available, UnitStatus.maintenance, UnitStatus.retired])
    notes = Text(allow_none=True, max_length=2000, multiline=True)

    @validates_schema
    def _not_empty(self, data, **kwargs):
        if not data:
            raise ValidationError(_l('Send at least one field to change.'))


class UnitDetailSchema(UnitSchema):
    current_checkout = fields.Nested(CheckoutBriefSchema, dump_only=True, allow_none=True)


class UnitSearchArgs(Schema):
    q = Text(max_length=120, metadata={'description': 'asset tag (exact match first), serial, model or product'})
    model = Text(max_length=120)
    model_id = Id()
    category = choice(Category)
    product = Text(max_length=60)
    client = Text(max_length=64, metadata={'description': 'client slug'})
    site_id = Id()
    status = fields.List(choice(UnitStatus))
    asset_tag = Text(max_length=64)
    serial = Text(max_length=120)
    limit = _limit()
    offset = _offset()


class CheckoutRequestSchema(Schema):
    ticket_id = Id(Ticket.id, allow_none=True)
    due_at = _when(allow_none=True, metadata={'description': 'default: now + SUPPORT_LAB_CHECKOUT_MINUTES'})
    notes = Text(allow_none=True, max_length=2000, multiline=True)


class CheckinRequestSchema(Schema):
    condition = choice(Condition, required=True)
    notes = Text(allow_none=True, max_length=2000, multiline=True)


class CheckoutSchema(Schema):
    id = fields.Integer()
    unit = fields.Nested(UnitSchema)
    agent = fields.Nested(RefSchema)
    ticket_id = fields.Integer(allow_none=True)
    checked_out_at = fields.DateTime()
    due_at = fields.DateTime()
    due_label = fields.Function(lambda c: _due_label(c), metadata={'description': "due time in the site's zone"})
    condition_out = fields.String(attribute='condition_out.value')
    notes_out = fields.String(allow_none=True)
    returned_at = fields.DateTime(allow_none=True)
    returned_by = fields.Nested(RefSchema, allow_none=True)
    condition_in = fields.Function(lambda c: c.condition_in.value if c.condition_in else None)
    notes_in = fields.String(allow_none=True)
    forced = fields.Boolean()
    overdue = fields.Function(lambda c: c.returned_at is None and c.due_at < _now())


def _now():
    from ..core.clock import utcnow
    return utcnow()


def _due_label(checkout) -> str:
    from ..core.i18n import _
    from .payloads import site_time
    return _('due at {time}').format(time=site_time(checkout.due_at, checkout.unit.site))


class CheckoutListArgs(Schema):
    unit_id = Id()
    agent_id = Id()
    ticket_id = Id(Ticket.id)
    open = fields.Boolean()
    limit = _limit()
    offset = _offset()


class OverdueArgs(Schema):
    site_id = Id()


class SuggestionArgs(Schema):
    ticket_id = Id(Ticket.id, required=True)


class SuggestionSchema(Schema):
    unit = fields.Nested(UnitSchema)
    free = fields.Boolean()
    matches_product = fields.Boolean()
    matches_client = fields.Boolean()


class HoldRequestSchema(Schema):
    model_id = Id(required=True)
    ticket_id = Id(Ticket.id, allow_none=True)


class HoldSchema(Schema):
    id = fields.Integer()
    model = fields.Nested(ModelRefSchema)
    site_id = fields.Integer()
    agent = fields.Nested(RefSchema)
    ticket_id = fields.Integer(allow_none=True)
    status = EnumValue(HoldStatus)
    position = fields.Function(line_position, allow_none=True, metadata={'description': 'place in line (1 = next)'})
    unit_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True)


class HoldListArgs(Schema):
    site_id = Id()
    model_id = Id()
    all = fields.Boolean(metadata={'description': 'include closed holds'})


class ReservationRequestSchema(Schema):
    unit_id = Id(required=True)
    starts_at = _when(required=True)
    ends_at = _when(required=True)
    purpose = Text(required=True, min_length=1, max_length=200)

    @validates_schema(skip_on_field_errors=True)
    def _window(self, data, **kwargs):
        if data['ends_at'] <= data['starts_at']:
            raise ValidationError(_l('Must be after starts_at.'), 'ends_at')
        if data['ends_at'] - data['starts_at'] > MAX_RESERVATION:
            raise ValidationError(_l('A reservation lasts at most 14 days.'), 'ends_at')


class ReservationSchema(Schema):
    id = fields.Integer()
    unit = fields.Nested(UnitSchema)
    agent = fields.Nested(RefSchema)
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    purpose = fields.String()
    created_at = fields.DateTime()
    cancelled_at = fields.DateTime(allow_none=True)


class ReservationListArgs(Schema):
    unit_id = Id()
    site_id = Id()
    agent_id = Id()
    past = fields.Boolean(metadata={'description': 'include reservations that ended'})


class ReminderSchema(Schema):
    id = fields.Integer()
    ticket_id = fields.Integer(allow_none=True)
    checkout = fields.Nested(CheckoutSchema)
    created_at = fields.DateTime()


class ImportRowErrorSchema(Schema):
    line = fields.Integer()
    asset_tag = fields.String(allow_none=True)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class ImportResultSchema(Schema):
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    models_created = fields.Integer()
    errors = fields.List(fields.Nested(ImportRowErrorSchema))


class BoardSchema(Schema):
    generated_at = fields.String()
    sites = fields.List(fields.Dict())

"""What the SLA API takes and answers."""
from marshmallow import fields, validate

from ..calendars.schemas import CalendarRefSchema
from ..core.i18n import _l
from ..core.schemas import Schema, Text, choice
from ..tickets.models import LANGUAGES, Channel, Priority
from ..tickets.schemas import TAG
from ..tickets.states import ACTIVE, Status
from .models import MAX_TARGET_SECONDS, Metric

MAX_ID = 2 ** 31 - 1
_TARGET = validate.Range(min=1, max=MAX_TARGET_SECONDS,
                         error=_l('Give a number of seconds from 1 to 31536000 (a year).'))
PAUSABLE = [s.value for s in sorted(ACTIVE, key=list(Status).index)]


def _target(description):
    return fields.Integer(allow_none=True, strict=True, validate=_TARGET, metadata={'description': description})


class ConditionsSchema(Schema):
    """Which tickets the policy is for: every condition given must hold (a list means "any of")."""

    priority = fields.List(choice(Priority), validate=validate.Length(max=4))
    channel = fields.List(choice(Channel), validate=validate.Length(max=7))
    language = fields.List(choice(LANGUAGES), validate=validate.Length(max=2))
    product = fields.List(Text(min_length=1, max_length=120), validate=validate.Length(max=50))
    tags = fields.List(TAG, validate=validate.Length(max=50), metadata={'description': 'the ticket has one of them'})


class TargetsSchema(Schema):
    """Seconds of business time (of the policy's calendar) per metric; absent or null = no target."""

    first_response = _target('creation to the first public reply by a person')
    next_response = _target('each customer message after an agent reply, to the next agent reply')
    resolution = _target('creation to resolved; a reopened ticket resumes the clock')
    answer = _target('real-time channels: entering the queue to an agent taking the contact')


class BreachSchema(Schema):
    priority = choice(Priority, allow_none=True, metadata={'description': 'raise the ticket to this priority'})
    escalation = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, max=2), metadata={
        'description': "re-queue at this escalation level: 1 any product of the client, 2 the last (supervisors "
                       "act; never another client's agents)"})


class PolicyInSchema(Schema):
    name = Text(required=True, min_length=1, max_length=120)
    position = fields.Integer(strict=True, validate=validate.Range(min=0, max=999),
                              metadata={'description': '0 = checked first; default: after the others'})
    active = fields.Boolean(load_default=True)
    calendar_id = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=1, max=MAX_ID),
                                 metadata={'description': 'business hours; null = around the clock (24x7)'})
    conditions = fields.Nested(ConditionsSchema, load_default=dict)
    targets = fields.Nested(TargetsSchema, required=True)
    warning_percent = fields.Integer(load_default=75, strict=True, validate=validate.Range(min=1, max=99))
    service_level_percent = fields.Integer(load_default=80, strict=True, validate=validate.Range(min=1, max=100))
    pause_on = fields.List(choice(PAUSABLE), load_default=lambda: ['pending'], validate=validate.Length(max=3),
                           metadata={'description': 'statuses that stop the clocks (the answer clock never pauses)'})
    on_breach = fields.Nested(BreachSchema, load_default=dict)


class PolicyPatchSchema(PolicyInSchema):
    """The same fields, each optional (sent with ``partial=True``)."""


class ReorderSchema(Schema):
    ids = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID)), required=True,
                      validate=validate.Length(min=1, max=1000),
                      metadata={'description': "every policy id of the client, in the new order"})


class PolicyOutSchema(Schema):
    id = fields.Integer()
    client = fields.Function(lambda p: p.client.slug)
    name = fields.String()
    position = fields.Integer()
    active = fields.Boolean()
    calendar_id = fields.Integer(allow_none=True)
    calendar = fields.Nested(CalendarRefSchema, allow_none=True)
    conditions = fields.Dict()
    targets = fields.Function(lambda p: {m.value: p.target(m) for m in Metric})
    warning_percent = fields.Integer()
    service_level_percent = fields.Integer()
    pause_on = fields.List(fields.String(), attribute='pause_statuses')
    on_breach = fields.Function(lambda p: {'priority': p.breach_priority, 'escalation': p.breach_escalation})
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()

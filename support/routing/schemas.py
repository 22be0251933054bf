from marshmallow import ValidationError, fields, validate, validates_schema

from ..agents.models import Role
from ..agents.presence import CHANNELS, Presence
from ..core.i18n import _l
from ..core.schemas import Id, Schema, Text, choice
from ..tickets.models import LANGUAGES
from ..tickets.schemas import TicketSummarySchema
from .models import OfferStatus

FAMILY_NAMES = ('messaging', 'voice', 'email')
CODE = validate.Regexp(r'^[a-z0-9_-]{1,40}$', error=_l('Use 1 to 40 lowercase letters, digits, "-" or "_".'))


class PresenceSchema(Schema):
    status = choice(Presence, required=True)
    reason = fields.String(validate=validate.Length(max=40), allow_none=True)


class AwayReasonSchema(Schema):
    code = fields.String(required=True, validate=CODE)
    label_en = Text(required=True, min_length=1, max_length=80)
    label_es = Text(required=True, min_length=1, max_length=80)


class SkillsSchema(Schema):
    languages = fields.List(choice(LANGUAGES), validate=validate.Length(min=1, max=2))
    capacities = fields.Dict(keys=choice(CHANNELS), values=fields.Integer(validate=validate.Range(min=0, max=50)))
    clients = fields.List(fields.String(validate=validate.Length(max=64)), validate=validate.Length(max=200),
                          metadata={'description': 'exactly these clients (unless `all_clients` is sent too)'})
    all_clients = fields.Boolean(metadata={'description': 'serve every client'})
    products = fields.List(Text(min_length=1, max_length=120), validate=validate.Length(max=100))


class QueueCreateSchema(Schema):
    name = Text(required=True, min_length=1, max_length=120)
    client = fields.String(validate=validate.Length(max=64), allow_none=True, load_default=None)
    language = choice(LANGUAGES, allow_none=True, load_default=None)
    family = choice(FAMILY_NAMES, allow_none=True, load_default=None)
    threshold_seconds = fields.Integer(load_default=300, validate=validate.Range(min=10, max=7 * 24 * 3600))


class TransferSchema(Schema):
    agent_id = Id()
    queue_id = Id()
    note = Text(max_length=5000, multiline=True)

    @validates_schema(skip_on_field_errors=True)
    def _one_target(self, data, **kwargs):
        if ('agent_id' in data) == ('queue_id' in data):
            raise ValidationError(_l('Give either agent_id or queue_id.'))


class ReassignSchema(Schema):
    agent_id = Id(required=True)
    note = Text(max_length=5000, multiline=True)


# --- responses (dump-only; they document the dictionaries ``routing.views`` builds) -------

DATE_TIME = {'format': 'date-time'}
PER_CHANNEL = {'description': 'per channel (chat, email, social, sms, whatsapp, phone, web)'}


def _per_channel() -> fields.Dict:
    return fields.Dict(keys=fields.String(), values=fields.Integer(), dump_only=True, metadata=PER_CHANNEL)


class WrapUpEntrySchema(Schema):
    """A wrap-up (docs/wrapup.md): the agent keeps the ticket's capacity until it ends."""
    id = fields.Integer(dump_only=True)
    agent_id = fields.Integer(dump_only=True)
    ticket_id = fields.Integer(dump_only=True)
    client = fields.String(dump_only=True, allow_none=True, metadata={'description': "the ticket's client (slug)"})
    channel = fields.String(dump_only=True)
    trigger = fields.String(dump_only=True, metadata={'enum': ['resolve', 'transfer', 'unassign']})
    started_at = fields.String(dump_only=True, metadata=DATE_TIME)
    due_at = fields.String(dump_only=True, metadata=DATE_TIME)
    ended_at = fields.String(dump_only=True, allow_none=True, metadata=DATE_TIME)
    ended_by = fields.String(dump_only=True, allow_none=True,
                             metadata={'enum': ['agent', 'timer', 'offline', 'reopened']})
    disposition_id = fields.Integer(dump_only=True, allow_none=True)
    seconds_left = fields.Integer(dump_only=True, metadata={'description': 'until the timer ends it (0 once ended)'})


ACTIVITIES = [p.value for p in Presence] + ['wrap_up']


class PresenceEntrySchema(Schema):
    agent_id = fields.Integer(dump_only=True)
    status = choice(Presence, dump_only=True)
    reason = fields.String(dump_only=True, allow_none=True)
    since = fields.String(dump_only=True, allow_none=True, metadata=DATE_TIME)
    activity = fields.String(dump_only=True, metadata={
        'enum': ACTIVITIES, 'description': 'what the agent is doing: the status, or "wrap_up" while a wrap-up runs'})
    wrapups = fields.List(fields.Nested(WrapUpEntrySchema), dump_only=True,
                          metadata={'description': 'running wrap-ups (each holds one unit of capacity)'})


class OfferSchema(Schema):
    id = fields.Integer(dump_only=True)
    ticket = fields.Nested(TicketSummarySchema, dump_only=True)
    agent_id = fields.Integer(dump_only=True)
    status = choice(OfferStatus, dump_only=True)
    channel = fields.String(dump_only=True)
    created_at = fields.String(dump_only=True, metadata=DATE_TIME)
    expires_at = fields.String(dump_only=True, metadata=DATE_TIME)
    responded_at = fields.String(dump_only=True, allow_none=True, metadata=DATE_TIME)


class MeAgentSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    languages = fields.List(fields.String(), dump_only=True)
    site = fields.String(dump_only=True, allow_none=True)


class MeSchema(Schema):
    agent = fields.Nested(MeAgentSchema, dump_only=True)
    presence = fields.Nested(PresenceEntrySchema, dump_only=True)
    capacities = _per_channel()
    load = _per_channel()
    offers = fields.List(fields.Nested(OfferSchema), dump_only=True)


class AwayReasonOutSchema(Schema):
    code = fields.String(dump_only=True)
    label = fields.String(dump_only=True, metadata={'description': "in the caller's language"})


class AwayReasonCreatedSchema(Schema):
    code = fields.String(dump_only=True)
    label_en = fields.String(dump_only=True)
    label_es = fields.String(dump_only=True)


class AgentEntrySchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    role = choice(Role, dump_only=True)
    site = fields.String(dump_only=True, allow_none=True)
    languages = fields.List(fields.String(), dump_only=True)
    clients = fields.List(fields.String(), dump_only=True,
                          metadata={'description': "slugs of the clients served (those the viewer works for)"})
    all_clients = fields.Boolean(dump_only=True, metadata={'description': 'serves every client'})
    products = fields.List(fields.String(), dump_only=True)
    presence = fields.Nested(PresenceEntrySchema, dump_only=True)
    capacities = _per_channel()
    load = _per_channel()
    tickets = fields.List(fields.Nested(TicketSummarySchema), dump_only=True,
                          metadata={'description': 'open tickets assigned to the agent'})


class ServiceLevelSchema(Schema):
    window_seconds = fields.Integer(dump_only=True)
    contacts = fields.Integer(dump_only=True, metadata={
        'description': 'answer (real-time) or first-response (others) clocks that finished or breached in the window'})
    within_target = fields.Integer(dump_only=True)
    percent = fields.Float(dump_only=True, allow_none=True, metadata={'description': 'null when no contact finished'})
    goal_percent = fields.Integer(dump_only=True, allow_none=True, metadata={
        'description': "the policies' service level goal (the 80 of 80/20)"})


class QueueEntrySchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    client = fields.String(dump_only=True, allow_none=True)
    language = fields.String(dump_only=True, allow_none=True)
    family = choice(FAMILY_NAMES, dump_only=True, allow_none=True)
    channels = fields.List(fields.String(), dump_only=True)
    waiting = fields.Integer(dump_only=True)
    oldest_wait_seconds = fields.Integer(dump_only=True)
    offers_in_flight = fields.Integer(dump_only=True)
    agents_available = fields.Integer(dump_only=True)
    agents_busy = fields.Integer(dump_only=True)
    threshold_seconds = fields.Integer(dump_only=True)
    unstaffed = fields.Boolean(dump_only=True)
    service_level = fields.Nested(ServiceLevelSchema, dump_only=True)
    sla_at_risk = fields.Integer(dump_only=True, metadata={'description': 'open tickets past a warning point'})
    sla_breached = fields.Integer(dump_only=True, metadata={'description': 'open tickets past a due time'})


class OkSchema(Schema):
    ok = fields.Boolean(dump_only=True)

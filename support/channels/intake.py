"""The generic client webhook: signed ``POST /api/v1/intake/tickets`` from client systems."""
import re

from flask import current_app, g, request
from flask_smorest import Blueprint
from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from ..clients.auth import SAME_IDEMPOTENCY_KEY, signed_client
from ..core.errors import NotFound, ValidationFailed
from ..core.extensions import db, limiter
from ..core.i18n import _, _l
from ..core.idempotency import request_fingerprint
from ..core.schemas import Schema, Text, choice, email
from ..tickets.models import LANGUAGES, Channel, Priority, Ticket
from ..tickets.operations import Actor, CustomerContact, InboundTicket, ingest
from ..tickets.schemas import TAG, TicketCreatedSchema, TicketDetailSchema, field_values

blp = Blueprint('intake', __name__, url_prefix='/api/v1/intake',
                description='Signed ticket intake for client systems (X-Support-Key/Timestamp/Signature)')

_IDEMPOTENCY_KEY = re.compile(r'^[\x21-\x7e]{1,255}$')


class IntakeCustomerSchema(Schema):
    name = Text(max_length=200)
    email = email()
    phone = Text(max_length=32)
    handle = Text(max_length=120)

    @validates_schema(skip_on_field_errors=True)
    def _one_contact(self, data, **kwargs):
        if not any(data.get(k) for k in ('email', 'phone', 'handle')):
            raise ValidationError(_l('Give at least one way to reach the customer: email, phone or handle.'))


class IntakeTicketSchema(Schema):
    subject = Text(required=True, min_length=1, max_length=300)
    body = Text(required=True, min_length=1, max_length=50000, multiline=True)
    channel = choice(Channel, required=True)
    language = choice(LANGUAGES)
    priority = choice(Priority, load_default=Priority.normal.value)
    product = Text(max_length=120)
    tags = fields.List(TAG, validate=validate.Length(max=30))
    external_id = Text(max_length=120)
    customer = fields.Nested(IntakeCustomerSchema, required=True)
    custom_fields = field_values()

    @post_load
    def _to_inbound(self, data, **kwargs):
        return InboundTicket(channel=Channel(data['channel']), subject=data['subject'], body=data['body'],
                             customer=CustomerContact(**data['customer']), language=data.get('language'),
                             priority=Priority(data['priority']), product=data.get('product'),
                             tags=data.get('tags') or [], external_id=data.get('external_id'),
                             fields=data.get('custom_fields') or {}, fields_required=True)


def _intake_limit() -> str:
    client = getattr(g, 'client', None)
    return (client.intake_rate_limit if client and client.intake_rate_limit
            else current_app.config['SUPPORT_INTAKE_RATE_LIMIT'])


def _limit_key() -> str:
    return 'intake:' + request.headers.get('X-Support-Key', '-')


def _idempotency_key() -> str | None:
    key = request.headers.get('Idempotency-Key')
    if key is not None and not _IDEMPOTENCY_KEY.match(key):
        raise ValidationFailed(fields={'Idempotency-Key': [
            _('Use 1 to 255 visible ASCII characters.')]})
    return key


@blp.route('/tickets', methods=['POST'])
@signed_client(replays=SAME_IDEMPOTENCY_KEY)
@limiter.limit(_intake_limit, key_func=_limit_key)
@blp.arguments(IntakeTicketSchema)
@blp.response(201, TicketCreatedSchema)
@blp.alt_response(200, schema=TicketCreatedSchema, description='A retry with the same Idempotency-Key')
@blp.doc(parameters=[{'in': 'header', 'name': 'Idempotency-Key', 'schema': {'type': 'string', 'maxLength': 255}}])
def create_ticket(inbound: InboundTicket):
    """Open a ticket. A retry with the same ``Idempotency-Key`` returns the first ticket (200). ``fields`` sets
    the client's custom fields; one the client requires on create is a 422 when missing, and so is an unknown
    name or a value that does not fit its field (each named under ``fields``)."""
    key = _idempotency_key()
    fingerprint = request_fingerprint(request.get_json()) if key else None
    client = g.client
    ticket, created = ingest(client, inbound, Actor.client(client), idempotency_key=key, fingerprint=fingerprint)
    return ticket, 201 if created else 200


@blp.route('/tickets/<big:ticket_id>', methods=['GET'])
@signed_client
@blp.response(200, TicketDetailSchema)
def read_ticket(ticket_id):
    """Read one of this client's tickets (another client's is a 404)."""
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None or ticket.client_id != g.client.id:
        raise NotFound(_('Ticket {number} does not exist or is not yours to see.').format(number=ticket_id))
    return ticket


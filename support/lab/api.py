"""REST API of the lab under ``/api/v1/lab``: catalog (admins), checkout and check-in (agents, for
themselves), forced check-in (supervisors), holds, reservations, history, overdue, suggestions."""
import sqlalchemy as sa
from flask import g, request
from flask_smorest import Blueprint

from ..agents.auth import require_role
from ..agents.models import Role
from ..agents.tokens import Scope
from ..core.errors import ValidationFailed
from ..core.extensions import db
from ..core.http import accepts
from ..core.i18n import _
from ..tickets.queries import get_visible_ticket
from . import signals, tasks  # noqa: F401  (connects the ticket listener, registers the sweeps)
from .imports import import_units
from .models import Condition, EquipmentModel
from .operations import (cancel_hold, cancel_reservation, checkin_unit, checkout_unit, create_unit, get_model,
                         get_unit, join_line, open_checkout, reserve_unit, save_model, update_unit)
from .queries import (checkouts, holds, lab_snapshot, open_reminders, overdue_checkouts, reservations,
                      search_units, suggest_units)
from .schemas import (BoardSchema, CheckinRequestSchema, CheckoutListArgs, CheckoutRequestSchema, CheckoutSchema,
                      HoldListArgs, HoldRequestSchema, HoldSchema, ImportResultSchema, ModelSchema,
                      ModelUpdateSchema, OverdueArgs, ReminderSchema, ReservationListArgs, ReservationRequestSchema,
                      ReservationSchema, SuggestionArgs, SuggestionSchema, UnitDetailSchema, UnitSchema,
                      UnitSearchArgs, UnitUpdateSchema)

blp = Blueprint('lab', __name__, url_prefix='/api/v1/lab',
                description='Lab equipment: units per site, checkouts bound to tickets, holds, reservations')


@blp.teardown_request
def _end_transaction(exc=None):
    """A refused change (4xx) leaves nothing half-done in the session, even when the context lives on."""
    db.session.rollback()


def _ticket(ticket_id):
    return get_visible_ticket(g.current_agent, ticket_id) if ticket_id is not None else None


# --- catalog ---------------------------------------------------------------------------

@blp.route('/models', methods=['GET'])
@require_role(Role.agent, scope=Scope.lab)
@blp.response(200, ModelSchema(many=True))
def list_models():
    """Every equipment model."""
    return db.session.scalars(sa.select(EquipmentModel).order_by(EquipmentModel.maker, EquipmentModel.name)).all()


@blp.route('/models', methods=['POST'])
@require_role(Role.admin, scope=Scope.lab)
@blp.arguments(ModelSchema)
@blp.response(201, ModelSchema)
def post_model(data):
    """Add an equipment model (maker + name are unique)."""
    model = save_model(data)
    db.session.commit()
    return model


@blp.route('/models/<int:model_id>', methods=['PATCH'])
@require_role(Role.admin, scope=Scope.lab)
@blp.arguments(ModelUpdateSchema)
@blp.response(200, ModelSchema)
def patch_model(data, model_id):
    """Change an equipment model."""
    model = save_model(data, get_model(model_id))
    db.session.commit()
    return model


@blp.route('/units', methods=['GET'])
@require_role(Role.agent, scope=Scope.lab)
@blp.arguments(UnitSearchArgs, location='query', as_kwargs=True)
@blp.response(200, UnitSchema(many=True))
def list_units(**args):
    """Search units by model, product, client, site, status, asset tag or serial (exact asset tag first)."""
    return search_units(args)


@blp.route('/units', methods=['POST'])
@require_role(Role.admin, scope=Scope.lab)
@blp.arguments(UnitSchema)
@blp.response(201, UnitSchema)
def post_unit(data):
    """Add a unit to a site's lab."""
    unit = create_unit(data)
    db.session.commit()
    return unit


@blp.route('/units/<int:unit_id>', methods=['GET'])
@require_role(Role.agent, scope=Scope.lab)
@blp.response(200, UnitDetailSchema)
def get_unit_detail(unit_id):
    """One unit, with who has it and for which ticket."""
    unit = get_unit(unit_id)
    unit.current_checkout = open_checkout(unit.id)
    return unit


@blp.route('/units/<int:unit_id>', methods=['PATCH'])
@require_role(Role.admin, scope=Scope.lab)
@blp.arguments(UnitUpdateSchema)
@blp.response(200, UnitSchema)
def patch_unit(data, unit_id):
    """Change a unit; status only among available, maintenance and retired, and never while it is out."""
    unit = update_unit(unit_id, data)
    db.session.commit()
    return unit


_CSV_BODY = {'required': True, 'content': {
    'text/csv': {'schema': {'type': 'string'}, 'example': 'asset_tag,serial,maker,model,category,site,shelf,client,'
                 'product_lines\nPOL-001,SN1,Arris,SB8200,modem,Polanco,A1,northwind,modem;internet\n'},
    'multipart/form-data': {'schema': {'type': 'object', 'properties': {'file': {'type': 'string',
                                                                                 'format': 'binary'}}}}}}


@blp.route('/import', methods=['POST'])
@accepts('text/csv', 'text/plain', 'multipart/form-data')
@require_role(Role.admin, scope=Scope.lab)
@blp.doc(requestBody=_CSV_BODY)
@blp.response(200, ImportResultSchema)
def post_import():
    """Import units from CSV (upsert by asset tag): bad rows are listed by line, good rows load.

    Columns: asset_tag, maker, model, site (required); serial, category, shelf, condition,
    status, client (slug), product_lines (separated by ``;``), photo_url, notes.
    """
    if request.mimetype == 'multipart/form-data':
        upload = request.files.get('file')
        if upload is None:
            raise ValidationFailed(fields={'file': [_('Missing data for required field.')]})
        return import_units(upload.read())
    return import_units(request.get_data())


# --- checkout and check-in ---------------------------------------------------------------

@blp.route('/units/<int:unit_id>/checkout', methods=['POST'])
@require_role(Role.agent, scope=Scope.lab)
@blp.arguments(CheckoutRequestSchema)
@blp.response(201, CheckoutSchema)
def post_checkout(data, unit_id):
    """Check a unit out for yourself at your own site, usually for a ticket; 409 names whoever has it."""
    checkout = checkout_unit(g.current_agent, unit_id, ticket=_ticket(data.get('ticket_id')),
                             due_at=data.get('due_at'), notes=data.get('notes'))
    db.session.commit()
    return checkout


@blp.route('/units/<int:unit_id>/checkin', methods=['POST'])
@require_role(Role.agent, scope=Scope.lab)
@blp.arguments(CheckinRequestSchema)
@blp.response(200, CheckoutSchema)
def post_checkin(data, unit_id):
    """Return a unit you checked out, with its condition; damaged sends it to maintenance."""
    checkout = checkin_unit(g.current_agent, unit_id, Condition(data['condition']), data.get('notes'))
    db.session.commit()
    return checkout


@blp.route('/units/<int:unit_id>/force-checkin', methods=['POST'])
@require_role(Role.supervisor, scope=Scope.lab)
@blp.arguments(CheckinRequestSchema)
@blp.response(200, CheckoutSchema)
def post_force_checkin(data, unit_id):
    """Check a unit in on someone else's behalf (supervisors), e.g. when it is overdue."""
    checkout = checkin_unit(g.current_agent, unit_id, Condition(data['condition']), data.get('notes'), force=True)
    db.session.commit()
    return checkout


@blp.route('/checkouts', methods=['GET'])
@require_role(Role.agent, scope=Scope.lab)
@blp.arguments(CheckoutListArgs, location='query', as_kwargs=True)
@blp.response(200, CheckoutSchema(many=True))
def list_checkouts(**args):
    """History, newest first: per unit (``unit_id``), per agent (``agent_id``) or per ticket (``ticket_id``)."""
    if args.get('ticket_id') is not None:
        _ticket(args['ticket_id'])
    if args.get('unit_id') is not None:
        get_unit(args['unit_id'])
    return checkouts(g.current_agent, args)


@blp.route('/overdue', methods=['GET'])
@require_role(Role.agent, scope=Scope.lab)
@blp.arguments(OverdueArgs, location='query', as_kwargs=True)
@blp.response(200, CheckoutSchema(many=True))
def list_overdue(**args):
    """Units not back by their due time (agents: their site; supervisors: any site or all)."""
    agent = g.current_agent
    site_id = args.get('site_id') if agent.has_role(Role.supervisor) else agent.site_id
    if site_id is None and not agent.has_role(Role.supervisor):
        return []
    return overdue_checkouts(site_id)


@blp.route('/suggestions', methods=['GET'])
@require_role(Role.agent, scope=Scope.lab)
@blp.arguments(SuggestionArgs, location='query', as_kwargs=True)
@blp.response(200, SuggestionSchema(many=True))
def list_suggestions(ticket_id):
    """Units at your site matching the ticket's product or client, free ones first."""
    ticket = _ticket(ticket_id)
    if g.current_agent.site_id is None:
        return []
    return suggest_units(g.current_agent, ticket)


@blp.route('/board', methods=['GET'])
@require_role(Role.agent, scope=Scope.lab)
@blp.response(200, BoardSchema)
def get_board():
    """The lab board (what ``lab.snapshot`` sends on connect): per site, units by status, who has what."""
    return lab_snapshot(g.current_agent)


# --- holds -----------------------------------------------------------------------------------

@blp.route('/holds', methods=['POST'])
@require_role(Role.agent, scope=Scope.lab)
@blp.arguments(HoldRequestSchema)
@blp.response(201, HoldSchema)
def post_hold(data):
    """Join the waiting line for a model at your site (only when none of its units is free)."""
    hold = join_line(g.current_agent, data['model_id'], ticket=_ticket(data.get('ticket_id')))
    db.session.commit()
    return hold


@blp.route('/holds', methods=['GET'])
@require_role(Role.agent, scope=Scope.lab)
@blp.arguments(HoldListArgs, location='query', as_kwargs=True)
@blp.response(200, HoldSchema(many=True))
def list_holds(**args):
    """Your places in line; supervisors may list a site's or a model's whole line."""
    return holds(g.current_agent, args)


@blp.route('/holds/<int:hold_id>', methods=['DELETE'])
@require_role(Role.agent, scope=Scope.lab)
@blp.response(200, HoldSchema)
def delete_hold(hold_id):
    """Leave the line; a unit kept for you passes to the next in line."""
    hold = cancel_hold(g.current_agent, hold_id)
    db.session.commit()
    return hold


# --- reservations ----------------------------------------------------------------------------

@blp.route('/reservations', methods=['POST'])
@require_role(Role.agent, scope=Scope.lab)
@blp.arguments(ReservationRequestSchema)
@blp.response(201, ReservationSchema)
def post_reservation(data):
    """Reserve a unit for a time window; an overlapping reservation is refused and named."""
    reservation = reserve_unit(g.current_agent, data['unit_id'], data['starts_at'], data['ends_at'], data['purpose'])
    db.session.commit()
    return reservation


@blp.route('/reservations', methods=['GET'])
@require_role(Role.agent, scope=Scope.lab)
@blp.arguments(ReservationListArgs, location='query', as_kwargs=True)
@blp.response(200, ReservationSchema(many=True))
def list_reservations(**args):
    """Current and coming reservations, by unit, site or agent."""
    return reservations(args)


@blp.route('/reservations/<int:reservation_id>', methods=['DELETE'])
@require_role(Role.agent, scope=Scope.lab)
@blp.response(200, ReservationSchema)
def delete_reservation(reservation_id):
    """Cancel your reservation (supervisors: anyone's)."""
    reservation = cancel_reservation(g.current_agent, reservation_id)
    db.session.commit()
    return reservation


@blp.route('/reminders', methods=['GET'])
@require_role(Role.agent, scope=Scope.lab)
@blp.response(200, ReminderSchema(many=True))
def list_reminders():
    """Your open "return the unit" reminders (tickets resolved while a unit is still out)."""
    return open_reminders(g.current_agent)




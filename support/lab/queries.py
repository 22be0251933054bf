"""Finding lab things: unit search, suggestions for a ticket, history, overdue, the board snapshot."""
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..agents.models import Agent, Role
from ..clients.models import Client
from ..core.clock import utcnow
from ..core.errors import Forbidden
from ..core.extensions import db
from ..core.i18n import _
from ..sites.models import Site
from ..tickets.models import Ticket
from .models import Checkout, EquipmentModel, Hold, HoldStatus, Reminder, Reservation, Unit, UnitStatus
from .payloads import checkout_ref, unit_ref


def _like(text: str) -> str:
    return '%' + text.replace('\\', '\\\\').replace('%', '\\%').replace('_', '\\_') + '%'


def _product_match(product: str):
    """The model's JSON list of product lines contains ``product`` (portable: match the quoted string)."""
    quoted = '%"' + product.strip().lower().replace('\\', '\\\\').replace('%', '\\%').replace('_', '\\_') + '"%'
    return sa.cast(EquipmentModel.product_lines, sa.Text).like(quoted, escape='\\')


def search_units(args: dict) -> list[Unit]:
    """Units matching the filters; with ``q``, an exact asset-tag match (a scanned barcode) comes first."""
    query = sa.select(Unit).join(EquipmentModel, EquipmentModel.id == Unit.model_id)
    query = _unit_filters(query, args)
    order = [Unit.asset_tag]
    if args.get('q'):
        q = args['q'].strip()
        pattern = _like(q)
        query = query.where(sa.or_(Unit.asset_tag.ilike(pattern, escape='\\'), Unit.serial.ilike(pattern, escape='\\'),
                                   EquipmentModel.name.ilike(pattern, escape='\\'),
                                   EquipmentModel.maker.ilike(pattern, escape='\\'), _product_match(q)))
        exact = sa.case((sa.func.lower(Unit.asset_tag) == q.lower(), 0),
                        (sa.func.lower(Unit.serial) == q.lower(), 1), else_=2)
        order = [exact, Unit.asset_tag]
    query = query.order_by(*order).offset(args.get('offset', 0)).limit(args.get('limit', 50))
    return list(db.session.scalars(query.options(selectinload(Unit.model), selectinload(Unit.site))))


def _unit_filters(query, args: dict):
    if args.get('site_id'):
        query = query.where(Unit.site_id == args['site_id'])
    if args.get('status'):
        query = query.where(Unit.status.in_([UnitStatus(s) for s in args['status']]))
    if args.get('model_id'):
        query = query.where(Unit.model_id == args['model_id'])
    if args.get('model'):
        pattern = _like(args['model'])
        query = query.where(sa.or_(EquipmentModel.name.ilike(pattern, escape='\\'),
                                   EquipmentModel.maker.ilike(pattern, escape='\\')))
    if args.get('category'):
        query = query.where(EquipmentModel.category == args['category'])
    if args.get('product'):
        query = query.where(_product_match(args['product']))
    if args.get('client'):
        query = query.join(Client, Client.id == EquipmentModel.client_id).where(Client.slug == args['client'])
    if args.get('asset_tag'):
        query = query.where(sa.func.lower(Unit.asset_tag) == args['asset_tag'].strip().lower())
    if args.get('serial'):
        query = query.where(sa.func.lower(Unit.serial) == args['serial'].strip().lower())
    return query


_FREE_RANK = {UnitStatus.available: 0, UnitStatus.reserved: 2, UnitStatus.checked_out: 3, UnitStatus.maintenance: 4}


def suggest_units(agent: Agent, ticket: Ticket) -> list[dict]:
    """Units at the agent's site matching the ticket's product or client: free ones first."""
    conditions = [EquipmentModel.client_id == ticket.client_id]
    if ticket.product:
        conditions.append(_product_match(ticket.product))
    query = (sa.select(Unit).join(EquipmentModel, EquipmentModel.id == Unit.model_id)
             .where(Unit.site_id == agent.site_id, Unit.status != UnitStatus.retired, sa.or_(*conditions))
             .options(selectinload(Unit.model), selectinload(Unit.site)))
    suggestions = []
    for unit in db.session.scalars(query):
        product = bool(ticket.product) and ticket.product.strip().lower() in (unit.model.product_lines or [])
        client = unit.model.client_id == ticket.client_id
        free = unit.status == UnitStatus.available or (unit.status == UnitStatus.reserved
                                                       and unit.reserved_for_id == agent.id)
        rank = (0 if free else _FREE_RANK.get(unit.status, 5), 0 if product else 1, 0 if client else 1, unit.asset_tag)
        suggestions.append((rank, {'unit': unit, 'free': free, 'matches_product': product, 'matches_client': client}))
    return [item for _rank, item in sorted(suggestions, key=lambda pair: pair[0])]


def checkouts(viewer: Agent, args: dict) -> list[Checkout]:
    """History (newest first) by unit, agent or ticket; agents see others' only by unit or ticket."""
    query = sa.select(Checkout)
    if args.get('unit_id') is None and args.get('ticket_id') is None and not viewer.has_role(Role.supervisor):
        args = dict(args, agent_id=args.get('agent_id', viewer.id))
    if args.get('agent_id') is not None:
        if args['agent_id'] != viewer.id and not viewer.has_role(Role.supervisor):
            raise Forbidden(_("Only supervisors can see another agent's lab history."))
        query = query.where(Checkout.agent_id == args['agent_id'])
    if args.get('unit_id') is not None:
        query = query.where(Checkout.unit_id == args['unit_id'])
    if args.get('ticket_id') is not None:
        query = query.where(Checkout.ticket_id == args['ticket_id'])
    if args.get('open') is not None:
        query = query.where(Checkout.returned_at.is_(None) if args['open'] else Checkout.returned_at.is_not(None))
    query = query.order_by(Checkout.checked_out_at.desc(), Checkout.id.desc()).offset(args.get('offset', 0))
    return list(db.session.scalars(query.limit(args.get('limit', 50)).options(
        selectinload(Checkout.unit).selectinload(Unit.model), selectinload(Checkout.agent),
        selectinload(Checkout.returned_by))))


def overdue_checkouts(site_id: int | None = None) -> list[Checkout]:
    query = (sa.select(Checkout).join(Unit, Unit.id == Checkout.unit_id)
             .where(Checkout.returned_at.is_(None), Checkout.due_at < utcnow()))
    if site_id is not None:
        query = query.where(Unit.site_id == site_id)
    return list(db.session.scalars(query.order_by(Checkout.due_at)))


def holds(viewer: Agent, args: dict) -> list[Hold]:
    """My holds; supervisors may see a site's or model's whole line."""
    query = sa.select(Hold)
    if not viewer.has_role(Role.supervisor) or not (args.get('site_id') or args.get('model_id')):
        query = query.where(Hold.agent_id == viewer.id)
    if args.get('site_id'):
        query = query.where(Hold.site_id == args['site_id'])
    if args.get('model_id'):
        query = query.where(Hold.model_id == args['model_id'])
    if not args.get('all'):
        query = query.where(Hold.status.in_([HoldStatus.waiting, HoldStatus.ready]))
    return list(db.session.scalars(query.order_by(Hold.id).limit(200)))


def reservations(args: dict) -> list[Reservation]:
    query = sa.select(Reservation).join(Unit, Unit.id == Reservation.unit_id).where(Reservation.cancelled_at.is_(None))
    if args.get('unit_id'):
        query = query.where(Reservation.unit_id == args['unit_id'])
    if args.get('site_id'):
        query = query.where(Unit.site_id == args['site_id'])
    if args.get('agent_id'):
        query = query.where(Reservation.agent_id == args['agent_id'])
    if not args.get('past'):
        query = query.where(Reservation.ends_at >= utcnow())
    return list(db.session.scalars(query.order_by(Reservation.starts_at).limit(200)))


def open_reminders(agent: Agent) -> list[Reminder]:
    return list(db.session.scalars(sa.select(Reminder).where(Reminder.agent_id == agent.id, Reminder.done_at.is_(None))
                                   .order_by(Reminder.id)))


def lab_rooms(agent: Agent) -> list[str]:
    """The lab rooms a live connection joins: the agent's site, every site for supervisors."""
    if agent.has_role(Role.supervisor):
        return [f'lab:{site_id}' for site_id in db.session.scalars(sa.select(Site.id))]
    return [f'lab:{agent.site_id}'] if agent.site_id else []


def lab_snapshot(agent: Agent) -> dict:
    """The lab board per site: units by status, who holds what, what is overdue, who waits."""
    sites_query = sa.select(Site).order_by(Site.name)
    if not agent.has_role(Role.supervisor):
        sites_query = sites_query.where(Site.id == agent.site_id)
    now = utcnow()
    sites = db.session.scalars(sites_query)
    return {'generated_at': now.isoformat(), 'sites': [_site_board(site, now) for site in sites]}


def _site_board(site: Site, now) -> dict:
    counts = dict(db.session.execute(sa.select(Unit.status, sa.func.count()).where(Unit.site_id == site.id)
                                     .group_by(Unit.status)).all())
    out = db.session.scalars(sa.select(Checkout).join(Unit, Unit.id == Checkout.unit_id)
                             .where(Unit.site_id == site.id, Checkout.returned_at.is_(None))
                             .order_by(Checkout.due_at)).all()
    waiting = db.session.scalar(sa.select(sa.func.count()).select_from(Hold).where(
        Hold.site_id == site.id, Hold.status == HoldStatus.waiting))
    return {'site': {'id': site.id, 'name': site.name, 'timezone': site.timezone},
            'units': {status.value: counts.get(status, 0) for status in UnitStatus},
            'checked_out': [dict(checkout_ref(c), unit=unit_ref(c.unit), overdue=c.due_at < now) for c in out],
            'overdue': [c.id for c in out if c.due_at < now],
            'waiting': waiting}


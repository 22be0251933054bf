"""Lab operations: catalog, checkout, check-in, holds, reservations, sweeps. Invariants live here.

Locks, always in this order: a unit's row (``lock_unit``), then its model's row
(``_lock_model``). The model lock serialises a model's waiting line: joining it and
handing a returned unit to it never miss each other. On SQLite every write
transaction is serialised anyway (BEGIN IMMEDIATE).
"""
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..agents.models import Agent, Role
from ..clients.models import Client
from ..core.clock import utcnow
from ..core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..core.extensions import db
from ..core.i18n import _
from ..core.live import publish
from ..sites.models import Site
from ..tickets.models import Ticket
from ..tickets.states import Status
from .models import (OPEN_HOLD, Category, Checkout, Condition, EquipmentModel, Hold, HoldStatus, Reminder, Reservation,
                     Unit, UnitStatus)
from .payloads import event_payload, in_both_languages, setting, site_time

SUPERVISORS = 'supervisors'
ADMIN_STATUSES = (UnitStatus.available, UnitStatus.maintenance, UnitStatus.retired)


def lab_room(site_id: int) -> str:
    return f'lab:{site_id}'


def agent_room(agent_id: int) -> str:
    return f'agent:{agent_id}'


def checkout_minutes() -> int:
    return setting('SUPPORT_LAB_CHECKOUT_MINUTES', 120)


def hold_minutes() -> int:
    return setting('SUPPORT_LAB_HOLD_MINUTES', 15)


# --- loading and locking ---------------------------------------------------------------

def get_unit(unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise NotFound(_('Lab unit {id} does not exist.').format(id=unit_id))
    return unit


def lock_unit(unit_id: int) -> Unit:
    """Load a unit for change, holding its row lock until commit (fresh values, not cached ones)."""
    unit = db.session.scalar(sa.select(Unit).where(Unit.id == unit_id).with_for_update()
                             .execution_options(populate_existing=True))
    if unit is None:
        raise NotFound(_('Lab unit {id} does not exist.').format(id=unit_id))
    return unit


def get_model(model_id: int) -> EquipmentModel:
    model = db.session.get(EquipmentModel, model_id)
    if model is None:
        raise NotFound(_('Equipment model {id} does not exist.').format(id=model_id))
    return model


def _lock_model(model_id: int) -> None:
    db.session.execute(sa.select(EquipmentModel.id).where(EquipmentModel.id == model_id).with_for_update())


def open_checkout(unit_id: int) -> Checkout | None:
    return db.session.scalar(sa.select(Checkout).where(Checkout.unit_id == unit_id, Checkout.returned_at.is_(None))
                             .execution_options(populate_existing=True))


def _site_of(agent: Agent) -> Site:
    if agent.site_id is None:
        raise Conflict(_('You have no site; ask an administrator to set one before using the lab.'), code='no_site')
    return agent.site


# --- the 409s that name who is in the way --------------------------------------------

def _unavailable(unit: Unit, agent: Agent) -> Conflict:
    """Why ``agent`` cannot take ``unit`` now, naming whoever has it."""
    if unit.status == UnitStatus.checked_out:
        checkout = open_checkout(unit.id)
        if checkout is not None:
            if checkout.agent_id == agent.id:
                return Conflict(_('You already have unit {tag} checked out.').format(tag=unit.asset_tag),
                                code='already_yours')
            return Conflict(_('Unit {tag} is already checked out by {name} (due at {due}).').format(
                tag=unit.asset_tag, name=checkout.agent.name, due=site_time(checkout.due_at, unit.site)),
                code='unit_checked_out')
    if unit.status == UnitStatus.reserved and unit.reserved_for is not None:
        return Conflict(_('Unit {tag} is kept for {name} until {until}.').format(
            tag=unit.asset_tag, name=unit.reserved_for.name, until=site_time(unit.reserved_until, unit.site)),
            code='unit_reserved')
    return Conflict(_('Unit {tag} is not available: {status}.').format(tag=unit.asset_tag,
                                                                       status=unit.status.label),
                    code='unit_unavailable')


def _reservation_conflict(reservation: Reservation, unit: Unit) -> Conflict:
    return Conflict(_('Unit {tag} is reserved by {name} from {start} to {end} ({purpose}), reservation {id}.')
                    .format(tag=unit.asset_tag, name=reservation.agent.name, purpose=reservation.purpose,
                            start=site_time(reservation.starts_at, unit.site),
                            end=site_time(reservation.ends_at, unit.site), id=reservation.id),
                    code='reservation_conflict')


def overlapping_reservation(unit_id: int, starts_at: datetime, ends_at: datetime,
                            exclude_agent_id: int | None = None) -> Reservation | None:
    """The first live reservation of the unit overlapping the window (A.from <= B.to and A.to >= B.from)."""
    query = sa.select(Reservation).where(Reservation.unit_id == unit_id, Reservation.cancelled_at.is_(None),
                                         Reservation.starts_at <= ends_at, Reservation.ends_at >= starts_at)
    if exclude_agent_id is not None:
        query = query.where(Reservation.agent_id != exclude_agent_id)
    return db.session.scalar(query.order_by(Reservation.starts_at).limit(1))


# --- checkout and check-in -------------------------------------------------------------

def checkout_unit(agent: Agent, unit_id: int, ticket: Ticket | None = None, due_at: datetime | None = None,
                  notes: str | None = None) -> Checkout:
    """Give ``agent`` the unit (at their own site), usually for a ticket. Not committed.

    The unit's row lock makes a second caller wait and then see the first one's
    checkout; the conditional status update and the unique open-checkout index make
    a double checkout impossible even without it.
    """
    site = _site_of(agent)
    unit = lock_unit(unit_id)
    if unit.site_id != site.id:
        raise Forbidden(_('Unit {tag} is at {site}; you can only check out units at your own site ({own}).').format(
            tag=unit.asset_tag, site=unit.site.name, own=site.name), code='other_site')
    if ticket is not None and ticket.status not in (Status.new, Status.open, Status.pending):
        raise Conflict(_('Ticket {number} is {status}; units are checked out for open tickets.').format(
            number=ticket.number, status=ticket.status.label), code='ticket_not_active')
    now = utcnow()
    due_at = _check_due(due_at, now)
    if not _free_for(unit, agent):
        raise _unavailable(unit, agent)
    reservation = overlapping_reservation(unit.id, now, due_at, exclude_agent_id=agent.id)
    if reservation is not None:
        raise _reservation_conflict(reservation, unit)
    _claim_status(unit, agent, now)
    checkout = _insert_checkout(unit, agent, ticket, now, due_at, notes)
    _fulfil_holds(agent, unit, now)
    publish(db.session, 'lab.checked_out', event_payload(unit, checkout), _rooms(unit, agent.id))
    return checkout


def _check_due(due_at: datetime | None, now: datetime) -> datetime:
    if due_at is None:
        return now + timedelta(minutes=checkout_minutes())
    if due_at <= now:
        raise ValidationFailed(fields={'due_at': [_('Must be in the future.')]})
    if due_at > now + timedelta(hours=setting('SUPPORT_LAB_MAX_CHECKOUT_HOURS', 72)):
        raise ValidationFailed(fields={'due_at': [_('At most {hours} hours from now.').format(
            hours=setting('SUPPORT_LAB_MAX_CHECKOUT_HOURS', 72))]})
    return due_at


def _free_for(unit: Unit, agent: Agent) -> bool:
    return unit.status == UnitStatus.available or (unit.status == UnitStatus.reserved
                                                   and unit.reserved_for_id == agent.id)


def _claim_status(unit: Unit, agent: Agent, now: datetime) -> None:
    """available (or kept for this agent) → checked_out, only if nobody changed it first."""
    allowed = [UnitStatus.available]
    if unit.status == UnitStatus.reserved and unit.reserved_for_id == agent.id:
        allowed.append(UnitStatus.reserved)
    result = db.session.execute(
        sa.update(Unit).where(Unit.id == unit.id, Unit.status.in_(allowed))
        .values(status=UnitStatus.checked_out, reserved_for_id=None, reserved_until=None, updated_at=now)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.refresh(unit)
        raise _unavailable(unit, agent)
    db.session.refresh(unit)


def _insert_checkout(unit, agent, ticket, now, due_at, notes) -> Checkout:
    checkout = Checkout(unit=unit, agent_id=agent.id, agent=agent, ticket_id=ticket.id if ticket else None,
                        checked_out_at=now, due_at=due_at, condition_out=unit.condition, notes_out=notes)
    try:
        with db.session.begin_nested():
            db.session.add(checkout)
            db.session.flush()
    except IntegrityError:  # the unique open-checkout index: someone else got there first
        db.session.refresh(unit)
        raise _unavailable(unit, agent)
    return checkout


def _fulfil_holds(agent: Agent, unit: Unit, now: datetime) -> None:
    """The agent got a unit of the model: their place in line (or the unit kept for them) is done."""
    holds = db.session.scalars(sa.select(Hold).where(Hold.agent_id == agent.id, Hold.model_id == unit.model_id,
                                                     Hold.site_id == unit.site_id, Hold.status.in_(OPEN_HOLD)))
    for hold in holds:
        kept = hold.unit_id if hold.status == HoldStatus.ready and hold.unit_id != unit.id else None
        hold.status, hold.closed_at = HoldStatus.fulfilled, now
        if kept is not None:
            db.session.flush()
            _release(lock_unit(kept), now)


def checkin_unit(actor: Agent, unit_id: int, condition: Condition, notes: str | None = None,
                 force: bool = False) -> Checkout:
    """Return a unit: its holder does it, a supervisor may force it. Damaged goes to maintenance."""
    unit = lock_unit(unit_id)
    checkout = open_checkout(unit.id)
    if checkout is None:
        raise Conflict(_('Unit {tag} is not checked out.').format(tag=unit.asset_tag), code='not_checked_out')
    if checkout.agent_id != actor.id and not (force and actor.has_role(Role.supervisor)):
        raise Forbidden(_('Unit {tag} is checked out by {name}; only they or a supervisor can check it in.').format(
            tag=unit.asset_tag, name=checkout.agent.name), code='not_your_checkout')
    now = utcnow()
    checkout.returned_at, checkout.returned_by_id = now, actor.id
    checkout.condition_in, checkout.notes_in = condition, notes
    checkout.forced = checkout.agent_id != actor.id
    unit.condition, unit.updated_at = condition, now
    _close_reminders(checkout, now)
    if condition == Condition.damaged:
        unit.status = UnitStatus.maintenance
    else:
        _release(unit, now)
    publish(db.session, 'lab.returned', event_payload(unit, checkout, returned_by={'id': actor.id, 'name': actor.name}),
            _rooms(unit, checkout.agent_id))
    return checkout


def _close_reminders(checkout: Checkout, now: datetime) -> None:
    db.session.execute(sa.update(Reminder).where(Reminder.checkout_id == checkout.id, Reminder.done_at.is_(None))
                       .values(done_at=now).execution_options(synchronize_session=False))


def _rooms(unit: Unit, agent_id: int | None = None) -> list[str]:
    rooms = [lab_room(unit.site_id)]
    if agent_id is not None:
        rooms.append(agent_room(agent_id))
    return rooms


# --- the waiting line ------------------------------------------------------------------

def _release(unit: Unit, now: datetime) -> Hold | None:
    """A free unit goes to the first agent waiting for its model at its site, else it is available.

    The caller holds the unit's lock; the model lock makes joining the line wait.
    """
    _lock_model(unit.model_id)
    hold = db.session.scalar(
        sa.select(Hold).where(Hold.model_id == unit.model_id, Hold.site_id == unit.site_id,
                              Hold.status == HoldStatus.waiting).order_by(Hold.id).limit(1)
        .with_for_update().execution_options(populate_existing=True))
    if hold is None:
        unit.status, unit.reserved_for_id, unit.reserved_until = UnitStatus.available, None, None
        return None
    until = now + timedelta(minutes=hold_minutes())
    unit.status, unit.reserved_for_id, unit.reserved_until = UnitStatus.reserved, hold.agent_id, until
    hold.status, hold.unit_id, hold.ready_at, hold.expires_at = HoldStatus.ready, unit.id, now, until
    db.session.flush()
    message = in_both_languages(lambda: _('Unit {tag} ({model}) is kept for you until {until}.').format(
        tag=unit.asset_tag, model=unit.model.title, until=site_time(until, unit.site)))
    publish(db.session, 'lab.hold_ready', event_payload(unit, hold={'id': hold.id, 'agent_id': hold.agent_id,
            'ticket_id': hold.ticket_id, 'expires_at': until.isoformat()}, message=message),
            _rooms(unit, hold.agent_id))
    return hold


def join_line(agent: Agent, model_id: int, ticket: Ticket | None = None) -> Hold:
    """Wait for a unit of the model at the agent's site; refused while one is free."""
    site = _site_of(agent)
    get_model(model_id)
    _lock_model(model_id)
    free = db.session.scalar(sa.select(Unit).where(
        Unit.model_id == model_id, Unit.site_id == site.id,
        sa.or_(Unit.status == UnitStatus.available,
               sa.and_(Unit.status == UnitStatus.reserved, Unit.reserved_for_id == agent.id))).limit(1))
    if free is not None:
        raise Conflict(_('Unit {tag} of this model is free at your site; check it out instead.').format(
            tag=free.asset_tag), code='unit_free')
    if not db.session.scalar(sa.select(sa.func.count()).select_from(Unit).where(
            Unit.model_id == model_id, Unit.site_id == site.id, Unit.status != UnitStatus.retired)):
        raise Conflict(_('Your site has no unit of this model.'), code='no_units')
    hold = Hold(model_id=model_id, site_id=site.id, agent_id=agent.id, ticket_id=ticket.id if ticket else None,
                status=HoldStatus.waiting, created_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(hold)
            db.session.flush()
    except IntegrityError:
        raise Conflict(_('You are already in line for this model.'), code='already_in_line')
    return hold


def line_position(hold: Hold) -> int | None:
    if hold.status != HoldStatus.waiting:
        return None
    return db.session.scalar(sa.select(sa.func.count()).select_from(Hold).where(
        Hold.model_id == hold.model_id, Hold.site_id == hold.site_id, Hold.status == HoldStatus.waiting,
        Hold.id <= hold.id))


def cancel_hold(actor: Agent, hold_id: int) -> Hold:
    """Leave the line; a unit kept for this hold passes on to the next in line."""
    hold = db.session.get(Hold, hold_id)
    if hold is None or (hold.agent_id != actor.id and not actor.has_role(Role.supervisor)):
        raise NotFound(_('Hold {id} does not exist or is not yours.').format(id=hold_id))
    if hold.status not in OPEN_HOLD:
        raise Conflict(_('Hold {id} is already closed.').format(id=hold_id), code='hold_closed')
    now = utcnow()
    unit = lock_unit(hold.unit_id) if hold.status == HoldStatus.ready else None
    db.session.refresh(hold)
    was_ready = hold.status == HoldStatus.ready
    hold.status, hold.closed_at = HoldStatus.cancelled, now
    if was_ready and unit.status == UnitStatus.reserved and unit.reserved_for_id == hold.agent_id:
        db.session.flush()
        _release(unit, now)
    return hold


def expire_holds() -> int:
    """Units kept too long for someone pass on to the next in line. Commits each one."""
    now = utcnow()
    ids = db.session.scalars(sa.select(Hold.id).where(Hold.status == HoldStatus.ready, Hold.expires_at < now)
                             .order_by(Hold.expires_at)).all()
    expired = 0
    for hold_id in ids:
        hold = db.session.get(Hold, hold_id)
        unit = lock_unit(hold.unit_id)
        db.session.refresh(hold)
        if hold.status == HoldStatus.ready and hold.expires_at < now:
            hold.status, hold.closed_at = HoldStatus.expired, now
            db.session.flush()
            payload = event_payload(unit, hold={'id': hold.id, 'agent_id': hold.agent_id})
            publish(db.session, 'lab.hold_expired', payload, [agent_room(hold.agent_id)])
            if unit.status == UnitStatus.reserved and unit.reserved_for_id == hold.agent_id:
                _release(unit, now)
            expired += 1
        db.session.commit()
    return expired


# --- reservations ------------------------------------------------------------------------

def reserve_unit(agent: Agent, unit_id: int, starts_at: datetime, ends_at: datetime, purpose: str) -> Reservation:
    """Book a unit for a window; an overlapping reservation or checkout is refused by name."""
    unit = lock_unit(unit_id)
    if not agent.has_role(Role.supervisor) and unit.site_id != _site_of(agent).id:
        raise Forbidden(_('You can only reserve units at your own site.'), code='other_site')
    if unit.status == UnitStatus.retired:
        raise Conflict(_('Unit {tag} is retired.').format(tag=unit.asset_tag), code='unit_retired')
    if ends_at <= utcnow():
        raise ValidationFailed(fields={'ends_at': [_('Must be in the future.')]})
    conflict = overlapping_reservation(unit.id, starts_at, ends_at)
    if conflict is not None:
        raise _reservation_conflict(conflict, unit)
    checkout = open_checkout(unit.id)
    if checkout is not None and checkout.agent_id != agent.id and checkout.due_at >= starts_at:
        raise Conflict(_('Unit {tag} is checked out by {name} until {due}, after your reservation starts.').format(
            tag=unit.asset_tag, name=checkout.agent.name, due=site_time(checkout.due_at, unit.site)),
            code='unit_checked_out')
    reservation = Reservation(unit=unit, agent_id=agent.id, agent=agent, starts_at=starts_at, ends_at=ends_at,
                              purpose=purpose, created_at=utcnow())
    db.session.add(reservation)
    db.session.flush()
    return reservation


def cancel_reservation(actor: Agent, reservation_id: int) -> Reservation:
    reservation = db.session.get(Reservation, reservation_id)
    if reservation is None or (reservation.agent_id != actor.id and not actor.has_role(Role.supervisor)):
        raise NotFound(_('Reservation {id} does not exist or is not yours.').format(id=reservation_id))
    if reservation.cancelled_at is None:
        reservation.cancelled_at = utcnow()
    return reservation


# --- overdue -------------------------------------------------------------------------------

def sweep_overdue() -> int:
    """Raise ``lab.overdue`` once for every checkout past its due time. Commits."""
    now = utcnow()
    due = db.session.scalars(sa.select(Checkout).where(Checkout.returned_at.is_(None), Checkout.due_at < now,
                                                       Checkout.overdue_notified_at.is_(None))).all()
    raised = 0
    for checkout in due:
        claimed = db.session.execute(
            sa.update(Checkout).where(Checkout.id == checkout.id, Checkout.returned_at.is_(None),
                                      Checkout.overdue_notified_at.is_(None))
            .values(overdue_notified_at=now).execution_options(synchronize_session=False)).rowcount
        if claimed:
            unit = checkout.unit
            message = in_both_languages(lambda: _('{name}: unit {tag} was due at {due}; return it.').format(
                name=checkout.agent.name, tag=unit.asset_tag, due=site_time(checkout.due_at, unit.site)))
            publish(db.session, 'lab.overdue', event_payload(
                unit, checkout, overdue_seconds=int((now - checkout.due_at).total_seconds()), message=message),
                _rooms(unit, checkout.agent_id) + [SUPERVISORS])
            raised += 1
    db.session.commit()
    return raised


# --- reminders (ticket resolved while a unit is out) -----------------------------------

def remind_open_checkouts(ticket: Ticket) -> list[Reminder]:
    """Leave a reminder (and a live nudge) for every unit still out for this ticket."""
    reminders = []
    checkouts = db.session.scalars(sa.select(Checkout).where(Checkout.ticket_id == ticket.id,
                                                             Checkout.returned_at.is_(None))).all()
    for checkout in checkouts:
        if db.session.scalar(sa.select(Reminder.id).where(Reminder.checkout_id == checkout.id,
                                                          Reminder.done_at.is_(None))):
            continue
        reminder = Reminder(agent_id=checkout.agent_id, checkout=checkout, ticket_id=ticket.id, created_at=utcnow())
        db.session.add(reminder)
        db.session.flush()
        unit = checkout.unit
        message = in_both_languages(lambda: _('Ticket {number} is resolved; please return unit {tag}.').format(
            number=ticket.number, tag=unit.asset_tag))
        publish(db.session, 'lab.return_reminder', event_payload(unit, checkout, reminder_id=reminder.id,
                                                                 message=message), [agent_room(checkout.agent_id)])
        reminders.append(reminder)
    return reminders


# --- catalog (admins) -------------------------------------------------------------------

def _client_by_slug(slug: str | None) -> Client | None:
    if not slug:
        return None
    client = db.session.scalar(sa.select(Client).filter_by(slug=slug))
    if client is None:
        raise ValidationFailed(fields={'client': [_('Unknown client: {slug}.').format(slug=slug)]})
    return client


def _site_by_id(site_id: int) -> Site:
    site = db.session.get(Site, site_id)
    if site is None:
        raise ValidationFailed(fields={'site_id': [_('Unknown site.')]})
    return site


def save_model(data: dict, model: EquipmentModel | None = None) -> EquipmentModel:
    """Create a model or change one; maker + name are unique."""
    model = model or EquipmentModel(created_at=utcnow())
    if 'category' in data:
        data['category'] = Category(data['category'])
    if 'client' in data:
        client = _client_by_slug(data.pop('client'))
        model.client_id = client.id if client else None
    if 'product_lines' in data:
        data['product_lines'] = normalise_products(data['product_lines'])
    for attr, value in data.items():
        setattr(model, attr, value)
    try:
        with db.session.begin_nested():
            db.session.add(model)
            db.session.flush()
    except IntegrityError:
        raise Conflict(_('A model with this maker and name already exists.'), code='duplicate_model')
    return model


def normalise_products(products) -> list[str]:
    return list(dict.fromkeys(p.strip().lower() for p in products or [] if p and p.strip()))


def create_unit(data: dict) -> Unit:
    get_model(data['model_id'])
    _site_by_id(data['site_id'])
    data['condition'] = Condition(data.get('condition') or Condition.good)
    now = utcnow()
    unit = Unit(created_at=now, updated_at=now, **data)
    try:
        with db.session.begin_nested():
            db.session.add(unit)
            db.session.flush()
    except IntegrityError:
        raise Conflict(_('Asset tag {tag} is already in use.').format(tag=data['asset_tag']),
                       code='duplicate_asset_tag', fields={'asset_tag': [_('Already taken.')]})
    return unit


def update_unit(unit_id: int, data: dict) -> Unit:
    """Change a unit's details; status only among available, maintenance and retired, never while out."""
    unit = lock_unit(unit_id)
    if 'model_id' in data:
        get_model(data['model_id'])
    if 'site_id' in data:
        _site_by_id(data['site_id'])
    moving = any(name in data and data[name] != getattr(unit, name) for name in ('site_id', 'model_id'))
    status = UnitStatus(data.pop('status')) if 'status' in data else None
    if 'condition' in data:
        data['condition'] = Condition(data['condition'])
    if (status is not None or moving) and unit.status == UnitStatus.checked_out:
        raise Conflict(_('Unit {tag} is checked out; check it in first.').format(tag=unit.asset_tag),
                       code='unit_checked_out')
    if moving and unit.status == UnitStatus.reserved:
        raise _unavailable(unit, unit.reserved_for)
    for attr, value in data.items():
        setattr(unit, attr, value)
    unit.updated_at = utcnow()
    if status is not None and status != unit.status:
        set_admin_status(unit, status)
    return unit


def set_admin_status(unit: Unit, status: UnitStatus) -> None:
    """Maintenance / retired / back in service; a unit back in service goes to the waiting line."""
    now = utcnow()
    if unit.status == UnitStatus.reserved:
        for hold in db.session.scalars(sa.select(Hold).where(Hold.unit_id == unit.id,
                                                             Hold.status == HoldStatus.ready)):
            hold.status, hold.unit_id, hold.ready_at, hold.expires_at = HoldStatus.waiting, None, None, None
        unit.reserved_for_id = unit.reserved_until = None
    if status == UnitStatus.available:
        db.session.flush()
        _release(unit, now)
    else:
        unit.status = status

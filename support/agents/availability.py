"""Presence, skills and capacity: changing them, and reserving capacity for work.

Every change that can make an agent receive work locks the agent's ``AgentState``
row first; capacity is taken with a conditional ``UPDATE ... WHERE load < capacity``.
"""
import sqlalchemy as sa
from flask import current_app
from flask_babel import get_locale
from sqlalchemy.exc import IntegrityError

from ..core.clock import utcnow
from ..core.errors import Conflict, ValidationFailed
from ..core.extensions import db
from ..core.i18n import _
from .models import Agent
from .operations import set_clients
from .presence_history import PresenceChange
from .presence import (BUILTIN_AWAY_REASONS, CHANNELS, DEFAULT_CAPACITIES, AgentLoad, AgentState, AwayReason,
                       Presence)
from .signals import presence_changed, skills_changed


def default_capacities() -> dict:
    return {**DEFAULT_CAPACITIES, **(current_app.config.get('SUPPORT_DEFAULT_CAPACITIES') or {})}


def ensure_state(agent_id: int) -> AgentState:
    """The agent's state row (created offline with default capacities when missing)."""
    state = db.session.get(AgentState, agent_id)
    if state is not None:
        return state
    try:
        with db.session.begin_nested():
            state = AgentState(agent_id=agent_id, status=Presence.offline, since=utcnow(), products=[])
            db.session.add(state)
            for channel, capacity in default_capacities().items():
                db.session.add(AgentLoad(agent_id=agent_id, channel=channel, capacity=capacity, load=0))
            db.session.flush()
    except IntegrityError:
        state = db.session.get(AgentState, agent_id)
    return state


def lock_state(agent_id: int) -> AgentState:
    """The agent's state row, locked until commit."""
    ensure_state(agent_id)
    return db.session.scalar(sa.select(AgentState).where(AgentState.agent_id == agent_id)
                             .with_for_update().execution_options(populate_existing=True))


def away_reasons() -> dict[str, str]:
    """``{code: label}`` in the caller's language: built-in reasons, then custom ones."""
    spanish = str(get_locale() or 'en') == 'es'
    reasons = {code: str(label) for code, label in BUILTIN_AWAY_REASONS.items()}
    for row in db.session.scalars(sa.select(AwayReason).order_by(AwayReason.code)):
        reasons[row.code] = row.label_es if spanish else row.label_en
    return reasons


def add_away_reason(code: str, label_en: str, label_es: str) -> AwayReason:
    if code in BUILTIN_AWAY_REASONS or db.session.get(AwayReason, code) is not None:
        raise Conflict(_('This away reason already exists.'), fields={'code': [_('Already taken.')]})
    reason = AwayReason(code=code, label_en=label_en, label_es=label_es)
    db.session.add(reason)
    db.session.flush()
    return reason


def set_presence(agent_id: int, status: Presence, reason: str | None = None, actor_id: int | None = None,
                 system: bool = False) -> AgentState:
    """Change presence (reasons only go with away); sends ``presence_changed`` when it changed."""
    if status != Presence.away:
        reason = None
    elif reason is not None and not system and reason not in away_reasons():
        raise ValidationFailed(fields={'reason': [_('Unknown away reason.')]})
    state = lock_state(agent_id)
    if state.status == status and state.reason == reason:
        return state
    before = state.status
    state.status, state.reason, state.since = status, reason, utcnow()
    _record_change(state, actor_id)
    presence_changed.send(state, before=before, actor_id=actor_id)
    return state


def _record_change(state: AgentState, actor_id: int | None) -> None:
    """Close the agent's open history row and open the next one at the same instant.

    A clock that stepped back (another process a little behind, an NTP correction) must not
    make a row end before it started: the change then happens at the open row's start.
    """
    opened = db.session.execute(sa.select(PresenceChange.id, PresenceChange.started_at)
                                .where(PresenceChange.agent_id == state.agent_id,
                                       PresenceChange.ended_at.is_(None))).first()
    moment = state.since
    if opened is not None:
        started = opened.started_at
        if started.tzinfo is None and moment.tzinfo is not None:
            started = started.replace(tzinfo=moment.tzinfo)
        moment = max(moment, started)
        db.session.execute(sa.update(PresenceChange).where(PresenceChange.id == opened.id)
                           .values(ended_at=moment).execution_options(synchronize_session=False))
    db.session.add(PresenceChange(agent_id=state.agent_id, status=state.status, reason=state.reason,
                                  actor_id=actor_id, started_at=moment))
    db.session.flush()


def sign_out(agent_id: int) -> None:
    """Signing out of a session makes the agent offline (their offers go back, their wrap-ups end)."""
    if db.session.get(AgentState, agent_id) is not None:
        set_presence(agent_id, Presence.offline, actor_id=agent_id)


def capacities_of(agent_id: int) -> dict[str, int]:
    rows = db.session.execute(sa.select(AgentLoad.channel, AgentLoad.capacity)
                              .where(AgentLoad.agent_id == agent_id)).all()
    return dict(rows) or default_capacities()


def update_skills(agent: Agent, data: dict) -> Agent:
    """Change languages, clients, products and capacities live; sends ``skills_changed``."""
    state = lock_state(agent.id)
    changed = []
    if 'languages' in data and sorted(set(data['languages'])) != agent.languages:
        agent.languages = sorted(set(data['languages']))
        changed.append('languages')
    if 'clients' in data or 'all_clients' in data:
        set_clients(agent, data)
        changed.append('clients')
    if 'products' in data:
        state.products = sorted(set(p.strip() for p in data['products'] if p.strip()))
        changed.append('products')
    if 'capacities' in data:
        _set_capacities(agent.id, data['capacities'])
        changed.append('capacities')
    if changed:
        db.session.flush()
        skills_changed.send(agent, fields=changed)
    return agent


def _set_capacities(agent_id: int, capacities: dict) -> None:
    unknown = sorted(set(capacities) - set(CHANNELS))
    if unknown:
        raise ValidationFailed(fields={'capacities': [_('Unknown channel: {channel}.').format(channel=c)
                                                      for c in unknown]})
    for channel, capacity in capacities.items():
        updated = db.session.execute(sa.update(AgentLoad).where(AgentLoad.agent_id == agent_id,
                                                                AgentLoad.channel == channel)
                                     .values(capacity=capacity))
        if updated.rowcount == 0:
            db.session.add(AgentLoad(agent_id=agent_id, channel=channel, capacity=capacity, load=0))
    db.session.flush()


def take_capacity(agent_id: int, channel: str) -> bool:
    """Count one more piece of work on ``channel`` unless the agent is full (conditional update)."""
    result = db.session.execute(
        sa.update(AgentLoad).where(AgentLoad.agent_id == agent_id, AgentLoad.channel == channel,
                                   AgentLoad.load < AgentLoad.capacity)
        .values(load=AgentLoad.load + 1).execution_options(synchronize_session=False))
    return result.rowcount == 1


def free_capacity(agent_id: int, channel: str) -> None:
    """Count one piece of work less on ``channel``."""
    db.session.execute(
        sa.update(AgentLoad).where(AgentLoad.agent_id == agent_id, AgentLoad.channel == channel,
                                   AgentLoad.load > 0)
        .values(load=AgentLoad.load - 1).execution_options(synchronize_session=False))

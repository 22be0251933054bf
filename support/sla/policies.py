"""SLA policies: create, change, reorder, delete; and the per-process cache intake reads.

Every change bumps the policy's ``version``, forgets this process's cache at once and,
after commit, re-plans the client's open tickets in a job. Other processes keep their
cached policies for at most ``CACHE_SECONDS``; the re-plan runs a second time after that
window for the tickets opened meanwhile, so none keeps a stale plan.
"""
import json
import time
from datetime import timedelta

import sqlalchemy as sa

from ..calendars.models import Calendar
from ..calendars.operations import register_user_finder
from ..clients.models import Client
from ..core import caches, jobs
from ..core.clock import utcnow
from ..core.errors import NotFound, ValidationFailed
from ..core.extensions import db
from ..core.i18n import _
from ..core.transactions import after_commit
from ..tickets.models import Ticket
from .models import Metric, SlaPolicy
from .planning import REALTIME_CHANNELS, PolicyFacts

CACHE_SECONDS = 30
_cache: dict[int, tuple[float, tuple[PolicyFacts, ...]]] = {}
_PARKED = 1_000_000  # positions are moved out of the way before renumbering (the unique index never trips)


# --- the cache intake reads -------------------------------------------------------------

def policies_for(client_id: int) -> tuple[PolicyFacts, ...]:
    """The client's active policies by position, as plain data (cached per process)."""
    cached = _cache.get(client_id)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    rows = db.session.scalars(sa.select(SlaPolicy).where(SlaPolicy.client_id == client_id,
                                                         SlaPolicy.active.is_(True))
                              .order_by(SlaPolicy.position)).all()
    facts = tuple(facts_of(row) for row in rows)
    _cache[client_id] = (time.monotonic() + CACHE_SECONDS, facts)
    return facts


def facts_of(policy: SlaPolicy) -> PolicyFacts:
    return PolicyFacts(
        id=policy.id, name=policy.name, position=policy.position, calendar_id=policy.calendar_id,
        conditions={k: frozenset(v) for k, v in (policy.conditions or {}).items() if v},
        targets={m: policy.target(m) for m in Metric if policy.target(m)},
        warning_percent=policy.warning_percent, service_level_percent=policy.service_level_percent,
        pause_statuses=frozenset(policy.pause_statuses or ()), breach_priority=policy.breach_priority,
        breach_escalation=policy.breach_escalation, version=policy.version)


def policy_by_id(client_id: int, policy_id: int | None) -> PolicyFacts | None:
    return next((p for p in policies_for(client_id) if p.id == policy_id), None)


@caches.register
def forget(client_id: int | None = None) -> None:
    if client_id is None:
        _cache.clear()
    else:
        _cache.pop(client_id, None)


# --- reading and changing -------------------------------------------------------------------

def list_policies(client: Client) -> list[SlaPolicy]:
    return list(db.session.scalars(sa.select(SlaPolicy).where(SlaPolicy.client_id == client.id)
                                   .order_by(SlaPolicy.position)))


def get_policy(client: Client, policy_id: int) -> SlaPolicy:
    policy = db.session.get(SlaPolicy, policy_id)
    if policy is None or policy.client_id != client.id:
        raise NotFound(_('No such SLA policy.'))
    return policy


def create_policy(client: Client, data: dict) -> SlaPolicy:
    """A new policy at ``position`` (the end when not given); the others move down."""
    policies = _locked_policies(client)
    _check(client, data, others=policies)
    now = utcnow()
    policy = SlaPolicy(client_id=client.id, position=_PARKED, created_at=now, updated_at=now, version=1)
    _assign(policy, data)
    _check_targets(policy)
    db.session.add(policy)
    db.session.flush()
    position = min(data.get('position', len(policies)), len(policies))
    _renumber(policies[:position] + [policy] + policies[position:])
    _changed(client.id)
    return policy


def update_policy(client: Client, policy: SlaPolicy, data: dict) -> SlaPolicy:
    policies = _locked_policies(client)
    _check(client, data, others=[p for p in policies if p.id != policy.id])
    _assign(policy, data)
    _check_targets(policy)
    if 'position' in data:
        others = [p for p in policies if p.id != policy.id]
        position = min(data['position'], len(others))
        _renumber(others[:position] + [policy] + others[position:])
    policy.version += 1
    policy.updated_at = utcnow()
    _changed(client.id)
    return policy


def delete_policy(client: Client, policy: SlaPolicy) -> None:
    """Delete it; running clocks it set are re-planned by the next policy that matches (or cancelled)."""
    policies = _locked_policies(client)
    db.session.delete(policy)
    db.session.flush()
    _renumber([p for p in policies if p.id != policy.id])
    _changed(client.id)


def reorder(client: Client, ids: list[int]) -> list[SlaPolicy]:
    """Set the order of all of the client's policies at once (``ids`` names each exactly once)."""
    policies = _locked_policies(client)
    by_id = {p.id: p for p in policies}
    strangers = [str(i) for i in ids if i not in by_id]
    if strangers:
        raise ValidationFailed(fields={'ids': [_('Not policies of this client: {ids}.').format(
            ids=', '.join(strangers))]})
    if len(ids) != len(set(ids)) or set(ids) != set(by_id):
        raise ValidationFailed(fields={'ids': [_('Name every policy of this client exactly once.')]})
    ordered = [by_id[i] for i in ids]
    _renumber(ordered)
    for policy in ordered:
        policy.version += 1
        policy.updated_at = utcnow()
    _changed(client.id)
    return ordered


def _locked_policies(client: Client) -> list[SlaPolicy]:
    """The client's policies in order; the client row is locked so changes to the order queue up."""
    db.session.execute(sa.select(Client.id).where(Client.id == client.id).with_for_update())
    return list(db.session.scalars(sa.select(SlaPolicy).where(SlaPolicy.client_id == client.id)
                                   .order_by(SlaPolicy.position).execution_options(populate_existing=True)))


def _renumber(ordered: list[SlaPolicy]) -> None:
    for index, policy in enumerate(ordered):
        policy.position = _PARKED + index + 1
    db.session.flush()
    for index, policy in enumerate(ordered):
        policy.position = index
    db.session.flush()


def _assign(policy: SlaPolicy, data: dict) -> None:
    for name in ('name', 'active', 'calendar_id', 'warning_percent', 'service_level_percent'):
        if name in data:
            setattr(policy, name, data[name])
    if 'conditions' in data:
        policy.conditions = {k: v for k, v in data['conditions'].items() if v}
    if 'targets' in data:
        for metric in Metric:
            if metric.value in data['targets']:
                setattr(policy, f'{metric.value}_seconds', data['targets'][metric.value])
    if 'pause_on' in data:
        policy.pause_statuses = list(dict.fromkeys(data['pause_on']))
    if 'on_breach' in data:
        policy.breach_priority = data['on_breach'].get('priority')
        policy.breach_escalation = data['on_breach'].get('escalation', 0)


def _changed(client_id: int) -> None:
    forget(client_id)
    after_commit(db.session, schedule_replan, client_id)


def schedule_replan(client_id: int) -> None:
    """Re-plan now, and again once every process's cache has expired (for tickets opened meanwhile)."""
    jobs.enqueue('sla.replan_client', client_id, None)
    since = utcnow().isoformat()
    jobs.enqueue('sla.replan_client', client_id, since, eta=utcnow() + timedelta(seconds=CACHE_SECONDS + 5))


# --- validation that needs the database -------------------------------------------------------

def _check(client: Client, data: dict, others: list[SlaPolicy]) -> None:
    errors = {}
    if 'name' in data and any(p.name == data['name'] for p in others):
        errors['name'] = [_('Another policy of this client has this name.')]
    if data.get('calendar_id') is not None and db.session.get(Calendar, data['calendar_id']) is None:
        errors['calendar_id'] = [_('No such calendar.')]
    conditions = data.get('conditions') or {}
    for name, known in (('product', known_products), ('tags', known_tags)):
        unknown = [v for v in conditions.get(name) or [] if v not in known(client, conditions[name])]
        if unknown:
            errors.setdefault('conditions', {})[name] = [
                _('Unknown for this client: {values}.').format(values=', '.join(unknown))]
    if errors:
        raise ValidationFailed(fields=errors)


def _check_targets(policy: SlaPolicy) -> None:
    """On the policy as it will be saved: at least one target; an answer target only for real-time channels."""
    if not any(policy.target(m) for m in Metric):
        raise ValidationFailed(fields={'targets': [_('Give at least one target.')]})
    channels = (policy.conditions or {}).get('channel')
    if policy.answer_seconds and channels and not REALTIME_CHANNELS.intersection(channels):
        raise ValidationFailed(fields={'targets': {'answer': [
            _('The answer target is for real-time channels (chat, social, SMS, WhatsApp, phone).')]}})


def known_products(client: Client, values) -> set[str]:
    """Of ``values``, those in the client's catalogue or already on one of its tickets."""
    known = set(client.products or ()) & set(values)
    rest = set(values) - known
    if rest:
        known |= set(db.session.scalars(sa.select(Ticket.product).distinct()
                                        .where(Ticket.client_id == client.id, Ticket.product.in_(rest))))
    return known


def known_tags(client: Client, values) -> set[str]:
    """Of ``values``, those in the client's catalogue or already on one of its tickets."""
    known = set(client.tags or ()) & set(values)
    for tag in set(values) - known:
        needle = '%' + json.dumps(tag).replace('\\', '\\\\').replace('%', '\\%').replace('_', '\\_') + '%'
        used = db.session.scalar(sa.select(Ticket.id).where(Ticket.client_id == client.id,
                                                            sa.cast(Ticket.tags, sa.Text).like(needle, escape='\\'))
                                 .limit(1))
        if used is not None:
            known.add(tag)
    return known


# --- who uses a calendar ------------------------------------------------------------------------

def _policies_using(calendar_id: int) -> list[str]:
    rows = db.session.execute(sa.select(SlaPolicy.name, Client.name).join(Client, Client.id == SlaPolicy.client_id)
                              .where(SlaPolicy.calendar_id == calendar_id).order_by(Client.name, SlaPolicy.name))
    return [_('SLA policy “{policy}” of {client}').format(policy=policy, client=client) for policy, client in rows]


register_user_finder(_policies_using)

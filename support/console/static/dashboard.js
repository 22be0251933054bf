// The supervisor dashboard: live queues, agents, an event feed and the lab board.
// Every (re)connect brings a fresh snapshot that replaces what is shown; events then patch it.
import {api, connectLive, debounce, el, features, fmtDuration, fmtTime, label, locale, option, reportError, t,
  setupLocaleSwitch, toast} from './common.js';
import {LabBoard} from './lab.js';
import * as sla from './sla.js';

const $ = (id) => document.getElementById(id);
const FEED_LIMIT = 80;
const state = {
  queues: new Map(),   // id -> {entry, received (browser ms)}
  agents: new Map(),   // id -> entry
  feedKeys: new Set(),
  reasons: new Map(),  // away reason code -> translated label
};
const lab = features.lab ? new LabBoard() : null;

// ---------- queues ----------
function setQueues(queues) {
  const received = Date.now();
  state.queues = new Map(queues.map((q) => [q.id, {entry: q, received}]));
  renderQueues();
}

function setQueue(queue) {
  state.queues.set(queue.id, {entry: queue, received: Date.now()});
  renderQueues();
}

function oldestWait({entry, received}) {
  return entry.waiting > 0 ? entry.oldest_wait_seconds + (Date.now() - received) / 1000 : 0;
}

function level(item) {
  const {entry} = item;
  const wait = oldestWait(item);
  if (entry.waiting > 0 && (entry.unstaffed || wait >= entry.threshold_seconds)) return 'alert';
  if (entry.waiting > 0 && wait >= entry.threshold_seconds * 0.75) return 'warn';
  return 'ok';
}

function queueRow(item) {
  const q = item.entry;
  return el('tr', {class: `level-${level(item)}`, dataset: {queueId: q.id, testid: 'queue-row'}},
    el('th', {scope: 'row'}, q.name, q.unstaffed ? el('span', {class: 'badge alert'}, t('dashboard.unstaffed')) : null),
    el('td', {}, q.client || '—'),
    el('td', {}, label('language', q.language)),
    el('td', {}, (q.channels || []).map((c) => label('channel', c)).join(', ')),
    el('td', {class: 'num big', dataset: {testid: 'waiting'}}, String(q.waiting)),
    el('td', {class: 'num wait', dataset: {testid: 'oldest-wait'}}, q.waiting ? fmtDuration(oldestWait(item)) : '—'),
    el('td', {class: 'num', dataset: {testid: 'offers-in-flight'}}, String(q.offers_in_flight)),
    el('td', {class: 'num'}, `${q.agents_available} / ${q.agents_busy}`),
    serviceLevelCell(q.service_level),
    el('td', {class: 'num', dataset: {testid: 'sla-risk'}},
      el('span', {class: q.sla_at_risk ? 'sla-count sla-risk' : ''}, String(q.sla_at_risk ?? 0)), ' / ',
      el('span', {class: q.sla_breached ? 'sla-count sla-breached' : ''}, String(q.sla_breached ?? 0))));
}

// The service level of the last 30 minutes against its goal, with the words when it is below.
function serviceLevelCell(level) {
  if (!level || level.percent === null || level.percent === undefined) {
    return el('td', {class: 'num muted', dataset: {testid: 'service-level'}}, t('dashboard.no_contacts'));
  }
  const below = level.goal_percent !== null && level.percent < level.goal_percent;
  const percent = new Intl.NumberFormat(locale, {maximumFractionDigits: 1}).format(level.percent);
  return el('td', {class: `num ${below ? 'sla-below' : 'sla-meets'}`, dataset: {testid: 'service-level'}},
    el('strong', {}, t('dashboard.service_level', {percent, within: level.within_target, total: level.contacts})),
    level.goal_percent ? el('span', {class: 'muted small'}, ` ${t('dashboard.goal', {goal: level.goal_percent})}`) : null,
    below ? el('span', {class: 'badge alert'}, t('dashboard.below_goal')) : null);
}

// ---------- tickets at risk and breached ----------
async function refreshRiskNow() {
  const box = $('sla-risk-list');
  if (!box) return;
  try {
    const page = await api('GET', '/tickets?sla=breached&sla=at_risk&sort=due&limit=20');
    box.replaceChildren(...(page.items.length ? page.items.map((ticket) => el('li', {dataset: {testid: 'risk-ticket'}},
      el('span', {class: 'num'}, `#${ticket.number}`), ' ', el('span', {}, ticket.subject), ' ',
      el('span', {class: 'muted small'}, [ticket.client, label('channel', ticket.channel),
        ticket.assignee?.name || t('dashboard.none')].join(' · ')), ' ',
      sla.chip({dueIso: ticket.sla_due_at, warnIso: ticket.sla_warn_at})))
      : [el('li', {class: 'empty'}, t('dashboard.no_risk'))]));
  } catch (err) { reportError(err); }
}
const refreshRisk = debounce(refreshRiskNow, 300);

function renderQueues() {
  const body = $('queue-rows');
  if (!body) return;
  const items = [...state.queues.values()].sort((a, b) => a.entry.name.localeCompare(b.entry.name));
  body.replaceChildren(...(items.length ? items.map(queueRow)
    : [el('tr', {}, el('td', {colspan: 10, class: 'empty'}, t('dashboard.no_queues')))]));
  labelCells(body);
}

// On a phone the tables' rows become cards: each cell is labelled with its column's heading (CSS shows it).
function labelCells(body) {
  const headings = [...body.closest('table').querySelectorAll('thead th')].map((th) => th.textContent.trim());
  for (const row of body.rows) [...row.cells].forEach((cell, i) => { cell.dataset.label = headings[i] || ''; });
}

function tickQueues() {
  for (const item of state.queues.values()) {
    const row = document.querySelector(`tr[data-queue-id="${item.entry.id}"]`);
    if (!row) continue;
    row.className = `level-${level(item)}`;
    row.querySelector('.wait').textContent = item.entry.waiting ? fmtDuration(oldestWait(item)) : '—';
  }
}

function renderOpenWork(tickets) {
  const box = $('open-work');
  if (!tickets || features.routing) { box.replaceChildren(); return; }
  box.replaceChildren(el('h3', {}, t('dashboard.open_work')), el('ul', {class: 'plain stats'},
    Object.entries(tickets).map(([status, s]) => el('li', {},
      el('strong', {}, String(s.count)), ' ', label('status', status),
      s.count ? el('span', {class: 'muted small'}, ` · ${fmtDuration(s.oldest_seconds)}`) : null))));
}

// ---------- agents ----------
function setAgents(agents) {
  state.agents = new Map(agents.map((a) => [a.id, a]));
  renderAgents();
}

function presenceSelect(agent) {
  const select = el('select', {'aria-label': t('presence.label', {name: agent.name}), dataset: {testid: 'agent-presence'}},
    ['available', 'away', 'offline'].map((s) => option(s, t(`presence.${s}`), agent.presence?.status === s)));
  select.addEventListener('change', async () => {
    try {
      await api('PUT', `/routing/agents/${agent.id}/presence`, {status: select.value});
      select.blur();
      toast(t('dashboard.presence_saved', {name: agent.name, status: t(`presence.${select.value}`)}));
      refreshRest();
    } catch (err) { reportError(err); refreshRest(); }
  });
  return select;
}

function capacityCell(agent) {
  const channels = Object.keys(agent.capacities || {});
  return el('td', {class: 'capacity'}, channels.map((ch) => {
    const input = el('input', {type: 'number', min: '0', max: '50', value: String(agent.capacities[ch]),
      'aria-label': t('capacity.label', {name: agent.name, channel: label('channel', ch)}),
      dataset: {testid: `capacity-${ch}`}});
    input.addEventListener('change', () => saveCapacity(agent, ch, input.value));
    const load = agent.load?.[ch] || 0;
    return el('span', {class: `cap${load >= agent.capacities[ch] && agent.capacities[ch] ? ' full' : ''}`},
      `${label('channel', ch)} ${load}/`, input);
  }));
}

async function saveCapacity(agent, channel, value) {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) { toast(t('capacity.invalid'), 'error'); renderAgents(); return; }
  try {
    const updated = await api('PATCH', `/routing/agents/${agent.id}`, {capacities: {...agent.capacities, [channel]: number}});
    state.agents.set(agent.id, {...agent, ...updated});
    toast(t('dashboard.capacity_saved', {name: agent.name}));
    renderAgents();
  } catch (err) { reportError(err); renderAgents(); }
}

function reassignSelect(agent, ticket) {
  const others = [...state.agents.values()].filter((a) => a.id !== agent.id);
  const select = el('select', {'aria-label': t('dashboard.reassign'), dataset: {testid: 'reassign'}},
    option('', t('dashboard.reassign')), others.map((a) => option(String(a.id), a.name)));
  select.addEventListener('change', async () => {
    if (!select.value) return;
    const target = state.agents.get(Number(select.value));
    try {
      await api('POST', `/tickets/${ticket.id}/reassign`, {agent_id: Number(select.value)});
      select.blur();
      toast(t('dashboard.reassigned', {number: ticket.number, name: target?.name || ''}));
      refreshRest();
    } catch (err) { reportError(err); select.value = ''; }
  });
  return select;
}

function agentRow(agent) {
  const tickets = agent.tickets || [];
  return el('tr', {class: `presence-${agent.presence?.status || 'offline'}`, dataset: {agentId: agent.id, testid: 'agent-row'}},
    el('th', {scope: 'row'}, el('div', {}, agent.name),
      el('div', {class: 'muted small'}, [agent.site, (agent.languages || []).map((l) => l.toUpperCase()).join('/')]
        .filter(Boolean).join(' · '))),
    el('td', {}, el('span', {class: 'dot'}), presenceSelect(agent),
      agent.presence?.activity === 'wrap_up' ? el('span', {class: 'badge wrap-up', dataset: {testid: 'wrap-up'}},
        t('wrapup.badge')) : null,
      agent.presence?.reason ? el('div', {class: 'muted small', dataset: {testid: 'away-reason'}},
        state.reasons.get(agent.presence.reason) || agent.presence.reason) : null),
    capacityCell(agent),
    el('td', {class: 'current-tickets'}, tickets.length ? el('ul', {class: 'plain tickets'}, tickets.map((ticket) => el('li', {},
      el('span', {class: 'num'}, `#${ticket.number}`), ' ', el('span', {class: 'subject'}, ticket.subject), ' ',
      reassignSelect(agent, ticket)))) : el('span', {class: 'muted'}, t('dashboard.none'))));
}

function renderAgents() {
  const body = $('agent-rows');
  if (!body) return;
  // The row the supervisor is working in is kept as it is (never pull a select from under the
  // user); it is redrawn when the focus leaves it.
  const busy = document.activeElement?.closest?.('tr[data-agent-id]');
  const keep = busy && body.contains(busy) ? Number(busy.dataset.agentId) : null;
  const agents = [...state.agents.values()].sort((a, b) => a.name.localeCompare(b.name));
  body.replaceChildren(...(agents.length ? agents.map((a) => (a.id === keep ? busy : agentRow(a)))
    : [el('tr', {}, el('td', {colspan: 4, class: 'empty'}, t('dashboard.no_agents')))]));
  if (keep !== null) busy.dataset.stale = 'true';
  labelCells(body);
}

function onAgentsFocusOut(event) {
  const row = event.target.closest?.('tr[data-agent-id]');
  if (row?.dataset.stale && !row.contains(event.relatedTarget)) setTimeout(renderAgents, 0);
}

// ---------- feed ----------
function agentName(id) {
  return state.agents.get(id)?.name || (id ? `#${id}` : '');
}

function describe(name, p) {
  const ticket = p.ticket || p;
  const params = {number: ticket.number ?? ticket.id ?? '', subject: ticket.subject || '',
    channel: label('channel', ticket.channel), language: label('language', ticket.language),
    agent: p.agent_name || agentName(p.agent_id ?? ticket.assignee_id), status: t(`presence.${p.status}`),
    metric: label('sla_metric', p.clock?.metric)};
  if (name === 'ticket.updated') {
    params.changes = Object.entries(p.changes || {}).map(([k, v]) =>
      `${t(`field.${k}`) === `field.${k}` ? k : t(`field.${k}`)}: ${label(k, v.before) || '—'} → ${label(k, v.after) || '—'}`).join(', ');
  }
  if (name.startsWith('lab.')) {
    const unit = p.unit ? `${p.unit.asset_tag} (${p.unit.model?.name || ''})` : '';
    return t(`event.${name}`, {unit, agent: p.checkout?.agent?.name || p.returned_by?.name || '', site: p.site?.name || ''});
  }
  const key = `event.${name}`;
  return t(key) === key ? name : t(key, params);
}

function feedKey(name, p) {
  return [name, p.id ?? p.agent_id ?? p.unit?.id, p.status, p.updated_at, p.since, p.message?.id, p.checkout?.id,
    p.hold?.id, p.clock?.id].join('|');
}

// The feed survives a reload (a language switch, say) in sessionStorage, re-described in the new language.
const FEED_STORE = 'support.dashboard.feed';
let stored = [];

function addFeed(name, payload, at = Date.now(), remember = true) {
  const key = feedKey(name, payload);
  if (state.feedKeys.has(key)) return;
  state.feedKeys.add(key);
  const feed = $('feed');
  feed.querySelector('.empty')?.remove();
  feed.prepend(el('li', {class: `ev ev-${name.replace('.', '-')}`, dataset: {testid: 'feed-item', event: name}},
    el('time', {class: 'muted small'}, fmtTime(at)), ' ', el('span', {}, describe(name, payload))));
  while (feed.children.length > FEED_LIMIT) feed.lastElementChild.remove();
  if (remember) {
    const agent = state.agents.get(payload.agent_id ?? payload.assignee_id)?.name;
    stored = [...stored, {name, payload: agent ? {...payload, agent_name: agent} : payload, at}].slice(-FEED_LIMIT);
    try { sessionStorage.setItem(FEED_STORE, JSON.stringify(stored)); } catch (err) { /* full or disabled */ }
  }
}

function restoreFeed() {
  try { stored = JSON.parse(sessionStorage.getItem(FEED_STORE) || '[]'); } catch (err) { stored = []; }
  for (const item of stored) addFeed(item.name, item.payload, item.at, false);
}

// ---------- data ----------
async function refreshRestNow() {
  if (!features.routing) return;
  try {
    const [queues, agents] = await Promise.all([api('GET', '/routing/queues'), api('GET', '/routing/agents')]);
    setQueues(queues);
    setAgents(agents);
  } catch (err) { reportError(err); }
}
const refreshRest = debounce(refreshRestNow, 250);

function onSnapshot(snapshot) {
  if (snapshot.queues) setQueues(snapshot.queues);
  if (snapshot.agents) setAgents(snapshot.agents);
  renderOpenWork(snapshot.tickets);
}

function onEvent(payload, name) {
  addFeed(name, payload);
  if (name === 'queue.updated') setQueue(payload);
  if (name.startsWith('sla.') || name.startsWith('ticket.')) refreshRisk();
  else if (name === 'agent.presence') {
    const agent = state.agents.get(payload.agent_id);
    if (agent) { agent.presence = payload; renderAgents(); }
  }
  refreshRest();
}

const handlers = {'queue.snapshot': onSnapshot};
for (const name of ['ticket.created', 'ticket.queued', 'ticket.assigned', 'ticket.updated', 'offer.created',
  'offer.accepted', 'offer.declined', 'offer.expired', 'offer.cancelled', 'ticket.escalated', 'agent.presence',
  'message.created', 'sla.warning', 'sla.breached', 'wrapup.started', 'wrapup.ended']) {
  handlers[name] = onEvent;
}
handlers['queue.updated'] = (payload) => { setQueue(payload); refreshRisk(); };
if (lab) Object.assign(handlers, lab.handlers((name, payload) => addFeed(name, payload)));

function start() {
  setupLocaleSwitch();
  $('feed').append(el('li', {class: 'empty'}, t('dashboard.no_events')));
  restoreFeed();
  if (features.routing) {
    api('GET', '/routing/away-reasons').then((reasons) => {
      state.reasons = new Map(reasons.map((r) => [r.code, r.label]));
      renderAgents();
    }).catch(() => {});
  }
  setInterval(() => { tickQueues(); sla.tick(); }, 1000);
  $('agent-rows')?.addEventListener('focusout', onAgentsFocusOut);
  connectLive(handlers, () => { refreshRest(); refreshRisk(); lab?.refresh(); });
}

start();

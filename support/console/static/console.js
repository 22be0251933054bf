// The agent console: presence, offers with a countdown, my tickets, the ticket view and composer.
import {ApiError, api, connectLive, debounce, el, features, fmtDateTime, label, labels, me, option,
  reportError, serverNow, setupLocaleSwitch, t, toast} from './common.js';
import {LabPanel} from './lab.js';
import {MacroPicker} from './macros.js';
import * as sla from './sla.js';
import {renderStory, setupSearch} from './search.js';
import {FieldsPanel} from './fields.js';
import {csatHandlers, showCsat} from './csat.js';
import {announceOffer, setupOfferAlerts} from './offer_alerts.js';
import {setupShortcuts} from './shortcuts.js';
import {attachmentList, chosenFiles, clearFiles, sendWithFiles, showFilesFor} from './attachments.js';
import {setupViewers, viewerHandlers, watchTicket} from './ticket_viewers.js';

const $ = (id) => document.getElementById(id);
const state = {
  offers: new Map(),      // offer id -> {offer, deadline (browser ms)}
  tickets: [],            // my tickets (summaries with unread, last_activity_at)
  current: null,          // the open ticket (detail)
  colleagues: null,
  queues: null,
  reasons: null,
  wrapups: new Map(),     // wrap-up id -> {wrapup, deadline (browser ms)}
  dispositions: new Map(), // client slug -> the client's code tree
  clientNames: new Map(), // client slug -> name (from ticket summaries)
  showResolved: false,    // the "resolved" group of my tickets is open
};
const lab = features.lab ? new LabPanel() : null;
const fieldsPanel = new FieldsPanel((ticket) => {
  state.current = ticket;
  renderTicket(ticket, false);
  refreshTickets();
});
let macros = null; // the macro picker (set up in start())

// ---------- presence ----------
async function loadReasons() {
  if (state.reasons) return state.reasons;
  try { state.reasons = await api('GET', '/routing/away-reasons'); } catch (err) { state.reasons = []; }
  const select = $('away-reason');
  select.replaceChildren(...state.reasons.map((r) => option(r.code, r.label)));
  return state.reasons;
}

function showPresence(presence) {
  if (!presence || !$('presence')) return;
  $('presence').value = presence.status;
  $('away-reason').hidden = presence.status !== 'away';
  if (presence.reason) $('away-reason').value = presence.reason;
  document.body.dataset.presence = presence.status;
  if (presence.wrapups) showWrapups(presence.wrapups);
}

// ---------- wrap-up (after-contact work) and disposition codes ----------
function showWrapups(running) {
  const seen = new Set();
  for (const wrapup of running) {
    seen.add(wrapup.id);
    // Count down from seconds_left as the server computed it: immune to the browser's clock.
    if (!state.wrapups.has(wrapup.id)) {
      state.wrapups.set(wrapup.id, {wrapup, deadline: Date.now() + wrapup.seconds_left * 1000});
    }
  }
  for (const id of [...state.wrapups.keys()]) if (!seen.has(id)) state.wrapups.delete(id);
  renderWrapups();
}

async function loadDispositions(client) {
  if (!client) return [];
  if (!state.dispositions.has(client)) {
    try { state.dispositions.set(client, await api('GET', `/clients/${encodeURIComponent(client)}/dispositions`)); }
    catch (err) { state.dispositions.set(client, []); }
  }
  return state.dispositions.get(client);
}

// Top-level codes with sub-codes become groups (only leaves are choices); the others are choices themselves.
function dispositionOptions(tree, selected) {
  return tree.map((node) => (node.children.length
    ? el('optgroup', {label: node.label}, node.children.map((c) => option(String(c.id), c.label, c.id === selected)))
    : option(String(node.id), node.label, node.id === selected)));
}

function wrapupCard({wrapup}) {
  const ticket = state.tickets.find((x) => x.id === wrapup.ticket_id) || state.wrapupTickets?.get(wrapup.ticket_id);
  const select = el('select', {'aria-label': t('disposition.pick'), dataset: {testid: 'wrapup-disposition'}},
    option('', t('disposition.pick')));
  const client = wrapup.client || ticket?.client;
  loadDispositions(client).then((tree) => {
    select.append(...dispositionOptions(tree, ticket?.disposition_id));
    select.hidden = !tree.length;
  });
  return el('li', {class: 'wrapup', dataset: {wrapupId: wrapup.id, testid: 'wrapup'}},
    el('div', {class: 'wrapup-head'},
      el('strong', {}, t('wrapup.ticket', {number: wrapup.ticket_id})),
      el('span', {class: 'countdown', dataset: {testid: 'wrapup-countdown'}})),
    ticket ? el('div', {class: 'subject small'}, ticket.subject) : null,
    select,
    el('div', {class: 'row'}, el('button', {type: 'button', class: 'primary', dataset: {testid: 'wrapup-end'},
      onclick: () => endWrapup(wrapup, select.value)}, t('wrapup.end'))));
}

function renderWrapups() {
  const list = $('wrapup-list');
  if (!list) return;
  const entries = [...state.wrapups.values()].sort((a, b) => a.deadline - b.deadline);
  list.replaceChildren(...entries.map(wrapupCard));
  $('wrapup-panel').hidden = !entries.length;
  document.body.dataset.activity = entries.length ? 'wrap_up' : (document.body.dataset.presence || '');
  tickWrapups();
}

function tickWrapups() {
  const now = Date.now();
  for (const [id, entry] of state.wrapups) {
    const card = document.querySelector(`.wrapup[data-wrapup-id="${id}"]`);
    if (card) card.querySelector('.countdown').textContent =
      t('wrapup.left', {seconds: Math.max(0, Math.ceil((entry.deadline - now) / 1000))});
  }
}

async function endWrapup(wrapup, dispositionId) {
  const body = dispositionId ? {disposition_id: Number(dispositionId)} : {};
  try {
    await api('POST', `/routing/wrapups/${wrapup.id}/end`, body);
    state.wrapups.delete(wrapup.id);
    renderWrapups();
    toast(t('wrapup.ended', {number: wrapup.ticket_id}));
    if (state.current?.id === wrapup.ticket_id) reloadCurrent();
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) { state.wrapups.delete(wrapup.id); renderWrapups(); }
    else reportError(err);
  }
}

async function showDisposition(ticket) {
  const tree = await loadDispositions(ticket.client);
  if (state.current?.id !== ticket.id) return;
  $('t-disposition-label').hidden = !tree.length;
  $('t-disposition').replaceChildren(option('', t('disposition.none'), !ticket.disposition),
    ...dispositionOptions(tree, ticket.disposition?.id));
}

async function changeDisposition() {
  if (!state.current) return;
  const value = $('t-disposition').value;
  try {
    const ticket = await api('PATCH', `/tickets/${state.current.id}`, {disposition_id: value ? Number(value) : null});
    state.current = ticket;
    renderTicket(ticket, false);
    toast(t('disposition.saved'));
  } catch (err) { reportError(err); renderTicket(state.current, false); }
}

function showLoad(load = {}, capacities = {}) {
  const parts = Object.keys(capacities).filter((ch) => capacities[ch] > 0 || load[ch] > 0)
    .map((ch) => `${label('channel', ch)} ${load[ch] || 0}/${capacities[ch]}`);
  $('load').textContent = parts.join(' · ');
}

async function changePresence() {
  const status = $('presence').value;
  $('away-reason').hidden = status !== 'away';
  if (status === 'away') await loadReasons();
  const body = {status};
  if (status === 'away' && $('away-reason').value) body.reason = $('away-reason').value;
  try {
    const presence = await api('PUT', '/routing/me/presence', body);
    showPresence(presence);
    toast(t('presence.changed', {status: t(`presence.${presence.status}`)}));
  } catch (err) { reportError(err); loadMe(); }
}

function applyMe(snapshot) {
  showPresence(snapshot.presence);
  showLoad(snapshot.load, snapshot.capacities);
  const pending = (snapshot.offers || []).filter((o) => o.status === 'pending');
  state.offers.clear();
  for (const offer of pending) addOffer(offer, snapshot.generated_at, false);
  renderOffers();
}

async function loadMe() {
  if (!features.routing) return;
  try { applyMe(await api('GET', '/routing/me')); } catch (err) { reportError(err); }
}

// ---------- offers ----------
function addOffer(offer, referenceIso, render = true) {
  if (offer.status && offer.status !== 'pending') return;
  // Count down from a server-side reference (the offer's creation, the snapshot's time): immune to clock skew.
  const reference = referenceIso ? Date.parse(referenceIso) : serverNow();
  const remaining = Date.parse(offer.expires_at) - reference;
  state.offers.set(offer.id, {offer, deadline: Date.now() + remaining});
  if (render) renderOffers();
}

function removeOffer(id) {
  const had = state.offers.delete(id);
  if (had) renderOffers();
  return had;
}

function offerCard({offer}) {
  const ticket = offer.ticket;
  return el('li', {class: 'offer', dataset: {offerId: offer.id, testid: 'offer'}},
    el('div', {class: 'offer-head'},
      el('strong', {}, ticket.customer?.name || t('customer.none')),
      el('span', {class: 'countdown', dataset: {testid: 'countdown'}})),
    el('div', {class: 'subject'}, ticket.subject),
    el('div', {class: 'badges'},
      el('span', {class: `badge ch-${ticket.channel}`}, label('channel', ticket.channel)),
      el('span', {class: 'badge lang'}, label('language', ticket.language)),
      el('span', {class: `badge prio-${ticket.priority}`}, label('priority', ticket.priority)),
      el('span', {class: 'badge', dataset: {testid: 'offer-client'}}, clientName(ticket))),
    el('div', {class: 'bar'}, el('span')),
    el('div', {class: 'row'},
      el('button', {type: 'button', class: 'primary', dataset: {testid: 'accept'},
        onclick: () => acceptOffer(offer)}, t('offers.accept')),
      el('button', {type: 'button', dataset: {testid: 'decline'}, onclick: () => declineOffer(offer)},
        t('offers.decline'))));
}

function renderOffers() {
  const list = $('offer-list');
  if (!list) return;
  const offers = [...state.offers.values()].sort((a, b) => a.deadline - b.deadline);
  list.replaceChildren(...(offers.length ? offers.map(offerCard) : [el('li', {class: 'empty'}, t('offers.none'))]));
  $('offer-count').textContent = String(offers.length);
  list.closest('.panel').classList.toggle('has-offers', offers.length > 0);
  document.title = offers.length ? `(${offers.length}) ${document.title.replace(/^\(\d+\) /, '')}`
    : document.title.replace(/^\(\d+\) /, '');
  tickOffers();
}

function tickOffers() {
  const now = Date.now();
  for (const [id, entry] of state.offers) {
    const left = (entry.deadline - now) / 1000;
    const card = document.querySelector(`.offer[data-offer-id="${id}"]`);
    if (left <= -1) { // the server's offer.expired may come a little later; do not wait for it
      removeOffer(id);
      toast(t('offers.expired', {number: entry.offer.ticket?.number ?? ''}));
      return;
    }
    if (!card) continue;
    card.querySelector('.countdown').textContent = t('offers.expires_in', {seconds: Math.max(0, Math.ceil(left))});
    const total = (Date.parse(entry.offer.expires_at) - Date.parse(entry.offer.created_at)) / 1000 || 1;
    card.querySelector('.bar span').style.width = `${Math.max(0, Math.min(100, (left / total) * 100))}%`;
    card.classList.toggle('urgent', left < 5);
  }
}

async function acceptOffer(offer) {
  try {
    const ticket = await api('POST', `/routing/offers/${offer.id}/accept`);
    removeOffer(offer.id);
    toast(t('offers.accepted', {number: ticket.number}));
    await loadTickets();
    await openTicket(ticket.id);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 409 || err.status === 404)) {
      removeOffer(offer.id);
      toast(t('offers.taken'), 'error');
    } else reportError(err);
  }
}

async function declineOffer(offer) {
  try {
    await api('POST', `/routing/offers/${offer.id}/decline`);
    removeOffer(offer.id);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 409 || err.status === 404)) removeOffer(offer.id);
    else reportError(err);
  }
}

// ---------- my tickets ----------
async function loadTickets() {
  try {
    state.tickets = (await api('GET', '/console/my-tickets')).items;
    renderTickets();
  } catch (err) { reportError(err); }
}
const refreshTickets = debounce(loadTickets, 150);

function ticketItem(ticket) {
  const current = state.current?.id === ticket.id;
  return el('li', {},
    el('button', {type: 'button', class: `ticket-item${ticket.unread ? ' unread' : ''}${current ? ' current' : ''}`,
      'aria-current': current ? 'true' : null, dataset: {ticketId: ticket.id, testid: 'ticket-item'},
      onclick: () => openTicket(ticket.id)},
    el('span', {class: 'line1'},
      ticket.unread ? el('span', {class: 'dot', title: t('tickets.unread'), dataset: {testid: 'unread'}},
        el('span', {class: 'visually-hidden'}, t('tickets.unread'))) : null,
      el('span', {class: 'num'}, `#${ticket.number}`),
      el('span', {class: 'subject'}, ticket.subject)),
    el('span', {class: 'line2 muted small'},
      [ticket.customer?.name || t('customer.none'), label('channel', ticket.channel),
        label('status', ticket.status), fmtDateTime(ticket.last_activity_at)].join(' · ')),
    sla.chip({dueIso: ticket.sla_due_at, warnIso: ticket.sla_warn_at})));
}

const DONE = new Set(['resolved', 'closed']);

// Active tickets first; resolved ones apart, in a group that stays closed unless the agent opens it.
function renderTickets() {
  const list = $('ticket-list');
  for (const ticket of state.tickets) rememberClient(ticket);
  const active = state.tickets.filter((x) => !DONE.has(x.status));
  const done = state.tickets.filter((x) => DONE.has(x.status));
  const items = active.length ? active.map(ticketItem) : [el('li', {class: 'empty'}, t('tickets.none'))];
  list.replaceChildren(el('li', {}, el('ul', {class: 'ticket-list', dataset: {testid: 'active-tickets'}}, items)),
    done.length ? el('li', {}, resolvedGroup(done)) : '');
}

function resolvedGroup(done) {
  const group = el('details', {class: 'resolved-group', open: state.showResolved || done.some(
    (x) => x.id === state.current?.id), dataset: {testid: 'resolved-group'}},
    el('summary', {}, t('tickets.resolved', {count: done.length})),
    el('ul', {class: 'ticket-list', dataset: {testid: 'resolved-tickets'}}, done.map(ticketItem)));
  group.addEventListener('toggle', () => { state.showResolved = group.open; });
  return group;
}

// In the order the list shows them (j/k walk it).
function ticketsInOrder() {
  return [...state.tickets.filter((x) => !DONE.has(x.status)), ...state.tickets.filter((x) => DONE.has(x.status))];
}

function rememberClient(ticket) {
  if (ticket?.client && ticket.client_name) state.clientNames.set(ticket.client, ticket.client_name);
}

function clientName(ticket) {
  rememberClient(ticket);
  return state.clientNames.get(ticket.client) || ticket.client || '';
}

// ---------- ticket view ----------
async function openTicket(id) {
  try {
    const ticket = await api('GET', `/tickets/${id}`);
    const switching = state.current?.id !== ticket.id;
    state.current = ticket;
    renderTicket(ticket, switching);
    markRead(ticket.id);
    renderTickets();
  } catch (err) { reportError(err); }
}

async function markRead(id) {
  const entry = state.tickets.find((x) => x.id === id);
  try {
    await api('PUT', `/console/tickets/${id}/read`);
    if (entry) { entry.unread = false; renderTickets(); }
  } catch (err) { console.warn(err); }
}

function renderTicket(ticket, switching) {
  $('ticket-empty').hidden = true;
  $('ticket-view').hidden = false;
  $('ticket-view').dataset.ticketId = ticket.id;
  watchTicket(ticket.id);
  $('t-title').replaceChildren(el('span', {class: 'num'}, `#${ticket.number}`), ' ', el('span', {}, ticket.subject));
  $('t-meta').replaceChildren(
    el('span', {class: `badge status-${ticket.status}`, dataset: {testid: 'status-badge'}}, label('status', ticket.status)),
    el('span', {class: `badge prio-${ticket.priority}`}, label('priority', ticket.priority)),
    el('span', {class: `badge ch-${ticket.channel}`}, label('channel', ticket.channel)),
    el('span', {class: 'badge lang', dataset: {testid: 'ticket-language'}}, label('language', ticket.language)),
    ...[el('span', {class: 'badge', dataset: {testid: 'ticket-client'}}, clientName(ticket)),
      ticket.product ? el('span', {class: 'badge'}, ticket.product) : null].filter(Boolean),
    sla.ticketChip(ticket) || '');
  $('sla-clocks').replaceChildren(...sla.clockList(ticket));
  $('sla-panel').hidden = false;
  renderStatusSelect(ticket);
  showDisposition(ticket);
  $('t-priority').replaceChildren(...Object.keys(labels.priority).map(
    (p) => option(p, label('priority', p), p === ticket.priority)));
  renderThread(ticket);
  renderCustomer(ticket);
  renderHistory(ticket);
  fieldsPanel.showTicket(ticket);
  showCsat(ticket);
  if (switching) {
    $('body').value = '';
    $('after-status').value = '';
    macros.load(ticket);
    showFilesFor(ticket, composerKind());
    if (features.routing) loadTransferTargets();
    lab?.showTicket(ticket);
  }
}

function renderStatusSelect(ticket) {
  const allowed = labels.transitions[ticket.status] || [];
  $('t-status').replaceChildren(option(ticket.status, label('status', ticket.status), true),
    ...allowed.map((s) => option(s, label('status', s))));
}

function authorName(message) {
  if (message.kind === 'inbound') return message.author?.name || t('thread.customer');
  return message.author?.name || '';
}

const KIND_LABEL = {inbound: 'thread.customer', outbound: 'thread.reply', note: 'thread.note', call: 'thread.call'};

function renderThread(ticket) {
  const items = ticket.messages.map((m) => el('li', {class: `msg kind-${m.kind}`, dataset: {messageId: m.id, testid: 'message'}},
    el('div', {class: 'msg-head small'},
      el('strong', {}, authorName(m)),
      el('span', {class: 'muted'}, t(KIND_LABEL[m.kind] || 'thread.call')),
      el('time', {class: 'muted', datetime: m.created_at}, fmtDateTime(m.created_at))),
    el('div', {class: 'msg-body', dataset: {testid: 'message-body'}}, m.body), attachmentList(m)));
  $('thread').replaceChildren(...(items.length ? items : [el('li', {class: 'empty'}, t('thread.empty'))]));
  $('thread').lastElementChild?.scrollIntoView({block: 'nearest'});
}

function renderCustomer(ticket) {
  const c = ticket.customer || {};
  const facts = [['customer.name', c.name], ['customer.email', c.email], ['customer.phone', c.phone],
    ['customer.handle', c.handle], ['customer.language', label('language', c.preferred_language)],
    ['customer.client', clientName(ticket)], ['customer.product', ticket.product],
    ['customer.opened', fmtDateTime(ticket.created_at)]];
  $('customer').replaceChildren(...facts.flatMap(([key, value]) => [el('dt', {}, t(key)),
    el('dd', {class: value ? '' : 'muted'}, value || t('customer.none'))]));
  $('customer-panel').hidden = false;
  renderStory(ticket, openTicket);
}

function historyText(event) {
  const key = `hist.${event.kind}`;
  const name = t(key) !== key ? t(key) : event.kind.replaceAll('_', ' ');
  if (event.kind === 'macro_applied') return `${name}: ${event.after?.title || ''}`;
  if (!event.kind.endsWith('_changed')) return name;
  const field = event.kind.replace(/_changed$/, '');
  const show = (value) => (Array.isArray(value) ? value.join(', ') : label(field, value)) || '—';
  if (field === 'disposition') return `${name}: ${event.before?.disposition || '—'} → ${event.after?.disposition || '—'}`;
  if (field === 'fields') {
    const value = (v) => (v === null || v === undefined ? '—' : String(v));
    return `${name}: ${Object.keys(event.after?.fields || {}).map((key) =>
      `${key} ${value(event.before?.fields?.[key])} → ${value(event.after.fields[key])}`).join(', ')}`;
  }
  return `${name}: ${show(event.before?.[field])} → ${show(event.after?.[field])}`;
}

function renderHistory(ticket) {
  $('history').replaceChildren(...[...ticket.events].reverse().map((e) => el('li', {},
    el('span', {}, historyText(e)),
    el('span', {class: 'muted small'}, [e.actor?.name ? t('history.by', {name: e.actor.name}) : '',
      fmtDateTime(e.created_at)].filter(Boolean).join(' · ')))));
  $('history-panel').hidden = false;
}

async function reloadCurrent() {
  if (state.current) await openTicket(state.current.id);
}

async function changeField(field, value) {
  if (!state.current || value === state.current[field]) return;
  try {
    const ticket = await api('PATCH', `/tickets/${state.current.id}`, {[field]: value});
    state.current = ticket;
    renderTicket(ticket, false);
    toast(t('ticket.updated'));
    refreshTickets();
  } catch (err) { fieldsPanel.showErrors(err); reportError(err); renderTicket(state.current, false); }
}

// ---------- composer ----------
function composerKind() {
  return document.querySelector('#composer input[name=kind]:checked').value;
}

function setKind(kind) {
  document.querySelector(`#composer input[name=kind][value=${kind}]`).checked = true;
  $('composer').classList.toggle('note-mode', kind === 'note');
  $('body').placeholder = t(kind === 'note' ? 'composer.placeholder_note' : 'composer.placeholder_reply');
  showFilesFor(state.current, kind);
  $('body').focus();
}

async function send(event) {
  event?.preventDefault();
  const ticket = state.current;
  const body = $('body').value;
  if (!ticket) return;
  const macro = macros.active(ticket);
  if (!body.trim() && !macro) { toast(t('composer.empty'), 'error'); $('body').focus(); return; }
  const kind = composerKind();
  const target = $('after-status').value;
  const files = kind === 'reply' ? chosenFiles() : [];
  if (files.length && !body.trim()) { toast(t('composer.empty'), 'error'); $('body').focus(); return; }
  $('send').disabled = true;
  try {
    if (macro) await sendWithMacro(ticket, body, kind, target, macro, files);
    else if (files.length) { await sendWithFiles(ticket, body, target, files); toast(t('composer.sent')); }
    else await sendMessage(ticket, body, kind, target);
    $('body').value = '';
    $('after-status').value = '';
    await reloadCurrent();
    refreshTickets();
  } catch (err) {
    fieldsPanel.showErrors(err);
    reportError(err);
    await reloadCurrent();
  } finally { $('send').disabled = false; }
}

async function sendMessage(ticket, body, kind, target) {
  // A reply moves a new ticket to open by itself; any other move goes in one request when it is allowed.
  const from = kind === 'reply' && ticket.status === 'new' ? 'open' : ticket.status;
  const direct = target && (labels.transitions[from] || []).includes(target);
  const payload = {kind, body};
  if (direct && kind === 'reply' && ticket.status !== 'new') payload.status = target;
  await api('POST', `/tickets/${ticket.id}/messages`, payload);
  $('body').value = ''; // sent: a status the ticket cannot take yet (a required field) must not send it twice
  if (target && !payload.status && (direct || target !== from)) {
    await api('PATCH', `/tickets/${ticket.id}`, {status: target});
  }
  toast(t(kind === 'reply' ? 'composer.sent' : 'composer.noted'));
}

// The macro's text (as edited), its files and its actions in one request; "then set status" after it, if
// still needed.
async function sendWithMacro(ticket, body, kind, target, macro, files) {
  const result = await macros.apply(ticket, body, kind, files);
  $('body').value = '';
  if (files.length) clearFiles();
  if (target && target !== result.ticket.status) await api('PATCH', `/tickets/${ticket.id}`, {status: target});
  toast(t('macro.applied', {title: macro.title}));
}

// ---------- transfer ----------
async function loadTransferTargets() {
  if (!$('t-transfer').options.length) $('t-transfer').replaceChildren(option('', t('transfer.pick')));
  try {
    if (!state.colleagues) state.colleagues = await api('GET', '/console/colleagues');
    state.queues = await api('GET', '/routing/queues');
  } catch (err) { state.queues = state.queues || []; }
  const agents = (state.colleagues || []).filter((a) => a.id !== me.id);
  $('t-transfer').replaceChildren(option('', t('transfer.pick')),
    el('optgroup', {label: t('transfer.agents')}, agents.map((a) => option(`agent:${a.id}`, a.name))),
    el('optgroup', {label: t('transfer.queues')}, (state.queues || []).map((q) => option(`queue:${q.id}`, q.name))));
}

async function transfer() {
  const [kind, id] = ($('t-transfer').value || '').split(':');
  const ticket = state.current;
  if (!ticket || !id) { toast(t('transfer.pick'), 'error'); $('t-transfer').focus(); return; }
  try {
    await api('POST', `/tickets/${ticket.id}/transfer`, {[`${kind}_id`]: Number(id)});
    toast(t('transfer.done', {number: ticket.number}));
    await loadTickets();
    if (!state.tickets.some((x) => x.id === ticket.id)) closeTicket();
    else await reloadCurrent();
  } catch (err) { reportError(err); }
}

function closeTicket() {
  state.current = null;
  watchTicket(null);
  $('ticket-view').hidden = true;
  $('ticket-empty').hidden = false;
  $('customer-panel').hidden = true;
  $('story-panel').hidden = true;
  $('sla-panel').hidden = true;
  $('history-panel').hidden = true;
  showCsat(null);
  lab?.showTicket(null);
  fieldsPanel.showTicket(null);
  renderTickets();
}

// ---------- live events ----------
function onTicketEvent(payload) {
  refreshTickets();
  if (state.current && state.current.id === (payload.id ?? payload.ticket?.id)) {
    const wasMine = state.current.assignee?.id === me.id;
    if (wasMine && payload.assignee_id !== undefined && payload.assignee_id !== me.id) closeTicket();
    else reloadCurrentSoon();
  }
}
const reloadCurrentSoon = debounce(reloadCurrent, 150);

const handlers = {
  'agent.snapshot': applyMe,
  'offer.created': (offer) => {
    if (offer.agent_id !== me.id) return;
    addOffer(offer, offer.created_at);
    announceOffer(offer);
  },
  'offer.accepted': (offer) => { removeOffer(offer.id); refreshTickets(); },
  'offer.declined': (offer) => removeOffer(offer.id),
  'offer.cancelled': (offer) => removeOffer(offer.id), // reassigned, or the agent went away
  'offer.expired': (offer) => {
    if (removeOffer(offer.id)) toast(t('offers.expired', {number: offer.ticket?.number ?? ''}));
  },
  'agent.presence': (p) => { if (p.agent_id === me.id) showPresence(p); },
  'wrapup.started': (w) => {
    if (w.agent_id !== me.id) return;
    rememberWrapupTicket(w.ticket_id);
    showWrapups([...[...state.wrapups.values()].map((e) => e.wrapup), w]);
    toast(t('wrapup.started', {number: w.ticket_id, seconds: w.seconds_left}));
  },
  'wrapup.ended': (w) => { if (state.wrapups.delete(w.id)) renderWrapups(); },
  'ticket.assigned': onTicketEvent,
  'ticket.updated': onTicketEvent,
  'ticket.queued': onTicketEvent,
  'message.created': onTicketEvent,
  'sla.warning': (payload) => onSlaEvent('sla.warning', payload),
  'sla.breached': (payload) => onSlaEvent('sla.breached', payload),
};

function onSlaEvent(name, {ticket, clock}) {
  toast(t(name, {number: ticket.number, metric: label('sla_metric', clock.metric)}),
    name === 'sla.breached' ? 'error' : 'info');
  onTicketEvent(ticket);
}
if (lab) Object.assign(handlers, lab.handlers());
Object.assign(handlers, viewerHandlers());
Object.assign(handlers, csatHandlers(() => state.current, () => reloadCurrentSoon()));

// The ticket of a wrap-up may have left "my tickets" (resolved, transferred): keep what the card shows.
function rememberWrapupTicket(id) {
  state.wrapupTickets = state.wrapupTickets || new Map();
  const known = state.tickets.find((x) => x.id === id) || (state.current?.id === id ? state.current : null);
  if (known) state.wrapupTickets.set(id, {id, client: known.client, subject: known.subject,
    disposition_id: known.disposition?.id ?? known.disposition_id});
}

// ---------- keyboard ----------
function moveSelection(step) {
  const tickets = ticketsInOrder();
  if (!tickets.length) return;
  const index = tickets.findIndex((x) => x.id === state.current?.id);
  const next = tickets[Math.max(0, Math.min(tickets.length - 1, index + step))];
  if (next) openTicket(next.id).then(() => document.querySelector(`[data-ticket-id="${next.id}"]`)?.focus());
}

function onKey(event) {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && event.target === $('body')) {
    event.preventDefault();
    send(event);
  } else if (event.key === 'Escape' && event.target === $('body')) {
    $('body').blur(); // out of the message box, single-key shortcuts work again
  }
}

function firstOffer() {
  return [...state.offers.values()].sort((a, b) => a.deadline - b.deadline)[0]?.offer;
}

// The macro picker when the console has one, else the canned answers.
function focusMacro() {
  const picker = ['macro', 'canned'].map($).find((node) => node && !node.hidden && !node.disabled);
  picker?.focus();
}

// Resolve the open ticket (a new ticket goes through open: the status machine has no new → resolved).
async function resolveCurrent() {
  const ticket = state.current;
  if (!ticket || ticket.status === 'resolved' || ticket.status === 'closed') return;
  try {
    if (!(labels.transitions[ticket.status] || []).includes('resolved')) {
      await api('PATCH', `/tickets/${ticket.id}`, {status: 'open'});
    }
    await api('PATCH', `/tickets/${ticket.id}`, {status: 'resolved'});
    toast(t('keys.resolved', {number: ticket.number}));
    await reloadCurrent();
    refreshTickets();
  } catch (err) { reportError(err); reloadCurrent(); }
}

const shortcutActions = {
  accept: () => firstOffer() && acceptOffer(firstOffer()),
  decline: () => firstOffer() && declineOffer(firstOffer()),
  next: () => moveSelection(1),
  previous: () => moveSelection(-1),
  reply: () => state.current && setKind('reply'),
  note: () => state.current && setKind('note'),
  macro: () => state.current && focusMacro(),
  resolve: resolveCurrent,
};

// ---------- start ----------
function start() {
  setupLocaleSwitch();
  $('composer').addEventListener('submit', send);
  document.querySelectorAll('#composer input[name=kind]').forEach((input) =>
    input.addEventListener('change', () => setKind(input.value)));
  macros = new MacroPicker({setKind});
  $('t-status').addEventListener('change', () => changeField('status', $('t-status').value));
  $('t-priority').addEventListener('change', () => changeField('priority', $('t-priority').value));
  $('t-disposition').addEventListener('change', changeDisposition);
  if (features.routing) {
    $('presence').addEventListener('change', changePresence);
    $('away-reason').addEventListener('change', changePresence);
    $('t-transfer-go').addEventListener('click', transfer);
    loadReasons();
    setInterval(tickOffers, 250);
    setInterval(tickWrapups, 250);
  }
  setInterval(() => sla.tick(), 1000);
  document.addEventListener('keydown', onKey);
  setupShortcuts(shortcutActions);
  setupSearch(openTicket);
  setupOfferAlerts();
  renderTickets();
  const socket = connectLive(handlers, () => {
    loadMe();
    loadTickets();
    reloadCurrent();
    lab?.refresh();
  });
  setupViewers(socket);
}

start();

// The console's search box (/ to focus, results as you type, arrows + Enter) and the customer's story panel.
// Snippets come as plain text + highlight offsets: they are put in the page as text nodes and <mark>s, never HTML.
import {api, debounce, el, fmtDateTime, label, reportError, t} from './common.js';

const $ = (id) => document.getElementById(id);
let searchSeq = 0;
let active = -1;

export function marked(match) {
  const parts = [];
  let at = 0;
  for (const [start, end] of match.highlights) {
    if (start > at) parts.push(match.text.slice(at, start));
    parts.push(el('mark', {}, match.text.slice(start, end)));
    at = end;
  }
  parts.push(match.text.slice(at));
  return parts;
}

function resultItem(hit, index, open) {
  const ticket = hit.ticket;
  const client = ticket.client_name || ticket.client;
  const best = hit.matches[0];
  return el('li', {role: 'option', id: `search-hit-${index}`, class: 'search-hit', dataset: {ticketId: ticket.id},
                   'aria-selected': 'false', onmousedown: (event) => { event.preventDefault(); choose(ticket.id, open); }},
    el('div', {class: 'hit-head'}, el('span', {class: 'num'}, `#${ticket.number}`), ' ',
       el('strong', {}, ticket.subject), ' ', el('span', {class: 'muted small'},
         [ticket.customer?.name || t('customer.none'), client,
          label('status', ticket.status)].filter(Boolean).join(' · '))),
    best ? el('div', {class: 'hit-snippet small', dataset: {field: best.field}}, ...marked(best)) : '');
}

function choose(ticketId, open) {
  closeResults();
  $('search-box').blur();
  open(ticketId);
}

function closeResults() {
  $('search-results').hidden = true;
  $('search-box').setAttribute('aria-expanded', 'false');
  active = -1;
}

function highlightActive() {
  const items = [...$('search-results').querySelectorAll('.search-hit')];
  items.forEach((item, index) => item.setAttribute('aria-selected', String(index === active)));
  if (items[active]) {
    $('search-box').setAttribute('aria-activedescendant', items[active].id);
    items[active].scrollIntoView({block: 'nearest'});
  }
}

async function runSearch(open) {
  const text = $('search-box').value.trim();
  const seq = ++searchSeq;
  if (!text) { closeResults(); return; }
  const q = /[\s"*]$/.test($('search-box').value) ? text : `${text}*`; // the word being typed is a prefix
  try {
    const page = await api('GET', `/search?${new URLSearchParams({q, limit: 8})}`);
    if (seq !== searchSeq) return; // an answer to an older keystroke
    const list = $('search-results');
    list.replaceChildren(...(page.items.length ? page.items.map((hit, i) => resultItem(hit, i, open))
      : [el('li', {class: 'empty'}, t('search.none'))]));
    list.hidden = false;
    $('search-box').setAttribute('aria-expanded', 'true');
    active = page.items.length ? 0 : -1;
    highlightActive();
  } catch (err) {
    if (seq !== searchSeq) return;
    if (err.status === 422) {
      $('search-results').replaceChildren(el('li', {class: 'empty'},
        Object.values(err.body?.error?.fields || {}).flat()[0] || err.message));
      $('search-results').hidden = false;
    } else reportError(err);
  }
}

function onSearchKey(event, open) {
  const items = $('search-results').querySelectorAll('.search-hit');
  if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
    event.preventDefault();
    if (!items.length) return;
    active = (active + (event.key === 'ArrowDown' ? 1 : -1) + items.length) % items.length;
    highlightActive();
  } else if (event.key === 'Enter') {
    event.preventDefault();
    if (items[active]) choose(Number(items[active].dataset.ticketId), open);
  } else if (event.key === 'Escape') {
    closeResults();
    $('search-box').blur();
  }
}

export function setupSearch(open) {
  const box = $('search-box');
  if (!box) return;
  const live = debounce(() => runSearch(open), 200);
  box.addEventListener('input', live);
  box.addEventListener('keydown', (event) => onSearchKey(event, open));
  box.addEventListener('blur', () => setTimeout(closeResults, 150));
  document.addEventListener('keydown', (event) => {
    const typing = ['INPUT', 'TEXTAREA', 'SELECT'].includes(event.target.tagName) || event.target.isContentEditable;
    if (event.key === '/' && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      box.focus();
      box.select();
    }
  });
}

// ---------- the customer's story ----------
function storyLine(entry) {
  const kind = entry.kind === 'message' ? `story.message.${entry.message.kind}` : `story.${entry.kind}`;
  let detail = '';
  if (entry.message) detail = entry.message.excerpt;
  else if (entry.call) detail = t('story.call_detail', {number: entry.call.from_number,
    minutes: Math.round((entry.call.duration_seconds || 0) / 60)});
  else if (entry.lab_checkout) detail = `${entry.lab_checkout.model} (${entry.lab_checkout.asset_tag})`;
  else if (entry.csat) detail = [`${entry.csat.rating}/5`, entry.csat.comment].filter(Boolean).join(' · ');
  else detail = entry.ticket.subject;
  return [t(kind), detail];
}

export async function renderStory(ticket, open) {
  const list = $('story');
  if (!list || !ticket.customer?.id) return;
  try {
    const page = await api('GET', `/customers/${ticket.customer.id}/timeline?limit=30`);
    if (Number($('ticket-view').dataset.ticketId) !== ticket.id) return; // another ticket was opened meanwhile
    const entries = page.items.filter((entry) => !(entry.kind === 'message' && entry.ticket.id === ticket.id));
    list.replaceChildren(...(entries.length ? entries.map((entry) => {
      const [what, detail] = storyLine(entry);
      const current = entry.ticket.id === ticket.id;
      return el('li', {class: `story-entry ${entry.kind}`, dataset: {kind: entry.kind, ticketId: entry.ticket.id}},
        el('div', {class: 'small muted'}, fmtDateTime(entry.at), ' · ', label('channel', entry.ticket.channel), ' · ',
          el('span', {dataset: {testid: 'story-client'}}, entry.ticket.client_name || entry.ticket.client || ''), ' · ', what),
        current ? el('span', {class: 'small'}, t('story.this_ticket'))
          : el('button', {type: 'button', class: 'link story-open', onclick: () => open(entry.ticket.id)},
            `#${entry.ticket.number ?? entry.ticket.id} ${entry.ticket.subject}`),
        el('div', {class: 'story-detail small'}, detail));
    }) : [el('li', {class: 'empty'}, t('story.none'))]));
    $('story-panel').hidden = false;
  } catch (err) { reportError(err); }
}
